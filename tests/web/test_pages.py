"""The pages through the Flask test client: inbox actions, start form errors, evidence limits, case
list filters and CSV, and what a user may see."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.web.casepage import TaskEntry, _fold_rounds
from tests.conftest import DATA, deploy_dir, make_test_app
from tests.web.conftest import signed_in_client


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The acceptance process, which officers may start from a page."""
    app = make_test_app(
        database_url,
        tmp_path,
        FORMS_DIR=str(DATA / "acceptance" / "forms"),
        STARTER_ROLES={"case_flow": ("officer",)},
    )
    yield app
    app.extensions["zhifa.engine"].dispose()


@pytest.fixture
def deployed(login: Any) -> None:
    assert deploy_dir(login("process_owner"), DATA / "acceptance").status_code == 201


def _token(client: FlaskClient, path: str = "/inbox") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def _start(client: FlaskClient, **fields: str) -> Any:
    return client.post("/start/case_flow", data={"csrf_token": _token(client), **fields})


def _started_case(client: FlaskClient) -> int:
    response = _start(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/cases/(\d+)/next", response.location).group(1))


def _first_task(client: FlaskClient) -> str:
    return re.search(r'data-task="([^"]+)"', client.get("/inbox").get_data(as_text=True)).group(1)


REGISTER = {
    "party_name": "上海某装饰公司",
    "address": "叶城路 1 号 302 室",
    "received_on": "2025-09-26",
    "description": "拆除承重墙",
}


def test_an_officer_starts_a_case_and_sees_what_happens_next(app: Flask, deployed: None) -> None:
    officer = signed_in_client(app, "officer1")
    assert "case_flow" in officer.get("/start").get_data(as_text=True)
    response = officer.get(f"/cases/{_started_case(officer)}/next")
    page = response.get_data(as_text=True)
    assert "登记案件" in page  # the next task
    assert "执法队员" in page  # and the role that holds it


def test_auditors_are_not_offered_a_start_page(app: Flask, deployed: None) -> None:
    auditor = signed_in_client(app, "auditor")
    assert auditor.get("/start").status_code == 403
    assert auditor.get("/start/case_flow").status_code == 403


def test_a_task_form_error_names_the_field_and_keeps_the_input(app: Flask, deployed: None) -> None:
    officer = signed_in_client(app, "officer1")
    _started_case(officer)
    task_id = _first_task(officer)
    data = {**REGISTER, "party_name": "", "csrf_token": _token(officer)}
    response = officer.post(f"/tasks/{task_id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "当事人：此项为必填项。" in page
    assert 'value="叶城路 1 号 302 室"' in page
    response = officer.post(f"/tasks/{task_id}", data={**REGISTER, "csrf_token": _token(officer)})
    assert response.status_code == 302
    assert "/next" in response.location


def test_claim_release_and_hand_over_answer_with_the_row(app: Flask, deployed: None) -> None:
    officer = signed_in_client(app, "officer1")
    _started_case(officer)
    task_id = _first_task(officer)
    htmx = {"HX-Request": "true"}
    claimed = officer.post(f"/tasks/{task_id}/claim", data={"csrf_token": _token(officer)}, headers=htmx)
    assert "承办人：officer1" in claimed.get_data(as_text=True)
    assert 'data-filter="mine"' not in claimed.get_data(as_text=True)  # a row, not the page
    assert (
        officer.post(
            f"/tasks/{task_id}/assign", data={"csrf_token": _token(officer), "username": "officer2"}
        ).status_code
        == 403
    )
    leader = signed_in_client(app, "squad_leader")
    handed = leader.post(
        f"/tasks/{task_id}/assign", data={"csrf_token": _token(leader), "username": "officer2"}, headers=htmx
    )
    assert "承办人：officer2" in handed.get_data(as_text=True)
    released = leader.post(f"/tasks/{task_id}/release", data={"csrf_token": _token(leader)}, headers=htmx)
    assert "承办人" not in released.get_data(as_text=True)


def test_evidence_upload_limits_types_and_shows_the_hash(app: Flask, deployed: None) -> None:
    officer = signed_in_client(app, "officer1")
    _started_case(officer)
    task_id = _first_task(officer)
    token = _token(officer)
    script = (io.BytesIO(b"#!/bin/sh"), "run.sh", "application/x-sh")
    refused = officer.post(f"/tasks/{task_id}/evidence", data={"file": script, "csrf_token": token})
    assert refused.status_code == 422
    assert "只能上传照片" in refused.get_data(as_text=True)
    photo = (io.BytesIO(b"\x89PNG\r\n\x1a\n photo"), "现场.png", "image/png")
    stored = officer.post(
        f"/tasks/{task_id}/evidence", data={"file": photo, "field": "photos", "csrf_token": token}
    )
    assert stored.status_code == 201
    body = stored.get_data(as_text=True)
    sha = re.search(r'data-testid="sha256">([0-9a-f]{64})<', body).group(1)
    import hashlib

    assert sha == hashlib.sha256(b"\x89PNG\r\n\x1a\n photo").hexdigest()
    attachment_id = re.search(r'data-attachment="([^"]+)"', body).group(1)
    sent = officer.get(f"/attachments/{attachment_id}")
    assert (sent.status_code, sent.mimetype) == (200, "image/png")
    sent.close()  # the file is streamed: close it
    assert signed_in_client(app, "hotline_liaison").get(f"/attachments/{attachment_id}").status_code == 404
    big = (io.BytesIO(b"\x89PNG" + b"0" * 200_000), "big.png", "image/png")
    assert (
        officer.post(f"/tasks/{task_id}/evidence", data={"file": big, "csrf_token": token}).status_code == 413
    )


def test_case_list_filters_and_exports_csv(app: Flask, deployed: None) -> None:
    officer = signed_in_client(app, "officer1")
    first = _started_case(officer)
    task_id = _first_task(officer)
    officer.post(
        f"/tasks/{task_id}", data={**REGISTER, "party_name": "=HYPERLINK(1)", "csrf_token": _token(officer)}
    )
    _started_case(signed_in_client(app, "officer2"))
    auditor = signed_in_client(app, "auditor")
    listed = auditor.get("/cases?officer=officer1").get_data(as_text=True)
    assert f'data-case="{first}"' in listed
    assert listed.count("data-case=") == 1
    assert auditor.get("/cases?status=completed").get_data(as_text=True).count("data-case=") == 0
    assert auditor.get("/cases?q=叶城路").get_data(as_text=True).count("data-case=") == 1
    exported = auditor.get("/cases.csv?officer=officer1")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "案件编号"
    assert len(rows) == 2
    assert rows[1][1].startswith("'=")  # no formula injection into spreadsheets


def test_an_officer_does_not_see_other_officers_cases(app: Flask, deployed: None) -> None:
    case_id = _started_case(signed_in_client(app, "officer1"))
    liaison = signed_in_client(app, "hotline_liaison")
    assert liaison.get(f"/cases/{case_id}").status_code == 404
    assert liaison.get(f"/cases/{case_id}/diagram").status_code == 404


def test_the_diagram_answers_304_until_the_case_changes(app: Flask, deployed: None) -> None:
    officer = signed_in_client(app, "officer1")
    case_id = _started_case(officer)
    first = officer.get(f"/cases/{case_id}/diagram")
    assert first.status_code == 200
    assert 'class="node zf-' in first.get_data(as_text=True)
    assert 'data-bpmn-id="register_case"' in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert officer.get(f"/cases/{case_id}/diagram", headers={"If-None-Match": etag}).status_code == 304
    officer.post(f"/tasks/{_first_task(officer)}", data={**REGISTER, "csrf_token": _token(officer)})
    assert officer.get(f"/cases/{case_id}/diagram", headers={"If-None-Match": etag}).status_code == 200


def test_a_repeated_task_shows_its_latest_round_with_the_earlier_ones_folded() -> None:
    def entry(seq: int, bpmn_id: str) -> TaskEntry:
        return TaskEntry(seq, bpmn_id, f"t{seq}", "张明", [("复查结果", str(seq))], bpmn_id)

    folded = _fold_rounds(
        [entry(1, "a"), entry(2, "b"), entry(3, "a"), entry(4, "b"), entry(5, "a"), entry(6, "c")]
    )
    assert [(e.bpmn_id, e.seq, [r.seq for r in e.earlier]) for e in folded] == [
        ("b", 4, [2]),
        ("a", 5, [3, 1]),
        ("c", 6, []),
    ]
