"""The working-day calendar page: years and sources, a validated schedule, its effect before saving."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.db import session_scope
from service.models import CalendarYear
from tests.conftest import make_test_app
from tests.service.test_calendar_schedule import served
from tests.web.conftest import signed_in_client
from tests.workflows.test_deadlines import SCHEDULE_2027

PAGE = "/studio/calendar"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


def _post(client: FlaskClient, **fields: str) -> Any:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).get_data(as_text=True))
    assert token
    return client.post(PAGE, data={"csrf_token": token.group(1), "year": "2027", **fields})


def _schedule_fields() -> dict[str, str]:
    return {
        "holidays": "\n".join(d.isoformat() for d in sorted(SCHEDULE_2027.holidays)),
        "workdays": ", ".join(d.isoformat() for d in sorted(SCHEDULE_2027.workdays)),
        "source": "国办发明电〔2026〕7号",
    }


def _stored(app: Flask) -> list[int]:
    with app.app_context(), session_scope(app) as session:
        return [row.year for row in session.query(CalendarYear)]


def test_page_lists_each_year_with_its_source(app: Flask) -> None:
    html = signed_in_client(app, "process_owner").get(PAGE).get_data(as_text=True)
    sources = dict(re.findall(r'data-source="(\w+)" data-first="(\d+)"', html))
    assert sources["package"] < "2027"
    assert sources["provisional"] == "2027"
    assert "暂定" in html
    assert signed_in_client(app, "admin").get(PAGE).status_code == 200
    assert signed_in_client(app, "officer1").get(PAGE).status_code == 403


def test_the_sources_and_their_details_follow_the_page_language(app: Flask) -> None:
    client = signed_in_client(app, "process_owner")
    chinese = client.get(PAGE).get_data(as_text=True)
    assert "仅周末与法定节假日，未含调休" in chinese
    assert "官方数据包" in chinese
    assert "weekends" not in chinese.lower()
    token = re.search(r'name="csrf_token" value="([^"]+)"', chinese)
    assert token
    client.post("/lang", data={"lang": "en", "csrf_token": token.group(1), "next": PAGE})
    english = client.get(PAGE).get_data(as_text=True)
    assert "Weekends and statutory holidays only" in english
    assert "Official package" in english
    assert "仅周末" not in english


def test_preview_shows_the_deadlines_that_move_and_stores_nothing(app: Flask, login: Any) -> None:
    instance_id, _tasks = served(app, login)
    client = signed_in_client(app, "process_owner")
    preview = _post(client, action="preview", **_schedule_fields())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-dry-run="yes"' in html
    assert re.search(rf'<tr data-case="{instance_id}" data-step="\w+"', html)
    assert 'id="zf-calendar-save"' in html
    assert _stored(app) == []
    saved = _post(client, action="save", **_schedule_fields())
    assert 'data-dry-run="no"' in saved.get_data(as_text=True)
    assert _stored(app) == [2027]
    after = client.get(PAGE).get_data(as_text=True)
    assert re.search(r'data-source="entered" data-first="2027"', after)
    events = login("auditor").get(f"/process-instances/{instance_id}/events").json["items"]
    assert "deadlines_recomputed" in [e["kind"] for e in events]


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"holidays": "2026-10-01"}, "不属于 2027 年"),
        ({"holidays": "2027-01-01\n2027-10-09", "workdays": "2027-10-09"}, "既是放假日又是上班日"),
        ({"holidays": "2027-01-01"}, "是法定节假日，必须放假"),
        ({"holidays": "2027-13-01"}, "不是日期"),
        ({"holidays": "2027-10-07~2027-10-01"}, "不是日期"),
    ],
)
def test_a_bad_schedule_is_refused_with_the_reason_and_nothing_stored(
    app: Flask, fields: dict[str, str], shown: str
) -> None:
    response = _post(signed_in_client(app, "process_owner"), action="save", **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert shown in html
    assert "Traceback" not in html
    assert _stored(app) == []


def test_a_range_enters_every_day_of_it(app: Flask) -> None:
    fields = _schedule_fields()
    october = [d for d in sorted(SCHEDULE_2027.holidays) if d.month == 10]
    fields["holidays"] = "\n".join(
        [d.isoformat() for d in sorted(SCHEDULE_2027.holidays) if d.month != 10]
        + [f"{october[0].isoformat()}~{october[-1].isoformat()}"]
    )
    response = _post(signed_in_client(app, "process_owner"), action="preview", **fields)
    assert response.status_code == 200, re.findall(r'role="alert"[^<]*<', response.get_data(as_text=True))
