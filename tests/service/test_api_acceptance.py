"""The acceptance diagram end to end over HTTP, each task done by a user of its lane."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import text

from forms import FormRegistry
from service.db import session_scope
from tests.conftest import DATA, deploy_dir
from tests.service.walk import USER_OF_ROLE, walk

ACCEPTANCE = DATA / "acceptance"
FORMS = FormRegistry.from_directory(ACCEPTANCE / "forms")
TODAY = date(2026, 10, 9)
ANSWERS = {
    "register_case": {"received_on": "2026-09-29"},
    "approve_filing": {"filing_decision": "approve"},
    "inspect_site": {"damaged_area": "35.50"},
    "legal_review": {"legal_opinion": "agree"},
}
EXPECTED_ROLES = {
    "register_case": "officer",
    "approve_filing": "squad_leader",
    "inspect_site": "officer",
    "review_evidence": "squad_leader",
    "draft_decision": "officer",
    "confirm_fine": "squad_leader",
    "legal_review": "legal_reviewer",
    "approve_decision": "squad_leader",
    "serve_decision": "officer",
}


@pytest.fixture
def started(login) -> int:
    assert deploy_dir(login("process_owner"), ACCEPTANCE).status_code == 201
    response = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert response.status_code == 201, response.json
    instance_id: int = response.json["id"]
    return instance_id


def test_acceptance_process_runs_end_to_end_with_each_lane_user(login, started: int) -> None:
    steps = walk(login, started, ANSWERS, forms=FORMS, today=TODAY)
    assert {bpmn_id for bpmn_id, _ in steps} == set(EXPECTED_ROLES)
    for bpmn_id, username in steps:
        assert username == USER_OF_ROLE[EXPECTED_ROLES[bpmn_id]]
    auditor = login("auditor")
    instance = auditor.get(f"/process-instances/{started}").json
    assert instance["status"] == "completed"
    assert instance["data"]["fine_level"] in {"light", "general", "serious"}
    events = auditor.get(f"/process-instances/{started}/events").json["items"]
    completed = [(e["task_bpmn_id"], e["actor"], e["role"]) for e in events if e["kind"] == "task_completed"]
    assert [(b, u) for b, u, _ in completed] == steps
    assert all(role == EXPECTED_ROLES[b] for b, _, role in completed)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["prev_hash"] == p["hash"] for p, e in zip(events, events[1:], strict=False))
    assert auditor.get("/audit/verify").json["ok"] is True


def test_completed_step_records_form_data_diff_and_evidence_hashes(login, started: int) -> None:
    walk(login, started, ANSWERS, forms=FORMS, today=TODAY, max_steps=3, until_done=False)
    events = login("auditor").get(f"/process-instances/{started}/events").json["items"]
    inspect = next(e for e in events if e["task_bpmn_id"] == "inspect_site" and e["kind"] == "task_completed")
    assert inspect["data"]["damaged_area"] == inspect["diff"]["added"]["damaged_area"]
    assert len(inspect["attachments"]) >= 1
    assert all(len(a["sha256"]) == 64 for a in inspect["attachments"])


def test_audit_verify_names_the_altered_event(app: Flask, login, started: int, runner_for) -> None:
    walk(login, started, ANSWERS, forms=FORMS, today=TODAY, max_steps=2, until_done=False)
    runner = runner_for(app)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with session_scope(app) as session:
        target = session.execute(
            text("SELECT id FROM audit_events WHERE kind = 'task_completed' ORDER BY id LIMIT 1")
        ).scalar_one()
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
        session.commit()
    result: Result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"id={target}" in result.output
    body = login("auditor").get("/audit/verify").json
    assert body["ok"] is False
    assert body["first_break"]["event_id"] == target


def test_deleted_event_breaks_the_chain(app: Flask, login, started: int) -> None:
    walk(login, started, ANSWERS, forms=FORMS, today=TODAY, max_steps=3, until_done=False)
    with session_scope(app) as session:
        session.execute(
            text(
                "DELETE FROM audit_events WHERE id = "
                "(SELECT MIN(id) FROM audit_events WHERE kind = 'task_completed')"
            )
        )
        session.commit()
    body = login("auditor").get("/audit/verify").json
    assert body["ok"] is False
    assert "removed" in body["first_break"]["reason"]


def test_each_task_refuses_users_of_other_roles(login, started: int) -> None:
    task = login("auditor").get(f"/process-instances/{started}").json["tasks"][0]
    assert task["role"] == "officer"
    for username in ("squad_leader", "auditor", "legal_reviewer"):
        response = login(username).post(f"/tasks/{task['id']}/complete", json={"data": {}})
        assert response.status_code in {403, 404}, username
        assert response.json["code"] in {"forbidden", "not_found"}
    assert login("auditor").get(f"/process-instances/{started}").json["tasks"][0]["id"] == task["id"]


def test_a_rewritten_chain_without_the_key_is_detected(app: Flask, login, started: int) -> None:
    """Someone with database access edits an event and recomputes every hash with plain SHA-256."""
    import hashlib

    from service.jsonsafe import canonical_json

    walk(login, started, ANSWERS, forms=FORMS, today=TODAY, max_steps=2, until_done=False)
    with session_scope(app) as session:
        rows = session.execute(
            text("SELECT id, seq FROM audit_events WHERE stream = :s ORDER BY seq"),
            {"s": f"instance:{started}"},
        ).all()
        prev = "0" * 64
        for event_id, _seq in rows:
            forged = hashlib.sha256(canonical_json({"forged": event_id, "prev": prev}).encode()).hexdigest()
            session.execute(
                text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id"),
                {"p": prev, "h": forged, "id": event_id},
            )
            prev = forged
        session.execute(
            text("UPDATE process_instances SET audit_head = :h WHERE id = :id"), {"h": prev, "id": started}
        )
        session.commit()
    body = login("auditor").get("/audit/verify").json
    assert body["ok"] is False
    assert body["first_break"]["event_id"] == rows[0][0]
