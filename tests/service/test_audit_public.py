"""The public 行政执法公示 page: masked records, searchable, gone after withdrawal and after their period."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_test_app
from tests.service.publicity_case import DECISION, NOW, UNMASKED, published_record


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The bureau's own forms, the clock pinned a few days after the decision."""
    app = make_test_app(database_url, tmp_path, FIXED_NOW=NOW)
    yield app
    app.extensions["zhifa.engine"].dispose()


def _public(app: Flask, query: str = "") -> tuple[str, dict]:
    client = app.test_client()  # nobody signed in
    page = client.get(f"/gongshi{query}")
    body = client.get(f"/gongshi.json{query}")
    assert page.status_code == body.status_code == 200
    return page.get_data(as_text=True), body.json


def test_published_decision_is_shown_masked_and_no_unmasked_value_is_anywhere(app: Flask, login) -> None:
    case_id = published_record(login)
    html, body = _public(app)
    assert f'data-notice="{case_id}"' in html
    assert "张某某" in html
    assert DECISION["decision_no"] in html
    assert "310114********2413" in html
    assert [item["id"] for item in body["items"]] == [case_id]
    assert body["items"][0]["record"]["party_name"] == "张某某"
    text = json.dumps(body, ensure_ascii=False)
    for secret in UNMASKED:
        assert secret not in html, secret
        assert secret not in text, secret
    for secret in UNMASKED:  # searching for an unmasked value finds nothing either
        html, body = _public(app, f"?q={secret}")
        assert body["total"] == 0, secret
        assert secret not in json.dumps(body, ensure_ascii=False)


def test_search_by_party_type_kind_and_date(app: Flask, login) -> None:
    case_id = published_record(login)
    marker = f'data-notice="{case_id}"'
    for query in ("?party_type=individual", "?kind=罚款", "?from=2026-12-01&to=2026-12-01"):
        assert marker in _public(app, query)[0], query
    for query in ("?party_type=organization", "?kind=警告", "?to=2026-11-30"):
        assert marker not in _public(app, query)[0], query


def test_withdrawn_decision_disappears_at_once(app: Flask, login) -> None:
    case_id = published_record(login)
    change = {"change_kind": "撤销", "changed_on": "2026-12-01", "reason": "行政复议撤销"}
    response = login("legal_reviewer").post(
        f"/process-instances/{case_id}/messages", json={"name": "decision_changed", "payload": change}
    )
    assert response.status_code == 200, response.json
    html, body = _public(app)
    assert f'data-notice="{case_id}"' not in html
    assert body["total"] == 0


def test_record_leaves_after_its_display_period(app: Flask, login) -> None:
    case_id = published_record(login)
    # an individual's record is shown 3 years from the decision date (2026-11-27): until 2029-11-27
    app.config["FIXED_NOW"] = "2029-11-29T10:00:00+08:00"
    html, body = _public(app)
    assert f'data-notice="{case_id}"' not in html
    assert body["total"] == 0
    app.config["FIXED_NOW"] = "2029-11-25T10:00:00+08:00"
    assert _public(app)[1]["total"] == 1
