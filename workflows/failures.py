"""Failing engine steps stay in the instance as incidents and can be run again after a fix.

SpiffWorkflow marks a task ERROR when its own work raises (a script, a gateway condition, a DMN
table) and lets the exception escape `do_engine_steps`. A failure while a task is being *reached*
(a timer expression evaluated when the token arrives, or re-evaluated on every refresh) escapes
without marking anything, leaving the branch stuck in FUTURE or re-raising on every later step.
We give both the same shape: the failing task is put in ERROR with what went wrong (kept in its
internal data, so it survives save and restore), the rest of the instance keeps running, and
`reset_for_retry` puts the task back where it was so the next engine steps try it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .errors import ScriptError, WorkflowError
from .views import IncidentView

ERROR_KEY = "zhifa_error"
_UNREACHED = TaskState.PREDICTED_MASK | TaskState.FUTURE


class TimeBudgetExceeded(WorkflowError):
    """One run of an instance's engine steps took longer than it may (a loop, a runaway cycle)."""

    code = "time_budget_exceeded"


def script_error_from(exc: BaseException) -> ScriptError:
    """Describe an exception raised by the engine as a ScriptError naming element and line."""
    if isinstance(exc, ScriptError):
        return exc
    task = getattr(exc, "task", None)
    spec = getattr(exc, "task_spec", None) or (task.task_spec if task is not None else None)
    if isinstance(exc, SpiffWorkflowException):
        # Spiff wraps the real reason (e.g. a SandboxViolation) as the context of its own error.
        cause = exc.__context__ if isinstance(exc.__context__, WorkflowError) else None
        message = f"{exc}: {cause}" if cause else str(exc)
    else:
        message = f"{type(exc).__name__}: {exc}"
    return ScriptError(
        message=message,
        element_id=getattr(spec, "bpmn_id", None),
        element_name=getattr(spec, "bpmn_name", None),
        line_number=getattr(exc, "line_number", None) or None,
        error_line=getattr(exc, "error_line", None) or None,
        trace=list(getattr(exc, "notes", [])),
    )


def failing_task(exc: BaseException, running: SpiffTask | None) -> SpiffTask | None:
    """Return the task an engine exception belongs to, if it can be told."""
    task = getattr(exc, "task", None)
    if isinstance(task, SpiffTask) and not task.has_state(TaskState.COMPLETED | TaskState.CANCELLED):
        return task
    if running is not None and running.has_state(TaskState.ERROR):
        return running
    return None


def mark_failed(task: SpiffTask, exc: BaseException, now: datetime) -> None:
    """Put `task` in ERROR with a description of the failure, kept across save and restore."""
    error = script_error_from(exc)
    # A task Spiff marked ERROR failed while running; any other state means it failed being reached.
    phase = "run" if task.has_state(TaskState.ERROR) else "update"
    task.internal_data[ERROR_KEY] = {
        "phase": phase,
        "prior_state": task.state,
        "message": error.message[:2000],
        "line": error.line_number,
        "error_line": error.error_line,
        "failed_at": now.isoformat(),
    }
    if phase == "update":
        task.workflow.top_workflow.event_manager.remove_task(task)
        task._set_state(TaskState.ERROR)  # Spiff has no public way to park a task


def live_errors(workflow: BpmnWorkflow, tasks: list[SpiffTask]) -> list[SpiffTask]:
    """Keep the tasks in ERROR that still matter (not inside a cancelled branch or sub-process)."""
    return [t for t in tasks if t.has_state(TaskState.ERROR) and not _under_cancelled(workflow, t)]


def _under_cancelled(top: BpmnWorkflow, task: SpiffTask) -> bool:
    current = task
    while True:
        ancestor = current.parent
        while ancestor is not None:
            if ancestor.has_state(TaskState.CANCELLED):
                return True
            ancestor = ancestor.parent
        if current.workflow is top or current.workflow.parent_task_id is None:
            return False
        try:
            owner = top.get_task_from_id(current.workflow.parent_task_id)
        except SpiffWorkflowException:
            owner = None
        if owner is None or owner.has_state(TaskState.CANCELLED):
            return True  # its sub-process was cancelled or removed: nothing will resume it
        current = owner


def incident_view(task: SpiffTask) -> IncidentView:
    """Describe a task in ERROR for the caller."""
    info: dict[str, Any] = task.internal_data.get(ERROR_KEY) or {}
    failed_at = info.get("failed_at")
    return IncidentView(
        task_id=str(task.id),
        bpmn_id=task.task_spec.bpmn_id or "",
        name=task.task_spec.bpmn_name or task.task_spec.bpmn_id or "",
        process_id=task.workflow.spec.name,
        kind=_kind(task),
        message=str(info.get("message") or "step failed"),
        line=info.get("line"),
        error_line=info.get("error_line"),
        failed_at=datetime.fromisoformat(failed_at) if failed_at else None,
    )


def _kind(task: SpiffTask) -> str:
    spec_type = type(task.task_spec).__name__
    if isinstance(task.task_spec, CatchingEvent):
        return "event"
    for fragment, kind in (("Script", "script"), ("BusinessRule", "decision"), ("Gateway", "gateway")):
        if fragment in spec_type:
            return kind
    return "task"


def reset_for_retry(task: SpiffTask) -> None:
    """Put a failed task back where it was before it failed, so the next engine steps try it again."""
    info: dict[str, Any] = task.internal_data.pop(ERROR_KEY, None) or {}
    if info.get("phase") != "update":
        task._set_state(TaskState.READY)  # it was READY when it ran and failed
        return
    # Reaching it failed (e.g. a timer expression): evaluate it afresh, and reach the siblings the
    # failure interrupted, exactly as completing the parent would have.
    for key in ("event_value", "event_fired"):
        task.internal_data.pop(key, None)
    task._set_state(int(info.get("prior_state") or TaskState.FUTURE))
    siblings = task.parent.children if task.parent is not None else [task]
    for sibling in siblings:
        if sibling is task or sibling.has_state(_UNREACHED):
            sibling.task_spec._update(sibling)


def with_task_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a timer definition's check so a bad timer value names its task (plain errors do not)."""

    def checked(self: Any, my_task: SpiffTask, *args: Any) -> Any:
        try:
            return method(self, my_task, *args)
        except WorkflowException:
            raise
        except Exception as exc:  # noqa: BLE001  (any failure here is the timer's; name the task)
            raise WorkflowTaskException(f"invalid timer: {exc}", task=my_task, exception=exc) from exc

    checked.__wrapped__ = method  # type: ignore[attr-defined]
    return checked


def _patch_timers() -> None:
    for cls, name in (
        (spiff_timer.TimeDateEventDefinition, "has_fired"),
        (spiff_timer.DurationTimerEventDefinition, "has_fired"),
        (spiff_timer.CycleTimerEventDefinition, "cycle_complete"),
    ):
        method = getattr(cls, name)
        if not hasattr(method, "__wrapped__"):
            setattr(cls, name, with_task_errors(method))


_patch_timers()
