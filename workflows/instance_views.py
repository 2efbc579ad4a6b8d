"""Turn SpiffWorkflow tasks into our view objects: open user tasks, waiting timers, top-level stages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask

from . import deadlines
from .deadlines import DUE_KEY, DUE_PROVISIONAL_KEY, MOVED_EARLIER_KEY, WARN_KEY
from .loader import UserTaskMeta
from .views import TimerView, UserTaskView


def user_task_view(task: SpiffTask, meta: UserTaskMeta | None) -> UserTaskView:
    """Describe a user task with its lane, form, legal basis and stamped due/warn instants."""
    due = task.internal_data.get(DUE_KEY)
    warn = task.internal_data.get(WARN_KEY)
    return UserTaskView(
        id=str(task.id),
        bpmn_id=task.task_spec.bpmn_id,
        name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
        process_id=task.workflow.spec.name,
        role=meta.role if meta else None,
        form_key=meta.form_key if meta else None,
        due_at=datetime.fromisoformat(due) if due else None,
        warn_at=datetime.fromisoformat(warn) if warn else None,
        legal_basis=meta.legal_basis if meta else None,
        due_provisional=bool(task.internal_data.get(DUE_PROVISIONAL_KEY)),
        deadline_moved_earlier=bool(task.internal_data.get(MOVED_EARLIER_KEY)),
    )


def timer_view(task: SpiffTask, due: datetime, legal_bases: Mapping[tuple[str, str], str]) -> TimerView:
    """Describe a waiting timer due at `due`, with the legal basis its diagram declares."""
    bpmn_id = task.task_spec.bpmn_id or ""
    return TimerView(
        bpmn_id,
        task.task_spec.bpmn_name or "",
        due,
        provisional=deadlines.timer_provisional(task),
        legal_basis=legal_bases.get((task.workflow.spec.name, bpmn_id)),
    )


def top_level_task(workflow: BpmnWorkflow, task: SpiffTask) -> SpiffTask | None:
    """Return the task of the top-level workflow that (through sub-processes) contains `task`."""
    current = task
    while current.workflow is not workflow:
        parent_id = current.workflow.parent_task_id
        if parent_id is None:
            return None
        current = workflow.get_task_from_id(parent_id)
    return current


def waits_on_timer(definition: object) -> bool:
    """Return whether a waiting task's event definition includes a timer."""
    if isinstance(definition, TimerEventDefinition):
        return True
    # An event-based gateway waits on a MultipleEventDefinition holding its catch events' definitions.
    return isinstance(definition, MultipleEventDefinition) and any(
        isinstance(d, TimerEventDefinition) for d in definition.event_definitions
    )


def timer_due(value: object) -> datetime | None:
    """Return the due instant of a timer's stored event value, or None when it has none."""
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        due = TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None
    return datetime.fromisoformat(due.isoformat())  # a plain datetime, not the clock's subclass
