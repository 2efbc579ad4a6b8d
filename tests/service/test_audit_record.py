"""The auditors' record page: every event in words with labelled data, diff, hashes, deadlines, diagram."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.service.audit_case import ADDRESS, PARTY, audited_case
from tests.web.test_signin import sign_in


def _auditor(app: Flask, username: str = "auditor") -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_record_tells_each_event_with_who_what_data_diff_and_hashes(app: Flask, login) -> None:
    case_id = audited_case(login)
    page = _auditor(app).get(f"/audit/cases/{case_id}").get_data(as_text=True)
    assert "officer1" in page
    assert "执法队员" in page
    assert "《登记案件》" in page  # what, in words: the form submitted
    assert PARTY in page
    assert ADDRESS in page
    assert "当事人" in page  # labelled as the form labels it
    assert 'data-testid="diff"' in page
    hashes = re.findall(r'data-testid="sha256">([0-9a-f]{64})<', page)
    assert hashes, "the inspection's photo is listed with its SHA-256"


def test_record_says_when_a_deadline_was_missed_and_by_how_many_working_days(app: Flask, login) -> None:
    case_id = audited_case(login, steps=2)  # 立案审批 was due three working days after 2026-09-29
    page = _auditor(app).get(f"/audit/cases/{case_id}").get_data(as_text=True)
    deadline = re.search(r'data-testid="deadline">(.*?)</div>', page, re.S)
    assert deadline is not None
    late = re.search(r"(\d+)", re.sub(r"<[^>]+>|\d{4}-\d\d-\d\d \d\d:\d\d", "", deadline.group(1)))
    assert late is not None
    assert int(late.group(1)) > 30


def test_record_is_paged_and_filtered_by_kind(app: Flask, login) -> None:
    case_id = audited_case(login)
    client = _auditor(app)
    first = client.get(f"/audit/cases/{case_id}?size=2").get_data(as_text=True)
    assert len(re.findall(r'id="event-\d+"', first)) == 2
    only = client.get(f"/audit/cases/{case_id}?kind=task_completed").get_data(as_text=True)
    kinds = set(re.findall(r'data-kind="([a-z_]+)"', only))
    assert kinds == {"task_completed"}


def test_diagram_after_an_early_event_shows_the_case_as_it_stood_then(app: Flask, login) -> None:
    case_id = audited_case(login)
    client = _auditor(app)
    early = client.get(f"/audit/cases/{case_id}/events/1/diagram").get_data(as_text=True)
    late = client.get(f"/audit/cases/{case_id}/events/3/diagram")
    assert late.status_code == 200
    assert re.search(r'id="node-register_case" class="node zf-ready"', early)
    assert re.search(r'id="node-register_case" class="node zf-completed"', late.get_data(as_text=True))


def test_officers_cannot_open_the_record(app: Flask, login) -> None:
    case_id = audited_case(login, steps=1)
    assert _auditor(app, "officer1").get(f"/audit/cases/{case_id}").status_code == 403
