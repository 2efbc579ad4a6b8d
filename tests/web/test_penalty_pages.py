"""A penalty case of another kind started from its page, and the 告知书 that starts from the proposed fine."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.jsonsafe import to_json_value
from tests.bpmn.steps_penalty import REPORT
from tests.conftest import deploy_dir, make_test_app
from tests.service.walk import upload
from tests.web.conftest import signed_in_client
from tests.web.test_pages import _token

BPMN = Path(__file__).parents[2] / "bpmn"
FILED = date.today() - timedelta(days=5)
START = {
    "case_no": "嘉城管立〔2026〕0099号",
    "filed_on": FILED.isoformat(),
    "case_type": "street_vending",
    "party_type": "individual",
    "party_name": "王五",
    "party_address": "嘉定区城中路9号",
    "violation_facts": "占用人行道设摊经营",
    "discretion.band_low": "200",
    "discretion.band_high": "500",
    "rectification_outcome": "refused",
}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The bureau's diagrams and forms, on the real clock."""
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


def test_an_officer_starts_a_street_vending_case_and_the_notice_offers_the_proposed_fine(
    app: Flask, login: Any
) -> None:
    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    officer = signed_in_client(app, "officer1")
    page = officer.get("/start/penalty_procedure").get_data(as_text=True)
    assert "违法搭建" in page  # the catalogue's case types
    assert "占道经营" in page
    started = officer.post(
        "/start/penalty_procedure", data={"csrf_token": _token(officer, "/start"), **START}
    )
    assert started.status_code == 302, started.get_data(as_text=True)
    case_id = int(re.search(r"/cases/(\d+)", started.location).group(1))
    answers = {
        "draft_investigation_report": REPORT
        | {"recommended_outcome": "penalty", "proposed_fine": "400", "report_date": FILED.isoformat()},
        "first_review_legal": {"legal_first_review_result": "approve", "legal_first_review_on": FILED},
        "first_review_leader": {"leader_first_review_result": "approve", "leader_first_review_on": FILED},
    }
    for bpmn_id, user in (
        ("draft_investigation_report", "officer1"),
        ("first_review_legal", "squad_legal"),
        ("first_review_leader", "squad_leader"),
    ):
        (task,) = login("auditor").get(f"/process-instances/{case_id}").json["tasks"]
        assert task["bpmn_id"] == bpmn_id
        api = login(user)
        data = dict(answers[bpmn_id])
        if "enforcement_recordings" in data:  # the 执法记录仪 footage must be a real upload
            data["enforcement_recordings"] = [upload(api, task["id"], "执法记录.jpg")]
        done = api.post(f"/tasks/{task['id']}/complete", json={"data": to_json_value(data)})
        assert done.status_code == 200, done.json
    (notice,) = login("auditor").get(f"/process-instances/{case_id}").json["tasks"]
    assert notice["bpmn_id"] == "draft_prior_notice"
    form = officer.get(f"/tasks/{notice['id']}").get_data(as_text=True)
    assert re.search(r'name="notified_fine"[^>]*value="400(\.00)?"', form), form
