"""The timer worker at scale and under faults: many timers, two workers, a database that goes away."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from service import worker as worker_module
from service.db import session_scope
from service.models import AuditEvent, Incident, WorkerHeartbeat
from service.operations.audit import SYSTEM_ACTOR, verify_chains
from service.operations.audit_checkpoint import load_checkpoint
from service.operations.audit_verify import verify
from service.operations.instances import start_process_as
from service.operations.timers import TimerSettings
from service.worker import GC_THRESHOLDS, Worker, run_due_timers
from tests.conftest import DATA, deploy_dir

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.fromisoformat("2026-11-02T09:00:00+08:00")
LATER = NOW + timedelta(days=1, minutes=1)


def _seed(app: Flask, login: Any, count: int) -> None:
    """Start `count` cases that each wait on a one-day timer (in one transaction: it is set-up)."""
    assert deploy_dir(login("process_owner"), DATA / "incidents").status_code == 201
    with app.app_context(), session_scope(app) as session:
        for _ in range(count):
            start_process_as(session, "timer_then_step", {"start_on": "2026-11-02"}, SYSTEM_ACTOR, NOW)
        session.commit()


@pytest.mark.slow
def test_two_workers_fire_300_due_timers_each_exactly_once(app: Flask, login: Any) -> None:
    _seed(app, login, 300)
    results: list[Any] = []
    settings = TimerSettings(batch=10)
    workers = [
        threading.Thread(target=lambda: results.append(run_due_timers(app, LATER, settings)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert sum(r.fired for r in results) == 300
    assert sum(r.failed for r in results) == 0
    with app.app_context(), session_scope(app) as session:
        fired = Counter(
            session.scalars(select(AuditEvent.instance_id).where(AuditEvent.kind == "timer_fired")).all()
        )
        assert len(fired) == 300
        assert set(fired.values()) == {1}
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        assert verify_chains(session)[1] is None
    assert run_due_timers(app, LATER, settings).fired == 0


def test_the_worker_keeps_going_while_the_database_is_away(app: Flask, monkeypatch: Any) -> None:
    from service import worker as worker_module

    real = worker_module.run_due_timers
    calls: list[str] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append("pass")
        if len(calls) <= 3:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "run_due_timers", flaky)
    monkeypatch.setattr(worker_module, "MAX_PAUSE_SECONDS", 0.05)
    lines: list[str] = []
    worker = Worker(app, interval=0.01, report=lines.append)
    thread = threading.Thread(target=worker.run)
    thread.start()
    deadline = time.monotonic() + 20
    while not any("fired 0 timer(s)" in line for line in lines):
        assert thread.is_alive(), lines
        assert time.monotonic() < deadline, lines
        time.sleep(0.02)
    worker.stop.set()
    thread.join(timeout=20)
    assert [line for line in lines if "retrying" in line][:3] == [
        "timer pass failed (OperationalError); retrying in 0 s"
    ] * 3
    with app.app_context(), session_scope(app) as session:
        beat = session.get(WorkerHeartbeat, worker.worker_id)
        assert beat is not None
        assert "connection refused" in (beat.last_error or "")
        assert beat.last_run_at is not None
        assert beat.stopped_at is not None


def _heartbeat_pids(url: str) -> set[int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT worker_id FROM worker_heartbeats")).scalars().all()
    engine.dispose()
    return {int(worker_id.rsplit(":", 1)[1]) for worker_id in ids}


def _wait_for(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
def test_a_supervised_worker_is_restarted_when_killed_and_stops_on_ctrl_c(app: Flask, tmp_path: Path) -> None:
    url = app.config["DATABASE_URL"]
    env = {
        **os.environ,
        "ZHIFA_DATABASE_URL": url,
        "ZHIFA_SECRET_KEY": "s" * 64,
        "ZHIFA_ATTACHMENT_DIR": str(tmp_path / "att"),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "service", "timers", "run", "--supervise", "--interval", "0.2"]
    supervisor = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )  # noqa: S603
    try:
        (first,) = _wait_for(lambda: _heartbeat_pids(url), 60, "the first worker's heartbeat")
        os.kill(first, signal.SIGKILL)
        second = _wait_for(lambda: _heartbeat_pids(url) - {first}, 60, "a restarted worker")
        supervisor.send_signal(signal.SIGINT)
        output = supervisor.communicate(timeout=30)[0].decode()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert supervisor.returncode == 0, output
    assert "restarting" in output
    for pid in second:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_the_supervisor_kills_and_restarts_a_worker_that_makes_no_progress() -> None:
    from service.supervisor import supervise

    stop, lines, restarts = threading.Event(), [], []
    hung = [sys.executable, "-c", "import time; time.sleep(120)"]  # never touches its progress file
    thread = threading.Thread(
        target=lambda: restarts.append(
            supervise(hung, hang_seconds=1, stop=stop, report=lines.append, max_pause=0.1)
        )
    )
    thread.start()
    _wait_for(lambda: len(lines) >= 2, 30, "two restarts")
    stop.set()
    thread.join(timeout=30)
    assert restarts[0] >= 2
    assert lines[0] == "timer worker made no progress for 1 s and was killed; restarting in 0 s"


def test_the_worker_exports_a_signed_checkpoint_on_schedule_not_more_often(app: Flask, login: Any) -> None:
    _seed(app, login, 1)
    folder = Path(app.config["AUDIT_CHECKPOINT_DIR"])
    lines: list[str] = []
    worker = Worker(app, report=lines.append)
    worker.run(once=True)
    worker.run(once=True)  # the first checkpoint is younger than the hour between exports
    (exported,) = folder.glob("*.json")
    assert any(str(exported) in line for line in lines), lines
    with app.app_context(), session_scope(app) as session:
        assert verify(session, checkpoint=load_checkpoint(exported)).ok


def test_a_checkpoint_that_cannot_be_written_does_not_stop_the_timers(app: Flask, login: Any) -> None:
    _seed(app, login, 1)
    blocker = Path(app.config["AUDIT_CHECKPOINT_DIR"])
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the checkpoint folder should be")
    lines: list[str] = []
    Worker(app, report=lines.append).run(once=True)
    assert any("checkpoint not exported" in line for line in lines), lines
    assert any("fired" in line for line in lines), lines


def test_a_worker_collects_garbage_less_often_with_its_start_up_objects_frozen(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "_gc_tuned", False)  # as in a fresh worker process
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults
    try:
        Worker(app, report=lambda _line: None).run(once=True)
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
