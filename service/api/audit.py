"""Audit chain verification."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from ..auth import roles_required
from ..db import get_session
from ..operations import audit_verify


@roles_required("auditor", "admin")
def verify() -> ResponseReturnValue:
    """Check every hash chain and every case's stored data; name the first broken link."""
    report = audit_verify.verify(get_session())
    broken = report.first_break
    return {
        "ok": broken is None,
        "events_checked": report.checked,
        "first_break": None
        if broken is None
        else {
            "event_id": broken.event_id,
            "stream": broken.stream,
            "seq": broken.seq,
            "reason": broken.reason,
            "kind": broken.kind,
        },
    }
