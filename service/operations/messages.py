"""Route messages an instance threw but did not catch: start linked processes, notify linked instances.

Conventions (docs/conventions.md): `start.<process_key>` starts that process with the payload as
start data and answers the thrower with `started.<process_key>`; a payload holding
`target_instance_id` is delivered to that instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from workflows import TaskNotReady

from ..models import InstanceLink
from .audit import Actor, record_instance_event
from .instances import start_process_as
from .live_instances import LiveInstance, load_live, save

START_PREFIX = "start."
STARTED_PREFIX = "started."
TARGET_KEY = "target_instance_id"
MAX_HOPS = 20


@dataclass
class _Routing:
    session: Session
    actor: Actor
    now: datetime | None
    loaded: dict[int, LiveInstance] = field(default_factory=dict)
    hops: int = 0


def route_messages(session: Session, source: LiveInstance, actor: Actor, now: datetime | None) -> None:
    """Handle every message `source` threw; messages thrown in turn are routed too (bounded)."""
    routing = _Routing(session, actor, now, {source.row.id: source})
    _route_from(routing, source)


def _route_from(routing: _Routing, source: LiveInstance) -> None:
    messages, source.outbox = source.outbox, []
    for message in messages:
        routing.hops += 1
        if routing.hops > MAX_HOPS:
            raise RuntimeError("message routing did not settle (a message loop between instances?)")
        payload: dict[str, Any] = dict(message.payload) if isinstance(message.payload, dict) else {}
        record_instance_event(
            routing.session,
            source.row,
            routing.actor,
            "message_thrown",
            data={"name": message.name, **payload},
        )
        if message.name.startswith(START_PREFIX):
            _start_linked(routing, source, message.name.removeprefix(START_PREFIX), payload)
        elif isinstance(payload.get(TARGET_KEY), int):
            _deliver(routing, payload[TARGET_KEY], message.name, payload)


def _start_linked(routing: _Routing, source: LiveInstance, process_key: str, payload: dict[str, Any]) -> None:
    data = {**payload, "source_instance_id": source.row.id, "source_process": source.row.process_key}
    started = start_process_as(routing.session, process_key, data, routing.actor, routing.now)
    routing.loaded[started.row.id] = started
    routing.session.add(
        InstanceLink(from_instance_id=source.row.id, to_instance_id=started.row.id, kind=process_key)
    )
    answer = {"instance_id": started.row.id, "case_no": started.engine.data().get("case_no")}
    _deliver(routing, source.row.id, f"{STARTED_PREFIX}{process_key}", answer)
    _route_from(routing, started)


def _deliver(routing: _Routing, instance_id: int, name: str, payload: dict[str, Any]) -> bool:
    target = routing.loaded.get(instance_id) or load_live(routing.session, instance_id)
    routing.loaded[instance_id] = target
    try:
        target.engine.send_message(name, payload, routing.now)
    except TaskNotReady:
        return False
    save(routing.session, target)
    record_instance_event(
        routing.session, target.row, routing.actor, "message_received", data={"name": name, **payload}
    )
    _route_from(routing, target)
    return True


def deliver(
    session: Session,
    instance_id: int,
    name: str,
    payload: dict[str, Any],
    *,
    actor: Actor,
    now: datetime | None,
    live: LiveInstance | None = None,
) -> bool:
    """Deliver one message to an instance (`live`: already loaded); False when it is not waiting."""
    routing = _Routing(session, actor, now, {instance_id: live} if live is not None else {})
    return _deliver(routing, instance_id, name, payload)
