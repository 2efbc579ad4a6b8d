"""中止 of a standalone penalty case over HTTP, on today's real date: staff record
`case_suspension_requested` on the penalty instance before the decision, the deputy head approves,
the case leaves every inbox, and after `case_suspension_ended` the decision is due later by the days
suspended (`time_limit_changes`). Engine-level scenarios: tests/bpmn/test_penalty_suspension.py."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import deploy_dir
from tests.service import test_calendar_walk as real_clock
from tests.service.walk import upload

app = real_clock.app  # the fixture: the service with the bureau's forms and no pinned clock

BPMN = Path(__file__).parents[2] / "bpmn"
TODAY = real_clock.today()
FILED = TODAY - timedelta(days=5)
START = {
    "case_no": "嘉城管立〔2026〕0123号",
    "filed_on": FILED.isoformat(),
    "case_type": "street_vending",
    "party_type": "individual",
    "party_name": "王五",
    "party_address": "嘉定区城中路9号",
    "violation_facts": "占用人行道设摊经营",
    "discretion": {"band_low": "200", "band_high": "500"},
    "rectification_outcome": "refused",
}


def message(api: Any, instance_id: int, name: str) -> Any:
    return api.post(f"/process-instances/{instance_id}/messages", json={"name": name, "payload": {}})


def only_task(login: Any, instance_id: int) -> dict[str, Any]:
    (task,) = login("auditor").get(f"/process-instances/{instance_id}").json["tasks"]
    return task


def complete(api: Any, task: dict[str, Any], data: dict[str, Any]) -> None:
    done = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert done.status_code == 200, done.json


def test_a_standalone_penalty_case_suspended_and_resumed_is_due_later(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    officer = login("officer1")
    started = officer.post("/process-instances", json={"process_key": "penalty_procedure", "data": START})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    due = date.fromisoformat(officer.get(f"/process-instances/{case_id}").json["data"]["decision_due_on"])
    assert due == FILED + timedelta(days=90)
    assert only_task(login, case_id)["bpmn_id"] == "draft_investigation_report"

    assert message(login("auditor"), case_id, "case_suspension_requested").status_code == 403
    assert message(officer, case_id, "case_suspension_requested").status_code == 200
    request = only_task(login, case_id)
    assert (request["bpmn_id"], request["role"]) == ("request_penalty_suspension", "officer")
    since = FILED + timedelta(days=1)
    complete(
        officer,
        request,
        {
            "case_suspension_reason": "appraisal",
            "case_suspension_facts": "委托鉴定",
            "case_suspension_from": since.isoformat(),
            "case_suspension_files": [upload(officer, request["id"], "鉴定委托书.jpg")],
        },
    )
    approval = only_task(login, case_id)
    assert (approval["bpmn_id"], approval["role"]) == ("approve_penalty_suspension", "deputy_head")
    complete(
        login("deputy_head"),
        approval,
        {"case_suspension_decision": "approve", "case_suspension_decided_on": TODAY.isoformat()},
    )
    body = login("auditor").get(f"/process-instances/{case_id}").json
    assert (body["status"], body["tasks"]) == ("running", [])
    for username in ("officer1", "squad_leader", "deputy_head"):
        inbox = login(username).get("/tasks?per_page=100").json["items"]
        assert [t for t in inbox if t["instance_id"] == case_id] == []

    assert message(officer, case_id, "case_suspension_ended").status_code == 200
    resumption = only_task(login, case_id)
    assert resumption["bpmn_id"] == "record_penalty_resumption"
    complete(
        officer, resumption, {"case_resumed_on": TODAY.isoformat(), "case_resumption_note": "报告已送达"}
    )
    body = login("auditor").get(f"/process-instances/{case_id}").json
    assert [t["bpmn_id"] for t in body["tasks"]] == ["draft_investigation_report"]  # back where it stopped
    days = (TODAY - since).days
    assert body["data"]["decision_due_on"] == (due + timedelta(days=days)).isoformat()
    (change,) = body["data"]["time_limit_changes"]
    assert (change["kind"], change["days"], change["during"]) == ("suspension", days, "penalty_procedure")
