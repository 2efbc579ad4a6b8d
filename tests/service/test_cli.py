"""The zhifa command: deploy and validate diagrams, fire timers at a simulated instant, verify the chain."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from forms import FormRegistry
from tests.conftest import DATA, deploy_dir
from tests.service.test_api_acceptance import ANSWERS, TODAY
from tests.service.walk import walk

FORMS = FormRegistry.from_directory(DATA / "acceptance" / "forms")


def test_bpmn_validate_and_deploy_report_problems_with_location(app: Flask, runner_for: Any) -> None:
    runner = runner_for(app)
    bad = runner.invoke(["bpmn", "validate", str(DATA / "bad" / "forbidden_expression.bpmn")])
    assert bad.exit_code == 1
    assert "forbidden_expression.bpmn:22 [flow_evil]" in bad.output
    refused = runner.invoke(["bpmn", "deploy", str(DATA / "bad" / "syntax_error.bpmn")])
    assert refused.exit_code == 1
    good = runner.invoke(["bpmn", "validate", str(DATA / "acceptance")])
    assert good.exit_code == 0, good.output
    assert "case_flow" in good.output
    deployed = runner.invoke(["bpmn", "deploy", str(DATA / "acceptance")])
    assert deployed.exit_code == 0, deployed.output
    assert "case_flow v1 (new version)" in deployed.output
    again = runner.invoke(["bpmn", "deploy", str(DATA / "acceptance")])
    assert "case_flow v1 (unchanged)" in again.output


def test_timers_run_fires_due_timers_at_the_simulated_instant(
    app: Flask, login: Any, runner_for: Any
) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    instance_id = login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json["id"]
    walk(login, instance_id, ANSWERS, forms=FORMS, today=TODAY, max_steps=4, until_done=False)
    auditor = login("auditor")
    body = auditor.get(f"/process-instances/{instance_id}").json
    (timer,) = body["timers"]
    due = datetime.fromisoformat(timer["due_at"])
    runner = runner_for(app)
    early = runner.invoke(["timers", "run", "--now", (due - timedelta(minutes=1)).isoformat()])
    assert "fired 0 timer(s)" in early.output
    assert "draft_decision" in {
        t["bpmn_id"] for t in auditor.get(f"/process-instances/{instance_id}").json["tasks"]
    }
    result = runner.invoke(["timers", "run", "--now", due.isoformat()])
    assert result.exit_code == 0, result.output
    assert "fired 1 timer(s)" in result.output
    tasks = {t["bpmn_id"] for t in auditor.get(f"/process-instances/{instance_id}").json["tasks"]}
    assert "escalate_overdue" in tasks
    assert "draft_decision" not in tasks
    events = auditor.get(f"/process-instances/{instance_id}/events").json["items"]
    assert events[-1]["kind"] == "timer_fired"
    assert events[-1]["actor"] == "system"
    assert runner.invoke(["timers", "run", "--now", due.isoformat()]).output.count("fired 0") == 1
    assert runner.invoke(["audit", "verify"]).exit_code == 0


def _registered_case(login: Any) -> int:
    """Deploy the acceptance process and register one case received 2026-09-29 (filing due 10-09)."""
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    instance_id: int = (
        login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json["id"]
    )
    answers = {"register_case": {"received_on": "2026-09-29"}}
    walk(login, instance_id, answers, forms=FORMS, today=TODAY, max_steps=1, until_done=False)
    return instance_id


def test_overdue_filter_lists_tasks_past_their_due_time(login: Any) -> None:
    _registered_case(login)
    leader = login("squad_leader")
    overdue = leader.get("/tasks?overdue=1").json["items"]
    assert [t["bpmn_id"] for t in overdue] == ["approve_filing"]
    assert overdue[0]["due_at"].startswith("2026-10-09T15:59:59")
    # warnBefore 1 working day: the warning opens at the end of Thursday 2026-10-08 (China time).
    assert overdue[0]["warn_at"].startswith("2026-10-08T15:59:59")
    assert login("officer1").get("/tasks?overdue=1").json["items"] == []


def test_due_soon_lists_tasks_inside_their_warning_window(app: Flask, login: Any) -> None:
    _registered_case(login)
    leader = login("squad_leader")
    for now, listed in [
        ("2026-10-08T15:59:58+00:00", False),
        ("2026-10-08T16:00:00+00:00", True),
        ("2026-10-09T16:00:00+00:00", False),  # past due: overdue, no longer "due soon"
    ]:
        app.config["FIXED_NOW"] = now
        names = [t["bpmn_id"] for t in leader.get("/tasks?due_soon=1").json["items"]]
        assert names == (["approve_filing"] if listed else []), now


def test_two_timer_workers_fire_each_due_timer_exactly_once(app: Flask, login: Any) -> None:
    import threading

    from service.cli import run_due_timers

    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    ids = []
    for _ in range(4):
        instance_id = (
            login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json["id"]
        )
        walk(login, instance_id, ANSWERS, forms=FORMS, today=TODAY, max_steps=4, until_done=False)
        ids.append(instance_id)
    auditor = login("auditor")
    due = max(
        datetime.fromisoformat(auditor.get(f"/process-instances/{i}").json["timers"][0]["due_at"])
        for i in ids
    )
    counts: list[tuple[int, int]] = []
    workers = [threading.Thread(target=lambda: counts.append(run_due_timers(app, due))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(fired for fired, _ in counts) == 4
    assert sum(failed for _, failed in counts) == 0
    for instance_id in ids:
        kinds = [e["kind"] for e in auditor.get(f"/process-instances/{instance_id}/events").json["items"]]
        assert kinds.count("timer_fired") == 1
    assert auditor.get("/audit/verify").json["ok"] is True
