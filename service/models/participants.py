"""Who took part in a case: the visibility index behind "cases I worked on" (kept on every audit event)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, BigId


class CaseParticipant(Base):
    """A user who recorded at least one event of a case (started it, completed a task, uploaded...).

    The audit log holds the same facts; this table answers "which cases did this user act on"
    with one index lookup instead of a scan of the user's audit events per listed case.
    """

    __tablename__ = "case_participants"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True, index=True
    )
