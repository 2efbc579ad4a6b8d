"""Bad input is refused clearly (422 with the field, or file/line/element) and changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import DATA, deploy_dir

BAD = DATA / "bad"


def _upload(api: Any, *names: str, folder: Any = BAD) -> Any:
    files = [(io.BytesIO((folder / name).read_bytes()), name) for name in names]
    return api.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("file_name", "line", "element", "words"),
    [
        ("syntax_error.bpmn", 17, None, "XML syntax error"),
        ("unknown_form_key.bpmn", 8, "fill_unknown_form", "no_such_form"),
        ("forbidden_expression.bpmn", 22, "flow_evil", "__import__"),
        ("forbidden_script.bpmn", 11, "evil_script", "__class__"),
        ("unquoted_timer.bpmn", 21, "timer_rectify", "quoted"),
        ("missing_called_process.bpmn", 8, "call_missing", "no_such_process"),
    ],
)
def test_bad_diagram_is_refused_naming_file_line_and_element(
    login: Any, file_name: str, line: int, element: str | None, words: str
) -> None:
    owner = login("process_owner")
    response = _upload(owner, file_name, *(["forms/wait_rectification.yaml"] if "timer" in file_name else []))
    assert response.status_code == 422
    body = response.json
    assert body["code"] == "bpmn_invalid"
    problem = next(p for p in body["details"] if p["file"] == file_name)
    assert problem["line"] == line
    assert problem["element_id"] == element
    assert words in problem["message"]
    assert owner.get("/process-definitions").json["items"] == []


def test_only_process_owners_deploy(login: Any) -> None:
    for username in ("officer1", "auditor", "admin"):
        response = _upload(login(username), "syntax_error.bpmn")
        assert response.status_code == 403
        assert response.json["code"] == "forbidden"


def test_redeploying_unchanged_files_keeps_the_version(login: Any) -> None:
    owner = login("process_owner")
    first = deploy_dir(owner, DATA / "acceptance")
    again = deploy_dir(owner, DATA / "acceptance")
    assert first.status_code == 201
    assert again.status_code == 200
    assert {i["key"]: i["version"] for i in again.json["items"]} == {"case_flow": 1, "legal_check": 1}
    assert not any(i["created"] for i in again.json["items"])


@pytest.fixture
def task(login: Any) -> dict[str, Any]:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    body = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}}).json
    first: dict[str, Any] = body["tasks"][0]
    return first


def test_invalid_form_data_gets_422_per_field_in_chinese(login: Any, task: dict[str, Any]) -> None:
    officer = login("officer1")
    response = officer.post(
        f"/tasks/{task['id']}/complete",
        json={
            "data": {"party_name": "张三", "party_phone": "12345", "received_on": "2999-01-01", "bogus": 1}
        },
    )
    assert response.status_code == 422
    details = response.json["details"]
    assert {"party_phone", "received_on", "address", "description", "bogus"} <= set(details)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(details["address"]))
    english = officer.post(
        f"/tasks/{task['id']}/complete",
        json={"data": {}},
        headers={**officer.headers, "Accept-Language": "en"},
    )
    assert english.status_code == 422
    assert all(ch.isascii() for message in english.json["details"]["address"] for ch in message)
    assert (
        login("auditor").get(f"/process-instances/{task['instance_id']}").json["tasks"][0]["id"] == task["id"]
    )


def test_body_must_be_json_with_known_fields(login: Any, task: dict[str, Any]) -> None:
    officer = login("officer1")
    assert officer.post(f"/tasks/{task['id']}/complete", json=[1, 2]).status_code == 422
    response = officer.post(f"/tasks/{task['id']}/complete", json={"data": {}, "extra": 1})
    assert response.status_code == 422
    assert "extra" in response.json["details"]


def test_unknown_things_are_404_and_missing_token_401(login: Any, app: Any) -> None:
    officer = login("officer1")
    assert officer.get("/process-instances/999").status_code == 404
    assert officer.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert officer.get("/process-definitions/nope/diagram.svg").status_code == 404
    anonymous = app.test_client().get("/api/v1/tasks")
    assert anonymous.status_code == 401
    assert anonymous.json["code"] == "not_authenticated"
    forged = app.test_client().get("/api/v1/tasks", headers={"Authorization": "Bearer forged.token.here"})
    assert forged.status_code == 401


def test_wrong_password_is_refused_without_revealing_the_user(app: Any) -> None:
    client = app.test_client()
    wrong = client.post("/api/v1/auth/token", json={"username": "officer1", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"]


def test_start_refuses_unknown_process_and_bad_start_data(login: Any) -> None:
    officer = login("officer1")
    unknown = officer.post("/process-instances", json={"process_key": "nope", "data": {}})
    assert unknown.status_code == 422
    assert "process_key" in unknown.json["details"]
    deploy_dir(login("process_owner"), DATA / "acceptance")
    bad_keys = officer.post("/process-instances", json={"process_key": "case_flow", "data": {"__class__": 1}})
    assert bad_keys.status_code == 422
    auditor_start = login("auditor").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert auditor_start.status_code == 403


JPEG = b"\xff\xd8\xff\xe0"


def test_attachment_upload_checks_type_size_and_role(login: Any, task: dict[str, Any]) -> None:
    officer = login("officer1")
    url = f"/tasks/{task['id']}/attachments"

    def send(api: Any, content: bytes, mimetype: str) -> Any:
        data = {"file": (io.BytesIO(content), "证据.bin", mimetype)}
        return api.post(url, data=data, content_type="multipart/form-data")

    ok = send(officer, JPEG + b"photo-bytes", "image/jpeg")
    assert ok.status_code == 201
    assert len(ok.json["sha256"]) == 64
    assert send(officer, b"<script>", "text/html").status_code == 422
    assert send(officer, JPEG + b"x" * 100_001, "image/jpeg").status_code == 413
    assert send(officer, b"", "image/jpeg").status_code == 422
    assert send(login("squad_leader"), JPEG + b"photo", "image/jpeg").status_code in {403, 404}


def test_form_refers_to_unknown_attachment_ids(login: Any, task: dict[str, Any]) -> None:
    assert task["bpmn_id"] == "register_case"
    response = login("officer1").post(
        f"/tasks/{task['id']}/complete",
        json={
            "data": {
                "party_name": "张三",
                "address": "嘉定区",
                "received_on": "2026-09-29",
                "description": "x",
            }
        },
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&c;</bpmn:definitions>',
    ],
    ids=["external-entity", "entity-expansion"],
)
def test_hostile_xml_is_refused_without_resolving_entities(login: Any, payload: str) -> None:
    owner = login("process_owner")
    files = [(io.BytesIO(payload.encode()), "evil.bpmn")]
    response = owner.post("/process-definitions", data={"files": files}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "root:" not in response.text
    assert response.json["details"][0]["file"] == "evil.bpmn"
