"""Fire due timers: one instance per transaction, safe with several workers on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import ScriptError

from ..models import ProcessInstance
from ..models.instances import InstanceStatusColumn
from .audit import SYSTEM_ACTOR, record_instance_event
from .instances import load_live, save
from .messages import route_messages


@dataclass
class TimerRun:
    """What one pass of the timer worker did."""

    fired: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def claim_due_instance(session: Session, now: datetime, skip: set[int]) -> int | None:
    """Pick (and on PostgreSQL lock, skipping rows other workers hold) one instance with a due timer."""
    query = (
        select(ProcessInstance.id)
        .where(
            ProcessInstance.next_timer_due_at <= now,
            ProcessInstance.status == InstanceStatusColumn.RUNNING,
            ProcessInstance.id.not_in(skip) if skip else True,
        )
        .order_by(ProcessInstance.next_timer_due_at)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def fire_instance_timers(session: Session, instance_id: int, now: datetime) -> list[str]:
    """Fire the instance's due timers, save it and record each fired timer."""
    live = load_live(session, instance_id)
    fired = live.engine.fire_timers(now)
    save(session, live)
    for timer in fired:
        record_instance_event(
            session,
            live.row,
            SYSTEM_ACTOR,
            "timer_fired",
            task_bpmn_id=timer.bpmn_id,
            task_name=timer.name,
            data={"due_at": timer.due_at, "fired_at": now},
        )
    route_messages(session, live, SYSTEM_ACTOR, now)
    return [t.bpmn_id for t in fired]


def mark_timer_failure(session: Session, instance_id: int, error: ScriptError) -> None:
    """Put an instance whose timer path failed into the error state, recorded, without moving it."""
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        return
    row.status = InstanceStatusColumn.ERROR
    row.error = {"message": error.message, "element_id": error.element_id, "line": error.line_number}
    row.next_timer_due_at = None
    record_instance_event(session, row, SYSTEM_ACTOR, "timer_failed", data=row.error)
