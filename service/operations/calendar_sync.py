"""Keep each process's calendar in step with the schedules entered in the database, and record the
provisional deadlines a transaction set in the audit chain when it commits.

Several app processes and timer workers each hold a calendar in memory. Before a process computes
anything with its engine it compares a cheap signature of the `calendar_years` table (row count and
newest entry) with the one it last loaded, and reloads the schedules when they differ; so a schedule
entered by `zhifa calendar set-year` on any host is used everywhere from the next step on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.calendar_schedule import YearSchedule

from ..models import CalendarYear, HumanTask, InstanceTimer, ProcessInstance
from ..runtime import get_runtime
from .audit import SYSTEM_ACTOR, record_instance_event

_CHECKED_IN = "zhifa.calendar_checked_in"  # the transaction that last compared the signature


class _Live(Protocol):
    row: ProcessInstance
    new_deadlines: list[dict[str, Any]]


def sync_calendar(session: Session) -> None:
    """Load the entered schedules into this process's calendar if they changed since the last load.

    Checked once per transaction: a timer worker loads a batch of cases in one transaction, and a
    query per case would also flush the previous case's rows one by one instead of in one batch.
    """
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_CHECKED_IN) is transaction:
        return
    runtime = get_runtime()
    signature = tuple(session.execute(select(func.count(), func.max(CalendarYear.entered_at))).one())
    session.info[_CHECKED_IN] = session.get_transaction()
    if signature == runtime.calendar_signature:
        return
    runtime.engine.calendar.set_entered(entered_schedules(session))
    runtime.calendar_signature = signature


def entered_schedules(session: Session) -> dict[int, YearSchedule]:
    """Return every schedule entered in the database, by year."""
    schedules = {}
    for row in session.scalars(select(CalendarYear)):
        holidays, workdays = row.days()
        schedules[row.year] = YearSchedule(row.year, holidays, workdays)
    return schedules


def deadline_record(tasks: Iterable[HumanTask], timers: Iterable[InstanceTimer]) -> list[dict[str, Any]]:
    """Describe the provisional deadlines among newly opened tasks and timers, for the audit chain."""
    record: list[dict[str, Any]] = [
        {"task_id": t.id, "bpmn_id": t.bpmn_id, "name": t.name, "due_at": t.due_at, "provisional": True}
        | ({"legal_basis": t.legal_basis} if t.legal_basis else {})
        for t in tasks
        if t.due_provisional
    ]
    record += [
        {"timer": t.bpmn_id, "name": t.name, "due_at": t.due_at, "provisional": True}
        | ({"legal_basis": t.legal_basis} if t.legal_basis else {})
        for t in timers
        if t.provisional
    ]
    return record


def record_new_deadlines(session: Session, lives: Sequence[_Live]) -> None:
    """Append one `deadlines_set` event per instance that set provisional deadlines (runs before commit).

    Recorded last in the transaction, so the history reads: what was done, then the deadlines it set.
    """
    for live in lives:
        if live.new_deadlines:
            deadlines, live.new_deadlines = live.new_deadlines, []
            record_instance_event(
                session, live.row, SYSTEM_ACTOR, "deadlines_set", data={"deadlines": deadlines}
            )
