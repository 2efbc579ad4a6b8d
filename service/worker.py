"""The timer worker: fire due timers case by case, survive any failure, report a heartbeat.

One failing case never stops the others: its transaction is rolled back and an incident records it
(with back-off before the next try). A database that goes away stops the pass; the loop waits with
growing pauses, drops its pooled connections and carries on once the database answers again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from . import db
from .db import utcnow
from .models import WorkerHeartbeat
from .operations import incidents as incident_ops
from .operations import timers as timer_ops
from .operations.timers import Claim, TimerSettings

log = logging.getLogger("zhifa.worker")
DATABASE_AWAY = (OperationalError, InterfaceError)
MAX_PAUSE_SECONDS = 30.0
BEAT_EVERY_SECONDS = 10.0


class WorkerLost(RuntimeError):
    """Earlier runs of this case never finished: the worker running them was killed or hung."""


class TimersKeepFallingDue(RuntimeError):
    """The case's timers fell due again at the same instant run after run (e.g. a zero-length cycle)."""


@dataclass
class PassResult:
    """What one pass over the due timers did."""

    fired: int = 0  # timers fired
    cases: int = 0  # instances run successfully
    failed: int = 0  # instances whose run failed (each an incident)
    skipped: int = 0  # instances changed by someone else meanwhile (run again later)
    failures: list[tuple[int, str]] = field(default_factory=list)


def run_due_timers(
    app: Flask,
    now: datetime,
    settings: TimerSettings | None = None,
    progress: Callable[[PassResult], None] | None = None,
) -> PassResult:
    """Fire every timer due at `now`, instance by instance, each in its own transaction."""
    settings = settings or timer_settings(app)
    result = PassResult()
    runs: Counter[int] = Counter()
    with app.app_context():
        while True:
            with db.session_scope(app) as session:
                claims = timer_ops.claim_due(session, now, settings)
                session.commit()
            if not claims:
                return result
            for claim in claims:
                runs[claim.instance_id] += 1
                _run_claim(app, claim, now, settings, result, runs=runs[claim.instance_id])
                if progress is not None:
                    progress(result)


def timer_settings(app: Flask) -> TimerSettings:
    """Read the worker's limits from configuration."""
    budget = float(app.config.get("TIMER_CASE_SECONDS", 30.0))
    return TimerSettings(
        batch=int(app.config.get("TIMER_BATCH", 20)),
        budget_seconds=budget,
        lease=timedelta(seconds=max(60.0, 4 * budget)),
    )


def _run_claim(
    app: Flask, claim: Claim, now: datetime, settings: TimerSettings, result: PassResult, *, runs: int
) -> None:
    error: BaseException
    if claim.unfinished >= settings.max_leases:
        error = WorkerLost(
            f"{claim.unfinished} earlier runs of this case never finished (worker killed or hung)"
        )
    elif runs > settings.max_runs_per_pass:
        error = TimersKeepFallingDue(f"timers fell due again {runs} times at {now.isoformat()}")
    else:
        with db.session_scope(app) as session:
            try:
                fired = timer_ops.fire_instance_timers(
                    session, claim.instance_id, now, budget_seconds=settings.budget_seconds
                )
                session.commit()
            except StaleDataError:
                result.skipped += 1  # someone changed the case meanwhile; their save re-armed it
                return
            except DATABASE_AWAY:
                raise
            except Exception as exc:  # noqa: BLE001  (any failure of one case must not stop the others)
                error = exc
            else:
                result.fired, result.cases = result.fired + len(fired), result.cases + 1
                return
    _record_failure(app, claim.instance_id, error, now, result)


def _record_failure(
    app: Flask, instance_id: int, error: BaseException, now: datetime, result: PassResult
) -> None:
    log.warning("timer run of instance %s failed: %s: %s", instance_id, type(error).__name__, error)
    result.failed += 1
    result.failures.append((instance_id, f"{type(error).__name__}: {error}"))
    with db.session_scope(app) as session:
        # A case that takes workers down with it runs again only on a leader's retry, after a fix.
        incident_ops.timer_failed(
            session, instance_id, error, now, auto_retry=not isinstance(error, WorkerLost)
        )
        session.commit()


@dataclass
class Worker:
    """A long-running timer worker with its identity, limits and stop switch."""

    app: Flask
    interval: float = 5.0
    settings: TimerSettings | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stop: threading.Event = field(default_factory=threading.Event)
    alive_file: Path | None = None
    report: Callable[[str], None] = print
    _last_beat: float = 0.0
    _counted: tuple[int, int] = (0, 0)  # fired and failed of the current pass already in the totals

    def run(self, *, once: bool = False, simulated_now: datetime | None = None) -> None:
        """Poll until stopped (or one pass when `once` or `simulated_now`); never exit on an error."""
        settings = self.settings or timer_settings(self.app)
        pauses = 0
        self._adopt_legacy()
        while not self.stop.is_set():
            self._touch()
            now = simulated_now or utcnow()
            self._counted = (0, 0)
            try:
                result = run_due_timers(self.app, now, settings, progress=self._progress)
            except Exception as exc:  # noqa: BLE001  (the database is away, or a fault outside any case)
                pauses += 1
                self._pause_after(exc, pauses, once)
                continue
            pauses = 0
            self._beat(result, error=None)
            self.report(
                f"{now.isoformat()}: fired {result.fired} timer(s), {result.failed} failure(s)"
                + (f", {result.skipped} skipped" if result.skipped else "")
            )
            if once or simulated_now is not None:
                break
            self.stop.wait(self.interval)
        self._stopped()

    def _pause_after(self, exc: BaseException, pauses: int, once: bool) -> None:
        delay = min(2.0 ** (pauses - 1), MAX_PAUSE_SECONDS)
        log.warning("timer pass failed (%s: %s); retrying in %.0f s", type(exc).__name__, exc, delay)
        self.report(f"timer pass failed ({type(exc).__name__}); retrying in {delay:.0f} s")
        self.app.extensions["zhifa.engine"].dispose()  # reconnect from scratch once it is back
        self._beat(None, error=f"{type(exc).__name__}: {exc}")
        if once:
            raise exc
        self._touch()
        self.stop.wait(delay)

    def _progress(self, result: PassResult) -> None:
        self._touch()
        if time.monotonic() - self._last_beat > BEAT_EVERY_SECONDS:
            self._beat(result, error=None)

    def _touch(self) -> None:
        if self.alive_file is not None:
            self.alive_file.touch()

    def _adopt_legacy(self) -> None:
        try:
            with self.app.app_context(), db.session_scope(self.app) as session:
                adopted = incident_ops.adopt_legacy(session, utcnow())
                session.commit()
        except DATABASE_AWAY:
            return  # the loop copes with the database being away
        if adopted:
            self.report(f"adopted {len(adopted)} case(s) left in the old error status: {adopted}")

    def _beat(self, result: PassResult | None, *, error: str | None) -> None:
        self._last_beat = time.monotonic()
        try:
            with self.app.app_context(), db.session_scope(self.app) as session:
                beat = session.get(WorkerHeartbeat, self.worker_id) or WorkerHeartbeat(
                    worker_id=self.worker_id
                )
                session.add(beat)
                beat.poll_seconds = self.interval
                if result is not None:
                    beat.last_run_at, beat.last_fired, beat.last_failed = (
                        utcnow(),
                        result.fired,
                        result.failed,
                    )
                    beat.total_fired = (beat.total_fired or 0) + result.fired - self._counted[0]
                    beat.total_failed = (beat.total_failed or 0) + result.failed - self._counted[1]
                    self._counted = (result.fired, result.failed)
                if error is not None:
                    beat.last_error, beat.last_error_at = error[:2000], utcnow()
                session.commit()
        except DATABASE_AWAY:
            log.info("heartbeat not written: the database is away")

    def _stopped(self) -> None:
        try:
            with self.app.app_context(), db.session_scope(self.app) as session:
                beat = session.get(WorkerHeartbeat, self.worker_id)
                if beat is not None:
                    beat.stopped_at = utcnow()
                    session.commit()
        except DATABASE_AWAY:
            return
