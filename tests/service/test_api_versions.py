"""Definition versions: a changed diagram is a new version, running cases stay on theirs; auditors read."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import DATA, Api, deploy_dir, make_test_app

ACCEPTANCE = DATA / "acceptance"


def _deploy_with_renamed_task(owner: Any) -> Any:
    changed = (
        (ACCEPTANCE / "case_flow.bpmn").read_text(encoding="utf-8").replace("登记案件", "登记案件（新版）")
    )
    files = [(io.BytesIO(changed.encode()), "case_flow.bpmn")]
    return owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")


def test_running_cases_stay_on_the_version_they_started_on(login: Any) -> None:
    owner, officer = login("process_owner"), login("officer1")
    assert deploy_dir(owner, ACCEPTANCE).status_code == 201
    old = officer.post("/process-instances", json={"process_key": "case_flow"}).json
    response = _deploy_with_renamed_task(owner)
    assert response.status_code == 201, response.json
    versions = {item["key"]: item["version"] for item in response.json["items"]}
    assert versions == {"case_flow": 2}
    new = officer.post("/process-instances", json={"process_key": "case_flow"}).json
    assert (old["definition"]["version"], new["definition"]["version"]) == (1, 2)
    assert old["tasks"][0]["name"] == "登记案件"
    assert new["tasks"][0]["name"] == "登记案件（新版）"
    again = login("auditor").get(f"/process-instances/{old['id']}").json
    assert (again["definition"]["version"], again["tasks"][0]["name"]) == (1, "登记案件")
    listed = {d["key"]: d for d in owner.get("/process-definitions").json["items"]}
    assert listed["case_flow"]["version"] == 2
    assert len(listed["case_flow"]["hash"]) == 64


def test_auditors_read_everything_and_change_nothing(login: Any) -> None:
    assert deploy_dir(login("process_owner"), ACCEPTANCE).status_code == 201
    case = login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json
    task_id, auditor = case["tasks"][0]["id"], login("auditor")
    assert auditor.get(f"/process-instances/{case['id']}").status_code == 200
    assert auditor.get(f"/process-instances/{case['id']}/events").status_code == 200
    assert auditor.get(f"/tasks/{task_id}").status_code == 200
    refused = [
        auditor.post(f"/tasks/{task_id}/claim"),
        auditor.post(f"/tasks/{task_id}/complete", json={"data": {}}),
        auditor.post(f"/tasks/{task_id}/assign", json={"username": "officer2"}),
        auditor.post(f"/process-instances/{case['id']}/cancel", json={"reason": "x"}),
        auditor.post(f"/process-instances/{case['id']}/messages", json={"name": "x"}),
        auditor.post("/process-instances", json={"process_key": "case_flow"}),
        auditor.post("/process-definitions", data={}, content_type="multipart/form-data"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    events = auditor.get(f"/process-instances/{case['id']}/events").json["items"]
    assert [e["kind"] for e in events] == ["instance_started"]


def test_engine_objects_are_reused_between_requests_only_for_the_exact_version(app: Any, login: Any) -> None:
    runtime = app.extensions["zhifa.runtime"]
    restores = []
    real_restore = runtime.engine.restore
    runtime.engine.restore = lambda *a, **k: restores.append(1) or real_restore(*a, **k)
    assert deploy_dir(login("process_owner"), ACCEPTANCE).status_code == 201
    officer = login("officer1")
    case = officer.post("/process-instances", json={"process_key": "case_flow"}).json
    task_id = case["tasks"][0]["id"]
    assert officer.get(f"/process-instances/{case['id']}").status_code == 200
    assert officer.post(f"/tasks/{task_id}/complete", json={"data": {}}).status_code == 422  # nothing stored
    assert officer.get(f"/process-instances/{case['id']}").status_code == 200
    assert restores == []  # every request found the object of the stored version
    assert officer.post(f"/tasks/{task_id}/claim").status_code == 200  # bumps the row version
    assert officer.get(f"/process-instances/{case['id']}").status_code == 200
    assert restores == [1]  # the version changed: the engine state was read from the row again


BUREAU = Path(__file__).parents[2] / "bpmn"
DMN = "complaint_time_limits.dmn"


@pytest.fixture
def bureau_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's own diagrams and forms."""
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


def _deploy_text(owner: Any, name: str, text: str) -> Any:
    files = [(io.BytesIO(text.encode()), name)]
    return owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")


def _changed_dmn() -> str:
    original = (BUREAU / DMN).read_text(encoding="utf-8")
    cell = '<outputEntry id="rule_critical_first_contact_hours">\n          <text>2</text>'
    assert cell in original
    return original.replace(cell, cell.replace("<text>2</text>", "<text>3</text>"))


def _current(owner: Any) -> dict[str, int]:
    return {d["key"]: d["version"] for d in owner.get("/process-definitions").json["items"]}


def test_changing_one_dmn_cell_versions_only_the_process_that_uses_the_table(bureau_app: Flask) -> None:
    owner = login_to(bureau_app, "process_owner")
    assert deploy_dir(owner, BUREAU).status_code == 201
    before = _current(owner)
    response = _deploy_text(owner, DMN, _changed_dmn())
    assert response.status_code == 201, response.json
    assert {i["key"]: (i["version"], i["created"]) for i in response.json["items"]} == {
        "complaint_handling": (2, True)
    }
    assert _current(owner) == {**before, "complaint_handling": 2}
    pinned = {d["key"]: d["files"] for d in owner.get("/process-definitions").json["items"]}
    assert [k for k, names in pinned.items() if DMN in names] == ["complaint_handling"]


def test_deploying_earlier_content_makes_that_version_current_again(bureau_app: Flask) -> None:
    owner = login_to(bureau_app, "process_owner")
    assert deploy_dir(owner, BUREAU).status_code == 201
    assert _deploy_text(owner, DMN, _changed_dmn()).status_code == 201
    rolled = _deploy_text(owner, DMN, (BUREAU / DMN).read_text(encoding="utf-8"))
    assert rolled.status_code == 200, rolled.json
    assert [(i["key"], i["version"], i["created"], i["reactivated"]) for i in rolled.json["items"]] == [
        ("complaint_handling", 1, False, True)
    ]
    assert _current(owner)["complaint_handling"] == 1
    forward = _deploy_text(owner, DMN, _changed_dmn())
    assert [(i["version"], i["reactivated"]) for i in forward.json["items"]] == [(2, True)]
    versions = owner.get("/process-definitions/complaint_handling/versions").json["items"]
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert login_to(bureau_app, "auditor").get("/audit/verify").json["ok"] is True


def login_to(app: Flask, username: str) -> Api:
    """Return an API client signed in as a demo user of `app`."""
    client = app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
    assert response.status_code == 201, response.json
    return Api(client, response.json["token"])
