"""The audit chain cannot be shortened or the case data edited unseen (issue 8 item 9, issue 12 item 3).

Each attack is made directly in the database, as someone with write access to it would, and must be
found: some by the chain and the case state hash alone, the rest against a signed checkpoint kept
outside the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from service.db import session_scope
from service.operations import audit_checkpoint, audit_verify
from tests.conftest import DATA, deploy_dir

CASE_DATA = {
    "party_name": "张三",
    "address": "嘉定区叶城路1号",
    "received_on": "2026-09-29",
    "description": "擅自拆除承重墙",
}


@pytest.fixture
def cases(app: Flask, login: Any) -> list[int]:
    """Three cases, the first advanced one step and claimed/released, so streams have several events."""
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201
    officer = login("officer1")
    ids = []
    for _ in range(3):
        started = officer.post("/process-instances", json={"process_key": "case_flow", "data": {}})
        ids.append(started.json["id"])
    first_task = officer.get(f"/process-instances/{ids[0]}").json["tasks"][0]["id"]
    assert officer.post(f"/tasks/{first_task}/claim").status_code == 200
    assert officer.post(f"/tasks/{first_task}/complete", json={"data": CASE_DATA}).status_code == 200
    return ids


def _verify(app: Flask, checkpoint: dict[str, Any] | None = None) -> audit_verify.Report:
    with app.app_context(), session_scope(app) as session:
        return audit_verify.verify(session, checkpoint=checkpoint)


def _checkpoint(app: Flask) -> dict[str, Any]:
    with app.app_context(), session_scope(app) as session:
        return audit_checkpoint.build_checkpoint(session)


def _sql(app: Flask, *statements: str, **params: Any) -> None:
    with app.app_context(), session_scope(app) as session:
        for statement in statements:
            session.execute(text(statement), params)
        session.commit()


def test_an_untouched_database_verifies_with_and_without_a_checkpoint(app: Flask, cases: list[int]) -> None:
    checkpoint = _checkpoint(app)
    assert _verify(app).ok
    report = _verify(app, checkpoint)
    assert report.ok, report.first_break
    assert report.checked == report.total > 6


def test_editing_case_data_directly_is_found(app: Flask, cases: list[int]) -> None:
    edit = "UPDATE process_instances SET state = replace(state, '2026-09-29', '2026-09-30') WHERE id = :id"
    _sql(app, edit, id=cases[0])
    broken = _verify(app).first_break
    assert broken is not None
    assert broken.kind == "state_changed"
    assert broken.stream == f"instance:{cases[0]}"


def test_truncating_a_case_and_rewinding_its_head_is_found(app: Flask, cases: list[int]) -> None:
    checkpoint = _checkpoint(app)
    stream = f"instance:{cases[0]}"
    _sql(
        app,
        "DELETE FROM audit_events WHERE stream = :s AND seq > 1",
        "UPDATE process_instances SET audit_seq = 1, "
        "audit_head = (SELECT hash FROM audit_events WHERE stream = :s AND seq = 1) WHERE id = :id",
        s=stream,
        id=cases[0],
    )
    without = _verify(app).first_break
    assert without is not None  # the newer case state no longer matches the rewound head
    assert without.kind == "state_changed"
    against = _verify(app, checkpoint).first_break
    assert against is not None
    assert against.kind in {"state_changed", "missing"}


def test_truncating_and_restoring_an_old_state_is_found_against_a_checkpoint(
    app: Flask, cases: list[int]
) -> None:
    checkpoint = _checkpoint(app)
    # A careful attacker deletes a whole young case instead: no chain is left to disagree.
    victim = cases[2]
    _sql(
        app,
        "DELETE FROM audit_events WHERE instance_id = :id",
        "DELETE FROM human_tasks WHERE instance_id = :id",
        "DELETE FROM instance_timers WHERE instance_id = :id",
        "DELETE FROM process_instances WHERE id = :id",
        id=victim,
    )
    assert _verify(app).ok  # the chain alone cannot know the case existed
    broken = _verify(app, checkpoint).first_break
    assert broken is not None
    assert broken.stream == f"instance:{victim}"
    assert "deleted" in broken.reason or "missing" in broken.reason


def test_cutting_the_tail_of_the_system_stream_is_found_against_a_checkpoint(
    app: Flask, cases: list[int]
) -> None:
    checkpoint = _checkpoint(app)
    _sql(
        app,
        "DELETE FROM audit_events WHERE stream = 'system' AND seq = (SELECT max(seq) FROM "
        "(SELECT seq FROM audit_events WHERE stream = 'system') AS s)",
    )
    assert _verify(app).ok
    broken = _verify(app, checkpoint).first_break
    assert broken is not None
    assert broken.stream == "system"
    assert broken.kind == "missing"


def test_an_altered_checkpoint_or_one_from_another_key_is_reported_as_such(
    app: Flask, cases: list[int]
) -> None:
    checkpoint = _checkpoint(app)
    forged = {**checkpoint, "instances": checkpoint["instances"][:-1]}
    broken = _verify(app, forged).first_break
    assert broken is not None
    assert "altered" in broken.reason
    app.config["AUDIT_KEY"] = "another key entirely"
    other = _checkpoint(app)
    app.config["AUDIT_KEY"] = None
    mismatch = _verify(app, other).first_break
    assert mismatch is not None
    assert mismatch.kind == "key_mismatch"


def test_a_wrong_audit_key_is_reported_as_a_key_mismatch_not_tampering(app: Flask, cases: list[int]) -> None:
    app.config["AUDIT_KEY"] = "not the key this database was signed with"
    broken = _verify(app).first_break
    app.config["AUDIT_KEY"] = None
    assert broken is not None
    assert broken.kind == "key_mismatch"
    assert "the key does not match this database" in broken.reason


def test_an_altered_event_is_still_reported_as_tampering(app: Flask, cases: list[int]) -> None:
    _sql(
        app,
        "UPDATE audit_events SET actor = 'officer2' WHERE stream = :s AND seq = 2",
        s=f"instance:{cases[0]}",
    )
    broken = _verify(app).first_break
    assert broken is not None
    assert broken.kind == "tampered"
    assert broken.seq == 2


def test_a_garbled_stored_event_is_named_not_a_traceback(app: Flask, cases: list[int]) -> None:
    with app.app_context(), session_scope(app) as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL's json type refuses garbage; SQLite stores whatever it is given")
    _sql(
        app,
        "UPDATE audit_events SET data = '{not json' WHERE stream = :s AND seq = 2",
        s=f"instance:{cases[0]}",
    )
    broken = _verify(app).first_break
    assert broken is not None
    assert broken.kind == "unreadable"
    assert broken.event_id is not None
    assert "cannot be read" in broken.reason


def test_verification_reports_progress(app: Flask, cases: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_verify, "PROGRESS_EVERY", 3)
    calls: list[tuple[int, int]] = []
    with app.app_context(), session_scope(app) as session:
        report = audit_verify.verify(session, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, report.total)  # the size of the work, before the walk starts
    assert calls[-1] == (report.total, report.total)
    assert [done for done, _ in calls[1:-1]] == list(range(3, report.total + 1, 3))


def test_cli_writes_a_checkpoint_and_verifies_against_it(
    app: Flask, cases: list[int], runner_for: Any, tmp_path: Path
) -> None:
    runner = runner_for(app)
    written = runner.invoke(["audit", "checkpoint", "--dir", str(tmp_path / "anchors")])
    assert written.exit_code == 0, written.output
    path = Path(written.output.split("checkpoint written: ", 1)[1].strip())
    assert json.loads(path.read_text())["signature"]
    intact = runner.invoke(["audit", "verify", "--checkpoint", str(path)])
    assert intact.exit_code == 0, intact.output
    assert "intact and the checkpoint" in intact.output
    _sql(
        app,
        "DELETE FROM audit_events WHERE stream = 'system' AND seq = (SELECT max(seq) FROM "
        "(SELECT seq FROM audit_events WHERE stream = 'system') AS s)",
    )
    cut = runner.invoke(["audit", "verify", "--checkpoint", str(path)])
    assert cut.exit_code == 1
    assert "BROKEN (missing)" in cut.output
    assert "stream=system" in cut.output


def test_the_api_names_a_broken_link_with_its_kind(app: Flask, cases: list[int], login: Any) -> None:
    _sql(app, "UPDATE process_instances SET status = 'completed' WHERE id = :id", id=cases[1])
    body = login("auditor").get("/audit/verify").json
    assert body["ok"] is False
    assert body["first_break"]["kind"] == "state_changed"
    assert body["first_break"]["stream"] == f"instance:{cases[1]}"


def test_a_checkpoint_is_exported_when_due(app: Flask, cases: list[int], tmp_path: Path) -> None:
    from datetime import timedelta

    with app.app_context(), session_scope(app) as session:
        first = audit_checkpoint.export_checkpoint_if_due(session, tmp_path, timedelta(hours=1))
        again = audit_checkpoint.export_checkpoint_if_due(session, tmp_path, timedelta(hours=1))
    assert first is not None
    assert again is None
