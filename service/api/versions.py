"""Versions of a deployed process: the history, and making an earlier version current (roll-back)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from ..auth import current_user, login_required, roles_required
from ..db import get_session
from ..errors import NotFound
from ..operations import versions as version_ops
from ..operations.audit import Actor
from ..schemas import version_schema


@login_required
def list_versions(key: str) -> ResponseReturnValue:
    """List every version of a process, newest first, marking the current one."""
    summaries = version_ops.summaries(get_session(), key)
    if not summaries:
        raise NotFound(f"没有流程 {key} / no process {key}")
    return {"items": version_schema.dump(summaries, many=True)}


@roles_required("process_owner")
def activate(key: str, version: int) -> ResponseReturnValue:
    """Make an earlier (or later) version the one new cases start on."""
    session = get_session()
    row = version_ops.find_version(session, key, version)
    changed = version_ops.activate(
        session, row, Actor.of(current_user(), "process_owner"), reason="roll-back"
    )
    session.commit()
    summary = next(s for s in version_ops.summaries(session, key) if s.row.id == row.id)
    return {**version_schema.dump(summary), "changed": changed}
