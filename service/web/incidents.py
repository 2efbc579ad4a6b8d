"""故障 on the pages: open incidents for leaders in the inbox and on the case page, and the 重试 action."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..db import get_session
from ..models import Incident, ProcessInstance, User
from ..operations import incidents as incident_ops
from ..operations import instances as instance_ops
from .common import request_now
from .deadlines import local_time
from .present import CaseHeading, heading
from .session import page_user, signin_required

KIND_NAMES = {
    "script": _l("Script"),
    "decision": _l("Decision table"),
    "gateway": _l("Gateway"),
    "event": _l("Event"),
    "task": _l("Step"),
    "timer": _l("Timer run"),
}


@dataclass(frozen=True)
class IncidentItem:
    """One open incident as a page shows it: the step, the error, since when, how often tried."""

    id: int
    case_id: int
    heading: CaseHeading | None
    element: str
    kind: str
    message: str
    opened: str
    last_failed: str
    next_retry: str
    attempts: int


def may_see(user: User) -> bool:
    """Whether the user sees incidents (leaders and auditors)."""
    return user.has_role(*incident_ops.READER_ROLES)


def may_retry(user: User) -> bool:
    """Whether the user may retry an incident (leaders)."""
    return user.has_role(*incident_ops.LEADER_ROLES)


def item_of(incident: Incident, case: ProcessInstance | None) -> IncidentItem:
    """Turn an incident row (and its case, for lists) into what the page shows."""
    return IncidentItem(
        id=incident.id,
        case_id=incident.instance_id,
        heading=heading(case) if case is not None else None,
        element=incident.element_name or incident.element_id,
        kind=str(KIND_NAMES.get(incident.kind, incident.kind)),
        message=incident.message,
        opened=local_time(incident.opened_at),
        last_failed=local_time(incident.last_failed_at),
        next_retry=local_time(incident.next_retry_at),
        attempts=incident.attempts,
    )


def open_count(user: User) -> int:
    """How many incidents are open (0 for users who do not see them)."""
    if not may_see(user):
        return 0
    _rows, total = incident_ops.list_incidents(get_session(), user, state="open", per_page=1)
    return total


def open_items(user: User, page: int, per_page: int) -> tuple[list[IncidentItem], int]:
    """One page of open incidents with their cases, oldest first, and the total."""
    session = get_session()
    rows, total = incident_ops.list_incidents(session, user, state="open", page=page, per_page=per_page)
    cases = {i: instance_ops.get_visible(session, i, user) for i in {row.instance_id for row in rows}}
    return [item_of(row, cases[row.instance_id]) for row in rows], total


def case_items(user: User, instance_id: int) -> list[IncidentItem]:
    """The open incidents of one case, for those who see incidents ([] for others)."""
    if not may_see(user):
        return []
    return [item_of(row, None) for row in incident_ops.open_incidents_of(get_session(), instance_id)]


@signin_required(*incident_ops.LEADER_ROLES)
def retry_incident(incident_id: int) -> ResponseReturnValue:
    """Run an incident's failed work again now (leaders), then show the case."""
    session = get_session()
    incident = incident_ops.retry_incident(session, incident_id, page_user(), request_now())
    session.commit()
    if incident.resolved_at is not None:
        flash(_("The step ran again and succeeded: the incident is resolved."), "success")
    else:
        failed = _(
            "The step failed again (attempt %(num)s): %(error)s",
            num=incident.attempts,
            error=incident.message,
        )
        flash(failed, "warning")
    return redirect(url_for("web.case", instance_id=incident.instance_id) + "#h-incidents")
