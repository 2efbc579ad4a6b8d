"""Start, read, list, cancel and message instances: the use cases behind the instance endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from workflows import is_internal_message

from ..db import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from ..runtime import get_runtime
from .audit import Actor, record_instance_event
from .calendar_sync import sync_calendar
from .caselist import CaseFilter, case_page
from .closed_case import after_closure_start_data
from .deploy import latest_definition
from .live_instances import LiveInstance, load_live, save, track
from .visibility import visible_instances

# Roles that never start cases: auditors change nothing, process owners see definitions, not case data.
START_FORBIDDEN_ROLES = ("auditor", "process_owner")
MAX_START_DATA_BYTES = 256 * 1024


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
    data = after_closure_start_data(session, process_key, data, user)  # reads the closed case
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
    live = track(session, LiveInstance(row, loaded, engine))
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


from .messages import TARGET_KEY, deliver, route_messages  # noqa: E402  (messages starts processes through this module)
