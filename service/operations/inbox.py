"""Inbox queries (待办): open tasks with their case fields, filters, counts per filter and paging."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased, defer

from ..models import HumanTask, ProcessInstance, User
from .tasks import ASSIGNER_ROLES

FLAGS = ("overdue", "due_soon", "mine", "unassigned")


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: `team` (leaders) widens it to every open task of the bureau."""

    process: str | None = None
    stage: str | None = None
    text: str | None = None
    overdue: bool = False
    due_soon: bool = False
    mine: bool = False
    unassigned: bool = False
    team: bool = False


@dataclass(frozen=True)
class InboxRow:
    """One open task with the case it belongs to and who holds it."""

    task: HumanTask
    case: ProcessInstance
    assignee_name: str | None
    assignee_username: str | None


def case_number(case: ProcessInstance) -> str:
    """Return the number people know a case by: 案件编号, else the work order number, else #id."""
    summary: dict[str, Any] = case.summary or {}
    return str(summary.get("case_no") or summary.get("work_order_no") or f"#{case.id}")


def case_title(case: ProcessInstance) -> str:
    """Return a case's title as party and address (else its stored title)."""
    summary: dict[str, Any] = case.summary or {}
    parts = [str(summary[k]) for k in ("party_name", "address") if summary.get(k)]
    return " · ".join(parts) or case.title or ""


def _scope(user: User, team: bool) -> Select[Any]:
    """Open tasks of running cases the user may act on (leaders with `team`: all of them).

    Task rows exist only while their case runs: every save rebuilds them from the engine's ready
    tasks, and a completed or cancelled case has none. So no status filter is needed, and the join
    to the case is an outer one that PostgreSQL drops when nothing reads the case (the counts): a
    count is one index pass over the tasks, not a join with every running case.
    """
    query = select(HumanTask).outerjoin(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
    if team and user.has_role(*ASSIGNER_ROLES):
        return query
    mine = HumanTask.assignee_id == user.id
    pool = and_(HumanTask.role.in_(user.roles), HumanTask.assignee_id.is_(None))
    return query.where(or_(mine, pool))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: Select[Any], user: User, flt: InboxFilter, now: datetime) -> Select[Any]:
    if flt.process:
        query = query.where(ProcessInstance.process_key == flt.process)
    if flt.stage:
        query = query.where(ProcessInstance.stage.like(_like(flt.stage), escape="\\"))
    if flt.text:
        pattern = _like(flt.text.strip())
        query = query.where(
            or_(
                ProcessInstance.search_text.like(pattern, escape="\\"),
                ProcessInstance.title.like(pattern, escape="\\"),
            )
        )
    conditions = _flag_conditions(user, now)
    for flag in FLAGS:
        if getattr(flt, flag):
            query = query.where(conditions[flag])
    return query


def _flag_conditions(user: User, now: datetime) -> dict[str, ColumnElement[bool]]:
    """Return what each flag filter adds to the query."""
    return {
        "overdue": and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now),
        "due_soon": and_(HumanTask.warn_at.is_not(None), HumanTask.warn_at <= now, HumanTask.due_at >= now),
        "mine": HumanTask.assignee_id == user.id,
        "unassigned": HumanTask.assignee_id.is_(None),
    }


def inbox_query(session: Session, user: User, flt: InboxFilter, now: datetime) -> Select[Any]:
    """Return the filtered query of inbox tasks (no order, no paging)."""
    return _filtered(_scope(user, flt.team), user, flt, now)


def count(session: Session, query: Select[Any]) -> int:
    """Count the rows a query returns."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def inbox_view(
    session: Session, user: User, flt: InboxFilter, now: datetime, *, page: int = 1, per_page: int = 25
) -> tuple[list[InboxRow], int, dict[str, int]]:
    """Return one page of inbox rows, their total and the counts per flag, counting in one pass."""
    counts = filter_counts(session, user, flt, now)
    active = [flag for flag in FLAGS if getattr(flt, flag)]
    total = counts[active[0] if active else "all"] if len(active) <= 1 else None
    rows, total = inbox_page(session, user, flt, now, page=page, per_page=per_page, total=total)
    return rows, total, counts


def inbox_page(
    session: Session,
    user: User,
    flt: InboxFilter,
    now: datetime,
    *,
    page: int = 1,
    per_page: int = 25,
    total: int | None = None,
) -> tuple[list[InboxRow], int]:
    """Return one page of inbox rows, due first (undated last), and the total (counted unless given)."""
    query = inbox_query(session, user, flt, now)
    total = count(session, query) if total is None else total
    assignee = aliased(User)
    rows = session.execute(
        query.add_columns(ProcessInstance, assignee.display_name, assignee.username)
        .outerjoin(assignee, HumanTask.assignee_id == assignee.id)
        .options(defer(ProcessInstance.state))  # a list never needs the engine state
        .order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.created_at, HumanTask.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [InboxRow(task, case, name, username) for task, case, name, username in rows], total


def filter_counts(session: Session, user: User, flt: InboxFilter, now: datetime) -> dict[str, int]:
    """Count the tasks each flag would show, on top of the other (non-flag) filters: {"all": n, ...}."""
    base = replace(flt, overdue=False, due_soon=False, mine=False, unassigned=False)
    conditions = _flag_conditions(user, now)
    columns = [func.count(), *(func.count().filter(conditions[flag]) for flag in FLAGS)]
    query = inbox_query(session, user, base, now).with_only_columns(*columns).order_by(None)
    row = session.execute(query).one()  # one pass over the tasks for every count
    return dict(zip(("all", *FLAGS), (int(n or 0) for n in row), strict=True))


def stage_options(session: Session, user: User, now: datetime) -> list[str]:
    """Return the stage names of the cases in this user's inbox (for the stage filter)."""
    query = inbox_query(session, user, InboxFilter(), now).with_only_columns(ProcessInstance.stage).distinct()
    names: list[str] = []
    for (stage,) in session.execute(query):
        for name in (stage or "").split("、"):
            if name and name not in names:
                names.append(name)
    return sorted(names)


def colleagues_for(session: Session, role: str | None) -> list[User]:
    """Return the active staff who hold `role` (whom a leader may hand a task to)."""
    if not role:
        return []
    users = session.scalars(select(User).where(User.active).order_by(User.username))
    return [u for u in users if role in u.roles]


def inbox_row(session: Session, task_id: str) -> InboxRow | None:
    """Return one open task as an inbox row (after an action on it), or None once it is gone."""
    assignee = aliased(User)
    found = session.execute(
        select(HumanTask, ProcessInstance, assignee.display_name, assignee.username)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .outerjoin(assignee, HumanTask.assignee_id == assignee.id)
        .where(HumanTask.id == task_id)
    ).first()
    return InboxRow(*found) if found else None
