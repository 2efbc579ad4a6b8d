"""Races and crashes: two completions of one task, and a process killed mid-completion."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import FormRegistry
from service.operations import tasks as task_ops
from tests.conftest import DATA, deploy_dir, make_test_app
from tests.service.walk import task_input

ACCEPTANCE = DATA / "acceptance"
FORMS = FormRegistry.from_directory(ACCEPTANCE / "forms")
REGISTER = {"received_on": "2026-09-29"}


def _start(login: Any) -> tuple[int, str]:
    assert deploy_dir(login("process_owner"), ACCEPTANCE).status_code == 201
    body = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}}).json
    return body["id"], body["tasks"][0]["id"]


def _snapshot(login: Any, instance_id: int) -> tuple[int, list[str], int]:
    auditor = login("auditor")
    body = auditor.get(f"/process-instances/{instance_id}").json
    events = auditor.get(f"/process-instances/{instance_id}/events").json["items"]
    return body["version"], [t["bpmn_id"] for t in body["tasks"]], len(events)


def test_two_concurrent_completions_one_wins_the_other_gets_409(
    app: Flask, login: Any, monkeypatch: Any
) -> None:
    instance_id, task_id = _start(login)
    officers = [login("officer1"), login("officer2")]
    data = task_input(officers[0], task_id, FORMS, REGISTER, today=time_today())
    version_before, _, events_before = _snapshot(login, instance_id)
    barrier = threading.Barrier(2, timeout=3)
    real_load = task_ops.load_live

    def load_then_wait(*args: Any, **kwargs: Any) -> Any:
        live = real_load(*args, **kwargs)
        # Both requests read the same version before either writes. SQLite serialises writers up
        # front, so there the barrier times out and the second request starts after the first.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return live

    monkeypatch.setattr(task_ops, "load_live", load_then_wait)
    results: list[Any] = [None, None]

    def complete(index: int) -> None:
        api = officers[index]
        results[index] = api.client.post(
            f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=api.headers
        )

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.json for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json["code"] == "conflict"
    version, open_tasks, event_count = _snapshot(login, instance_id)
    assert open_tasks == ["approve_filing"]
    assert event_count == events_before + 1  # exactly one completion recorded
    assert version == version_before + 1
    assert login("auditor").get("/audit/verify").json["ok"] is True


def time_today() -> Any:
    from datetime import date

    return date(2026, 10, 9)


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from service import create_app

    url, attachments, marker, token, task_id, payload = sys.argv[1:7]
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url,
                      "ATTACHMENT_DIR": attachments})

    @event.listens_for(Session, "before_commit")
    def hang(session):
        Path(marker).write_text("flushed")
        time.sleep(60)

    client = app.test_client()
    client.post(f"/api/v1/tasks/{task_id}/complete", data=payload, content_type="application/json",
                headers={"Authorization": "Bearer " + token})
    """
)


def test_process_killed_mid_completion_leaves_the_case_before_the_step(
    app: Flask, login: Any, tmp_path: Path
) -> None:
    import json

    instance_id, task_id = _start(login)
    officer = login("officer1")
    data = task_input(officer, task_id, FORMS, REGISTER, today=time_today())
    before = _snapshot(login, instance_id)
    marker = tmp_path / "marker"
    child = subprocess.Popen(  # noqa: S603  (our own interpreter running our own script)
        [
            sys.executable,
            "-c",
            CHILD,
            app.config["DATABASE_URL"],
            str(tmp_path / "att"),
            str(marker),
            officer.headers["Authorization"].split()[1],
            task_id,
            json.dumps({"data": data}),
        ],
        cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None, "the child finished before reaching the commit"
        assert time.monotonic() < deadline, "the child never reached the commit"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    time.sleep(0.5)  # PostgreSQL notices the dropped connection and rolls the transaction back
    assert _snapshot(login, instance_id) == before
    response = officer.post(f"/tasks/{task_id}/complete", json={"data": data})
    assert response.status_code == 200, response.json
    assert login("auditor").get("/audit/verify").json["ok"] is True


RACERS = 20


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Any:
    """The races need a connection per racing request, as RACERS separate workers would have.

    The production default pool (2 + 3 per process) would queue the racers behind each other and
    turn the race into a sequence.
    """
    app = make_test_app(
        database_url,
        tmp_path,
        FORMS_DIR=str(DATA / "acceptance" / "forms"),
        DB_POOL_SIZE=RACERS + 2,
        DB_MAX_OVERFLOW=RACERS,
    )
    yield app
    app.extensions["zhifa.engine"].dispose()


def _officers(app: Flask, count: int) -> list[str]:
    """Create `count` extra officers (the demo set has two)."""
    from service.db import session_scope
    from service.operations.audit import SYSTEM_ACTOR
    from service.operations.users import create_user

    names = [f"racer{i:02d}" for i in range(count)]
    with app.app_context(), session_scope(app) as session:
        for name in names:
            create_user(
                session,
                name,
                name,
                ["officer"],
                display_name=name,
                known_roles=set(app.config["ROLES"]),
                actor=SYSTEM_ACTOR,
                hash_method="pbkdf2:sha256:1000",
            )
        session.commit()
    return names


def _race(apis: list[Any], path: str, body: Any, monkeypatch: Any, pause_after: str) -> list[Any]:
    """POST `path` from every client at once: all read the task first, then they write one by one.

    That is the worst interleaving: each loser acts on what it read before the winner committed.
    """
    barrier = threading.Barrier(len(apis), timeout=5)
    turn, holds = threading.Lock(), threading.local()
    real = getattr(task_ops, pause_after)

    def read_then_wait(*args: Any, **kwargs: Any) -> Any:
        value = real(*args, **kwargs)
        # PostgreSQL: every request has read before any of them writes. SQLite takes the write lock
        # up front, so there the barrier times out and the requests simply run one after another.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        turn.acquire()  # released by the thread once its request has ended
        holds.turn = True
        return value

    monkeypatch.setattr(task_ops, pause_after, read_then_wait)
    results: list[Any] = [None] * len(apis)

    def post(index: int) -> None:
        api = apis[index]
        try:
            results[index] = api.client.post(f"/api/v1{path}", json=body, headers=api.headers)
        finally:
            if getattr(holds, "turn", False):
                turn.release()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(apis))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    monkeypatch.undo()
    return results


def _losers_expected(app: Flask, sequential: int) -> set[int]:
    postgres = app.config["DATABASE_URL"].startswith("postgresql")
    return {409} if postgres else {409, sequential}


def test_twenty_concurrent_claims_of_one_task_have_one_winner(
    app: Flask, login: Any, monkeypatch: Any
) -> None:
    instance_id, task_id = _start(login)
    apis = [login(name) for name in _officers(app, RACERS)]
    results = _race(apis, f"/tasks/{task_id}/claim", None, monkeypatch, "_task_for")
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1, [r.json for r in results]
    assert set(statuses) - {200} <= _losers_expected(app, 403), statuses
    winner = apis[statuses.index(200)]
    task = winner.get(f"/tasks/{task_id}").json
    assert task["assignee_id"] == results[statuses.index(200)].json["assignee_id"]
    events = login("auditor").get(f"/process-instances/{instance_id}/events").json["items"]
    assert [e["kind"] for e in events].count("task_claimed") == 1
    assert login("auditor").get("/audit/verify").json["ok"] is True


def test_twenty_concurrent_completions_of_one_task_have_one_winner(
    app: Flask, login: Any, monkeypatch: Any
) -> None:
    instance_id, task_id = _start(login)
    apis = [login(name) for name in _officers(app, RACERS)]
    data = task_input(apis[0], task_id, FORMS, REGISTER, today=time_today())
    version_before, _, events_before = _snapshot(login, instance_id)
    results = _race(apis, f"/tasks/{task_id}/complete", {"data": data}, monkeypatch, "load_live")
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1, [r.json for r in results]
    assert set(statuses) - {200} == {409}, statuses
    version, open_tasks, event_count = _snapshot(login, instance_id)
    assert open_tasks == ["approve_filing"]
    assert event_count == events_before + 1
    assert version == version_before + 1
    assert login("auditor").get("/audit/verify").json["ok"] is True
