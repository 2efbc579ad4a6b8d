"""Claim instances with due timers by lease and fire them, one instance per transaction.

A worker claims a batch of instances whose `timer_wake_at` has passed and moves it a lease ahead in
the same statement, so another worker skips them and nothing needs to remember what was processed.
Firing saves the instance, which sets `timer_wake_at` to its next due timer; a failed run sets it to
a back-off instead (see incidents.timer_failed). A worker that dies mid-run leaves the lease to
expire; `timer_leases` counts such unfinished claims so a case that keeps killing workers is set
aside as an incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from ..models import ProcessInstance
from ..models.instances import InstanceStatusColumn
from .audit import SYSTEM_ACTOR, record_instance_event
from .incidents import timer_succeeded
from .live_instances import load_live, save
from .messages import route_messages


@dataclass(frozen=True)
class TimerSettings:
    """How a timer worker claims and bounds its work."""

    batch: int = 20  # instances claimed per claiming transaction
    budget_seconds: float = 30.0  # engine time one instance's run may take
    lease: timedelta = timedelta(minutes=2)  # how long a claim keeps other workers away
    max_leases: int = 3  # unfinished claims (worker killed or hung) before the case is set aside
    max_runs_per_pass: int = 10  # runs of one instance in one pass (timers re-falling due at once)


@dataclass(frozen=True)
class Claim:
    """An instance leased to this worker, and how many earlier claims of it never finished."""

    instance_id: int
    unfinished: int


def claim_due(session: Session, now: datetime, settings: TimerSettings) -> list[Claim]:
    """Lease up to `settings.batch` instances whose timers are due (PostgreSQL skips rows others hold)."""
    due = (
        select(ProcessInstance.id, ProcessInstance.timer_leases)
        .where(
            ProcessInstance.timer_wake_at <= now,
            ProcessInstance.status == InstanceStatusColumn.RUNNING,
        )
        .order_by(ProcessInstance.timer_wake_at)
        .limit(settings.batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claims = [Claim(row.id, row.timer_leases) for row in session.execute(due)]
    if claims:
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id.in_([c.instance_id for c in claims]))
            .values(
                timer_wake_at=now + settings.lease,
                timer_leases=ProcessInstance.timer_leases + 1,
                updated_at=ProcessInstance.updated_at,  # a lease is not a change of the case
            )
            .execution_options(synchronize_session=False)
        )
    return claims


def preload(session: Session, instance_ids: list[int]) -> list[ProcessInstance]:
    """Load a claimed batch with its projections in three queries; hold the list while firing them."""
    # The session holds rows weakly: while the caller holds them, load_live needs no query per case.
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.id.in_(instance_ids))
            .options(selectinload(ProcessInstance.tasks), selectinload(ProcessInstance.timers))
        )
    )


def fire_instance_timers(
    session: Session, instance_id: int, now: datetime, *, budget_seconds: float | None = None
) -> list[str]:
    """Fire the instance's due timers, save it and record each fired timer."""
    live = load_live(session, instance_id)
    fired = live.engine.fire_timers(now, budget_seconds=budget_seconds)
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
    timer_succeeded(session, live.row, now)
    return [t.bpmn_id for t in fired]
