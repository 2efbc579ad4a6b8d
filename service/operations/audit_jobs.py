"""Chain verifications run in the background, their progress kept in the database for any app process."""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import as_utc, session_scope, utcnow
from ..errors import NotFound
from ..models import AuditVerifyJob
from .audit_verify import verify

STALE_AFTER = timedelta(hours=6)  # a million events take minutes; far beyond any real run
LIVE_PROGRESS: dict[str, tuple[int, int]] = {}  # job id -> (checked, total), for jobs running in this process


def create_job(session: Session, stream: str | None, username: str) -> AuditVerifyJob:
    """Add a verification job row (the caller commits, then starts it with `start_job`)."""
    job = AuditVerifyJob(
        id=str(uuid.uuid4()), stream=stream, requested_by=username, started_at=utcnow(), checked=0, total=0
    )
    session.add(job)
    return job


def get_job(session: Session, job_id: str) -> AuditVerifyJob:
    """Return a verification job, or NotFound."""
    job = session.get(AuditVerifyJob, job_id)
    if job is None:
        raise NotFound("没有这次校验 / no such verification")
    return job


def latest_jobs(session: Session, limit: int = 5) -> list[AuditVerifyJob]:
    """Return the newest verification jobs."""
    return list(
        session.scalars(select(AuditVerifyJob).order_by(AuditVerifyJob.started_at.desc()).limit(limit))
    )


def start_job(app: Flask, job_id: str) -> threading.Thread:
    """Run a committed job in a background thread of this process."""
    thread = threading.Thread(
        target=run_job, args=(app, job_id), name=f"zhifa-verify-{job_id[:8]}", daemon=True
    )
    thread.start()
    return thread


def run_job(app: Flask, job_id: str) -> None:
    """Verify the chain the job names, writing progress as it goes and the first break at the end."""
    with app.app_context():
        with session_scope(app) as session:
            job = session.get(AuditVerifyJob, job_id)
            stream = job.stream if job is not None else None
        try:
            with session_scope(app) as session, session_scope(app) as progress_session:
                # SQLite opens every transaction for writing (BEGIN IMMEDIATE), so while the walk reads,
                # progress there stays in this process; PostgreSQL gets it for every app process.
                shared = progress_session.get_bind().dialect.name != "sqlite"

                def progress(checked: int, total: int) -> None:
                    LIVE_PROGRESS[job_id] = (checked, total)
                    if shared:
                        _update(progress_session, job_id, checked=checked, total=total)

                report = verify(session, stream=stream, progress=progress)
        except Exception as exc:  # noqa: BLE001  (a failed run is reported on the page, never lost)
            app.logger.exception("audit verification %s failed", job_id)
            with session_scope(app) as session:
                _update(session, job_id, finished_at=utcnow(), error=str(exc)[:500])
            return
        finally:
            LIVE_PROGRESS.pop(job_id, None)
        broken = asdict(report.first_break) if report.first_break is not None else None
        with session_scope(app) as session:
            values = {"checked": report.checked, "total": report.total, "ok": broken is None}
            _update(session, job_id, first_break=broken, finished_at=utcnow(), **values)


def is_stale(job: AuditVerifyJob) -> bool:
    """Tell whether an unfinished job is older than any real run (its process ended without a result)."""
    return (
        job.finished_at is None
        and job.id not in LIVE_PROGRESS
        and utcnow() - as_utc(job.started_at) > STALE_AFTER
    )


def live_progress(job: AuditVerifyJob) -> tuple[int, int]:
    """Return (checked, total) of a job: this process's live count while it runs here, else the row's."""
    return LIVE_PROGRESS.get(job.id, (job.checked, job.total))


def _update(session: Session, job_id: str, **values: Any) -> None:
    job = session.get(AuditVerifyJob, job_id)
    if job is None:
        return
    for name, value in values.items():
        setattr(job, name, value)
    session.commit()  # a background job's own transaction: progress must be visible while it runs
