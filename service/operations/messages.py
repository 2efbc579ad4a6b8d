"""Route messages an instance threw but did not catch to the instance they address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from workflows import TaskNotReady

from .audit import Actor, record_instance_event
from .instances import LiveInstance, load_live, save

TARGET_KEY = "target_instance_id"


def route_messages(session: Session, source: LiveInstance, actor: Actor, now: datetime | None) -> None:
    """Record every uncaught message and deliver those whose payload names a target instance."""
    for message in source.engine.thrown_messages():
        payload = message.payload if isinstance(message.payload, dict) else {"value": message.payload}
        record_instance_event(session, source.row, actor, "message_thrown", data={"name": message.name, **payload})
        target_id = payload.get(TARGET_KEY)
        if isinstance(target_id, int) and target_id != source.row.id:
            deliver(session, target_id, message.name, payload, actor, now)


def deliver(
    session: Session, instance_id: int, name: str, payload: dict[str, object], actor: Actor, now: datetime | None
) -> bool:
    """Deliver a message to an instance; return False (and record nothing) if it is not waiting for it."""
    target = load_live(session, instance_id)
    try:
        target.engine.send_message(name, payload, now)
    except TaskNotReady:
        return False
    save(session, target)
    record_instance_event(session, target.row, actor, "message_received", data={"name": name, **payload})
    return True
