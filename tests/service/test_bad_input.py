"""Hostile input answers 4xx with the error shape, never 5xx (issue 8 item 7), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer

from service import create_app
from service.operations.users import TOKEN_SALT
from tests.conftest import DATA, deploy_dir

CASE_DATA = {
    "party_name": "张三",
    "address": "嘉定区叶城路1号",
    "received_on": "2026-09-29",
    "description": "擅自拆除承重墙",
}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body: dict[str, Any] = response.json
    assert set(body) == {"code", "message", "details"}
    return body


@pytest.fixture
def task(login: Any) -> dict[str, Any]:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    body = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}}).json
    first: dict[str, Any] = body["tasks"][0]
    return first


def _raw(api: Any, path: str, text: str) -> Any:
    return api.client.post(
        f"/api/v1{path}",
        data=text.encode("utf-8", "surrogatepass"),
        headers={**api.headers, "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"process_key": "case_flow", "data": {"title": "a\\u0000b"}}', "body.data.title"),
        ('{"process_key": "case_flow", "data": {"a\\u0000": 1}}', "body.data"),
        ('{"process_key": "case_flow", "data": {"title": "\\ud800"}}', "body.data.title"),
        ('{"process_key": "case_\\udfff"}', "body.process_key"),
    ],
)
def test_nul_and_lone_surrogates_in_any_text_are_refused(login: Any, body: str, where: str) -> None:
    refused = _error(_raw(login("officer1"), "/process-instances", body), 422)
    assert where in refused["details"]


def test_nul_in_credentials_is_refused_without_signing_in(app: Any) -> None:
    response = app.test_client().post("/api/v1/auth/token", json={"username": "a\x00", "password": "x"})
    _error(response, 422)


@pytest.mark.parametrize(
    "body",
    [
        '{"process_key": "case_flow", "data": {"x": NaN}}',
        '{"process_key": "case_flow", "data": {"x": -Infinity}}',
    ],
)
def test_nan_and_infinity_are_refused(login: Any, body: str) -> None:
    assert _error(_raw(login("officer1"), "/process-instances", body), 422)["details"]["body"]


def test_json_nested_thousands_deep_is_refused(login: Any) -> None:
    deep = '{"process_key": "case_flow", "data": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    assert _error(_raw(login("officer1"), "/process-instances", deep), 422)["details"]["body"]
    shallow = '{"process_key": "case_flow", "data": {"x": ' + "[" * 80 + "]" * 80 + "}}"
    assert "nested deeper" in str(
        _error(_raw(login("officer1"), "/process-instances", shallow), 422)["details"]
    )


def test_malformed_json_and_wrong_encoding_are_refused(login: Any) -> None:
    api = login("officer1")
    assert _error(_raw(api, "/process-instances", '{"process_key": '), 422)
    bad_utf8 = api.client.post(
        "/api/v1/process-instances",
        data=b'{"process_key": "\xff"}',
        headers={**api.headers, "Content-Type": "application/json"},
    )
    _error(bad_utf8, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/process-instances/99999999999999999999",
        "/process-instances/9223372036854775808/events",
        "/process-instances/99999999999999999999/diagram.svg",
    ],
)
def test_huge_ids_are_not_found(login: Any, path: str) -> None:
    _error(login("auditor").get(path), 404)


def test_huge_page_numbers_are_refused(login: Any) -> None:
    refused = _error(login("auditor").get(f"/process-instances?page={10**30}"), 422)
    assert "page" in refused["details"]
    assert login("auditor").get("/process-instances?page=1000000").status_code == 200


@pytest.mark.parametrize("path", ["/tasks/%00", "/tasks/a%00b/claim", "/process-instances?text=%00"])
def test_nul_in_paths_and_queries_is_refused(login: Any, path: str) -> None:
    method = login("officer1").post if path.endswith("claim") else login("officer1").get
    _error(method(path), 422)


def test_year_one_dates_in_form_data_are_refused(login: Any, task: dict[str, Any]) -> None:
    response = login("officer1").post(
        f"/tasks/{task['id']}/complete", json={"data": {**CASE_DATA, "received_on": "0001-01-01"}}
    )
    assert 400 <= response.status_code < 500
    assert set(response.json) == {"code", "message", "details"}


def test_nul_in_an_upload_file_name_is_refused(login: Any, task: dict[str, Any]) -> None:
    response = login("officer1").post(
        f"/tasks/{task['id']}/attachments",
        data={"file": (io.BytesIO(b"\xff\xd8\xff\xe0 jpeg"), "photo\x00.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    _error(response, 422)


def test_a_database_outage_answers_503_with_retry_after(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "outage-test",
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        }
    )
    token = URLSafeTimedSerializer("outage-test", salt=TOKEN_SALT).dumps({"uid": 1, "gen": 0})
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    refused = _error(response, 503)
    assert refused["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0
    sign_in = app.test_client().post("/api/v1/auth/token", json={"username": "a", "password": "b"})
    _error(sign_in, 503)
    app.extensions["zhifa.engine"].dispose()


def test_the_json_body_limit_is_the_documented_shape(login: Any) -> None:
    text = json.dumps({"process_key": "case_flow", "data": {"x": "y"}, "extra": 1})
    assert _error(_raw(login("officer1"), "/process-instances", text), 422)["code"] == "validation_error"
