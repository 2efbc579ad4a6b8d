"""Reading a case's record (执法全过程记录) page by page, for auditors and the JSON API."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import AuditEvent, User
from .audit import instance_stream
from .instances import get_visible


def event_page(
    session: Session,
    instance_id: int,
    user: User,
    *,
    kinds: Iterable[str] = (),
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditEvent], int]:
    """Return one page of a visible case's events in order (optionally of some kinds) and the total."""
    get_visible(session, instance_id, user)
    query = select(AuditEvent).where(AuditEvent.stream == instance_stream(instance_id))
    wanted = [k for k in kinds if k]
    if wanted:
        query = query.where(AuditEvent.kind.in_(wanted))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    try:
        rows = list(
            session.scalars(query.order_by(AuditEvent.seq).offset((page - 1) * per_page).limit(per_page))
        )
    except (ValueError, TypeError):  # a stored event edited outside the application no longer parses
        session.rollback()
        raise Conflict(
            "本案记录中有无法读取的记录，请运行审计链校验 / this case's record holds an event that cannot be "
            "read (altered outside the application): run the chain verification to find it"
        ) from None
    return rows, total


def event_kinds(session: Session, instance_id: int) -> list[str]:
    """Return the kinds of event a case's record holds."""
    query = select(AuditEvent.kind).where(AuditEvent.stream == instance_stream(instance_id)).distinct()
    return sorted(session.scalars(query))


def event_at(session: Session, instance_id: int, seq: int, user: User) -> AuditEvent:
    """Return event number `seq` of a visible case, or NotFound."""
    get_visible(session, instance_id, user)
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.stream == instance_stream(instance_id), AuditEvent.seq == seq)
    )
    if event is None:
        raise NotFound("记录不存在 / no such event")
    return event


def display_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Return {username: display name}; the record names people, not ids."""
    wanted = set(usernames)
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
    return {username: name for username, name in rows}
