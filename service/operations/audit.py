"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import as_utc, utcnow
from ..jsonsafe import canonical_json, to_json_value
from ..models import AuditEvent, ProcessInstance, User

SYSTEM_STREAM = "system"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did it and in which capacity."""

    username: str
    role: str | None
    user_id: int | None = None

    @classmethod
    def of(cls, user: User, role: str | None = None) -> Actor:
        """Build an actor from a user, defaulting the role to their first one."""
        return cls(user.username, role or (user.roles[0] if user.roles else None), user.id)


SYSTEM_ACTOR = Actor("system", None)


def instance_stream(instance_id: int) -> str:
    """Return the stream key of an instance's chain."""
    return f"instance:{instance_id}"


def event_hash(event: AuditEvent, key: bytes | None = None) -> str:
    """HMAC-SHA256 over every recorded field and the previous event's hash.

    The key lives outside the database (ZHIFA_AUDIT_KEY, else derived from the secret key), so
    someone who can write to the database cannot recompute a consistent chain after editing it.
    """
    payload = {
        "stream": event.stream,
        "seq": event.seq,
        "instance_id": event.instance_id,
        "occurred_at": as_utc(event.occurred_at).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "role": event.role,
        "kind": event.kind,
        "task_id": event.task_id,
        "task_bpmn_id": event.task_bpmn_id,
        "task_name": event.task_name,
        "data": event.data,
        "diff": event.diff,
        "attachments": event.attachments,
        "prev_hash": event.prev_hash,
    }
    return hmac.new(key or audit_key(), canonical_json(payload).encode(), hashlib.sha256).hexdigest()


def audit_key() -> bytes:
    """Return the key the audit chain is signed with."""
    configured = current_app.config.get("AUDIT_KEY")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"zhifa-audit-chain\0" + str(current_app.config["SECRET_KEY"]).encode()).digest()


def record_instance_event(
    session: Session, instance: ProcessInstance, actor: Actor, kind: str, **fields: Any
) -> AuditEvent:
    """Append an event to the instance's chain; the head is kept on the (version-locked) instance row."""
    event = _build(
        instance_stream(instance.id), instance.audit_seq + 1, instance.audit_head or GENESIS, actor, kind
    )
    event.instance_id = instance.id
    _fill(event, fields)
    instance.audit_seq, instance.audit_head = event.seq, event.hash
    session.add(event)
    return event


def record_system_event(session: Session, actor: Actor, kind: str, **fields: Any) -> AuditEvent:
    """Append an event to the system chain (deployments, user changes)."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.stream == SYSTEM_STREAM)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    seq, head = (last.seq + 1, last.hash) if last else (1, GENESIS)
    event = _build(SYSTEM_STREAM, seq, head, actor, kind)
    _fill(event, fields)
    session.add(event)
    return event


def _build(stream: str, seq: int, prev_hash: str, actor: Actor, kind: str) -> AuditEvent:
    return AuditEvent(
        stream=stream,
        seq=seq,
        prev_hash=prev_hash,
        occurred_at=utcnow(),
        actor=actor.username,
        role=actor.role,
        kind=kind,
    )


def _fill(event: AuditEvent, fields: dict[str, Any]) -> None:
    for name in ("task_id", "task_bpmn_id", "task_name"):
        setattr(event, name, fields.get(name))
    for name in ("data", "diff", "attachments"):
        value = fields.get(name)
        setattr(event, name, to_json_value(value) if value is not None else None)
    event.hash = event_hash(event)


@dataclass(frozen=True)
class ChainBreak:
    """The first event whose link does not hold, and why."""

    event_id: int | None
    stream: str
    seq: int
    reason: str


def verify_chains(session: Session, stream: str | None = None) -> tuple[int, ChainBreak | None]:
    """Walk every chain (or one) in order; return the events checked and the first break found."""
    key = audit_key()
    checked = 0
    seen: set[str] = set()
    for current_stream, events in _streams(session, stream):
        seen.add(current_stream)
        expected_prev, expected_seq = GENESIS, 1
        for event in events:
            checked += 1
            problem = _link_problem(event, expected_prev, expected_seq, key)
            if problem:
                return checked, ChainBreak(event.id, current_stream, event.seq, problem)
            expected_prev, expected_seq = event.hash, event.seq + 1
        head = _recorded_head(session, current_stream)
        if head is not None and head != (expected_seq - 1, expected_prev):
            return checked, ChainBreak(
                None, current_stream, expected_seq, "events after the last one are missing"
            )
    return checked, _emptied_stream(session, seen) if stream is None else None


def _emptied_stream(session: Session, seen: set[str]) -> ChainBreak | None:
    rows = session.execute(select(ProcessInstance.id).where(ProcessInstance.audit_seq > 0)).scalars()
    for instance_id in rows:
        if instance_stream(instance_id) not in seen:
            return ChainBreak(
                None, instance_stream(instance_id), 1, "all events of this instance are missing"
            )
    return None


def _link_problem(event: AuditEvent, expected_prev: str, expected_seq: int, key: bytes) -> str | None:
    if event.seq != expected_seq:
        return f"sequence gap: expected {expected_seq}, found {event.seq} (an event was removed)"
    if event.prev_hash != expected_prev:
        return "previous-hash link broken (an earlier event was altered or removed)"
    if not hmac.compare_digest(event_hash(event, key), event.hash):
        return "content does not match its hash (this event was altered)"
    return None


def _streams(session: Session, stream: str | None) -> Iterator[tuple[str, list[AuditEvent]]]:
    query = select(AuditEvent).order_by(AuditEvent.stream, AuditEvent.seq)
    if stream is not None:
        query = query.where(AuditEvent.stream == stream)
    current: str | None = None
    batch: list[AuditEvent] = []
    result = session.scalars(query.execution_options(yield_per=1000))
    try:
        for event in result:
            if event.stream != current and batch:
                yield current or "", batch
                batch = []
            current = event.stream
            batch.append(event)
        if batch:
            yield current or "", batch
    finally:
        result.close()  # a verifier that stops at the first break must not leave a server cursor open


def _recorded_head(session: Session, stream: str) -> tuple[int, str] | None:
    if not stream.startswith("instance:"):
        return None
    row = session.execute(
        select(ProcessInstance.audit_seq, ProcessInstance.audit_head).where(
            ProcessInstance.id == int(stream.split(":", 1)[1])
        )
    ).first()
    return (row.audit_seq, row.audit_head) if row else None


def events_of(session: Session, instance_id: int) -> list[AuditEvent]:
    """Return an instance's events in order."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.stream == instance_stream(instance_id))
            .order_by(AuditEvent.seq)
        )
    )


def occurred(event: AuditEvent) -> datetime:
    """Return the event time as aware UTC."""
    return as_utc(event.occurred_at)
