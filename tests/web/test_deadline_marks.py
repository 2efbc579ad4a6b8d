"""Deadlines on the pages over the unpublished year (issue 6 item 3 and 4): a provisional due date
carries 暂定 until the year's schedule is entered; a deadline the schedule moved to before now carries
期限已提前 for its holder; the recomputation is in the case's history."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask

from tests.service.test_calendar_schedule import enter, served
from tests.web.conftest import signed_in_client


def _row(page: str, task_id: str) -> str:
    match = re.search(rf'<tr id="task-{task_id}".*?</tr>', page, re.DOTALL)
    assert match, task_id
    return match.group(0)


def test_provisional_marks_go_and_a_deadline_moved_earlier_is_marked(app: Flask, login: Any) -> None:
    case_id, tasks = served(app, login)  # a notice served on 2027-02-03: deadlines in provisional 2027
    response = tasks["record_response"]
    assert login("officer1").post(f"/tasks/{response['id']}/claim").status_code == 200
    officer = signed_in_client(app, "officer1")
    row = _row(officer.get("/inbox").get_data(as_text=True), response["id"])
    assert re.search(r'data-testid="provisional"[^>]*title="暂定：2027 年的节假日安排尚未公布', row)
    assert 'data-testid="moved-earlier"' not in row
    page = officer.get(f"/tasks/{response['id']}").get_data(as_text=True)
    assert page.count('data-testid="provisional"') == 1

    now = datetime.fromisoformat("2027-02-18T10:00:00+08:00")  # the party's window now ends on 02-17
    app.config["FIXED_NOW"] = now.isoformat()
    enter(app, now=now)
    row = _row(officer.get("/inbox").get_data(as_text=True), response["id"])
    assert 'data-testid="provisional"' not in row  # the schedule is published now
    assert re.search(r'data-testid="moved-earlier"[^>]*>期限已提前<', row)
    task_page = officer.get(f"/tasks/{response['id']}").get_data(as_text=True)
    assert 'data-testid="moved-earlier"' in task_page
    case_page = signed_in_client(app, "squad_leader").get(f"/cases/{case_id}").get_data(as_text=True)
    deadlines = case_page[
        case_page.index('data-testid="deadlines"') : case_page.index('data-testid="history"')
    ]
    assert deadlines.count('data-testid="moved-earlier"') == 1  # the task; its timer moved with it
    assert 'data-testid="provisional"' not in deadlines
    history = case_page[case_page.index('data-testid="history"') :]
    assert "期限按公布的节假日安排重算" in history
    assert "期限已提前" in history
