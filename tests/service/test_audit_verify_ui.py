"""Chain verification from the page: a background run with progress that names the first broken link."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from service import create_app
from service.db import session_scope, utcnow
from service.operations import audit_jobs
from tests.service.audit_case import audited_case
from tests.service.test_audit_record import _auditor


def _run(client: FlaskClient, **form: str) -> str:
    """Start a verification from the page and poll it until it ends; return the result fragment."""
    page = client.get("/audit/verify").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    started = client.post("/audit/verify", data={"csrf_token": token, "scope": "all", **form})
    assert started.status_code == 302
    for _ in range(200):
        fragment = client.get(started.location, headers={"HX-Request": "true"}).get_data(as_text=True)
        if 'data-finished="true"' in fragment:
            _join_verify_threads()
            return fragment
        assert "hx-get" in fragment  # still running: the fragment asks to be polled again
        time.sleep(0.05)
    raise AssertionError("verification did not finish")


def _join_verify_threads() -> None:
    """Wait for the background run to close its sessions: the app's engine is disposed after the test."""
    for thread in threading.enumerate():
        if thread.name.startswith("zhifa-verify-"):
            thread.join(timeout=30)


def _first_completed(app: Flask) -> tuple[int, int]:
    with session_scope(app) as session:
        row = session.execute(
            text("SELECT id, seq FROM audit_events WHERE kind = 'task_completed' ORDER BY id LIMIT 1")
        ).one()
    return row.id, row.seq


def test_intact_chain_is_reported_intact_with_the_events_counted(app: Flask, login) -> None:
    audited_case(login, steps=2)
    fragment = _run(_auditor(app))
    assert 'data-testid="verify-result"' in fragment
    assert "alert-success" in fragment
    assert re.search(r"已校验 ([\d,]+) / \1 条记录|([\d,]+) of \2 events checked", fragment)


def test_an_altered_event_is_named_with_its_case_and_entry(app: Flask, login) -> None:
    case_id = audited_case(login, steps=2)
    event_id, seq = _first_completed(app)
    with session_scope(app) as session:
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": event_id})
        session.commit()
    fragment = _run(_auditor(app))
    assert 'data-kind="tampered"' in fragment
    assert f"/audit/cases/{case_id}#event-{seq}" in fragment
    assert re.search(rf"第 {seq} 条记录|entry #{seq}\b", fragment)
    assert "记录内容与其签名不符" in fragment or "content does not match its hash" in fragment


def test_one_case_can_be_verified_alone(app: Flask, login) -> None:
    case_id = audited_case(login, steps=1)
    fragment = _run(_auditor(app), scope="case", case=str(case_id))
    assert f"Case {case_id}" in fragment or f"案件 {case_id}" in fragment or str(case_id) in fragment
    assert "alert-success" in fragment


def test_garbage_in_an_event_is_named_like_a_broken_link(app: Flask, login, database_url: str) -> None:
    case_id = audited_case(login, steps=2)
    event_id, _seq = _first_completed(app)
    garbage = "'{\"x\": 1' " if database_url.startswith("sqlite") else "'{\"x\": 1}'"
    with session_scope(app) as session:
        session.execute(text(f"UPDATE audit_events SET data = {garbage} WHERE id = :id"), {"id": event_id})  # noqa: S608
        session.commit()
    client = _auditor(app)
    fragment = _run(client)
    assert re.search(r'data-kind="(unreadable|tampered)"', fragment)
    assert "Traceback" not in fragment
    record = client.get(f"/audit/cases/{case_id}")  # the record page says so instead of failing
    unreadable = database_url.startswith("sqlite")  # PostgreSQL refuses invalid JSON: there it is altered
    assert record.status_code == (409 if unreadable else 200)
    if unreadable:
        assert "校验" in record.get_data(as_text=True)


def test_a_wrong_audit_key_is_reported_as_key_mismatch(
    app: Flask, login, database_url: str, tmp_path
) -> None:
    audited_case(login, steps=1)
    config = {
        k: app.config[k] for k in ("TESTING", "SECRET_KEY", "DATABASE_URL", "ATTACHMENT_DIR", "FORMS_DIR")
    }
    other = create_app({**config, "AUDIT_KEY": "a-different-key"})  # same database, another key
    try:
        fragment = _run(_auditor(other))
    finally:
        other.extensions["zhifa.engine"].dispose()
    assert 'data-kind="key_mismatch"' in fragment


def test_a_check_whose_process_ended_is_shown_as_stopped_not_polled_forever(app: Flask) -> None:
    with session_scope(app) as session:
        job = audit_jobs.create_job(session, None, "auditor")
        job.started_at = utcnow() - timedelta(hours=7)
        session.commit()
        job_id = job.id
    fragment = (
        _auditor(app).get(f"/audit/verify/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    )
    assert 'data-finished="true"' in fragment
    assert "hx-get" not in fragment
    assert "alert-warning" in fragment
