"""Search across cases for auditors: case fields, who acted in which role, event kinds, deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import AuditEvent, AuditStateTrace, ProcessInstance, User
from .caselist import CaseFilter, _like, case_query, overdue_counts
from .inbox import case_number, case_title

MISSED_SCAN_LIMIT = 5_000  # cases checked for missed deadlines per search (the rest are not scanned)


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor searches by; empty fields do not filter."""

    cases: CaseFilter = CaseFilter()
    number: str | None = None
    party: str | None = None
    address: str | None = None
    role: str | None = None
    kind: str | None = None
    missed: bool = False


def _summary_like(key: str, text: str) -> Any:
    return ProcessInstance.summary[key].as_string().like(_like(text.strip()), escape="\\")


def search_query(session: Session, user: User, flt: AuditFilter, now: datetime) -> Select[Any]:
    """Return the query of visible cases matching the filter (no order, no paging)."""
    query = case_query(session, user, flt.cases, now)
    if flt.number:
        query = query.where(_summary_like("case_no", flt.number))
    if flt.party:
        query = query.where(_summary_like("party_name", flt.party))
    if flt.address:
        query = query.where(_summary_like("address", flt.address))
    if flt.role or flt.kind:
        acted = select(AuditEvent.id).where(AuditEvent.instance_id == ProcessInstance.id)
        if flt.role:
            acted = acted.where(AuditEvent.role == flt.role)
        if flt.kind:
            acted = acted.where(AuditEvent.kind == flt.kind)
        query = query.where(exists(acted))
    if flt.missed:
        query = query.where(ProcessInstance.id.in_(missed_cases(session, user, flt, now)))
    return query


def search_page(
    session: Session, user: User, flt: AuditFilter, now: datetime, *, page: int = 1, per_page: int = 25
) -> tuple[list[ProcessInstance], int]:
    """Return one page of matching cases, newest first, and the total."""
    query = search_query(session, user, flt, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ProcessInstance.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


def search_export(
    session: Session, user: User, flt: AuditFilter, now: datetime, limit: int
) -> list[ProcessInstance]:
    """Return up to `limit` matching cases, newest first (for CSV and JSON export)."""
    query = search_query(session, user, flt, now).order_by(ProcessInstance.id.desc()).limit(limit)
    return list(session.scalars(query))


def missed_cases(session: Session, user: User, flt: AuditFilter, now: datetime) -> list[int]:
    """Return the ids of matching cases where some task was completed after its deadline."""
    candidates = search_query(session, user, replace(flt, missed=False), now).with_only_columns(
        ProcessInstance.id
    )
    ids = list(session.scalars(candidates.order_by(ProcessInstance.id.desc()).limit(MISSED_SCAN_LIMIT)))
    return sorted(missed_counts(session, ids))


def missed_counts(session: Session, instance_ids: Iterable[int]) -> dict[int, int]:
    """Return {case id: tasks completed after their deadline} for the cases that have any."""
    ids = list(instance_ids)
    if not ids:
        return {}
    done = session.execute(
        select(
            AuditEvent.instance_id,
            AuditEvent.stream,
            AuditEvent.seq,
            AuditEvent.task_id,
            AuditEvent.occurred_at,
        ).where(AuditEvent.instance_id.in_(ids), AuditEvent.kind == "task_completed")
    ).all()
    if not done:
        return {}
    before = _states_before(session, ids)
    traces = _task_tables(session, set(before.values()))
    missed: dict[int, int] = {}
    for instance_id, stream, seq, task_id, occurred_at in done:
        tasks = traces.get(before.get((stream, seq - 1), ""), {})
        due = (tasks.get(task_id or "") or {}).get("due_at")
        if due and as_utc(occurred_at) > datetime.fromisoformat(due):
            missed[instance_id] = missed.get(instance_id, 0) + 1
    return missed


def _states_before(session: Session, ids: list[int]) -> dict[tuple[str, int], str]:
    rows = session.execute(
        select(AuditEvent.stream, AuditEvent.seq, AuditEvent.state_hash).where(
            AuditEvent.instance_id.in_(ids), AuditEvent.state_hash.is_not(None)
        )
    )
    return {(stream, seq): digest for stream, seq, digest in rows}


def _task_tables(session: Session, digests: set[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    wanted = sorted(digests)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(AuditStateTrace.state_hash, AuditStateTrace.tasks).where(
                AuditStateTrace.state_hash.in_(chunk)
            )
        )
        found.update({digest: tasks or {} for digest, tasks in rows})
    return found


def result_rows(session: Session, rows: list[ProcessInstance], now: datetime) -> list[dict[str, Any]]:
    """Return found cases as plain rows: number, party, address, status, overdue and missed counts."""
    ids = [r.id for r in rows]
    late = overdue_counts(session, ids, now)
    missed = missed_counts(session, ids)
    return [
        {
            "id": row.id,
            "case_no": case_number(row),
            "title": case_title(row),
            "party": str((row.summary or {}).get("party_name") or ""),
            "address": str((row.summary or {}).get("address") or ""),
            "process_key": row.process_key,
            "stage": row.stage or "",
            "status": row.status.value,
            "started_at": row.started_at,
            "completed_at": row.completed_at,
            "overdue_tasks": late.get(row.id, 0),
            "missed_deadlines": missed.get(row.id, 0),
        }
        for row in rows
    ]
