"""The bureau's processes over HTTP, each task done by the demo user of its role, with generated form data.

Path (g)+(a): a 12345 complaint is turned into a case (诉转案, started by the service's router and
linked both ways); the case finds no load-bearing damage and closes; the complaint is told (及时反馈).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import default_registry
from tests.conftest import Api, deploy_dir, make_test_app
from tests.service.bureau_walk import BureauWalk
from tests.service.walk import USER_OF_ROLE, task_input
from workflows import CHINA_TZ

BPMN = Path(__file__).parents[2] / "bpmn"
ANSWERS: dict[str, dict[str, Any]] = {
    "review_remit": {"remit_decision": "accept"},
    "decide_handling": {"handling_method": "to_case", "needs_extension": False},
    "choose_case_type": {"case_type": "load_bearing"},
    "inspect_site": {"entry_result": "entered"},
    "record_appraisal_result": {"is_load_bearing": False, "hazard_grade": None},
    "determine_violation": {"determination": "not_load_bearing"},
    "close_lead": {"lead_closure_reason": "not_load_bearing", "lead_closure_summary": "经检测为非承重墙"},
    "approve_lead_closure": {"lead_closure_decision": "approve"},
    "visit_reporter": {"satisfaction": "satisfied"},
}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's own forms on the real clock (tests about calendar facts pin it)."""
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


def _today() -> date:
    return datetime.now(CHINA_TZ).date()


def _open_tasks(auditor: Api) -> list[dict[str, Any]]:
    running = auditor.get("/process-instances?status=running&per_page=200").json["items"]
    return [t for i in running for t in auditor.get(f"/process-instances/{i['id']}").json["tasks"]]


def _walk_all(login: Any, max_steps: int = 80) -> list[tuple[str, str, str]]:
    """Complete open tasks of every running case until none is left; return (process, task, user)."""
    auditor, done = login("auditor"), []
    for _ in range(max_steps):
        tasks = _open_tasks(auditor)
        if not tasks:
            return done
        task = tasks[0]
        username = USER_OF_ROLE[task["role"]]
        api = login(username)
        data = task_input(api, task["id"], default_registry(), ANSWERS.get(task["bpmn_id"], {}), _today())
        response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, (task["bpmn_id"], response.json)
        done.append((task["process_id"], task["bpmn_id"], username))
    raise AssertionError(f"cases still open after {max_steps} steps")


def test_complaint_becomes_a_linked_case_whose_closure_is_fed_back(login: Any) -> None:
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    complaint = login("hotline_liaison").post(
        "/process-instances", json={"process_key": "complaint_handling"}
    )
    assert complaint.status_code == 201, complaint.json
    steps = _walk_all(login)
    auditor = login("auditor")
    cases = auditor.get("/process-instances?process=load_bearing_case").json["items"]
    assert len(cases) == 1
    case = auditor.get(f"/process-instances/{cases[0]['id']}").json
    done = auditor.get(f"/process-instances/{complaint.json['id']}").json
    assert (case["status"], done["status"]) == ("completed", "completed")
    assert case["data"]["source_instance_id"] == complaint.json["id"]
    assert done["data"]["linked_case_instance_id"] == case["id"]
    assert done["data"]["case_closure"]["closure_reason"] == "not_load_bearing"
    assert ("complaint_handling", "give_final_feedback", "officer1") in steps
    kinds = [
        e["kind"] for e in auditor.get(f"/process-instances/{complaint.json['id']}/events").json["items"]
    ]
    assert kinds.count("message_received") == 2  # started.load_bearing_case, then case_closed
    assert auditor.get("/audit/verify").json["ok"] is True


def test_dissatisfied_follow_up_call_sends_the_order_back_for_a_redo(app: Flask, login: Any) -> None:
    """(h) 回访不满意 → 重办 → second reply → satisfied → archived."""
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    order = (
        login("hotline_liaison").post("/process-instances", json={"process_key": "complaint_handling"}).json
    )
    walk = BureauWalk(
        app,
        login,
        {
            **ANSWERS,
            "decide_handling": {"handling_method": "dissuade", "needs_extension": False},
            "visit_reporter": [
                {"satisfaction": "dissatisfied", "resolved": "unresolved"},
                {"satisfaction": "satisfied"},
            ],
        },
    )
    steps = walk.run()
    body = walk.instance(order["id"])
    assert body["status"] == "completed"
    assert body["data"]["redo_count"] == 1
    assert [b for _, b, _ in steps].count("reply_work_order") == 2
    assert [b for _, b, _ in steps].count("visit_reporter") == 2


def test_publicity_is_due_in_seven_working_days_and_withdrawn_after_revocation(
    app: Flask, login: Any
) -> None:
    """(i) decided on 2025-09-28: due 2025-10-14 across National Day; revoked, withdrawn in 3 working days."""
    app.config["FIXED_NOW"] = "2025-09-28T10:00:00+08:00"
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    decision = {
        "case_no": "嘉城管立〔2025〕0007号",
        "decision_no": "嘉城管罚决〔2025〕0003号",
        "decided_on": "2025-09-28",
        "party_type": "individual",
        "party_name": "张三",
        "party_id_number": "11010519491231002X",
        "party_uscc": None,
        "legal_representative": None,
        "party_address": "嘉定区叶城路1号301室",
        "violation_facts": "擅自拆除承重墙",
        "penalty_kind": "fine",
        "legal_basis": "《上海市住宅物业管理规定》第八十三条",
        "fine_amount": "20000.00",
        "performance_method": "十五日内缴纳",
        "deciding_organ": "上海市嘉定区城市管理行政执法局",
    }
    started = login("clerk").post(  # the publicity diagram names the clerk (内勤) as its starter
        "/process-instances", json={"process_key": "enforcement_publicity", "data": decision}
    )
    assert started.status_code == 201, started.json
    (prepare,) = started.json["tasks"]
    assert prepare["due_at"] == "2025-10-14T15:59:59+00:00"  # 2025-10-14 23:59:59 China time
    walk = BureauWalk(app, login, {})
    walk.run(advance_time=False)  # prepared, approved, published, pushed to credit: now it waits
    assert walk.instance(started.json["id"])["status"] == "running"
    record = walk.instance(started.json["id"])["data"]["publicity_record"]
    assert "张某某" in str(record)
    assert "张三" not in str(record)
    app.config["FIXED_NOW"] = "2025-12-31T10:00:00+08:00"
    revoked = login("legal_reviewer").post(
        f"/process-instances/{started.json['id']}/messages",
        json={
            "name": "decision_changed",
            "payload": {"change_kind": "撤销", "changed_on": "2025-12-31", "reason": "复议撤销"},
        },
    )
    assert revoked.status_code == 200, revoked.json
    (withdraw,) = revoked.json["tasks"]
    assert withdraw["due_at"] == "2026-01-06T15:59:59+00:00"  # Sunday 2026-01-04 is a working day
    walk.run()
    assert walk.instance(started.json["id"])["status"] == "completed"
    # The clerk started this publication and the officer never acted on it: the officer does not
    # see the case at all, so recording a message is refused without revealing that it exists.
    recorded_by_officer = login("officer1").post(
        f"/process-instances/{started.json['id']}/messages", json={"name": "decision_changed", "payload": {}}
    )
    assert recorded_by_officer.status_code == 404
