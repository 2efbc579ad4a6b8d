"""Load an instance with its restored engine (`LiveInstance`) and save it back with its projections.

`save` writes the engine state and, in the same transaction, rebuilds what queries read instead of
the JSON: the task and timer rows, the search fields, incidents, the audit snapshot and the public notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from workflows import InstanceStatus, ThrownMessage, WorkflowInstance

from ..db import utcnow
from ..errors import NotFound
from ..jsonsafe import to_json_value
from ..models import HumanTask, Incident, InstanceTimer, ProcessDefinitionRow, ProcessInstance
from ..models.instances import InstanceStatusColumn
from ..runtime import LoadedDefinition, get_runtime
from .audit_snapshots import remember_state
from .calendar_sync import deadline_record, sync_calendar
from .incidents import sync_incidents
from .publicity import sync_public_notice

SEARCH_FIELDS = ("case_no", "title", "address", "party_name", "work_order_no", "summary")
# session.info key: the instances loaded in this transaction (instance_cache hands their engines back)
TRACKED = "zhifa.live_instances"


@dataclass
class LiveInstance:
    """An instance row with its definition and the restored engine object."""

    row: ProcessInstance
    definition: LoadedDefinition
    engine: WorkflowInstance
    loaded_version: int = 0
    saved: bool = False
    # Messages thrown and not caught inside, taken out of the engine before its state is stored
    # (else the stored state would hold them and they would be routed again on every later step).
    outbox: list[ThrownMessage] = field(default_factory=list)
    # Provisional deadlines this transaction set, recorded in the audit chain at commit (calendar_sync).
    new_deadlines: list[dict[str, Any]] = field(default_factory=list)
    incidents_opened: list[Incident] = field(default_factory=list)  # by saves in this transaction


def load_live(session: Session, instance_id: int, *, for_update: bool = False) -> LiveInstance:
    """Load an instance row and restore its engine state."""
    row = None if for_update else _loaded_with_projections(session, instance_id)
    if row is None:  # (building the query costs ~0.3 ms: not when a timer worker preloaded the row)
        # Load the projections up front: a lazy load after changes would autoflush a second UPDATE.
        query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if for_update:  # PostgreSQL refuses FOR UPDATE on an outer join: the projections come separately
            query = query.options(
                selectinload(ProcessInstance.tasks), selectinload(ProcessInstance.timers)
            ).with_for_update()
        else:  # one round trip for the row and both projections (a few rows each)
            query = query.options(joinedload(ProcessInstance.tasks), joinedload(ProcessInstance.timers))
        row = session.scalars(query).unique().first()
    if row is None:
        raise NotFound("案件不存在 / no such instance")
    sync_calendar(session)
    runtime = get_runtime()
    # A stored version never changes: skip loading its files when it is already parsed.
    loaded = runtime.cached(row.definition_id)
    if loaded is None:
        definition_row = session.get(ProcessDefinitionRow, row.definition_id)
        assert definition_row is not None  # guaranteed by the foreign key
        loaded = runtime.loaded(definition_row)
    engine = runtime.instances.take(row.id, row.version_id) or runtime.engine.restore(
        loaded.process, row.state
    )
    return track(session, LiveInstance(row, loaded, engine, row.version_id))


def _loaded_with_projections(session: Session, instance_id: int) -> ProcessInstance | None:
    """Return the row if this session already holds it with its projections (a query would add nothing)."""
    row = session.identity_map.get(session.identity_key(ProcessInstance, instance_id))
    if not isinstance(row, ProcessInstance):
        return None
    return None if {"tasks", "timers", "state", "version_id"} & inspect(row).unloaded else row


def track(session: Session, live: LiveInstance) -> LiveInstance:
    """Remember the instance so the session hooks can hand its engine back to the cache."""
    session.info.setdefault(TRACKED, []).append(live)
    return live


def save(session: Session, live: LiveInstance) -> None:
    """Write the engine state and rebuild the task and timer projections in the same transaction."""
    row, engine = live.row, live.engine
    live.outbox.extend(engine.thrown_messages())
    status = engine.status()
    row.state = engine.dump()
    live.saved = True
    row.serializer_version = "1.5"
    row.status = InstanceStatusColumn(status.value)
    row.stage = engine.stage()
    data = engine.data()
    row.summary = {k: to_json_value(data[k]) for k in SEARCH_FIELDS if k in data}
    row.title = str(data.get("title") or data.get("case_no") or row.title or "")[:300]
    row.search_text = " ".join(str(v) for v in row.summary.values())
    if status is not InstanceStatus.RUNNING and row.completed_at is None:
        row.completed_at = utcnow()
    row.provisional_deadlines = live.engine.has_provisional()
    new_tasks, new_timers = _sync_tasks(session, live), _sync_timers(live)
    live.new_deadlines += deadline_record(new_tasks, new_timers)
    sync_incidents(session, live)
    remember_state(session, live)  # the record page draws the diagram as it stood after each event
    sync_public_notice(session, live)  # the public 公示 page's masked copy


def _sync_tasks(session: Session, live: LiveInstance) -> list[HumanTask]:
    open_views = {view.id: view for view in live.engine.open_tasks()}
    existing = {task.id: task for task in live.row.tasks}
    for task_id, task in existing.items():
        if task_id not in open_views:
            live.row.tasks.remove(task)
    added = []
    for task_id, view in open_views.items():
        task = existing.get(task_id)
        if task is None:
            task = HumanTask(id=task_id, bpmn_id=view.bpmn_id, name=view.name, process_id=view.process_id)
            task.role, task.form_key, task.legal_basis = view.role, view.form_key, view.legal_basis
            live.row.tasks.append(task)
            added.append(task)
        # A due time changes only when a schedule entered later recomputes it (operations/calendar.py).
        if (task.due_at, task.warn_at) != (view.due_at, view.warn_at):
            task.due_at, task.warn_at = view.due_at, view.warn_at
        task.due_provisional, task.deadline_moved_earlier = view.due_provisional, view.deadline_moved_earlier
    return added


def _sync_timers(live: LiveInstance) -> list[InstanceTimer]:
    timers = live.engine.timers()
    wanted = {(t.bpmn_id, t.due_at): t for t in timers}
    for timer in list(live.row.timers):
        if (timer.bpmn_id, timer.due_at) not in wanted:
            live.row.timers.remove(timer)
    have = {(t.bpmn_id, t.due_at): t for t in live.row.timers}
    added = []
    for key, view in wanted.items():
        timer = have.get(key)
        if timer is None:
            timer = InstanceTimer(bpmn_id=view.bpmn_id, name=view.name, due_at=view.due_at)
            live.row.timers.append(timer)
            added.append(timer)
        timer.provisional, timer.legal_basis = view.provisional, view.legal_basis
    live.row.next_timer_due_at = timers[0].due_at if timers else None
    # Any save re-arms the timer worker for this case (and ends a lease or a back-off).
    live.row.timer_wake_at, live.row.timer_leases = live.row.next_timer_due_at, 0
    return added
