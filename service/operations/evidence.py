"""Reading evidence: the attachments a user may see, one by id or all of a case."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Attachment, User
from .instances import get_visible


def visible_attachment(session: Session, attachment_id: str, user: User) -> Attachment:
    """Return an attachment of a case the user may read, or NotFound."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("附件不存在 / no such attachment")
    get_visible(session, attachment.instance_id, user)  # NotFound when the case is not visible
    return attachment


def attachments_by_id(session: Session, instance_id: int, ids: Iterable[str]) -> dict[str, Attachment]:
    """Return the attachments of one case among `ids` (others are ignored)."""
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    query = select(Attachment).where(Attachment.id.in_(wanted), Attachment.instance_id == instance_id)
    return {a.id: a for a in session.scalars(query)}


def case_attachments(session: Session, instance_id: int) -> list[Attachment]:
    """Return every file uploaded to a case, oldest first."""
    query = select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.uploaded_at)
    return list(session.scalars(query))
