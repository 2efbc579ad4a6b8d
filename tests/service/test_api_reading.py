"""Reading: diagrams, the OpenAPI document, listing and visibility, assignment."""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest

from tests.conftest import DATA, deploy_dir

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


@pytest.fixture
def case(login: Any) -> dict[str, Any]:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    body: dict[str, Any] = (
        login("officer1")
        .post("/process-instances", json={"process_key": "case_flow", "data": {"title": "叶城路1号 承重墙"}})
        .json
    )
    return body


@needs_dot
@pytest.mark.parametrize("layout", ["auto", "bpmn"])
def test_definition_and_instance_diagrams_are_svg_with_chinese_labels(
    login: Any, case: dict[str, Any], layout: str
) -> None:
    officer = login("officer1")
    definition = officer.get(f"/process-definitions/case_flow/diagram.svg?layout={layout}")
    assert definition.status_code == 200
    assert definition.mimetype == "image/svg+xml"
    assert "登记案件" in definition.text
    instance = officer.get(f"/process-instances/{case['id']}/diagram.svg?layout={layout}")
    assert instance.status_code == 200
    assert "登记案件" in instance.text
    assert "已完成" in instance.text  # the legend of an instance diagram
    assert "script" not in instance.headers["Content-Security-Policy"]
    assert officer.get(f"/process-instances/{case['id']}/diagram.svg?layout=fancy").status_code == 422


def test_openapi_document_lists_every_route_with_error_shape(app: Any) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            assert re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) in paths
    complete = spec["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]
    assert {"200", "403", "409", "422"} <= set(complete["responses"])
    assert spec["components"]["schemas"]["Error"]["required"] == ["code", "message", "details"]


def test_listing_filters_and_pages(login: Any, case: dict[str, Any]) -> None:
    officer = login("officer1")
    officer.post("/process-instances", json={"process_key": "case_flow", "data": {"title": "另一个案件"}})
    everything = officer.get("/process-instances").json
    assert everything["total"] == 2
    found = officer.get("/process-instances?text=叶城路").json
    assert [i["id"] for i in found["items"]] == [case["id"]]
    assert officer.get("/process-instances?status=completed").json["total"] == 0
    paged = officer.get("/process-instances?per_page=1&page=2").json
    assert len(paged["items"]) == 1
    assert officer.get("/process-instances?status=bogus").status_code == 422
    assert officer.get("/process-instances?text=%25").json["total"] == 0


def test_people_do_not_see_cases_they_have_nothing_to_do_with(login: Any, case: dict[str, Any]) -> None:
    instance = f"/process-instances/{case['id']}"
    assert login("officer1").get(instance).status_code == 200  # started it
    assert login("officer2").get(instance).status_code == 200  # the open task is for officers
    assert login("legal_reviewer").get(instance).status_code == 200  # reviews every case
    for outsider in ("clerk", "hotline_liaison", "squad_legal"):
        assert login(outsider).get(instance).status_code == 404, outsider
        assert login(outsider).get(f"{instance}/events").status_code == 404
        assert login(outsider).get("/process-instances").json["total"] == 0
    assert login("auditor").get(instance).status_code == 200


def test_claim_assign_and_release_are_recorded(login: Any, case: dict[str, Any]) -> None:
    task_id = case["tasks"][0]["id"]
    officer1, officer2 = login("officer1"), login("officer2")
    assert officer1.post(f"/tasks/{task_id}/claim").json["assignee_id"] is not None
    assert officer2.post(f"/tasks/{task_id}/claim").status_code == 403
    assert officer2.post(f"/tasks/{task_id}/complete", json={"data": {}}).status_code == 403
    assert [t["id"] for t in officer1.get("/tasks?mine=1").json["items"]] == [task_id]
    assert officer2.get("/tasks").json["items"] == []
    assert officer2.post(f"/tasks/{task_id}/assign", json={"username": "officer2"}).status_code == 403
    leader = login("squad_leader")
    assert leader.post(f"/tasks/{task_id}/assign", json={"username": "clerk"}).status_code == 422
    assert leader.post(f"/tasks/{task_id}/assign", json={"username": "officer2"}).status_code == 200
    assert [t["id"] for t in officer2.get("/tasks?mine=1").json["items"]] == [task_id]
    assert officer2.post(f"/tasks/{task_id}/unclaim").status_code == 200
    kinds = [e["kind"] for e in login("auditor").get(f"/process-instances/{case['id']}/events").json["items"]]
    assert kinds[-3:] == ["task_claimed", "task_assigned", "task_unclaimed"]


def test_cancel_needs_a_leader_and_a_reason(login: Any, case: dict[str, Any]) -> None:
    path = f"/process-instances/{case['id']}/cancel"
    assert login("officer1").post(path, json={"reason": "重复立案"}).status_code == 403
    leader = login("squad_leader")
    assert leader.post(path, json={}).status_code == 422
    body = leader.post(path, json={"reason": "重复立案"}).json
    assert body["status"] == "cancelled"
    assert body["tasks"] == []
    assert leader.post(path, json={"reason": "again"}).status_code == 422
