"""Incidents (a step or timer that failed and waits for a retry) and timer-worker heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, created_at, intpk


class Incident(Base):
    """A failed step (`task_id` names the engine task in ERROR) or a timer run that could not be saved."""

    __tablename__ = "incidents"

    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    element_name: Mapped[str] = mapped_column(String(200))
    # script, decision, gateway, event or task (a step in ERROR); timer (a timer run that failed)
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=1)
    opened_at: Mapped[created_at]
    last_failed_at: Mapped[datetime]
    next_retry_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class WorkerHeartbeat(Base):
    """The latest sign of life of one timer worker process (shown by `zhifa timers status` and /health)."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[created_at]
    poll_seconds: Mapped[float] = mapped_column(Float, default=5.0)
    last_run_at: Mapped[datetime | None]
    last_fired: Mapped[int] = mapped_column(default=0)
    last_failed: Mapped[int] = mapped_column(default=0)
    total_fired: Mapped[int] = mapped_column(BigInteger, default=0)
    total_failed: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
