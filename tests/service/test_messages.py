"""Messages staff may record: only those a diagram declares external, by the roles it names."""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import DATA, deploy_dir

DIAGRAM = DATA / "messages" / "await_ruling.bpmn"
DECLARED_BY_CLERK = (
    "<spiffworkflow:properties>"
    '<spiffworkflow:property name="externalMessage" value="true" />'
    '<spiffworkflow:property name="senderRoles" value="clerk" />'
    "</spiffworkflow:properties>"
)


def _case(login: Any) -> int:
    assert deploy_dir(login("process_owner"), DATA / "messages").status_code == 201
    case = login("officer1").post("/process-instances", json={"process_key": "await_ruling"})
    assert case.status_code == 201, case.json
    instance_id: int = case.json["id"]
    return instance_id


def _post(api: Any, case_id: int, name: str, payload: dict[str, Any]) -> Any:
    return api.post(f"/process-instances/{case_id}/messages", json={"name": name, "payload": payload})


def test_a_declared_sender_records_a_declared_message(login: Any) -> None:
    instance_id = _case(login)
    recorded = _post(login("legal_reviewer"), instance_id, "court_ruling", {"result": "维持"})
    assert recorded.status_code == 200, recorded.json
    assert [t["bpmn_id"] for t in recorded.json["tasks"]] == ["handle"]
    assert recorded.json["data"]["ruling"] == {"result": "维持"}
    again = _post(login("bureau_head"), instance_id, "court_ruling", {"result": "撤销"})
    assert again.status_code == 409  # nothing waits for it any more


@pytest.mark.parametrize("username", ["officer1", "squad_leader", "auditor", "admin"])
def test_roles_the_diagram_does_not_name_are_refused(login: Any, username: str) -> None:
    instance_id = _case(login)
    refused = _post(login(username), instance_id, "court_ruling", {"result": "维持"})
    assert refused.status_code == 403
    assert "legal_reviewer" in refused.json["message"]


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("case_closed", {"closure": "已结案"}),
        ("start.load_bearing_case", {}),
        ("started.enforcement_publicity", {"instance_id": 1}),
        ("court_ruling", {"target_instance_id": 1, "result": "维持"}),
        ("no_such_message", {}),
    ],
)
def test_internal_and_undeclared_messages_are_never_accepted(
    login: Any, name: str, payload: dict[str, Any]
) -> None:
    instance_id = _case(login)
    for username in ("legal_reviewer", "admin"):
        refused = _post(login(username), instance_id, name, payload)
        assert refused.status_code == 403, (username, refused.json)
    events = login("auditor").get(f"/process-instances/{instance_id}/events").json["items"]
    assert [e["kind"] for e in events] == ["instance_started"]


def _deploy_text(login: Any, text: str) -> Any:
    fields = MultiDict([("files", FileStorage(io.BytesIO(text.encode()), "await_ruling.bpmn"))])
    boundary, body = encode_multipart(fields)
    return login("process_owner").post(
        "/process-definitions", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("legal_reviewer, bureau_head", "legal_reviewer, judge"), "unknown sender role(s) judge"),
        (
            (
                '<bpmn:messageEventDefinition messageRef="msg_closed" />',
                f"<bpmn:extensionElements>{DECLARED_BY_CLERK}</bpmn:extensionElements>"
                '<bpmn:messageEventDefinition messageRef="msg_closed" />',
            ),
            "cannot be recorded by staff",
        ),
        (('value="legal_reviewer, bureau_head"', 'value=""'), "needs senderRoles"),
        (
            (
                '<spiffworkflow:property name="formKey" value="approve_filing" />',
                '<spiffworkflow:property name="formKey" value="approve_filing" />'
                '<spiffworkflow:property name="externalMessage" value="true" />'
                '<spiffworkflow:property name="senderRoles" value="clerk" />',
            ),
            "belongs on a message catch event",
        ),
    ],
)
def test_deploy_refuses_bad_external_message_declarations(
    login: Any, change: tuple[str, str], problem: str
) -> None:
    text = DIAGRAM.read_text(encoding="utf-8")
    assert change[0] in text
    refused = _deploy_text(login, text.replace(change[0], change[1]))
    assert refused.status_code == 422, refused.json
    assert any(problem in p["message"] for p in refused.json["details"]), refused.json
