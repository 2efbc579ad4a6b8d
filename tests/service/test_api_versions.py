"""Definition versions: a changed diagram is a new version, running cases stay on theirs; auditors read."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from sqlalchemy import update

from service.db import session_scope
from service.models import ProcessInstance
from tests.conftest import DATA, deploy_dir
from tests.service.studio_support import (
    BUREAU,
    DMN,
    bureau_app,
    changed_dmn,
    current_versions,
    deploy_text,
    login_to,
)

__all__ = ["bureau_app"]  # a fixture used by this module's tests

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
    assert officer.post(f"/tasks/{task_id}/claim").status_code == 200  # bumps the row version, same state
    assert officer.get(f"/process-instances/{case['id']}").status_code == 200
    assert restores == []  # the claim's commit re-keyed the cached object to the new version
    with app.app_context(), session_scope(app) as session:  # another server writes the row
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == case["id"])
            .values(version_id=ProcessInstance.version_id + 1)
        )
        session.commit()
    assert officer.get(f"/process-instances/{case['id']}").status_code == 200
    assert restores == [1]  # a version this process did not write: the state was read from the row again


def test_changing_one_dmn_cell_versions_only_the_process_that_uses_the_table(bureau_app: Flask) -> None:
    owner = login_to(bureau_app, "process_owner")
    assert deploy_dir(owner, BUREAU).status_code == 201
    before = current_versions(owner)
    response = deploy_text(owner, DMN, changed_dmn())
    assert response.status_code == 201, response.json
    assert {i["key"]: (i["version"], i["created"]) for i in response.json["items"]} == {
        "complaint_handling": (2, True)
    }
    assert current_versions(owner) == {**before, "complaint_handling": 2}
    pinned = {d["key"]: d["files"] for d in owner.get("/process-definitions").json["items"]}
    assert [k for k, names in pinned.items() if DMN in names] == ["complaint_handling"]


def test_deploying_earlier_content_makes_that_version_current_again(bureau_app: Flask) -> None:
    owner = login_to(bureau_app, "process_owner")
    assert deploy_dir(owner, BUREAU).status_code == 201
    assert deploy_text(owner, DMN, changed_dmn()).status_code == 201
    rolled = deploy_text(owner, DMN, (BUREAU / DMN).read_text(encoding="utf-8"))
    assert rolled.status_code == 200, rolled.json
    assert [(i["key"], i["version"], i["created"], i["reactivated"]) for i in rolled.json["items"]] == [
        ("complaint_handling", 1, False, True)
    ]
    assert current_versions(owner)["complaint_handling"] == 1
    forward = deploy_text(owner, DMN, changed_dmn())
    assert [(i["version"], i["reactivated"]) for i in forward.json["items"]] == [(2, True)]
    versions = owner.get("/process-definitions/complaint_handling/versions").json["items"]
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert login_to(bureau_app, "auditor").get("/audit/verify").json["ok"] is True
