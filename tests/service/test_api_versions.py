"""Definition versions: a changed diagram is a new version, running cases stay on theirs; auditors read."""

from __future__ import annotations

import io
from typing import Any

from tests.conftest import DATA, deploy_dir

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
