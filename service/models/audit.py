"""The append-only, hash-chained audit log (执法全过程记录)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, intpk


class AuditEvent(Base):
    """One recorded state change; `hash` covers every field and the previous event's hash."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("stream", "seq", name="uq_audit_events_stream_seq"),)

    id: Mapped[intpk]
    stream: Mapped[str] = mapped_column(String(50))
    seq: Mapped[int]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(50))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_bpmn_id: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attachments: Mapped[list[Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the case's stored state (status and engine state) right after this event; covered by
    # `hash`, so editing a case's data in the database is seen. None on system events and old events.
    state_hash: Mapped[str | None] = mapped_column(String(64))


class AuditStateTrace(Base):
    """What the status diagram and the open deadlines looked like in one stored case state.

    Keyed by the state hash an event records (`AuditEvent.state_hash`), so the record page can draw
    the diagram as it stood after any event, and tell whether a task was completed in time. Derived
    data: the chain covers the state hash, and a trace only describes the state it is keyed by.
    """

    __tablename__ = "audit_state_traces"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nodes: Mapped[list[Any]] = mapped_column(JSON)  # [scope, bpmn id, node state, times completed]
    edges: Mapped[list[Any]] = mapped_column(JSON)  # [scope, source id, target id] flows taken
    tasks: Mapped[dict[str, Any]] = mapped_column(JSON)  # open task id -> {name, due_at}


class AuditVerifyJob(Base):
    """A chain verification running in the background; the page polls its progress."""

    __tablename__ = "audit_verify_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stream: Mapped[str | None] = mapped_column(String(50))  # one case's stream, or None for everything
    requested_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    checked: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    ok: Mapped[bool | None]
    first_break: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(500))
