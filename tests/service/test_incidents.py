"""Incidents instead of stuck cases: a failing step or timer keeps the case running, leaders retry it."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import update

from service.db import session_scope
from service.models import ProcessInstance
from service.models.instances import InstanceStatusColumn
from service.operations.timers import TimerSettings
from service.runtime import InstanceCache
from service.worker import Worker, run_due_timers
from tests.conftest import DATA, deploy_dir
from workflows import WorkCalendar, WorkflowEngine

NOW = datetime.fromisoformat("2026-11-02T09:00:00+08:00")
LATER = NOW + timedelta(days=1, minutes=1)  # the one-day timers are due
FAST = TimerSettings(budget_seconds=0.5)


def _deploy(login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "incidents").status_code == 201


def _start(login: Any, process_key: str, **data: Any) -> dict[str, Any]:
    response = login("officer1").post("/process-instances", json={"process_key": process_key, "data": data})
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


def _enter_2040_calendar(app: Flask) -> None:
    """What entering the 2040 schedule (past the provisional horizon) and restarting the service does."""
    runtime = app.extensions["zhifa.runtime"]
    runtime.engine = WorkflowEngine(WorkCalendar(extra_years=[2040]))
    runtime.instances = InstanceCache()


def _kinds(login: Any, instance_id: int) -> list[str]:
    events = login("auditor").get(f"/process-instances/{instance_id}/events").json["items"]
    return [e["kind"] for e in events]


def test_a_completion_whose_next_step_fails_stands_and_opens_an_incident(app: Flask, login: Any) -> None:
    app.config["FIXED_NOW"] = NOW.isoformat()
    _deploy(login)
    case = _start(login, "flaky_step", start_on="2040-03-01")
    officer = login("officer1")
    done = officer.post(
        f"/tasks/{case['tasks'][0]['id']}/complete", json={"data": {"escalation_note": "已登记"}}
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "running"
    assert done.json["notice"]["code"] == "incident_opened"
    assert "计算办理期限" in done.json["notice"]["message"]
    (incident,) = done.json["incidents"]
    assert (incident["element_id"], incident["kind"], incident["attempts"]) == ("compute_due", "script", 1)
    assert "2040" in incident["message"]
    leader = login("squad_leader")
    listed = leader.get("/incidents").json
    assert [i["id"] for i in listed["items"]] == [incident["id"]]
    assert listed["total"] == 1
    assert officer.get("/incidents").status_code == 403
    assert officer.post(f"/incidents/{incident['id']}/retry").status_code == 403
    (listed_case,) = leader.get("/process-instances?status=running").json["items"]
    assert (listed_case["id"], listed_case["open_incidents"]) == (case["id"], 1)
    assert [t["bpmn_id"] for t in officer.get("/tasks").json["items"]] == []  # nothing for people yet


def test_a_leader_retries_after_the_fix_and_the_case_moves_on(app: Flask, login: Any) -> None:
    app.config["FIXED_NOW"] = NOW.isoformat()
    _deploy(login)
    case = _start(login, "flaky_step", start_on="2040-03-01")
    officer, leader = login("officer1"), login("squad_leader")
    done = officer.post(
        f"/tasks/{case['tasks'][0]['id']}/complete", json={"data": {"escalation_note": "已登记"}}
    )
    incident_id = done.json["incidents"][0]["id"]
    again = leader.post(f"/incidents/{incident_id}/retry")
    assert again.status_code == 200, again.json
    assert (again.json["resolved_at"], again.json["attempts"]) == (None, 2)
    _enter_2040_calendar(app)
    fixed = leader.post(f"/incidents/{incident_id}/retry")
    assert fixed.json["resolved_at"] is not None
    assert fixed.json["resolved_by"] == "system"
    assert leader.post(f"/incidents/{incident_id}/retry").status_code == 409
    body = leader.get(f"/process-instances/{case['id']}").json
    assert [t["bpmn_id"] for t in body["tasks"]] == ["handle"]
    assert body["incidents"] == []
    assert body["data"]["handle_by"] == "2040-03-06"
    kinds = _kinds(login, case["id"])
    assert kinds.count("incident_retried") == 2
    assert kinds.count("incident_failed_again") == 1
    assert kinds.count("incident_resolved") == 1
    assert login("auditor").get("/audit/verify").json["ok"] is True


def test_a_poison_timer_does_not_stop_the_due_timers_of_other_cases(app: Flask, login: Any) -> None:
    app.config["FIXED_NOW"] = (NOW - timedelta(hours=1)).isoformat()  # the poison falls due first
    _deploy(login)
    runaway = _start(login, "runaway")
    app.config["FIXED_NOW"] = NOW.isoformat()
    failing_step = _start(login, "timer_then_step", start_on="2040-03-01")
    healthy = [_start(login, "timer_then_step", start_on="2026-11-02")["id"] for _ in range(8)]
    result = run_due_timers(app, LATER, FAST)
    assert (result.cases, result.failed) == (9, 1)  # the step failing after its timer is an incident
    assert result.failures[0][0] == runaway["id"]
    auditor = login("auditor")
    for instance_id in healthy:
        body = auditor.get(f"/process-instances/{instance_id}").json
        assert [t["bpmn_id"] for t in body["tasks"]] == ["handle"], instance_id
        assert _kinds(login, instance_id).count("timer_fired") == 1
    stuck = auditor.get(f"/process-instances/{failing_step['id']}").json
    assert (stuck["status"], stuck["incidents"][0]["element_id"]) == ("running", "compute_due")
    poison = auditor.get(f"/process-instances/{runaway['id']}").json
    assert poison["status"] == "running"
    (incident,) = poison["incidents"]
    assert (incident["kind"], incident["element_id"], incident["attempts"]) == ("timer", "wait_a_day", 1)
    assert "TimeBudgetExceeded" in incident["message"]
    assert datetime.fromisoformat(incident["next_retry_at"]) == LATER + timedelta(minutes=1)
    assert run_due_timers(app, LATER, FAST).failed == 0  # backing off: not picked again at once
    retried = run_due_timers(app, LATER + timedelta(minutes=1), FAST)
    assert (retried.failed, retried.fired) == (1, 0)
    incident = auditor.get(f"/process-instances/{runaway['id']}").json["incidents"][0]
    assert incident["attempts"] == 2
    assert datetime.fromisoformat(incident["next_retry_at"]) == LATER + timedelta(minutes=3)
    assert auditor.get("/audit/verify").json["ok"] is True


def test_a_case_whose_runs_keep_killing_workers_is_set_aside_for_a_leader(app: Flask, login: Any) -> None:
    app.config["FIXED_NOW"] = NOW.isoformat()
    _deploy(login)
    case = _start(login, "timer_then_step", start_on="2026-11-02")
    with app.app_context(), session_scope(app) as session:  # three workers died while firing it
        session.execute(
            update(ProcessInstance).where(ProcessInstance.id == case["id"]).values(timer_leases=3)
        )
        session.commit()
    assert run_due_timers(app, LATER, FAST).failed == 1
    body = login("auditor").get(f"/process-instances/{case['id']}").json
    (incident,) = body["incidents"]
    assert "WorkerLost" in incident["message"]
    assert incident["next_retry_at"] is None
    assert run_due_timers(app, LATER + timedelta(days=7), FAST).failed == 0  # left alone
    app.config["FIXED_NOW"] = (LATER + timedelta(days=7)).isoformat()
    retried = login("squad_leader").post(f"/incidents/{incident['id']}/retry")
    assert retried.json["resolved_at"] is not None
    assert [t["bpmn_id"] for t in login("auditor").get(f"/process-instances/{case['id']}").json["tasks"]] == [
        "handle"
    ]


def test_cases_left_in_the_old_error_status_are_adopted_and_resume(
    app: Flask, login: Any, runner_for: Any
) -> None:
    app.config["FIXED_NOW"] = NOW.isoformat()
    _deploy(login)
    case = _start(login, "timer_then_step", start_on="2026-11-02")
    with app.app_context(), session_scope(app) as session:  # what the old worker left behind
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == case["id"])
            .values(
                status=InstanceStatusColumn.ERROR,
                error={"message": "calendar not covered", "element_id": "compute_due", "line": 1},
                next_timer_due_at=None,
                timer_wake_at=None,
            )
        )
        session.commit()
    runner = runner_for(app)
    adopted = runner.invoke(["incidents", "adopt-legacy"])
    assert f"adopted 1 case(s): [{case['id']}]" in adopted.output, adopted.output
    listed = runner.invoke(["incidents", "list"])
    assert f"case {case['id']} [timer] wait_a_day" in listed.output
    assert "calendar not covered" in listed.output
    assert run_due_timers(app, LATER, FAST).fired == 1
    body = login("auditor").get(f"/process-instances/{case['id']}").json
    assert (body["status"], body["incidents"]) == ("running", [])
    assert [t["bpmn_id"] for t in body["tasks"]] == ["handle"]
    assert "no incidents" in runner.invoke(["incidents", "list"]).output


def test_cancelling_a_case_resolves_its_incidents(app: Flask, login: Any) -> None:
    app.config["FIXED_NOW"] = NOW.isoformat()
    _deploy(login)
    case = _start(login, "flaky_step", start_on="2040-03-01")
    login("officer1").post(
        f"/tasks/{case['tasks'][0]['id']}/complete", json={"data": {"escalation_note": "x"}}
    )
    cancelled = login("squad_leader").post(f"/process-instances/{case['id']}/cancel", json={"reason": "撤销"})
    assert (cancelled.json["status"], cancelled.json["incidents"]) == ("cancelled", [])
    assert login("squad_leader").get("/incidents").json["items"] == []


def test_health_and_timer_status_show_the_workers_heartbeat(app: Flask, login: Any, runner_for: Any) -> None:
    app.config["FIXED_NOW"] = NOW.isoformat()
    client = app.test_client()
    before = client.get("/api/v1/health")
    assert before.status_code == 200
    assert (before.json["status"], before.json["timer_workers"]["alive"]) == ("degraded", 0)
    _deploy(login)
    _start(login, "timer_then_step", start_on="2026-11-02")
    lines: list[str] = []
    worker = Worker(app, interval=0.1, settings=FAST, report=lines.append)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not any("fired 1 timer(s)" in line for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.05)
        after = client.get("/api/v1/health").json
        assert (after["status"], after["timer_workers"]["alive"]) == ("ok", 1)
        (seen,) = after["timer_workers"]["workers"]
        assert (seen["total_fired"], seen["total_failed"]) == (1, 0)
        assert "worker_id" not in seen  # no host names on a public endpoint
        assert "alive; last pass" in runner_for(app).invoke(["timers", "status"]).output
    finally:
        worker.stop.set()
        thread.join(timeout=30)
    status = runner_for(app).invoke(["timers", "status"]).output
    assert f"{worker.worker_id}: stopped" in status
    assert "total fired 1, failed 0" in status
    assert client.get("/api/v1/health").json["timer_workers"]["alive"] == 0
