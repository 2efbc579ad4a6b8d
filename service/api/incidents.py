"""Incidents (failed steps and timer runs) for leaders, and the public health check."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError

from ..auth import current_user, login_required
from ..db import as_utc, get_session, utcnow
from ..operations import health as health_ops
from ..operations import incidents as incident_ops
from ..schemas import incident_schema, list_incidents_args
from .common import query_args, request_now

RETRY_AFTER_SECONDS = 5


@login_required
def list_all() -> ResponseReturnValue:
    """List incidents, oldest first (`state`: open, resolved or all)."""
    args = query_args(list_incidents_args)
    rows, total = incident_ops.list_incidents(get_session(), current_user(), **args)
    return {
        "items": incident_schema.dump(rows, many=True),
        "total": total,
        "page": args["page"],
        "per_page": args["per_page"],
    }


@login_required
def show(incident_id: int) -> ResponseReturnValue:
    """Show one incident."""
    return incident_schema.dump(incident_ops.get_incident(get_session(), incident_id, current_user()))


@login_required
def retry(incident_id: int) -> ResponseReturnValue:
    """Run the failed work again now (leaders); the incident comes back resolved or failed again."""
    session = get_session()
    incident = incident_ops.retry_incident(session, incident_id, current_user(), request_now())
    session.commit()
    return incident_schema.dump(incident)


def health() -> ResponseReturnValue:
    """Report database reachability, timer-worker heartbeats and backlog (public: no case data)."""
    try:
        report = health_ops.timer_health(get_session(), utcnow())
    except DBAPIError:
        body = {"status": "unavailable", "database": "unavailable", "checked_at": utcnow().isoformat()}
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    workers = [
        {
            "alive": w.alive,
            "last_run_at": as_utc(w.last_run_at).isoformat() if w.last_run_at else None,
            "last_fired": w.last_fired,
            "last_failed": w.last_failed,
            "total_fired": w.total_fired,
            "total_failed": w.total_failed,
        }
        for w in report.workers
        if w.stopped_at is None
    ]
    healthy = report.alive_workers > 0 and report.overdue == 0
    return {
        "status": "ok" if healthy else "degraded",
        "database": "ok",
        "timer_workers": {"alive": report.alive_workers, "workers": workers},
        "overdue_timers": report.overdue,
        "open_incidents": report.open_incidents,
        "checked_at": utcnow().isoformat(),
    }
