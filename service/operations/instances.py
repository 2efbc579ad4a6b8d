"""Start, read, list and cancel instances; write an engine instance back with its projections."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from workflows import InstanceStatus, ThrownMessage, WorkflowInstance, is_internal_message

from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..jsonsafe import to_json_value
from ..models import (
    HumanTask,
    Incident,
    InstanceTimer,
    ProcessDefinitionRow,
    ProcessInstance,
    User,
)
from ..models.instances import InstanceStatusColumn
from ..runtime import InstanceCache, LoadedDefinition, get_runtime
from .audit import Actor, record_instance_event
from .audit_snapshots import remember_state
from .calendar_sync import deadline_record, record_new_deadlines, sync_calendar
from .caselist import CaseFilter, case_page
from .deploy import latest_definition
from .publicity import sync_public_notice
from .visibility import visible_instances

# Roles that never start cases: auditors change nothing, process owners see definitions, not case data.
START_FORBIDDEN_ROLES = ("auditor", "process_owner")
SEARCH_FIELDS = ("case_no", "title", "address", "party_name", "work_order_no", "summary")
MAX_START_DATA_BYTES = 256 * 1024


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


def start_instance(
    session: Session,
    process_key: str,
    data: Mapping[str, Any],
    user: User,
    *,
    now: datetime | None = None,
    locale: str = "zh",
) -> LiveInstance:
    """Start the newest version of a process with start data, as a user holding one of its starter roles."""
    _check_may_start(session, process_key, user)
    _check_start_data(data)
    data = _validated_start_data(session, process_key, data, now, locale)
    live = start_process_as(session, process_key, data, Actor.of(user), now, started_by_id=user.id)
    route_messages(session, live, Actor.of(user), now)
    return live


def _check_may_start(session: Session, process_key: str, user: User) -> None:
    """Refuse users without a starter role the process declares (all but auditors/owners when none)."""
    definition_row = latest_definition(session, process_key)
    starters = get_runtime().loaded(definition_row).process.starter_roles if definition_row else ()
    if starters and not user.has_role(*starters):
        names = " / ".join(starters)
        raise Forbidden(
            f"只有角色 {names} 可以发起此流程 / only {names} may start this process",
            {"starter_roles": list(starters)},
        )
    if not set(user.roles) - set(START_FORBIDDEN_ROLES):
        raise Forbidden("此角色不能发起案件 / this role cannot start cases")


def starter_roles(session: Session, process_key: str) -> list[str]:
    """Return the roles that may start a deployed process ([] when it declares none)."""
    definition_row = latest_definition(session, process_key)
    if definition_row is None:
        raise NotFound("流程不存在 / no such process")
    return list(get_runtime().loaded(definition_row).process.starter_roles)


def _validated_start_data(
    session: Session, process_key: str, data: Mapping[str, Any], now: datetime | None, locale: str
) -> Mapping[str, Any]:
    """Validate start data against the process's start form, when its start event names one."""
    definition_row = latest_definition(session, process_key)
    if definition_row is None:
        return data
    loaded = get_runtime().loaded(definition_row)
    key = loaded.process.start_form_key
    if not key:
        return data
    try:
        cleaned: Mapping[str, Any] = loaded.forms.get(key).validate(dict(data), now=now, locale=locale)
    except ValidationError as exc:
        raise Invalid("启动数据有误 / invalid start data", {"data": exc.messages}) from exc
    return cleaned


def start_process_as(
    session: Session,
    process_key: str,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime | None,
    *,
    started_by_id: int | None = None,
) -> LiveInstance:
    """Start the newest version of a process and record it (no permission check: callers do that)."""
    definition_row = latest_definition(session, process_key)
    if definition_row is None:
        raise Invalid("流程不存在 / unknown process", {"process_key": [f"'{process_key}' is not deployed"]})
    sync_calendar(session)
    loaded = get_runtime().loaded(definition_row)
    engine = get_runtime().engine.start(loaded.process, data, now)
    row = ProcessInstance(
        definition_id=definition_row.id,
        process_key=process_key,
        status=InstanceStatusColumn.RUNNING,
        state="",
        serializer_version="",
        started_by_id=started_by_id,
        tasks=[],
        timers=[],
    )
    session.add(row)
    session.flush()  # the audit stream and task rows are keyed by the new id
    live = _track(session, LiveInstance(row, loaded, engine))
    save(session, live)
    record_instance_event(
        session,
        row,
        actor,
        "instance_started",
        data={"process_key": process_key, "version": loaded.version, "start_data": dict(data)},
    )
    return live


def _check_start_data(data: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for key in data:
        if not key.isidentifier() or key.startswith("_") or key == "typename":
            errors[key] = ["字段名无效 / not a valid field name"]
    if len(repr(data)) > MAX_START_DATA_BYTES:
        errors["data"] = ["数据过大 / start data too large"]
    if errors:
        raise Invalid("启动数据有误 / invalid start data", {"data": errors})


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
    return _track(session, LiveInstance(row, loaded, engine, row.version_id))


def _loaded_with_projections(session: Session, instance_id: int) -> ProcessInstance | None:
    """Return the row if this session already holds it with its projections (a query would add nothing)."""
    row = session.identity_map.get(session.identity_key(ProcessInstance, instance_id))
    if not isinstance(row, ProcessInstance):
        return None
    return None if {"tasks", "timers", "state", "version_id"} & inspect(row).unloaded else row


def _track(session: Session, live: LiveInstance) -> LiveInstance:
    """Remember the instance so the session hooks can hand its engine back to the cache."""
    session.info.setdefault(TRACKED, []).append(live)
    return live


TRACKED = "zhifa.live_instances"


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
    """Hand engines back to the per-process cache when their transaction ends (and record deadlines set).

    A commit that bumps a row's version without touching its state (an evidence upload appends to
    the audit chain, a claim sets the assignee) keeps the cached engine valid under the new version.
    """
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


def get_visible(session: Session, instance_id: int, user: User) -> ProcessInstance:
    """Return an instance the user may read, or NotFound (never reveal that it exists)."""
    row = session.scalars(visible_instances(user).where(ProcessInstance.id == instance_id)).first()
    if row is None:
        raise NotFound("案件不存在 / no such instance")
    return row


def list_instances(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    process: str | None = None,
    text: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[ProcessInstance], int]:
    """Return one page of visible instances, newest first, and the total count."""
    flt = CaseFilter(status=status, process=process, text=text)
    return case_page(session, user, flt, utcnow(), page=page, per_page=per_page)


def send_message(
    session: Session,
    instance_id: int,
    *,
    name: str,
    payload: Mapping[str, Any],
    user: User,
    now: datetime | None,
) -> LiveInstance:
    """Deliver a message staff record for a waiting instance, if its diagram lets their role send it.

    Only messages a catch event declares external (`externalMessage`, `senderRoles`) are accepted;
    the router's own messages and payloads addressed to other instances never are. 409 if nothing
    waits for it.
    """
    _check_start_data(payload)
    if is_internal_message(name) or TARGET_KEY in payload:
        raise Forbidden(
            "内部消息不能由人员登记 / messages routed between cases cannot be recorded by staff",
            {"name": [name]} if is_internal_message(name) else {"payload": {TARGET_KEY: ["not allowed"]}},
        )
    get_visible(session, instance_id, user)
    live = load_live(session, instance_id)
    declared = live.definition.process.external_messages.get(name)
    if declared is None:
        raise Forbidden(
            f"此流程不接受人员登记消息 '{name}' / this process takes no message '{name}' from staff"
        )
    if not user.has_role(*declared.sender_roles):
        raise Forbidden(
            f"只有 {'、'.join(declared.sender_roles)} 可以登记此消息 / "
            f"only {', '.join(declared.sender_roles)} may record this message"
        )
    if not deliver(session, instance_id, name, dict(payload), actor=Actor.of(user), now=now, live=live):
        raise Conflict(f"案件未在等待此消息 / instance is not waiting for message '{name}'")
    return live


def cancel_instance(session: Session, instance_id: int, user: User, reason: str) -> LiveInstance:
    """Cancel a running instance (squad leaders and above), recording the reason."""
    if not user.has_role("squad_leader", "deputy_head", "bureau_head", "admin"):
        raise Forbidden("无权撤销案件 / not allowed to cancel cases")
    get_visible(session, instance_id, user)
    live = load_live(session, instance_id)
    if live.row.status != InstanceStatusColumn.RUNNING:
        raise Invalid("案件已结束 / instance is not running", {"status": [live.row.status.value]})
    live.engine.cancel()
    save(session, live)
    live.row.status = InstanceStatusColumn.CANCELLED
    record_instance_event(session, live.row, Actor.of(user), "instance_cancelled", data={"reason": reason})
    return live


from .incidents import sync_incidents  # noqa: E402  (incidents retries instances through this module)
from .messages import TARGET_KEY, deliver, route_messages  # noqa: E402  (messages starts processes through this module)
