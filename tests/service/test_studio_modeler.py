"""The modeler's server side: check and deploy edited files as JSON (CSRF-protected), new processes."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DATA, deploy_dir
from tests.web.test_signin import sign_in

CASE_FLOW = DATA / "acceptance" / "case_flow.bpmn"


def _owner(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = app.test_client()
    assert sign_in(client, "process_owner").status_code == 302
    page = client.get("/studio").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert token
    return client, {"X-CSRFToken": token.group(1)}


def test_checking_an_edit_pins_problems_on_elements_and_deploying_creates_a_version(
    app: Flask, login: Any
) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    client, headers = _owner(app)
    page = client.get("/studio/case_flow/edit")
    assert page.status_code == 200
    assert "bpmn-modeler.production.min.js" in page.get_data(as_text=True)
    text = CASE_FLOW.read_text(encoding="utf-8")
    broken = text.replace("登记案件", "登记", 1).replace('value="register_case"', 'value="no_such_form"', 1)
    checked = client.post("/studio/validate", json={"files": {"case_flow.bpmn": broken}}, headers=headers)
    assert checked.status_code == 422
    assert [p["element_id"] for p in checked.json["problems"]] == ["register_case"]
    refused = client.post("/studio/deploy", json={"files": {"case_flow.bpmn": broken}}, headers=headers)
    assert refused.status_code == 422
    renamed = text.replace("登记案件", "登记", 1)
    deployed = client.post("/studio/deploy", json={"files": {"case_flow.bpmn": renamed}}, headers=headers)
    assert deployed.status_code == 200, deployed.json
    assert [(i["key"], i["version"], i["created"]) for i in deployed.json["items"]] == [
        ("case_flow", 2, True)
    ]


def test_posts_without_the_csrf_token_or_files_are_refused(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    client, headers = _owner(app)
    text = CASE_FLOW.read_text(encoding="utf-8")
    assert client.post("/studio/deploy", json={"files": {"case_flow.bpmn": text}}).status_code == 400
    assert client.post("/studio/validate", json={"files": []}, headers=headers).status_code == 422
    assert client.post("/studio/validate", json={"files": {"a.bpmn": 1}}, headers=headers).status_code == 422


def test_a_new_process_opens_with_a_blank_diagram_under_a_valid_unused_key(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    client, _headers = _owner(app)
    page = client.get("/studio/new?key=road_occupation&name=占道经营").get_data(as_text=True)
    assert "road_occupation.bpmn" in page
    assert client.get("/studio/new?key=Bad-Key").status_code == 422
    assert client.get("/studio/new?key=case_flow").status_code == 422
