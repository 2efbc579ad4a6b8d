"""Incidents: steps and timer runs that failed, kept open on a running case until a retry succeeds.

Two sources, one table. A step that fails inside the engine (a script, a gateway, a timer's date)
stays in the instance state in ERROR; `sync_incidents` mirrors those into rows on every save. A
timer run that fails as a whole (its transaction rolled back: a runaway loop, a database constraint,
a bug) leaves the state untouched; the timer worker opens a `timer` incident and retries it with
back-off. Every opening, retry and resolution is an event in the case's audit chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workflows import IncidentView

from ..db import as_utc, utcnow
from ..errors import Conflict, Forbidden, NotFound
from ..models import Incident, ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from .audit import SYSTEM_ACTOR, Actor, record_instance_event

if TYPE_CHECKING:
    from .live_instances import LiveInstance

LEADER_ROLES = ("squad_leader", "deputy_head", "bureau_head", "admin")
READER_ROLES = (*LEADER_ROLES, "auditor")
TIMER = "timer"
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next automatic retry: 1 min, doubling per attempt, at most 1 h."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def open_incidents_of(session: Session, instance_id: int) -> list[Incident]:
    """Return an instance's open incidents, oldest first."""
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
            .order_by(Incident.id)
        )
    )


def sync_incidents(session: Session, live: LiveInstance) -> None:
    """Mirror the steps the engine holds in ERROR into incident rows (called on every save)."""
    row = live.row
    views = {view.task_id: view for view in live.engine.incidents()}
    if not views and not row.open_incidents:
        return  # the common case costs no query
    now = utcnow()
    rows = open_incidents_of(session, row.id) if row.id is not None and row.open_incidents else []
    running = row.status == InstanceStatusColumn.RUNNING
    for incident in rows:
        view = views.pop(incident.task_id, None) if incident.task_id else None
        if view is not None:
            _failed_again(incident, view)
        elif incident.task_id or not running:
            _resolve(session, row, incident, now, SYSTEM_ACTOR.username)
    for view in views.values():
        live.incidents_opened.append(_open(session, row, view, now))
    row.open_incidents = sum(1 for i in rows if i.resolved_at is None) + len(views)


def _open(session: Session, row: ProcessInstance, view: IncidentView, now: datetime) -> Incident:
    incident = Incident(
        instance_id=row.id,
        task_id=view.task_id,
        element_id=view.bpmn_id,
        element_name=view.name,
        kind=view.kind,
        message=view.message,
        details={"process_id": view.process_id, "line": view.line, "error_line": view.error_line},
        attempts=1,
        opened_at=now,
        last_failed_at=view.failed_at or now,
    )
    session.add(incident)
    session.flush()  # the audit event names the incident by id
    _record(session, row, SYSTEM_ACTOR, "incident_opened", incident)
    return incident


def _failed_again(incident: Incident, view: IncidentView) -> None:
    if view.failed_at is not None and view.failed_at != as_utc(incident.last_failed_at):
        incident.last_failed_at, incident.message = view.failed_at, view.message


def _resolve(session: Session, row: ProcessInstance, incident: Incident, now: datetime, by: str) -> None:
    incident.resolved_at, incident.resolved_by, incident.next_retry_at = now, by, None
    _record(session, row, SYSTEM_ACTOR, "incident_resolved", incident)


def _record(session: Session, row: ProcessInstance, actor: Actor, kind: str, incident: Incident) -> None:
    record_instance_event(
        session,
        row,
        actor,
        kind,
        task_id=incident.task_id,
        task_bpmn_id=incident.element_id,
        task_name=incident.element_name,
        data=incident_fields(incident),
    )


def incident_fields(incident: Incident) -> dict[str, Any]:
    """Return what the audit record keeps of an incident."""
    return {
        "incident_id": incident.id,
        "kind": incident.kind,
        "message": incident.message,
        "attempts": incident.attempts,
        "next_retry_at": incident.next_retry_at,
    }


def timer_failed(
    session: Session, instance_id: int, error: BaseException, now: datetime, *, auto_retry: bool = True
) -> Incident | None:
    """Record a timer run that failed as a whole: open or bump the case's timer incident, back off.

    Without `auto_retry` the worker leaves the case alone until a leader retries it.
    """
    row = session.get(ProcessInstance, instance_id)
    if row is None or row.status != InstanceStatusColumn.RUNNING:
        return None
    incident = next((i for i in open_incidents_of(session, instance_id) if i.kind == TIMER), None)
    message = f"{type(error).__name__}: {error}"[:2000]
    kind = "incident_failed_again"
    if incident is None:
        kind, incident = "incident_opened", _timer_incident(session, row, message, now)
    else:
        incident.attempts += 1
        incident.message, incident.last_failed_at = message, now
    incident.next_retry_at = now + backoff(incident.attempts) if auto_retry else None
    row.timer_wake_at, row.timer_leases = incident.next_retry_at, 0
    session.flush()
    _record(session, row, SYSTEM_ACTOR, kind, incident)
    return incident


def _timer_incident(session: Session, row: ProcessInstance, message: str, now: datetime) -> Incident:
    timers = sorted(row.timers, key=lambda t: t.due_at)
    due = [t for t in timers if as_utc(t.due_at) <= now] or timers
    incident = Incident(
        instance_id=row.id,
        element_id=due[0].bpmn_id if due else "",
        element_name=due[0].name if due else "",
        kind=TIMER,
        message=message,
        details={"timers": [t.bpmn_id for t in due]},
        attempts=1,
        opened_at=now,
        last_failed_at=now,
    )
    session.add(incident)
    row.open_incidents += 1
    return incident


def timer_succeeded(session: Session, row: ProcessInstance, now: datetime) -> None:
    """Resolve the case's timer incident after a timer run that went through."""
    if not row.open_incidents:
        return
    for incident in open_incidents_of(session, row.id):
        if incident.kind == TIMER:
            _resolve(session, row, incident, now, SYSTEM_ACTOR.username)
            row.open_incidents = max(row.open_incidents - 1, 0)


def all_incidents(session: Session, *, state: str = "open", instance_id: int | None = None) -> list[Incident]:
    """Return incidents (open, resolved or all), oldest first, without a role check (CLI)."""
    return list(session.scalars(_incident_query(state, instance_id).order_by(Incident.id)))


def _incident_query(state: str, instance_id: int | None) -> Select[tuple[Incident]]:
    query = select(Incident)
    if state == "open":
        query = query.where(Incident.resolved_at.is_(None))
    elif state == "resolved":
        query = query.where(Incident.resolved_at.is_not(None))
    if instance_id is not None:
        query = query.where(Incident.instance_id == instance_id)
    return query


def list_incidents(
    session: Session,
    user: User,
    *,
    state: str = "open",
    instance_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Incident], int]:
    """Return one page of incidents (open, resolved or all), oldest first, and the total."""
    if not user.has_role(*READER_ROLES):
        raise Forbidden("只有负责人可以查看故障 / only leaders see incidents")
    query = _incident_query(state, instance_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Incident.id).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def get_incident(session: Session, incident_id: int, user: User) -> Incident:
    """Return one incident, for leaders and auditors."""
    if not user.has_role(*READER_ROLES):
        raise Forbidden("只有负责人可以查看故障 / only leaders see incidents")
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("故障不存在 / no such incident")
    return incident


def retry_incident(
    session: Session, incident_id: int, user: User | None, now: datetime, *, budget_seconds: float = 30.0
) -> Incident:
    """Run an open incident's failed work again, now (a leader, or the CLI with `user=None`)."""
    if user is not None and not user.has_role(*LEADER_ROLES):
        raise Forbidden("只有负责人可以重试 / only leaders may retry")
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("故障不存在 / no such incident")
    if incident.resolved_at is not None:
        raise Conflict("故障已解决 / this incident is already resolved")
    actor = Actor.of(user) if user is not None else SYSTEM_ACTOR
    row = session.get(ProcessInstance, incident.instance_id)
    assert row is not None  # guaranteed by the foreign key
    record_instance_event(
        session,
        row,
        actor,
        "incident_retried",
        task_bpmn_id=incident.element_id,
        data=incident_fields(incident),
    )
    if incident.kind == TIMER:
        _retry_timer(session, incident, now, budget_seconds)
    else:
        _retry_steps(session, incident, now, budget_seconds)
    return incident


def _retry_steps(session: Session, incident: Incident, now: datetime, budget_seconds: float) -> None:
    from .live_instances import load_live, save
    from .messages import route_messages

    try:
        with session.begin_nested():
            live = load_live(session, incident.instance_id)
            live.engine.retry_errors(now, budget_seconds=budget_seconds)
            save(session, live)
            route_messages(session, live, SYSTEM_ACTOR, now)
    except Exception as exc:  # noqa: BLE001  (the retry itself failed: the incident stays open, told why)
        row = session.get(ProcessInstance, incident.instance_id)
        assert row is not None
        incident.attempts += 1
        incident.message, incident.last_failed_at = f"{type(exc).__name__}: {exc}"[:2000], now
        _record(session, row, SYSTEM_ACTOR, "incident_failed_again", incident)
        return
    for still_open in open_incidents_of(session, incident.instance_id):
        if still_open.task_id and still_open not in live.incidents_opened:
            still_open.attempts += 1
            _record(session, live.row, SYSTEM_ACTOR, "incident_failed_again", still_open)


def _retry_timer(session: Session, incident: Incident, now: datetime, budget_seconds: float) -> None:
    from .timers import fire_instance_timers

    try:
        with session.begin_nested():
            fire_instance_timers(session, incident.instance_id, now, budget_seconds=budget_seconds)
    except Exception as exc:  # noqa: BLE001  (any failure of the timer run is what the incident records)
        timer_failed(session, incident.instance_id, exc, now)


def adopt_legacy(session: Session, now: datetime) -> list[int]:
    """Turn cases parked in the old `error` status into running cases with an open timer incident."""
    adopted = []
    rows = session.scalars(
        select(ProcessInstance).where(ProcessInstance.status == InstanceStatusColumn.ERROR)
    )
    for row in rows:
        error = row.error or {}
        row.status, row.error = InstanceStatusColumn.RUNNING, None
        incident = _timer_incident(session, row, str(error.get("message") or "timer run failed"), now)
        incident.details = {**(incident.details or {}), "legacy_error": error}
        # Retried by the next worker poll that sees its timers due (its state is from before the failure).
        due = [t.due_at for t in row.timers]
        row.next_timer_due_at = min(due) if due else None
        row.timer_wake_at, row.timer_leases = row.next_timer_due_at or now, 0
        session.flush()
        _record(session, row, SYSTEM_ACTOR, "incident_opened", incident)
        adopted.append(row.id)
    return adopted
