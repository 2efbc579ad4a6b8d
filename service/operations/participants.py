"""Keep `case_participants` (who acted on which case) as audit events are recorded."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..models import CaseParticipant

SYSTEM_USERNAME = "system"


def note_participant(session: Session, instance_id: int, username: str) -> None:
    """Record that `username` acted on the case (once; later calls change nothing)."""
    if username == SYSTEM_USERNAME:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(CaseParticipant).values(username=username, instance_id=instance_id).on_conflict_do_nothing()
    )
