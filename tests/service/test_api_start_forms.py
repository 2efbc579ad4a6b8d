"""Penalty cases of any kind: `penalty_procedure`, `major_decision_review` and `enforcement_publicity`
started on their own over the API, through their start forms, on today's real date.

The case type comes from the catalogue bpmn/penalty_case_types.dmn; the start forms offer exactly
its codes. Called from a load-bearing case (or started by the router) the processes skip the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import default_registry
from tests.conftest import deploy_dir, make_test_app
from tests.service.bureau_walk import BureauWalk

BPMN = Path(__file__).parents[2] / "bpmn"
TODAY = date.today()  # the service runs on the real clock here
FILED = TODAY - timedelta(days=3)
PARTY = {
    "party_type": "organization",
    "party_name": "上海某某建筑工程有限公司",
    "party_uscc": "91310114MA1GT3XK04",
    "legal_representative": "李四",
    "party_address": "嘉定区城中路2号",
}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's own forms and diagrams, on the real clock."""
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


@pytest.fixture
def deployed(login: Any) -> Any:
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    return login


def catalogue_codes() -> list[str]:
    text = (BPMN / "penalty_case_types.dmn").read_text(encoding="utf-8")
    return re.findall(r'<inputEntry id="rule_\w+_case_type">\s*<text>"(\w+)"</text>', text)


@pytest.mark.parametrize("form_key", ["penalty_start", "review_start", "publicity_start"])
def test_start_forms_offer_the_case_types_of_the_catalogue(form_key: str) -> None:
    fields = {f.name: f for f in default_registry().get(form_key).definition.fields}
    assert [c.value for c in fields["case_type"].choices] == catalogue_codes()


def test_penalty_procedure_for_an_illegal_structure_starts_alone_with_the_catalogue_law(
    deployed: Any,
) -> None:
    data = {
        "case_no": "嘉城管立〔2026〕0042号",
        "filed_on": FILED.isoformat(),
        "case_type": "illegal_construction",
        **PARTY,
        "violation_facts": "在屋顶平台擅自搭建彩钢板房约20㎡",
        "discretion": {"band_low": "5000", "band_high": "50000", "score": 40},
        "rectification_outcome": "refused",
    }
    started = deployed("officer1").post(
        "/process-instances", json={"process_key": "penalty_procedure", "data": data}
    )
    assert started.status_code == 201, started.json
    assert [t["bpmn_id"] for t in started.json["tasks"]] == ["draft_investigation_report"]
    case = deployed("auditor").get(f"/process-instances/{started.json['id']}").json["data"]
    assert case["case_type_name"] == "违法搭建"
    assert case["legal_basis"] == "《上海市拆除违法建筑若干规定》（条款待局确认）"
    assert (case["deciding_organ"], case["filed_on"]) == ("上海市嘉定区城市管理行政执法局", FILED.isoformat())


def test_penalty_procedure_started_without_a_case_type_is_refused_naming_the_field(deployed: Any) -> None:
    data = {"case_no": "嘉城管立〔2026〕0043号", "filed_on": FILED.isoformat(), **PARTY}
    refused = deployed("officer1").post(
        "/process-instances", json={"process_key": "penalty_procedure", "data": data}
    )
    assert refused.status_code == 422
    assert {"case_type", "violation_facts", "discretion", "rectification_outcome"} <= set(
        refused.json["details"]["data"]
    )


def test_major_decision_review_starts_alone_for_a_heavy_fine_on_a_company(deployed: Any) -> None:
    data = {
        "case_no": "嘉城管立〔2026〕0044号",
        "case_type": "construction_waste",
        "legal_basis": "《上海市建筑垃圾处理管理规定》",
        "party_type": "organization",
        "party_name": PARTY["party_name"],
        "facts": "运输车辆沿途泄漏渣土",
        "proposed_outcome": "penalty",
        "proposed_fine": "60000",
        "hearing_status": "waived",
    }
    started = deployed("officer1").post(
        "/process-instances", json={"process_key": "major_decision_review", "data": data}
    )
    assert started.status_code == 201, started.json
    assert [t["bpmn_id"] for t in started.json["tasks"]] == ["prepare_submission"]
    case = deployed("auditor").get(f"/process-instances/{started.json['id']}").json["data"]
    assert (case["is_major"], case["major_criterion"]) == (True, "heavy_fine_organization")


def test_enforcement_publicity_starts_alone_with_a_deadline_seven_working_days_after_the_decision(
    deployed: Any,
) -> None:
    data = {
        "case_no": "嘉城管立〔2026〕0045号",
        "case_type": "street_vending",
        "decision_no": "嘉城管罚决〔2026〕0045号",
        "decided_on": FILED.isoformat(),
        **PARTY,
        "violation_facts": "占用人行道设摊经营",
        "penalty_kind": "fine",
        "legal_basis": "《上海市市容环境卫生管理条例》",
        "fine_amount": "500",
        "performance_method": "十五日内缴纳",
        "deciding_organ": "上海市嘉定区城市管理行政执法局",
    }
    assert (
        deployed("officer1")
        .post(  # only the clerk (内勤) starts publicity
            "/process-instances", json={"process_key": "enforcement_publicity", "data": data}
        )
        .status_code
        == 403
    )
    started = deployed("clerk").post(
        "/process-instances", json={"process_key": "enforcement_publicity", "data": data}
    )
    assert started.status_code == 201, started.json
    (prepare,) = started.json["tasks"]
    assert prepare["bpmn_id"] == "prepare_publicity_record"
    case = deployed("auditor").get(f"/process-instances/{started.json['id']}").json["data"]
    assert case["publicity_months"] == 60  # an organisation: 5 years
    due_on = date.fromisoformat(case["publish_due_on"])
    assert FILED + timedelta(days=9) <= due_on <= FILED + timedelta(days=30)  # 7 working days
    assert prepare["due_at"] == f"{due_on.isoformat()}T15:59:59+00:00"  # end of that day, China time


def test_a_change_recorded_on_a_publication_started_alone_withdraws_it_and_publishes_the_changed_decision(
    app: Flask, deployed: Any
) -> None:
    app.config["FIXED_NOW"] = datetime.now(UTC).isoformat(timespec="seconds")
    data = {
        "case_no": "嘉城管立〔2026〕0046号",
        "case_type": "construction_waste",
        "decision_no": "嘉城管罚决〔2026〕0046号",
        "decided_on": FILED.isoformat(),
        **PARTY,
        "violation_facts": "运输车辆沿途泄漏渣土",
        "penalty_kind": "fine",
        "legal_basis": "《上海市建筑垃圾处理管理规定》",
        "fine_amount": "8000",
        "performance_method": "十五日内缴纳",
        "deciding_organ": "上海市嘉定区城市管理行政执法局",
    }
    started = deployed("clerk").post(
        "/process-instances", json={"process_key": "enforcement_publicity", "data": data}
    )
    assert started.status_code == 201, started.json
    walk = BureauWalk(app, deployed, {})
    walk.run(advance_time=False)  # prepared, reviewed, published, pushed: it waits for changes or expiry
    # The penalty procedure has long ended: the legal section records the 复议 result on the publication.
    change = {
        "change_kind": "变更",
        "changed_on": TODAY.isoformat(),
        "reason": "复议变更罚款",
        "fine_amount": "3000",
    }
    recorded = deployed("legal_reviewer").post(
        f"/process-instances/{started.json['id']}/messages",
        json={"name": "decision_changed", "payload": change},
    )
    assert recorded.status_code == 200, recorded.json
    assert [t["bpmn_id"] for t in recorded.json["tasks"]] == ["withdraw_publicity"]
    walk.run(advance_time=False)
    case = walk.instance(started.json["id"])
    assert case["status"] == "running"  # published again, waiting
    assert Decimal(str(case["data"]["publicity_record"]["fine_amount"])) == Decimal("3000")
    done = [bpmn_id for _, bpmn_id, _ in walk.steps]  # (the publication steps run in a sub-process)
    assert done.count("publish_publicity_record") == 2
    assert "request_credit_deletion" in done
