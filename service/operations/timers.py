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
from typing import Any

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

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


def write_batch(session: Session, rows: list[ProcessInstance], now: datetime) -> int:
    """Write the changed case rows of a fired batch in one round trip per shape, version-checked.

    SQLAlchemy sends one `UPDATE` per row when the mapper has a version column (it checks each row's
    count), so a batch of 20 cost 20 round trips, two thirds of a batch's and the slowest part when
    the database is busy. Here the rows whose columns changed are written with one executemany per
    set of changed columns (psycopg sends it as one pipeline), each row `WHERE id = … AND version_id
    = <the version it was loaded at>`; if any row was changed meanwhile the total count falls short
    and StaleDataError rolls the batch back (the worker then runs it case by case, as before). The
    rows are then marked written, so the flush at commit sends only the projections and events.
    Returns the number of rows written.
    """
    mapper = inspect(ProcessInstance)
    table = ProcessInstance.__table__
    columns = {prop.key: prop.columns[0] for prop in mapper.column_attrs}
    shapes: dict[tuple[str, ...], list[tuple[ProcessInstance, dict[str, Any]]]] = {}
    for row in rows:
        state = inspect(row)
        changed = tuple(sorted(k for k in state.committed_state if k in columns and k != "version_id"))
        if not changed or state.deleted or state.detached or "version_id" in state.committed_state:
            continue
        values = {columns[k].name: getattr(row, k) for k in changed}
        values |= {
            "updated_at": now,
            "version_id": row.version_id + 1,
            "b_id": row.id,
            "b_version": row.version_id,
        }
        shapes.setdefault(changed, []).append((row, values))
    written = 0
    for changed, entries in shapes.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version_id == bindparam("b_version"))
            .values({columns[k].name: bindparam(columns[k].name) for k in changed})
            .values(updated_at=bindparam("updated_at"), version_id=bindparam("version_id"))
        )
        result = session.connection().execute(statement, [values for _row, values in entries])
        if result.rowcount != len(entries):
            raise StaleDataError(f"{len(entries) - result.rowcount} case(s) changed while their timers fired")
        for row, values in entries:
            for key in changed:
                set_committed_value(row, key, getattr(row, key))
            set_committed_value(row, "updated_at", values["updated_at"])
            set_committed_value(row, "version_id", values["version_id"])
        written += len(entries)
    return written
