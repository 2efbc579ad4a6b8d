"""A process SIGKILLed at random points during 200 completions leaves every case consistent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.db import session_scope
from service.models import AuditEvent, ProcessInstance
from service.operations.audit import events_of, verify_chains
from service.operations.live_instances import load_live
from tests.conftest import DATA, deploy_dir

ROOT = Path(__file__).resolve().parents[2]
COMPLETIONS = 200
CASES = 25  # nine tasks each: more than enough work for 200 completions
KILLS = 12

# Completes random open tasks over the API in-process, printing one line per completion.
CHILD = textwrap.dedent(
    """
    import random, sys
    from sqlalchemy import select
    from forms import FormRegistry
    from service import create_app
    from service.db import session_scope
    from service.models import HumanTask, ProcessInstance
    from tests.conftest import DATA, Api
    from tests.service.test_api_acceptance import ANSWERS, TODAY
    from tests.service.walk import USER_OF_ROLE, task_input

    url, attachments, seed = sys.argv[1:4]
    rng = random.Random(int(seed))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url,
                      "ATTACHMENT_DIR": attachments, "FORMS_DIR": str(DATA / "acceptance" / "forms")})
    forms = FormRegistry.from_directory(DATA / "acceptance" / "forms")
    client, apis = app.test_client(), {}

    def api(username):
        if username not in apis:
            token = client.post("/api/v1/auth/token", json={"username": username, "password": username})
            apis[username] = Api(client, token.json["token"])
        return apis[username]

    print("ready", flush=True)
    while True:
        with app.app_context(), session_scope(app) as session:
            open_tasks = session.execute(
                select(HumanTask.id, HumanTask.role, HumanTask.bpmn_id).join(ProcessInstance)
                .where(ProcessInstance.status == "running").order_by(HumanTask.id)
            ).all()
        if not open_tasks:
            break
        task_id, role, bpmn_id = rng.choice(open_tasks)
        user = api(USER_OF_ROLE[role])
        data = task_input(user, task_id, forms, ANSWERS.get(bpmn_id, {}), TODAY)
        response = user.post(f"/tasks/{task_id}/complete", json={"data": data})
        print(response.status_code, bpmn_id, flush=True)
    """
)


def _completed(app: Flask) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).where(AuditEvent.kind == "task_completed")) or 0


def _run_child(app: Flask, tmp_path: Path, seed: int, kill_after: float | None) -> None:
    child = subprocess.Popen(  # noqa: S603  (our own interpreter running our own script)
        [sys.executable, "-c", CHILD, app.config["DATABASE_URL"], str(tmp_path / "att"), str(seed)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    if kill_after is None:
        while _completed(app) < COMPLETIONS and child.poll() is None:
            time.sleep(0.1)
        child.kill()
    else:
        child.stdout.readline()  # one completion done: start-up alone can outlast kill_after
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()


def _check_case(app: Flask, instance_id: int) -> int:
    """Assert the stored projections and history agree with the engine state; return completions."""
    with app.app_context(), session_scope(app) as session:
        live = load_live(session, instance_id)
        row, engine = live.row, live.engine
        assert {t.id for t in row.tasks} == {v.id for v in engine.open_tasks()}, instance_id
        assert {(t.bpmn_id, t.due_at) for t in row.timers} == {(t.bpmn_id, t.due_at) for t in engine.timers()}
        assert row.status.value == engine.status().value
        events = events_of(session, instance_id)
        assert [e.seq for e in events] == list(range(1, row.audit_seq + 1))
        assert events[-1].hash == row.audit_head
        completions = Counter(e.task_id for e in events if e.kind == "task_completed")
        assert set(completions.values()) <= {1}, "a task was completed twice"
        trace = engine.trace()
        done_in_engine = sum(
            trace.count(scope, bpmn_id) for scope, bpmn_id in live.definition.process.user_tasks
        )
        assert done_in_engine == len(completions), instance_id
        return len(completions)


@pytest.mark.slow
def test_random_sigkills_during_200_completions_leave_every_case_consistent(
    app: Flask, login: Any, tmp_path: Path
) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    officer = login("officer1")
    for _ in range(CASES):
        assert officer.post("/process-instances", json={"process_key": "case_flow"}).status_code == 201
    rng = random.Random(8)
    for kill in range(KILLS):
        _run_child(app, tmp_path, seed=kill, kill_after=rng.uniform(0.01, 0.12))  # a completion: ms
    killed_at = _completed(app)
    _run_child(app, tmp_path, seed=KILLS, kill_after=None)
    assert 0 < killed_at < COMPLETIONS <= _completed(app)
    with app.app_context(), session_scope(app) as session:
        ids = session.scalars(select(ProcessInstance.id)).all()
        checked, broken = verify_chains(session)
    assert broken is None, broken
    assert sum(_check_case(app, instance_id) for instance_id in ids) == _completed(app)
    assert checked > COMPLETIONS
