"""Move a running instance onto another version of its process.

An instance can move when every task it is at (open user tasks, waiting timers and message
catches, running sub-processes) exists in the target version, keeps its kind, and a user task's
form stays compatible. Moving re-points each task at the target's spec and re-predicts what
comes after the tasks it is at; what those tasks already hold (timer due times, deadlines, data)
stays as it was, so a moved case keeps its deadlines and continues on the new diagram.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from . import clock, serializer
from .instance import WorkflowInstance
from .loader import ProcessDefinition

_AT = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_RESET = TaskState.READY | TaskState.WAITING

# form_compatible(old form key, new form key) -> None when compatible, else the reason.
FormCheck = Callable[[str | None, str | None], str | None]


@dataclass(frozen=True)
class Blocker:
    """Why an instance cannot move: a stable code, the element concerned and details."""

    # task_removed, kind_changed, form_changed, subprocess_removed, incident, not_running, trial_failed
    code: str
    element_id: str | None = None
    element_name: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class MigrationPlan:
    """Where an instance stands and whether it can move to the target version."""

    at: tuple[str, ...]  # BPMN ids of the tasks it is at (user tasks, timers, messages, sub-processes)
    blockers: tuple[Blocker, ...]

    @property
    def can_move(self) -> bool:
        """Tell whether nothing blocks the move."""
        return not self.blockers


def plan_migration(
    instance: WorkflowInstance, target: ProcessDefinition, form_check: FormCheck | None = None
) -> MigrationPlan:
    """Check, without changing anything, whether an instance can move to `target`."""
    workflow = instance._wf
    if workflow.is_completed():
        return MigrationPlan((), (Blocker("not_running"),))
    at: list[str] = []
    blockers: list[Blocker] = []
    for task in workflow.get_tasks(state=_AT):
        spec = task.task_spec
        if spec.bpmn_id is None:
            continue  # SpiffWorkflow's own bookkeeping (joins, splits, start/end markers)
        at.append(spec.bpmn_id)
        blockers.extend(_task_blockers(instance, task, target, form_check))
    if not blockers:
        blockers.extend(_trial(instance, target))
    return MigrationPlan(tuple(dict.fromkeys(at)), tuple(dict.fromkeys(blockers)))


def _trial(instance: WorkflowInstance, target: ProcessDefinition) -> list[Blocker]:
    """Move a copy and restore its state against the target: what passes here passes for real."""
    source = instance.definition
    copy = serializer.load_state(serializer.dump_state(instance._wf), source.spec, source.subprocess_specs)
    copy.script_engine = instance._wf.script_engine
    try:
        moved = _repoint(copy, target, None)
        restored = serializer.load_state(serializer.dump_state(moved), target.spec, target.subprocess_specs)
        lost = sum(t.task_spec is None for t in restored.tasks.values())
    except Exception as exc:  # noqa: BLE001  (any failure of the trial is a reason not to move)
        return [Blocker("trial_failed", detail=f"{type(exc).__name__}: {str(exc)[:200]}")]
    return [Blocker("trial_failed", detail=f"{lost} step(s) without an element")] if lost else []


def _task_blockers(
    instance: WorkflowInstance, task: SpiffTask, target: ProcessDefinition, form_check: FormCheck | None
) -> list[Blocker]:
    spec, scope = task.task_spec, task.workflow.spec.name
    where = (spec.bpmn_id, spec.bpmn_name)
    if task.state == TaskState.ERROR:
        return [Blocker("incident", *where)]
    target_scope = _target_spec(target, scope)
    if target_scope is None:
        return [Blocker("subprocess_removed", scope, instance.definition.element_names.get((scope, scope)))]
    candidate = target_scope.task_specs.get(spec.name)
    if candidate is None:
        return [Blocker("task_removed", *where)]
    if type(candidate) is not type(spec):
        return [Blocker("kind_changed", *where, f"{spec.description} → {candidate.description}")]
    old_meta = instance.definition.user_tasks.get((scope, spec.bpmn_id))
    new_meta = target.user_tasks.get((scope, spec.bpmn_id))
    if old_meta is None or new_meta is None or form_check is None:
        return []
    reason = form_check(old_meta.form_key, new_meta.form_key)
    return [Blocker("form_changed", *where, reason)] if reason else []


def _target_spec(target: ProcessDefinition, scope: str) -> Any:
    return target.spec if scope == target.spec.name else target.subprocess_specs.get(scope)


def migrate(
    instance: WorkflowInstance, target: ProcessDefinition, now: datetime | None = None
) -> WorkflowInstance:
    """Return the instance moved onto `target` (check `plan_migration` first; the input is spent)."""
    moved = WorkflowInstance(target, _repoint(instance._wf, target, now), instance._calendar)
    moved.advance(now)
    return moved


def _repoint(workflow: Any, target: ProcessDefinition, now: datetime | None) -> Any:
    """Point every task at the target's specs and re-predict from where the instance is."""
    registry = serializer._serializer().registry
    kept = {t.id: (t.data, dict(t.internal_data)) for t in workflow.get_tasks(state=_RESET)}
    with clock.frozen_at(now):
        subprocesses = list(workflow.subprocesses.values())
        _move(workflow, SpecDiff(registry, workflow.spec, target.spec), target.spec)
        workflow.subprocess_specs = dict(target.subprocess_specs)
        for sub in subprocesses:
            new_spec = target.subprocess_specs[sub.spec.name]
            _move(sub, SpecDiff(registry, sub.spec, new_spec), new_spec)
    for task_id, (data, internal) in kept.items():
        task = workflow.get_task_from_id(task_id)
        if task is not None:
            # Re-prediction cleared what the task held: its timer's due time, its deadline stamps.
            task.data, task.internal_data = data, internal
    return workflow


def _move(workflow: Any, spec_diff: SpecDiff, spec: Any) -> None:
    diff = WorkflowDiff(workflow, spec_diff)
    migrate_workflow(diff, workflow, spec, reset_mask=_RESET)
