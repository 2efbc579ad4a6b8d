"""Drafts of task forms: saved while the user types, read back on reload, dropped once the task is done.

A draft is the user's scratch pad, not case state: it is not recorded in the audit chain (the
submission that completes the task is).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..errors import Invalid
from ..models import TaskDraft, User
from .tasks import task_for_action

MAX_DRAFT_FIELDS = 2000
MAX_DRAFT_CHARS = 256 * 1024


def save_draft(session: Session, task_id: str, user: User, fields: Mapping[str, list[str]]) -> TaskDraft:
    """Store what the user typed for a task they may act on (replacing their previous draft)."""
    task = task_for_action(session, task_id, user)
    if len(fields) > MAX_DRAFT_FIELDS or sum(len(v) for vs in fields.values() for v in vs) > MAX_DRAFT_CHARS:
        raise Invalid("草稿过大 / draft too large", {"draft": ["too large"]})
    draft = session.get(TaskDraft, (task_id, user.id))
    if draft is None:
        draft = TaskDraft(task_id=task_id, user_id=user.id, instance_id=task.instance_id, fields={})
        session.add(draft)
    draft.fields = {str(k): [str(v) for v in vs] for k, vs in fields.items()}
    return draft


def get_draft(session: Session, task_id: str, user: User) -> TaskDraft | None:
    """Return the user's draft for a task, if any."""
    return session.get(TaskDraft, (task_id, user.id))


def discard_drafts(session: Session, task_id: str) -> None:
    """Drop every draft of a task (it was completed)."""
    session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
