"""The timer worker: fire due timers case by case, survive any failure, report a heartbeat.

One failing case never stops the others: its transaction is rolled back and an incident records it
(with back-off before the next try). A database that goes away stops the pass; the loop waits with
growing pauses, drops its pooled connections and carries on once the database answers again.
"""

from __future__ import annotations

import gc
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
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import db
from .db import utcnow
from .models import WorkerHeartbeat
from .operations import incidents as incident_ops
from .operations import timers as timer_ops
from .operations.audit_checkpoint import export_checkpoint_if_due
from .operations.timers import Claim, TimerSettings

log = logging.getLogger("zhifa.worker")
DATABASE_AWAY = (OperationalError, InterfaceError)
MAX_PAUSE_SECONDS = 30.0
BEAT_EVERY_SECONDS = 10.0
# Python's cyclic garbage collector, as a timer worker runs it: a young-generation pass per 10,000
# allocations instead of 700 (restoring a case allocates tens of thousands of objects: the default
# ran ~0.3 collections per timer, ~20 % of a worker's CPU), and what was loaded at start-up (the app,
# parsed diagrams) frozen out of every later full pass.
GC_THRESHOLDS = (10_000, 20, 100)


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
    """Fire every timer due at `now`, batch by batch; one failing case never touches the others.

    A claimed batch runs in one transaction (one disk flush for the batch, not one per case). If any
    case in it fails, the batch is rolled back and run again with each case in its own savepoint,
    so the failing case becomes an incident and the others go through.
    """
    timer_pass = _TimerPass(app, now, settings or timer_settings(app))
    with app.app_context():
        while True:
            with db.session_scope(app) as session:
                claims = timer_ops.claim_due(session, now, timer_pass.settings)
                session.commit()
            if not claims:
                return timer_pass.result
            timer_pass.runs.update(c.instance_id for c in claims)
            if not timer_pass.at_once(claims):
                timer_pass.case_by_case(claims)
            if progress is not None:
                progress(timer_pass.result)


_gc_tuned = False


def tune_gc() -> None:
    """Set the worker process's garbage collection to GC_THRESHOLDS, with what is loaded so far frozen.

    Once per process: a process that runs the worker several times (tests invoke the CLI in-process)
    freezes only what it held the first time.
    """
    global _gc_tuned  # noqa: PLW0603  (a per-process switch)
    if _gc_tuned:
        return
    _gc_tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def timer_settings(app: Flask) -> TimerSettings:
    """Read the worker's limits from configuration."""
    budget = float(app.config.get("TIMER_CASE_SECONDS", 30.0))
    return TimerSettings(
        batch=int(app.config.get("TIMER_BATCH", 20)),
        budget_seconds=budget,
        lease=timedelta(seconds=max(60.0, 4 * budget)),
    )


@dataclass
class _TimerPass:
    """One pass over the due timers at one instant."""

    app: Flask
    now: datetime
    settings: TimerSettings
    result: PassResult = field(default_factory=PassResult)
    runs: Counter[int] = field(default_factory=Counter)  # runs of each instance in this pass

    def at_once(self, claims: list[Claim]) -> bool:
        """Fire the whole batch in one transaction; False (nothing kept) if any case failed."""
        if any(c.unfinished or self.runs[c.instance_id] > 1 for c in claims):
            return False
        fired = 0
        with db.session_scope(self.app) as session:
            batch = timer_ops.preload(session, [c.instance_id for c in claims])
            try:
                for claim in claims:
                    fired += len(self._fire(session, claim))
                timer_ops.write_batch(session, batch, utcnow())  # one round trip, not one per case
                session.commit()
            except DATABASE_AWAY:
                raise
            except Exception:  # noqa: BLE001  (the slower path finds the culprit and isolates it)
                return False
            finally:
                del batch
        self.result.fired, self.result.cases = self.result.fired + fired, self.result.cases + len(claims)
        return True

    def case_by_case(self, claims: list[Claim]) -> None:
        """Fire the batch with each case in its own savepoint; failures become incidents."""
        with db.session_scope(self.app) as session:
            batch = timer_ops.preload(session, [c.instance_id for c in claims])
            for claim in claims:
                self._run_claim(session, claim)
            session.commit()
            del batch

    def _fire(self, session: Session, claim: Claim) -> list[str]:
        return timer_ops.fire_instance_timers(
            session, claim.instance_id, self.now, budget_seconds=self.settings.budget_seconds
        )

    def _run_claim(self, session: Session, claim: Claim) -> None:
        error: BaseException
        runs = self.runs[claim.instance_id]
        if claim.unfinished >= self.settings.max_leases:
            error = WorkerLost(
                f"{claim.unfinished} earlier runs of this case never finished (worker killed or hung)"
            )
        elif runs > self.settings.max_runs_per_pass:
            error = TimersKeepFallingDue(f"timers fell due again {runs} times at {self.now.isoformat()}")
        else:
            try:
                with session.begin_nested():
                    fired = self._fire(session, claim)
            except StaleDataError:
                self.result.skipped += 1  # someone changed the case meanwhile; their save re-armed it
                return
            except DATABASE_AWAY:
                raise
            except Exception as exc:  # noqa: BLE001  (any failure of one case must not stop the others)
                error = exc
            else:
                self.result.fired, self.result.cases = self.result.fired + len(fired), self.result.cases + 1
                return
        self._record_failure(session, claim.instance_id, error)

    def _record_failure(self, session: Session, instance_id: int, error: BaseException) -> None:
        log.warning("timer run of instance %s failed: %s: %s", instance_id, type(error).__name__, error)
        self.result.failed += 1
        self.result.failures.append((instance_id, f"{type(error).__name__}: {error}"))
        try:
            with session.begin_nested():
                # A case that takes workers down with it runs again only on a leader's retry, after a fix.
                incident_ops.timer_failed(
                    session, instance_id, error, self.now, auto_retry=not isinstance(error, WorkerLost)
                )
        except DATABASE_AWAY:
            raise
        except Exception:  # its lease runs out and a later pass tries again
            log.exception("could not record the failure of instance %s", instance_id)


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
    _last_error: tuple[str, datetime] | None = None  # kept until a heartbeat could be written
    _counted: tuple[int, int] = (0, 0)  # fired and failed of the current pass already in the totals

    def run(self, *, once: bool = False, simulated_now: datetime | None = None) -> None:
        """Poll until stopped (or one pass when `once` or `simulated_now`); never exit on an error."""
        tune_gc()
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
            self._beat(result)
            self._checkpoint()
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
        self._last_error = (f"{type(exc).__name__}: {exc}"[:2000], utcnow())
        self._beat(None)
        if once:
            raise exc
        self._touch()
        self.stop.wait(delay)

    def _progress(self, result: PassResult) -> None:
        self._touch()
        if time.monotonic() - self._last_beat > BEAT_EVERY_SECONDS:
            self._beat(result)

    def _checkpoint(self) -> None:
        """Export a signed checkpoint of the audit heads when the newest one is old enough."""
        every = float(self.app.config.get("AUDIT_CHECKPOINT_EVERY_SECONDS") or 0)
        if every <= 0:
            return
        try:
            with self.app.app_context(), db.session_scope(self.app) as session:
                path = export_checkpoint_if_due(
                    session, self.app.config["AUDIT_CHECKPOINT_DIR"], timedelta(seconds=every)
                )
        except Exception as exc:  # noqa: BLE001  (a full disk or an away database must not stop the timers)
            log.warning("audit checkpoint not exported (%s: %s)", type(exc).__name__, exc)
            self.report(f"audit checkpoint not exported ({type(exc).__name__}: {exc})")
            return
        if path is not None:
            self.report(f"audit checkpoint exported: {path}")

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

    def _beat(self, result: PassResult | None) -> None:
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
                if self._last_error is not None:
                    beat.last_error, beat.last_error_at = self._last_error
                session.commit()
                self._last_error = None
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
