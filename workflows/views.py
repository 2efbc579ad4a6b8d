"""Small typed objects the engine layer returns instead of SpiffWorkflow classes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class InstanceStatus(enum.StrEnum):
    """Where an instance stands as a whole."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


@dataclass(frozen=True)
class UserTaskView:
    """An open human task: who may act, which form, by when."""

    id: str
    bpmn_id: str
    name: str
    process_id: str
    role: str | None
    form_key: str | None
    due_at: datetime | None
    warn_at: datetime | None
    legal_basis: str | None = None  # the `legalBasis` property: the rule that sets the deadline
    due_provisional: bool = False  # computed over a year whose holiday schedule is not published
    deadline_moved_earlier: bool = False  # a schedule entered later moved it earlier than it then was


@dataclass(frozen=True)
class TimerView:
    """A timer the instance waits on."""

    bpmn_id: str
    name: str
    due_at: datetime
    provisional: bool = False  # computed over a year whose holiday schedule is not published
    legal_basis: str | None = None


@dataclass(frozen=True)
class ThrownMessage:
    """A message the instance threw that nothing inside it caught; the service routes it."""

    name: str
    payload: object


@dataclass(frozen=True)
class IncidentView:
    """A step that failed and waits, in ERROR, to be run again after its cause is fixed."""

    task_id: str
    bpmn_id: str
    name: str
    process_id: str
    kind: str  # script, decision, gateway, event or task
    message: str
    line: int | None
    error_line: str | None
    failed_at: datetime | None
