"""The case list (案件): visible cases filtered by process, stage, status, officer, dates and overdue work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select, text, union
from sqlalchemy.orm import Session, defer

from workflows import CHINA_TZ

from ..models import CaseParticipant, HumanTask, ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from .search import COUNT_CAP, text_condition
from .visibility import newest_first, visible_instances

EXPORT_LIMIT = 10_000


class Total(int):
    """The number of cases of a list; `capped` when a text search stopped counting at COUNT_CAP."""

    capped: bool = False

    @classmethod
    def more_than(cls, count: int) -> Total:
        """Return a capped total: the list holds more than `count` cases."""
        total = cls(count)
        total.capped = True
        return total


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows; dates are China dates, both ends included."""

    process: str | None = None
    stage: str | None = None
    status: str | None = None
    officer: str | None = None  # a username who started or acted on the case
    started_from: date | None = None
    started_to: date | None = None
    overdue: bool = False
    text: str | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def case_query(
    session: Session, user: User, flt: CaseFilter, now: datetime, *, counting: bool = False
) -> Select[Any]:
    """Return the filtered query of visible cases (no order, no paging; `counting`: shaped for a count)."""
    query = visible_instances(user, counting=counting)
    if flt.process:
        query = query.where(ProcessInstance.process_key == flt.process)
    if flt.stage:
        query = query.where(ProcessInstance.stage.like(_like(flt.stage), escape="\\"))
    if flt.status in {s.value for s in InstanceStatusColumn}:
        query = query.where(ProcessInstance.status == InstanceStatusColumn(flt.status))
    if flt.text and flt.text.strip():
        query = query.where(text_condition(flt.text.strip(), session.get_bind().dialect.name))
    if flt.started_from:
        query = query.where(ProcessInstance.started_at >= _china_midnight(flt.started_from))
    if flt.started_to:
        query = query.where(ProcessInstance.started_at < _china_midnight(flt.started_to + timedelta(days=1)))
    if flt.officer:
        query = query.where(_involves(session, flt.officer))
    if flt.overdue:
        late = select(HumanTask.id).where(
            HumanTask.instance_id == ProcessInstance.id, HumanTask.due_at.is_not(None), HumanTask.due_at < now
        )
        query = query.where(exists(late))
    return query


def _involves(session: Session, username: str) -> Any:
    acted = select(CaseParticipant.instance_id).where(CaseParticipant.username == username)
    started = select(ProcessInstance.id).where(
        ProcessInstance.started_by_id == select(User.id).where(User.username == username).scalar_subquery()
    )
    return ProcessInstance.id.in_(union(acted, started))


def case_page(
    session: Session, user: User, flt: CaseFilter, now: datetime, *, page: int = 1, per_page: int = 25
) -> tuple[list[ProcessInstance], Total]:
    """Return one page of cases, newest first, and the total (a text search counts up to COUNT_CAP)."""
    if flt.text and flt.text.strip():
        return _search_page(session, user, flt, now, page=page, per_page=per_page)
    # Without a text filter the visible set is counted as one union of index scans (see visibility).
    counted = case_query(session, user, flt, now, counting=True).with_only_columns(ProcessInstance.id)
    total = Total(session.scalar(select(func.count()).select_from(counted.subquery())) or 0)
    rows = session.scalars(
        case_query(session, user, flt, now)
        .options(defer(ProcessInstance.state))  # a list never needs the engine state
        .order_by(newest_first(flt.text))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def _search_page(
    session: Session, user: User, flt: CaseFilter, now: datetime, *, page: int, per_page: int
) -> tuple[list[ProcessInstance], Total]:
    """One page of a text search: one query finds the ids of up to COUNT_CAP + 1 matches, newest first.

    The visibility rule is probed per match. The same ids give the count (capped: a common character
    is in every case) and the page, so the matches are found and the rule's sets built once, not
    once for the count and again for the page. A page past COUNT_CAP counts and pages separately.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))  # compiling these short queries costs more than it saves
    ids = case_query(session, user, flt, now).with_only_columns(ProcessInstance.id)
    ids = ids.order_by(newest_first(flt.text))
    offset = (page - 1) * per_page
    if offset + per_page <= COUNT_CAP:
        found = list(session.scalars(ids.limit(COUNT_CAP + 1)))
        count, page_ids = len(found), found[offset : offset + per_page]
    else:
        count = session.scalar(select(func.count()).select_from(ids.limit(COUNT_CAP + 1).subquery())) or 0
        page_ids = list(session.scalars(ids.offset(offset).limit(per_page)))
    total = Total.more_than(COUNT_CAP) if count > COUNT_CAP else Total(count)
    if not page_ids:
        return [], total
    rows = session.scalars(
        select(ProcessInstance)
        .options(defer(ProcessInstance.state))
        .where(ProcessInstance.id.in_(page_ids))
        .order_by(ProcessInstance.id.desc())
    )
    return list(rows), total


def case_export(session: Session, user: User, flt: CaseFilter, now: datetime) -> list[ProcessInstance]:
    """Return every case of the filtered list (up to EXPORT_LIMIT), newest first, for CSV export."""
    query = case_query(session, user, flt, now).options(defer(ProcessInstance.state))
    query = query.order_by(ProcessInstance.id.desc()).limit(EXPORT_LIMIT)
    return list(session.scalars(query))


def overdue_counts(session: Session, instance_ids: list[int], now: datetime) -> dict[int, int]:
    """Return {instance id: number of open tasks past due} for the given cases."""
    if not instance_ids:
        return {}
    query = (
        select(HumanTask.instance_id, func.count())
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.due_at.is_not(None), HumanTask.due_at < now)
        .group_by(HumanTask.instance_id)
    )
    return {instance_id: n for instance_id, n in session.execute(query)}


def officers(session: Session) -> list[User]:
    """Return the active staff a case list can be filtered by."""
    return list(session.scalars(select(User).where(User.active).order_by(User.username)))


def stage_names(session: Session, user: User) -> list[str]:
    """Return the stage names of visible running cases."""
    query = visible_instances(user, counting=True).where(
        ProcessInstance.status == InstanceStatusColumn.RUNNING
    )
    query = query.with_only_columns(ProcessInstance.stage).distinct()
    names: set[str] = set()
    for (stage,) in session.execute(query):
        names.update(n for n in (stage or "").split("、") if n)
    return sorted(names)


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """Return {username: display name} for the given usernames (history shows names, not ids)."""
    if not usernames:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(usernames)))
    return {username: name for username, name in rows}


def names_by_id(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Return {user id: display name} for the given ids."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}
