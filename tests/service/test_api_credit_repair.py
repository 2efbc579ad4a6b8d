"""B2 credit repair of a published penalty record over HTTP: staff record the party's application on
the publicity instance (external message `credit_repair_applied`); the legal section decides; an
approval ends the publication early and the clerk tells the credit centre."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import deploy_dir
from tests.service import test_api_bureau as bureau
from tests.service.bureau_walk import BureauWalk

app = bureau.app  # the fixture: the service with the bureau's own forms
DECISION = {
    "case_no": "嘉城管立〔2025〕0008号",
    "decision_no": "嘉城管罚决〔2025〕0004号",
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
ANSWERS = {
    "decide_credit_repair": {"credit_repair_decision": "approve", "credit_repair_opinion": "已缴清罚款"},
}


def test_a_recorded_credit_repair_application_is_decided_and_ends_the_publication_early(
    app: Flask, login: Any
) -> None:
    app.config["FIXED_NOW"] = "2025-09-28T10:00:00+08:00"
    assert deploy_dir(login("process_owner"), bureau.BPMN).status_code == 201
    started = login("clerk").post(
        "/process-instances", json={"process_key": "enforcement_publicity", "data": DECISION}
    )
    assert started.status_code == 201, started.json
    publicity_id = started.json["id"]
    walk = BureauWalk(app, login, ANSWERS)
    walk.run(advance_time=False)  # published and pushed: it waits for a change, a repair or the end
    assert walk.instance(publicity_id)["status"] == "running"

    app.config["FIXED_NOW"] = "2026-01-05T10:00:00+08:00"
    application = {
        "applied_on": "2026-01-05",
        "paid_on": "2025-10-10",
        "applicant": "张三",
        "reason": "已履行",
    }
    recorded = login("clerk").post(
        f"/process-instances/{publicity_id}/messages",
        json={"name": "credit_repair_applied", "payload": application},
    )
    assert recorded.status_code == 200, recorded.json
    (decision,) = recorded.json["tasks"]
    assert (decision["bpmn_id"], decision["role"]) == ("decide_credit_repair", "legal_reviewer")
    assert decision["due_at"] == "2026-01-12T15:59:59+00:00"  # 5 working days (to confirm)
    walk.run(advance_time=False)
    body = walk.instance(publicity_id)
    assert body["status"] == "completed"
    assert [b for _, b, _ in walk.steps][-2:] == ["decide_credit_repair", "end_publication_for_repair"]
    assert body["data"]["credit_repair_eligible"] is True
    assert "take_down_expired_record" not in [b for _, b, _ in walk.steps]
