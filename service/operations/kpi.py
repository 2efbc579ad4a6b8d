"""Leaders' and auditors' indicators over a date range, computed from the audit record and open tasks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import CHINA_TZ, CalendarCoverageError, WorkCalendar

from ..db import as_utc
from ..models import AuditEvent, AuditStateTrace, HumanTask, InstanceLink, ProcessInstance, User

COMPLAINT_PROCESS = "complaint_handling"
FIRST_CONTACT_TASK = "first_contact"
ON_TIME_FLAG = "first_contact_on_time"


@dataclass(frozen=True)
class Rate:
    """A share: `hits` out of `total` (no percentage when nothing was counted)."""

    hits: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.hits / self.total, 1) if self.total else None


@dataclass(frozen=True)
class StageDays:
    """Average working days a task stage took, from the task's creation to its completion."""

    name: str
    average: float
    count: int


@dataclass(frozen=True)
class Kpis:
    """Every indicator of the KPI page, for events in [start, end)."""

    first_contact: Rate
    on_time: Rate
    conversion: Rate
    overdue_by_role: list[tuple[str, int]]
    overdue_by_officer: list[tuple[str, int]]
    stage_days: list[StageDays]


def compute(session: Session, start: datetime, end: datetime, now: datetime, calendar: WorkCalendar) -> Kpis:
    """Compute the indicators for completions and complaints within [start, end)."""
    done = _completions(session, start, end)
    traces = _traces(session, set(_befores(session, done).values()))
    return Kpis(
        first_contact=first_contact_rate(session, done, now),
        on_time=_on_time_rate(session, done, traces),
        conversion=conversion_rate(session, start, end),
        overdue_by_role=_overdue(session, now, HumanTask.role),
        overdue_by_officer=_overdue(session, now, User.display_name),
        stage_days=_stage_days(session, done, calendar),
    )


def _completions(session: Session, start: datetime, end: datetime) -> list[Any]:
    return list(
        session.execute(
            select(
                AuditEvent.instance_id,
                AuditEvent.stream,
                AuditEvent.seq,
                AuditEvent.task_id,
                AuditEvent.task_bpmn_id,
                AuditEvent.task_name,
                AuditEvent.occurred_at,
                AuditEvent.diff,
                AuditEvent.state_hash,
            ).where(
                AuditEvent.kind == "task_completed",
                AuditEvent.occurred_at >= start,
                AuditEvent.occurred_at < end,
            )
        ).all()
    )


def _befores(session: Session, done: list[Any]) -> dict[tuple[str, int], str]:
    """Return {(stream, seq): state hash} of the events just before each completion."""
    wanted = {(row.stream, row.seq - 1) for row in done}
    streams = sorted({stream for stream, _ in wanted})
    found: dict[tuple[str, int], str] = {}
    for begin in range(0, len(streams), 500):
        rows = session.execute(
            select(AuditEvent.stream, AuditEvent.seq, AuditEvent.state_hash).where(
                AuditEvent.stream.in_(streams[begin : begin + 500]), AuditEvent.state_hash.is_not(None)
            )
        )
        found.update({(s, q): h for s, q, h in rows if (s, q) in wanted})
    return found


def _traces(session: Session, digests: set[str | None]) -> dict[str, dict[str, Any]]:
    wanted = sorted(d for d in digests if d)
    found: dict[str, dict[str, Any]] = {}
    for begin in range(0, len(wanted), 500):
        rows = session.execute(
            select(AuditStateTrace.state_hash, AuditStateTrace.tasks).where(
                AuditStateTrace.state_hash.in_(wanted[begin : begin + 500])
            )
        )
        found.update({digest: tasks or {} for digest, tasks in rows})
    return found


def _flag(diff: dict[str, Any] | None) -> bool | None:
    """Return the first-contact flag the completion's data diff recorded, if any."""
    diff = diff or {}
    if ON_TIME_FLAG in (diff.get("added") or {}):
        value = diff["added"][ON_TIME_FLAG]
    elif ON_TIME_FLAG in (diff.get("changed") or {}):
        value = diff["changed"][ON_TIME_FLAG]["new"]
    else:
        return None
    return value if isinstance(value, bool) else None


def first_contact_rate(session: Session, done: list[Any], now: datetime) -> Rate:
    """先行联系率: contacts recorded on time / contacts recorded plus open contacts already overdue."""
    flags = [_flag(row.diff) for row in done if row.task_bpmn_id == FIRST_CONTACT_TASK]
    overdue_open = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(HumanTask.bpmn_id == FIRST_CONTACT_TASK, HumanTask.due_at < now)
    )
    recorded = [flag for flag in flags if flag is not None]
    return Rate(sum(recorded), len(recorded) + (overdue_open or 0))


def _on_time_rate(session: Session, done: list[Any], traces: dict[str, dict[str, Any]]) -> Rate:
    """按时办结率: completions at or before the due time the task had / completions with a due time."""
    before = _befores(session, done)
    hits = total = 0
    for row in done:
        tasks = traces.get(before.get((row.stream, row.seq - 1), ""), {})
        due = (tasks.get(row.task_id or "") or {}).get("due_at")
        if due:
            total += 1
            hits += as_utc(row.occurred_at) <= datetime.fromisoformat(due)
    return Rate(hits, total)


def conversion_rate(session: Session, start: datetime, end: datetime) -> Rate:
    """诉转案率: complaints received in the range that started a case / complaints received."""
    complaints = select(ProcessInstance.id).where(
        ProcessInstance.process_key == COMPLAINT_PROCESS,
        ProcessInstance.started_at >= start,
        ProcessInstance.started_at < end,
    )
    total = session.scalar(select(func.count()).select_from(complaints.subquery())) or 0
    converted = session.scalar(
        select(func.count(func.distinct(InstanceLink.from_instance_id))).where(
            InstanceLink.from_instance_id.in_(complaints)
        )
    )
    return Rate(converted or 0, total)


def _overdue(session: Session, now: datetime, column: Any) -> list[tuple[str, int]]:
    """Open tasks past their due time, counted per `column` (a role, or an officer's name)."""
    query = select(column, func.count()).select_from(HumanTask).where(HumanTask.due_at < now)
    if column is not HumanTask.role:
        query = query.outerjoin(User, User.id == HumanTask.assignee_id)
    rows = session.execute(query.group_by(column)).all()
    return sorted(((key or "", n) for key, n in rows), key=lambda kv: (-kv[1], kv[0]))


def _stage_days(session: Session, done: list[Any], calendar: WorkCalendar) -> list[StageDays]:
    """Average working days per task stage: first seen open in the record -> completed."""
    streams = sorted({row.stream for row in done})
    seen: dict[str, datetime] = {}
    for begin in range(0, len(streams), 500):
        rows = session.execute(
            select(AuditEvent.occurred_at, AuditEvent.state_hash)
            .where(AuditEvent.stream.in_(streams[begin : begin + 500]), AuditEvent.state_hash.is_not(None))
            .order_by(AuditEvent.stream, AuditEvent.seq)
        ).all()
        traces = _traces(session, {digest for _, digest in rows})
        for occurred_at, digest in rows:
            for task_id in traces.get(digest, {}):
                seen.setdefault(task_id, occurred_at)
    days: dict[str, list[int]] = defaultdict(list)
    for row in done:
        opened = seen.get(row.task_id or "")
        if opened is None:
            continue
        try:
            days[row.task_name or row.task_bpmn_id or ""].append(
                calendar.workdays_between(_local_day(opened), _local_day(row.occurred_at))
            )
        except CalendarCoverageError:
            continue  # beyond the calendar data: leave it out rather than guess
    return sorted(
        (StageDays(name, round(sum(v) / len(v), 1), len(v)) for name, v in days.items()),
        key=lambda s: (-s.average, s.name),
    )


def _local_day(moment: datetime) -> Any:
    return as_utc(moment).astimezone(CHINA_TZ).date()
