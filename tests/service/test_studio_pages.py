"""The definitions page: processes, versions (who, when, hash, files, forms, cases), diagrams, roll-back."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DATA, deploy_dir
from tests.web.test_signin import sign_in


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def _token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def _renamed(owner: Any) -> None:
    text = (
        (DATA / "acceptance" / "case_flow.bpmn")
        .read_text(encoding="utf-8")
        .replace("登记案件", "登记案件（新）")
    )
    files: Any = {"files": [(io.BytesIO(text.encode()), "case_flow.bpmn")]}
    assert (
        owner.post("/process-definitions", data=files, content_type="multipart/form-data").status_code == 201
    )


def test_the_definitions_page_lists_versions_with_their_cases_and_draws_each_version(
    app: Flask, login: Any
) -> None:
    owner = login("process_owner")
    assert deploy_dir(owner, DATA / "acceptance").status_code == 201
    login("officer1").post("/process-instances", json={"process_key": "case_flow"})
    _renamed(owner)
    client = _client(app, "process_owner")
    index = client.get("/studio").get_data(as_text=True)
    assert 'href="/studio/case_flow"' in index
    page = client.get("/studio/case_flow").get_data(as_text=True)
    rows = re.findall(r'<tr data-version="(\d+)"', page)
    assert rows == ["2", "1"]
    v1 = page[page.index('data-version="1"') :]
    assert re.search(r'data-testid="running">1<', v1)  # the case started on v1 runs there
    for shown in ("process_owner", "case_flow.bpmn", "register_case"):  # who, files, forms pinned
        assert shown in page
    assert "登记案件（新）" in page  # the current version's diagram
    old = client.get("/studio/case_flow?version=1").get_data(as_text=True)
    assert "<svg" in old
    assert "登记案件" in old
    assert "登记案件（新）" not in old


def test_rolling_back_from_the_page_makes_new_cases_start_on_that_version(app: Flask, login: Any) -> None:
    owner = login("process_owner")
    assert deploy_dir(owner, DATA / "acceptance").status_code == 201
    _renamed(owner)
    client = _client(app, "process_owner")
    token = _token(client, "/studio/case_flow")
    response = client.post("/studio/case_flow/versions/1/activate", data={"csrf_token": token})
    assert response.status_code == 302
    case = login("officer1").post("/process-instances", json={"process_key": "case_flow"}).json
    assert case["definition"]["version"] == 1
    page = client.get("/studio/case_flow").get_data(as_text=True)
    assert re.search(r'data-version="1"[^>]*>\s*<td><a[^>]*>v1</a>\s*<span class="badge', page)


def test_only_process_owners_see_the_studio(app: Flask, login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    officer = _client(app, "officer1")
    assert officer.get("/studio").status_code == 403
    assert officer.post("/studio/case_flow/versions/1/activate", data={}).status_code in {400, 403}
    assert _client(app, "process_owner").get("/studio/no_such").status_code == 404
