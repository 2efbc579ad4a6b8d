"""Audit chain verification."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from ..auth import roles_required
from ..db import get_session
from ..operations import audit as audit_ops


@roles_required("auditor", "admin")
def verify() -> ResponseReturnValue:
    """Check every hash chain and name the first broken link."""
    checked, broken = audit_ops.verify_chains(get_session())
    return {
        "ok": broken is None,
        "events_checked": checked,
        "first_break": None
        if broken is None
        else {
            "event_id": broken.event_id,
            "stream": broken.stream,
            "seq": broken.seq,
            "reason": broken.reason,
        },
    }
