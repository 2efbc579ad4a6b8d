"""The JSON inbox carries case fields and pages with totals; a process describes its start form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, Api, deploy_dir, make_test_app

BPMN = Path(__file__).parents[2] / "bpmn"


@pytest.fixture
def cases(login: Any) -> list[dict[str, Any]]:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    officer = login("officer1")
    return [
        officer.post(
            "/process-instances", json={"process_key": "case_flow", "data": {"title": f"案件{i}"}}
        ).json
        for i in range(3)
    ]


def _register(api: Any, task_id: str, party: str, address: str) -> None:
    data = {
        "party_name": party,
        "address": address,
        "received_on": "2025-09-26",
        "description": "承重墙被拆除",
    }
    response = api.post(f"/tasks/{task_id}/complete", json={"data": data})
    assert response.status_code == 200, response.json


def test_inbox_items_carry_case_fields_and_pages_carry_totals(
    login: Any, cases: list[dict[str, Any]]
) -> None:
    officer = login("officer1")
    first = officer.get("/tasks?per_page=2").json
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (3, 1, 2, 2)
    assert len(officer.get("/tasks?per_page=2&page=2").json["items"]) == 1
    item = first["items"][0]
    assert set(item["case"]) >= {"id", "number", "title", "process_key", "stage", "party_name", "address"}
    assert item["case"]["number"] == f"#{item['case']['id']}"
    assert first["counts"]["all"] == 3


def test_inbox_searches_by_party_and_address(login: Any, cases: list[dict[str, Any]]) -> None:
    officer = login("officer1")
    task_id = cases[0]["tasks"][0]["id"]
    _register(officer, task_id, "上海某装饰公司", "叶城路 1 号 302 室")
    found = login("squad_leader").get("/tasks?text=叶城路&team=1").json
    assert [i["case"]["id"] for i in found["items"]] == [cases[0]["id"]]
    assert found["items"][0]["case"]["party_name"] == "上海某装饰公司"
    assert login("squad_leader").get("/tasks?text=装饰公司&team=1").json["total"] == 1
    assert officer.get("/tasks?text=无此地址").json["total"] == 0


def test_unassigned_and_mine_filters_follow_claims(login: Any, cases: list[dict[str, Any]]) -> None:
    officer = login("officer1")
    task_id = cases[1]["tasks"][0]["id"]
    assert officer.post(f"/tasks/{task_id}/claim").status_code == 200
    mine = officer.get("/tasks?mine=1").json
    assert [i["id"] for i in mine["items"]] == [task_id]
    assert mine["items"][0]["assignee"]["username"] == "officer1"
    assert officer.get("/tasks?unassigned=1").json["total"] == 2
    assert login("officer2").get("/tasks").json["total"] == 2  # a claimed task leaves the others' pool


def test_a_process_describes_its_start_form_and_starters(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path)  # the bureau's own forms
    client = app.test_client()

    def login(username: str) -> Api:
        token = client.post("/api/v1/auth/token", json={"username": username, "password": username}).json
        return Api(client, token["token"])

    assert deploy_dir(login("process_owner"), BPMN).status_code == 201
    officer = login("officer1")
    body = officer.get("/process-definitions/load_bearing_case").json
    assert body["key"] == "load_bearing_case"
    assert body["start_form"]["key"] == "case_lead"
    assert body["start_form"]["json_schema"]["type"] == "object"
    names = [f["name"] for f in body["start_form"]["fields"]]
    assert "address" in names
    assert "officer" in body["starter_roles"]
    assert body["may_start"] is True
    assert login("auditor").get("/process-definitions/load_bearing_case").json["may_start"] is False
    assert officer.get("/process-definitions/no_such_process").status_code == 404
    app.extensions["zhifa.engine"].dispose()
