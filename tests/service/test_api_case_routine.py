"""The routine branches of a load-bearing case over HTTP on today's real date: 中止 of the case time
limit (the deputy head approves; the case leaves every inbox while suspended), 移送公安 (the bureau
head decides; the case ends as `transferred_police`) and, once a case is closed, an objection to its
失信 record handled by `case_after_closure` while the closed case stays closed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from service.jsonsafe import to_json_value
from tests.bpmn import steps_case as case
from tests.conftest import deploy_dir
from tests.service import bureau_paths as paths
from tests.service import test_calendar_walk as real_clock

app = real_clock.app  # the fixture: the service with the bureau's forms and no pinned clock

ROUTINE_ANSWERS: dict[str, list[dict[str, Any]]] = {
    "request_case_suspension": [
        {"case_suspension_reason": "appraisal", "case_suspension_facts": "委托补充鉴定相邻楼板"}
    ],
    "approve_case_suspension_deputy": [{"case_suspension_decision": "approve"}],
    "record_case_resumption": [{"case_resumption_note": "补充鉴定报告已送达"}],
    "request_police_transfer": [{"police_transfer_facts": "拆除承重墙致楼板开裂，涉嫌重大责任事故罪"}],
    "approve_police_transfer": [{"police_transfer_decision": "approve"}],
    "transfer_to_police": [{"police_station": "嘉定公安分局"}],
    "decide_credit_objection": [
        {"credit_objection_decision": "uphold", "credit_objection_reply": "异议成立"}
    ],
}


def plan_to_the_order() -> paths.Plan:
    p = paths.Plan("load_bearing_case", case.at(date(2025, 9, 26)))
    paths.discover_with_reporter(p)
    case.file_case(p, date(2025, 10, 22), date(2025, 10, 23))
    case.interview(p, case.at(date(2025, 10, 24), 9), more=False)
    case.list_evidence(p, date(2025, 10, 24))
    case.order_correction(p, date(2025, 10, 27), date(2025, 10, 28), deadline=date(2025, 11, 28))
    return p


def ordered_today(
    app: Flask,
    login: Any,
    until: str = "record_followup",
    extra_answers: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[real_clock.RealClockWalk, int]:
    """A load-bearing case started today and walked (filed, ordered) until the task `until` is open."""
    assert deploy_dir(login("process_owner"), paths.BPMN).status_code == 201
    lead = real_clock.moved_to_today(to_json_value(case.lead(case.at(real_clock.today()))))
    started = login("officer1").post(
        "/process-instances", json={"process_key": "load_bearing_case", "data": lead}
    )
    assert started.status_code == 201, started.json
    answers = {
        b: [real_clock.moved_to_today(a) for a in items] for b, items in plan_to_the_order().answers.items()
    }
    walk = real_clock.RealClockWalk(app, login, answers | ROUTINE_ANSWERS | (extra_answers or {}))
    case_id: int = started.json["id"]
    walk.run(advance_time=False, until=lambda: until in open_ids(walk, case_id))
    return walk, case_id


def open_ids(walk: real_clock.RealClockWalk, instance_id: int) -> list[str]:
    return [t["bpmn_id"] for t in walk.instance(instance_id)["tasks"]]


def do(walk: real_clock.RealClockWalk, instance_id: int, bpmn_id: str) -> None:
    (task,) = [t for t in walk.instance(instance_id)["tasks"] if t["bpmn_id"] == bpmn_id]
    walk.complete(task)


def message(api: Any, instance_id: int, name: str) -> Any:
    return api.post(f"/process-instances/{instance_id}/messages", json={"name": name, "payload": {}})


def test_a_case_suspended_on_approval_leaves_the_inboxes_and_resumes_with_its_time_limit_recorded(
    app: Flask, login: Any
) -> None:
    walk, case_id = ordered_today(app, login)
    due = walk.instance(case_id)["data"]["decision_due_on"]
    assert message(login("auditor"), case_id, "case_suspension_requested").status_code == 403
    assert message(login("officer1"), case_id, "case_suspension_requested").status_code == 200
    assert open_ids(walk, case_id) == ["request_case_suspension"]
    do(walk, case_id, "request_case_suspension")
    (approval,) = walk.instance(case_id)["tasks"]
    assert (approval["bpmn_id"], approval["role"]) == ("approve_case_suspension_deputy", "deputy_head")
    do(walk, case_id, "approve_case_suspension_deputy")

    body = walk.instance(case_id)
    assert (body["status"], body["tasks"], body["data"]["case_clock_status"]) == ("running", [], "suspended")
    for username in ("officer1", "squad_leader", "deputy_head"):
        inbox = login(username).get("/tasks?per_page=100").json["items"]
        assert [t for t in inbox if t["instance_id"] == case_id] == []

    assert message(login("officer1"), case_id, "case_suspension_ended").status_code == 200
    do(walk, case_id, "record_case_resumption")
    data = walk.instance(case_id)["data"]
    assert data["case_clock_status"] == "running"
    assert [(c["kind"], c["days"], c["reason"]) for c in data["time_limit_changes"]] == [
        ("suspension", 0, "appraisal")
    ]
    assert data["decision_due_on"] == due  # suspended and resumed the same day: nothing to add
    assert "record_followup" in open_ids(walk, case_id)


def test_a_case_transferred_to_the_police_closes_and_a_later_objection_goes_to_case_after_closure(
    app: Flask, login: Any
) -> None:
    walk, case_id = ordered_today(app, login)
    assert message(login("officer1"), case_id, "suspected_crime").status_code == 200
    do(walk, case_id, "request_police_transfer")
    (approval,) = [t for t in walk.instance(case_id)["tasks"] if t["bpmn_id"] == "approve_police_transfer"]
    assert (approval["role"], approval["legal_basis"]) == (
        "bureau_head",
        "《行政执法机关移送涉嫌犯罪案件的规定》第五条",
    )
    do(walk, case_id, "approve_police_transfer")
    do(walk, case_id, "transfer_to_police")
    closed = walk.instance(case_id)
    assert (closed["status"], closed["tasks"], closed["data"]["closure_reason"]) == (
        "completed",
        [],
        "transferred_police",
    )

    # The closed case catches nothing any more; the objection is recorded by the after-closure process.
    assert message(login("squad_leader"), case_id, "credit_objection").status_code == 409
    start = real_clock.moved_to_today(
        {
            "case_no": closed["data"]["case_no"],
            "party_name": "赵某",
            "after_closure_kind": "credit_objection",
            "after_closure_received_on": "2025-01-01",
            "after_closure_facts": "当事人对失信信息提出异议",
            "credit_record_exists": True,
        }
    )
    started = login("officer1").post(
        "/process-instances", json={"process_key": "case_after_closure", "data": start}
    )
    assert started.status_code == 201, started.json
    after_id = started.json["id"]
    (decision,) = walk.instance(after_id)["tasks"]
    assert (decision["bpmn_id"], decision["role"]) == ("decide_credit_objection", "squad_leader")
    do(walk, after_id, "decide_credit_objection")
    do(walk, after_id, "delete_credit_record")
    assert walk.instance(after_id)["status"] == "completed"
    assert walk.instance(case_id)["status"] == "completed"  # the closed case was never reopened
