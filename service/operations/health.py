"""How the timer workers are doing: heartbeats, overdue backlog, open incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import Incident, ProcessInstance, WorkerHeartbeat
from ..models.instances import InstanceStatusColumn

OVERDUE_AFTER = timedelta(minutes=5)  # a due timer not fired after this means no worker is keeping up
SILENT_AFTER = timedelta(minutes=2)  # on top of the poll interval; a long pass beats every 10 s


@dataclass(frozen=True)
class WorkerState:
    """One worker's latest heartbeat and whether it still looks alive."""

    worker_id: str
    alive: bool
    started_at: datetime
    last_run_at: datetime | None
    last_fired: int
    last_failed: int
    total_fired: int
    total_failed: int
    last_error: str | None
    last_error_at: datetime | None
    stopped_at: datetime | None


@dataclass(frozen=True)
class TimerHealth:
    """The timer side of the service at a glance."""

    workers: list[WorkerState]
    overdue: int  # running cases whose timers are due for more than OVERDUE_AFTER
    open_incidents: int

    @property
    def alive_workers(self) -> int:
        """Count the workers that reported recently and have not stopped."""
        return sum(1 for w in self.workers if w.alive)


def timer_health(session: Session, now: datetime) -> TimerHealth:
    """Read the heartbeats, the overdue backlog and the open incident count."""
    beats = session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.started_at.desc()).limit(50))
    overdue = session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.timer_wake_at <= now - OVERDUE_AFTER,
            ProcessInstance.status == InstanceStatusColumn.RUNNING,
        )
    )
    incidents = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None))
    )
    return TimerHealth([_state(b, now) for b in beats], overdue or 0, incidents or 0)


def _state(beat: WorkerHeartbeat, now: datetime) -> WorkerState:
    seen = beat.last_error_at if beat.last_run_at is None else beat.last_run_at
    if beat.last_error_at is not None and seen is not None:
        seen = max(as_utc(seen), as_utc(beat.last_error_at))
    seen = seen or beat.started_at
    alive = beat.stopped_at is None and now - as_utc(seen) <= SILENT_AFTER + timedelta(
        seconds=beat.poll_seconds
    )
    return WorkerState(
        worker_id=beat.worker_id,
        alive=alive,
        started_at=beat.started_at,
        last_run_at=beat.last_run_at,
        last_fired=beat.last_fired,
        last_failed=beat.last_failed,
        total_fired=beat.total_fired,
        total_failed=beat.total_failed,
        last_error=beat.last_error,
        last_error_at=beat.last_error_at,
        stopped_at=beat.stopped_at,
    )
