"""Session hooks that hand restored engines back to the per-process cache when a transaction ends.

An engine restored from a row's JSON is reusable by the next request only if the row still holds
exactly that state: after a commit of what it saved, or after a rollback of a transaction that never
changed it. A commit that bumps a row's version without touching its state (an evidence upload
appends to the audit chain, a claim sets the assignee) keeps the cached engine valid under the new version.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from ..models import ProcessInstance
from ..runtime import InstanceCache
from .calendar_sync import record_new_deadlines
from .live_instances import TRACKED, LiveInstance


def return_to_cache(session: Session, cache: InstanceCache, *, committed: bool) -> None:
    """After commit: cache engines whose state was stored; after rollback: those never changed."""
    tracked: list[LiveInstance] = session.info.pop(TRACKED, [])
    saved_rows = {live.row.id for live in tracked if live.saved}
    for live in tracked:
        if live.engine.changed or (not live.saved and live.row.id in saved_rows):
            continue  # in-memory state differs from what the row holds
        if committed:
            cache.put(live.row.id, live.row.version_id, live.engine)
        elif live.loaded_version and not live.saved:
            cache.put(live.row.id, live.loaded_version, live.engine)


STATE_KEPT = "zhifa.state_kept"


def _note_state_kept(session: Session, *_: object) -> None:
    """Before a flush: remember rows written without a new state (audit head, assignee, updated_at)."""
    for row in session.dirty:
        if isinstance(row, ProcessInstance) and not inspect(row).attrs.state.history.has_changes():
            session.info.setdefault(STATE_KEPT, {}).setdefault(row.id, (row, row.version_id))
        elif isinstance(row, ProcessInstance):
            session.info.setdefault(STATE_KEPT, {})[row.id] = (row, None)  # its state changed after all


def _rekey_kept(session: Session, cache: InstanceCache) -> None:
    """After commit: a cached engine of a row whose state did not change is still exact at the new version."""
    for row, old in session.info.pop(STATE_KEPT, {}).values():
        if old is not None and row.version_id != old:
            cache.rekey(row.id, old, row.version_id)


def install_cache_hooks(session_factory: sessionmaker[Session], cache: InstanceCache) -> None:
    """Hand engines back to the per-process cache when their transaction ends (and record deadlines set)."""
    event.listen(session_factory, "before_commit", lambda s: record_new_deadlines(s, s.info.get(TRACKED, [])))
    event.listen(session_factory, "before_flush", _note_state_kept)
    event.listen(
        session_factory,
        "after_commit",
        lambda s: (_rekey_kept(s, cache), return_to_cache(s, cache, committed=True)),
    )
    event.listen(
        session_factory,
        "after_rollback",
        lambda s: (s.info.pop(STATE_KEPT, None), return_to_cache(s, cache, committed=False)),
    )
