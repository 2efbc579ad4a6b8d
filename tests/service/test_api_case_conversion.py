"""诉转案 over HTTP on today's real date: the officer chooses the case type from the catalogue; a type
other than 损坏承重结构 starts a standalone `penalty_procedure` through the router, linked both ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import deploy_dir, make_test_app
from tests.service.bureau_walk import BureauWalk

BPMN = Path(__file__).parents[2] / "bpmn"
TODAY = date.today()  # the service runs on the real clock here
ANSWERS: dict[str, Any] = {
    "review_remit": {"remit_decision": "accept"},
    "decide_handling": {"handling_method": "to_case", "needs_extension": False},
    "choose_case_type": [
        {"case_type": "construction_waste", "case_no": None},  # incomplete: comes back to the officer
        {
            "case_type": "construction_waste",
            "case_no": "嘉城管立〔2026〕0311号",
            "filed_on": TODAY.isoformat(),
            "legal_basis": None,
            "party_type": "organization",
            "party_name": "上海某某运输有限公司",
            "party_uscc": "91310114MA1GT3XK04",
            "party_id_number": None,
            "party_address": "嘉定区城中路2号",
            "violation_facts": "运输车辆沿途撒漏渣土约50米",
            "discretion": {"band_low": "5000", "band_high": "50000", "score": 30},
        },
    ],
}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


def test_a_construction_waste_complaint_starts_a_linked_penalty_procedure(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    complaint = login("hotline_liaison").post(
        "/process-instances", json={"process_key": "complaint_handling"}
    )
    assert complaint.status_code == 201, complaint.json
    walk = BureauWalk(app, login, ANSWERS)
    walk.run(advance_time=False, until=lambda: bool(walk.ids("penalty_procedure")))
    assert [b for _, b, _ in walk.steps].count("choose_case_type") == 2
    assert walk.ids("load_bearing_case") == []
    (penalty_id,) = walk.ids("penalty_procedure")
    penalty = walk.instance(penalty_id)
    assert [t["bpmn_id"] for t in penalty["tasks"]] == ["draft_investigation_report"]
    assert penalty["data"]["source_instance_id"] == complaint.json["id"]
    assert penalty["data"]["case_type_name"] == "渣土（建筑垃圾）违规处置"
    assert penalty["data"]["legal_basis"] == "《上海市建筑垃圾处理管理规定》（条款待局确认）"
    assert penalty["data"]["complaint_no"] == walk.instance(complaint.json["id"])["data"]["work_order_no"]

    linked = walk.instance(complaint.json["id"])
    assert linked["data"]["linked_case_instance_id"] == penalty_id
    assert linked["data"]["linked_case_process"] == "penalty_procedure"
    assert linked["data"]["linked_case_no"] == "嘉城管立〔2026〕0311号"
    assert [t["bpmn_id"] for t in linked["tasks"]] == ["give_final_feedback"]
