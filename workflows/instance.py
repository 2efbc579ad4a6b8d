"""A running case: advance it, list and complete its human tasks, fire its timers, dump its state."""

from __future__ import annotations

import time as monotonic_time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from . import clock, compaction, deadlines, serializer
from .deadlines import (
    DUE_COMPUTED_KEY,
    DUE_KEY,
    DUE_PROVISIONAL_KEY,
    MOVED_EARLIER_KEY,
    TIMER_KEY,
    WARN_KEY,
    DeadlineChange,
    public_data,
    reads_provisional,
    to_instant,
)
from .errors import TaskNotReady
from .failures import (
    TimeBudgetExceeded,
    failing_task,
    incident_view,
    live_errors,
    mark_failed,
    reset_for_retry,
    script_error_from,
)
from .instance_views import timer_due, timer_view, top_level_task, user_task_view, waits_on_timer
from .loader import ProcessDefinition, UserTaskMeta
from .terminate import ended_by_terminate, is_terminate
from .trace import Trace, trace_workflow
from .views import IncidentView, InstanceStatus, ThrownMessage, TimerView, UserTaskView
from .workcalendar import Binding, WorkCalendar, record_provisional

MAX_SETTLE_ROUNDS = 10_000
COMPACT_EVERY_STEPS = 200  # engine steps in one advance between two cuts of the finished history
_ACTIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


class WorkflowInstance:
    """One process instance, wrapping a SpiffWorkflow BpmnWorkflow behind our own types."""

    def __init__(self, definition: ProcessDefinition, workflow: BpmnWorkflow, calendar: WorkCalendar) -> None:
        self.definition = definition
        self._wf = workflow
        self._calendar = calendar
        # Every read below needs the unfinished tasks; one tree walk serves them all until the next change.
        self._unfinished: list[SpiffTask] | None = None
        self.changed = False  # mutated since it was restored or last dumped

    def release(self) -> None:
        """Break the task tree's reference cycles, so its objects are freed at once without the collector.

        For an instance no one will use again (a cache dropping it): tasks and their workflows refer to
        each other, so otherwise only a full pass of the cyclic collector frees them (a web worker runs
        one rarely: service/gc_policy.py). The instance is unusable afterwards.
        """
        workflows = [self._wf, *self._wf.subprocesses.values()]
        for workflow in workflows:
            for task in workflow.tasks.values():
                task.__dict__.clear()
            workflow.__dict__.clear()  # its tasks, sub-processes, event manager (which refers back)
        self._unfinished = None

    def _active(self) -> list[SpiffTask]:
        if self._unfinished is None:
            self._unfinished = self._wf.get_tasks(state=_ACTIVE_STATES)
        return self._unfinished

    # -- running -------------------------------------------------------------------------------

    def advance(self, now: datetime | None = None, *, budget_seconds: float | None = None) -> None:
        """Run engine steps (gateways, scripts, due timers) until only people or time can move it.

        A step that fails stays in ERROR as an incident (see `incidents`); the rest carries on.
        Raises TimeBudgetExceeded when the steps take longer than `budget_seconds`.
        """
        self._unfinished, self.changed = None, True
        deadline = None if budget_seconds is None else monotonic_time.monotonic() + budget_seconds
        with clock.frozen_at(now):
            for _ in range(MAX_SETTLE_ROUNDS):
                self._engine_steps(deadline)
                if self._wf.get_next_task(state=TaskState.READY, manual=False) is None:
                    break
            with _as_script_error():
                self._stamp_due_times()
        compaction.compact(self._wf)
        self._unfinished, self.changed = None, True

    def _engine_steps(self, deadline: float | None) -> None:
        running: list[SpiffTask | None] = [None]

        def will_run(task: SpiffTask) -> None:
            running[0] = task

        done = [0]

        def did_run(_task: SpiffTask) -> None:
            running[0] = None
            if deadline is not None and monotonic_time.monotonic() > deadline:
                raise TimeBudgetExceeded("engine steps ran past their time budget and were stopped")
            done[0] += 1
            if done[0] % COMPACT_EVERY_STEPS == 0:
                # A loop of engine steps grows the tree that every step re-scans: cut it as it goes.
                compaction.compact(self._wf)

        try:
            self._wf.do_engine_steps(will_complete_task=will_run, did_complete_task=did_run)
        except TimeBudgetExceeded:
            raise
        except Exception as exc:
            task = failing_task(exc, running[0])
            if task is None:  # not attributable to a step: the caller's transaction must roll back
                if isinstance(exc, SpiffWorkflowException):
                    raise script_error_from(exc) from exc
                raise
            mark_failed(task, exc, clock.now())

    def complete_task(
        self, task_id: str, data: Mapping[str, Any], now: datetime | None = None
    ) -> UserTaskView:
        """Complete an open user task with validated form data, then advance.

        Raises ScriptError when the task's own work fails (it stays open); a failure further on
        (reaching a timer, a script after it) becomes an incident and the completion stands.
        """
        task = self._ready_user_task(task_id)
        view = self._view(task)
        self._unfinished, self.changed = None, True
        with clock.frozen_at(now):
            # Replace values rather than mutate nested ones: nested data is shared between tasks (P6).
            task.data.update({key: value for key, value in data.items()})
            try:
                task.run()
            except Exception as exc:
                culprit = failing_task(exc, None)
                if culprit is None or culprit is task:
                    if isinstance(exc, SpiffWorkflowException):
                        raise script_error_from(exc) from exc
                    raise
                mark_failed(culprit, exc, clock.now())
        self.advance(now)
        return view

    def fire_timers(self, now: datetime, *, budget_seconds: float | None = None) -> list[TimerView]:
        """Fire every timer due at `now` and advance; return the timers that fired."""
        due = [t for t in self.timers() if t.due_at <= now]
        if due:
            # SpiffWorkflow fires only when due < now; a timer due exactly at `now` must fire too.
            self.advance(now + timedelta(microseconds=1), budget_seconds=budget_seconds)
        return due

    def retry_errors(self, now: datetime | None = None, *, budget_seconds: float | None = None) -> int:
        """Run every failed step again (after its cause was fixed), then advance; return how many."""
        failed = self._errors()
        if not failed:
            return 0
        self._unfinished, self.changed = None, True
        with clock.frozen_at(now):
            for task in failed:
                try:
                    reset_for_retry(task)
                except Exception as exc:  # noqa: BLE001  (reaching it failed again: it stays an incident)
                    mark_failed(failing_task(exc, None) or task, exc, clock.now())
        self.advance(now, budget_seconds=budget_seconds)
        return len(failed)

    def send_message(self, name: str, payload: object, now: datetime | None = None) -> None:
        """Deliver a message to this instance (raises TaskNotReady if nothing waits for it)."""
        self._unfinished, self.changed = None, True
        try:
            self._wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
        except WorkflowException as exc:
            raise TaskNotReady(f"instance is not waiting for message '{name}'") from exc
        self.advance(now)

    def cancel(self) -> None:
        """Cancel the whole instance, failed steps included."""
        for task in self._errors():
            task._set_state(TaskState.CANCELLED)  # a cancelled case leaves no incident behind
        self._unfinished, self.changed = None, True
        self._wf.cancel()

    # -- reading -------------------------------------------------------------------------------

    def open_tasks(self) -> list[UserTaskView]:
        """List the READY user tasks."""
        return [self._view(t) for t in self._active() if t.state == TaskState.READY and t.task_spec.manual]

    def task_data(self, task_id: str) -> dict[str, Any]:
        """Return the data an open task currently sees."""
        return public_data(self._ready_user_task(task_id).data)

    def timers(self) -> list[TimerView]:
        """List the timers the instance waits on, with their due instants (event-based gateways too)."""
        found = []
        for task in self._active():
            if task.state == TaskState.WAITING and waits_on_timer(
                getattr(task.task_spec, "event_definition", None)
            ):
                due = timer_due(task.internal_data.get("event_value"))
                if due is not None:
                    found.append(self._timer_view(task, due))
        return sorted(found, key=lambda t: t.due_at)

    def next_timer_due(self) -> datetime | None:
        """Return the earliest timer due instant, if any."""
        timers = self.timers()
        return timers[0].due_at if timers else None

    def incidents(self) -> list[IncidentView]:
        """List the steps that failed and wait to be run again (`retry_errors`)."""
        return [incident_view(t) for t in self._errors()]

    def _errors(self) -> list[SpiffTask]:
        return live_errors(self._wf, self._active())

    def status(self) -> InstanceStatus:
        """Return the instance's overall status: a failed step keeps it running, with an incident."""
        if self._errors():
            return InstanceStatus.RUNNING
        if self._wf.is_completed():
            ended = self._wf.get_next_task(state=TaskState.COMPLETED, spec_name="End") is not None
            done = ended or ended_by_terminate(self._wf)
            return InstanceStatus.COMPLETED if done else InstanceStatus.CANCELLED
        return InstanceStatus.RUNNING

    def stage(self) -> str | None:
        """Name the top-level activities (stages) that hold open or waiting work."""
        names: list[str] = []
        for task in self._active():
            if task.state not in (TaskState.READY, TaskState.WAITING):
                continue
            top = top_level_task(self._wf, task)
            name = top.task_spec.bpmn_name if top is not None and top is not task else None
            if name and name not in names:
                names.append(name)
        return "、".join(names) or None

    def data(self) -> dict[str, Any]:
        """Return the case data: the final data when done, else what the open work sees, newest last."""
        if self._wf.is_completed():
            return public_data(self._wf.data)
        last = self._wf.last_task
        merged = dict(last.data) if last is not None else {}
        active = [t for t in self._active() if t.state != TaskState.ERROR]
        # Work inside sub-processes and parallel branches is only visible in the tasks that follow it.
        for task in sorted(active, key=lambda t: t.last_state_change):
            merged.update(task.data)
        return public_data(merged)

    def has_provisional(self) -> bool:
        """Return whether a pending deadline or a value it may read rests on a provisional calendar year."""
        return deadlines.has_provisional(self._active())

    def recompute_deadlines(self, now: datetime) -> list[DeadlineChange]:
        """Recompute provisional deadlines against the calendar as it now stands; return those that moved.

        Each is re-evaluated with the engine clock frozen at the instant it was first computed, so
        `today()` in an expression means what it meant then. A task whose due time moves earlier
        than `now` is flagged (`UserTaskView.deadline_moved_earlier`).
        """
        self._unfinished, self.changed = None, True
        active = self._active()
        with _as_script_error():
            deadlines.replay_scripts(self._wf, active)
            changes = [c for c in (self._recompute(task, now) for task in active) if c is not None]
        self._unfinished = None
        return changes

    def thrown_messages(self) -> list[ThrownMessage]:
        """Take the messages thrown that nothing in this instance caught (each returned once)."""
        events = [e for e in self._wf.get_events() if not is_terminate(e)]
        return [ThrownMessage(e.event_definition.name, e.payload) for e in events]

    def trace(self) -> Trace:
        """Return per-node states and the path taken, for the status diagram."""
        return trace_workflow(self._wf)

    def dump(self) -> str:
        """Serialise the state (without the definition) to JSON text."""
        self.changed = False
        return serializer.dump_state(self._wf)

    # -- internals -----------------------------------------------------------------------------

    def _ready_user_task(self, task_id: str) -> SpiffTask:
        try:
            task = self._wf.get_task_from_id(UUID(task_id))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(f"task {task_id} is not an open user task of this instance")
        return task

    def _meta(self, task: SpiffTask) -> UserTaskMeta | None:
        return self.definition.user_tasks.get((task.workflow.spec.name, task.task_spec.bpmn_id))

    def _view(self, task: SpiffTask) -> UserTaskView:
        return user_task_view(task, self._meta(task))

    def _timer_view(self, task: SpiffTask, due: datetime) -> TimerView:
        return timer_view(task, due, self.definition.legal_bases)

    def _stamp_due_times(self) -> None:
        for task in self._wf.get_tasks(state=TaskState.READY, manual=True):
            meta = self._meta(task)
            if meta is None or not meta.due_expression or DUE_KEY in task.internal_data:
                continue
            due = deadlines.stamp_due(task, self._wf, meta.due_expression)
            self._stamp_warn(task, meta, due)

    def _stamp_warn(self, task: SpiffTask, meta: UserTaskMeta, due: datetime) -> None:
        if not meta.warn_before_workdays:
            return
        # Counting back over the party's (longer) holidays warns earlier, which is the safe side.
        warn_day = self._calendar.add_workdays(
            due.astimezone(clock.CHINA_TZ).date(), -meta.warn_before_workdays, Binding.PARTY
        )
        task.internal_data[WARN_KEY] = to_instant(warn_day).isoformat()

    def _recompute(self, task: SpiffTask, now: datetime) -> DeadlineChange | None:
        if task.state == TaskState.READY and task.internal_data.get(DUE_PROVISIONAL_KEY):
            return self._recompute_due(task, now)
        if task.state == TaskState.WAITING and deadlines.timer_provisional(task):
            return self._recompute_timer(task)
        return None

    def _recompute_due(self, task: SpiffTask, now: datetime) -> DeadlineChange | None:
        meta = self._meta(task)
        if meta is None or not meta.due_expression:
            return None
        old = datetime.fromisoformat(task.internal_data[DUE_KEY])
        computed = task.internal_data.get(DUE_COMPUTED_KEY)
        with clock.frozen_at(datetime.fromisoformat(computed) if computed else None):
            new = deadlines.stamp_due(task, self._wf, meta.due_expression)
            self._stamp_warn(task, meta, new)
        if new == old:
            return None
        if new < old and new < now:
            task.internal_data[MOVED_EARLIER_KEY] = True
        view = self._view(task)
        return DeadlineChange("task", view.id, view.bpmn_id, view.name, old, new, view.due_provisional)

    def _recompute_timer(self, task: SpiffTask) -> DeadlineChange | None:
        expression = deadlines.timer_expression(task)
        old = timer_due(task.internal_data.get("event_value"))
        if expression is None or old is None:
            return None
        at = task.internal_data[TIMER_KEY]["at"]
        with clock.frozen_at(datetime.fromisoformat(at)), record_provisional() as years:
            value = self._wf.script_engine.evaluate(task, expression)
        provisional = bool(years) or reads_provisional(task.data, expression)
        task.internal_data["event_value"] = value
        task.internal_data[TIMER_KEY] = {"provisional": provisional, "at": at}
        new = timer_due(value)
        if new is None or new == old:
            return None
        view = self._timer_view(task, new)
        return DeadlineChange("timer", str(task.id), view.bpmn_id, view.name, old, new, provisional)


class _as_script_error:  # noqa: N801  (used as a context manager, reads like one)
    """Turn SpiffWorkflow's task exceptions into our ScriptError with element and line."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None or not isinstance(exc, SpiffWorkflowException):
            return False
        raise script_error_from(exc) from exc
