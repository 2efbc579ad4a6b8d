"""Deploying an invalid diagram is refused with 422 naming file, line and element, and deploys nothing."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask

from tests.conftest import deploy_dir
from tests.service.studio_support import BUREAU, bureau_app, current_versions, deploy_text, login_to

__all__ = ["bureau_app"]  # the fixture, imported for this module's tests


def test_an_unknown_variable_in_a_condition_is_refused_with_its_flow_and_nothing_deploys(
    bureau_app: Flask,
) -> None:
    owner = login_to(bureau_app, "process_owner")
    assert deploy_dir(owner, BUREAU).status_code == 201
    before = current_versions(owner)
    text = (BUREAU / "complaint_handling.bpmn").read_text(encoding="utf-8")
    assert 'remit_decision == "accept"' in text
    response = deploy_text(
        owner, "complaint_handling.bpmn", text.replace("remit_decision ==", "remit_decison ==")
    )
    assert response.status_code == 422, response.json
    [problem] = response.json["details"]
    assert problem["file"] == "complaint_handling.bpmn"
    assert problem["element_id"] == "flow_remit_accept"
    assert text.splitlines()[problem["line"] - 1].count("remit_decision ==") == 1
    assert "remit_decision" in problem["message"]
    assert "remit_decison" in problem["message_zh"]
    assert current_versions(owner) == before


def test_validate_reports_a_dangling_flow_at_its_line(bureau_app: Flask) -> None:
    owner = login_to(bureau_app, "process_owner")
    text = (BUREAU / "complaint_handling.bpmn").read_text(encoding="utf-8")
    broken = text.replace('targetRef="gw_remit"', 'targetRef="gw_remitt"', 1)
    assert broken != text
    files: Any = {"files": [(io.BytesIO(broken.encode()), "complaint_handling.bpmn")]}
    response = owner.post("/process-definitions/validate", data=files, content_type="multipart/form-data")
    assert response.status_code == 422
    flows = [p for p in response.json["details"] if "gw_remitt" in p["message"]]
    assert len(flows) == 1
    assert 'targetRef="gw_remitt"' in broken.splitlines()[flows[0]["line"] - 1]
