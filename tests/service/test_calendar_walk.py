"""Issue 6 over HTTP with the real clock: a case started today runs into the unpublished 2027
calendar, reaches its decision, and moves its pending deadlines when 2027's schedule is entered.

No date is pinned: the walk runs on today's date, whatever it is. The steps are the bureau's path (b)
(tests/service/test_api_path_load_bearing.py) with every date moved to today, the rectification deadline
six weeks ahead, the party waiving the hearing in writing, and the decision served by public notice
(公告送达: served 60 days later), so the decision's remedy and payment periods run into the next year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from flask import Flask

from service.cli import main
from service.jsonsafe import to_json_value
from tests.bpmn import steps_case as case
from tests.bpmn import steps_penalty as penalty
from tests.conftest import deploy_dir, make_test_app
from tests.service import bureau_paths as paths
from tests.service.bureau_walk import BureauWalk
from tests.service.walk import USER_OF_ROLE
from workflows import CHINA_TZ, WorkCalendar
from workflows.statutory import statutory_days_off

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's forms and no pinned clock."""
    app = make_test_app(database_url, tmp_path)
    yield app
    app.extensions["zhifa.engine"].dispose()


class RealClockWalk(BureauWalk):
    """The bureau walker on the real clock: each task is done now, no timer is fired."""

    @property
    def now(self) -> datetime:
        """The real current instant."""
        return datetime.now(UTC)


def today() -> date:
    return datetime.now(CHINA_TZ).date()


def moved_to_today(value: Any, key: str = "") -> Any:
    """An answer with every date made today and every instant a minute ago (the forms refuse the future)."""
    if isinstance(value, dict):
        return {k: moved_to_today(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [moved_to_today(v, key) for v in value]
    if key == "rectification_deadline":
        return (today() + timedelta(days=42)).isoformat()
    if isinstance(value, str) and _ISO_DATE.match(value):
        return today().isoformat()
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        return (datetime.now(CHINA_TZ) - timedelta(minutes=1)).isoformat(timespec="seconds")
    return value


def plan_to_the_decision() -> paths.Plan:
    """Path (b) up to the decision and its service by public notice, planned on any dates."""
    p = paths.Plan("load_bearing_case", case.at(date(2025, 9, 26)))
    paths.discover_with_reporter(p)
    paths.rectify_in_time(p)
    case.state_discretion_factors(p, date(2025, 11, 25))
    penalty.report(p, fine=Decimal("25000"), on=date(2025, 11, 26))
    case.report_repair(p, date(2025, 11, 26))
    penalty.give_notice(p, date(2025, 11, 27))
    case.accept(p, case.at(date(2025, 11, 27), 14))
    waived = {"statement_made": False, "hearing_requested": False, "rights_waived_in_writing": True}
    penalty.complete(p, "record_party_response", waived, on=date(2025, 11, 28))
    paths.pass_review(p, date(2025, 12, 8), Decimal("25000"))
    penalty.decide(p, date(2025, 12, 10))
    penalty.issue_decision(p, date(2025, 12, 10))
    penalty.serve(p, date(2025, 12, 11), method="public_notice")
    return p


def schedule_file(tmp_path: Path, year: int, extra_holidays: set[date]) -> Path:
    """A test schedule for `year`: the statutory weekdays off, plus `extra_holidays`; no 调休."""
    days = {d for d in statutory_days_off(year) if d.weekday() < 5} | extra_holidays
    path = tmp_path / f"schedule_{year}.yaml"
    path.write_text("holidays: [" + ", ".join(d.isoformat() for d in sorted(days)) + "]\nworkdays: []\n")
    return path


def test_a_case_started_today_reaches_its_decision_and_moves_with_the_entered_schedule(
    app: Flask, login: Any, tmp_path: Path
) -> None:
    p = plan_to_the_decision()
    answers = {bpmn_id: [moved_to_today(a) for a in items] for bpmn_id, items in p.answers.items()}
    assert deploy_dir(login("process_owner"), paths.BPMN).status_code == 201
    lead = moved_to_today(to_json_value(case.lead(case.at(today()))))
    started = login("officer1").post(
        "/process-instances", json={"process_key": "load_bearing_case", "data": lead}
    )
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    walk = RealClockWalk(app, login, answers)
    walk.run(advance_time=False, until=lambda: "serve_decision" in [b for _, b, _ in walk.steps])

    body = walk.instance(case_id)
    assert (body["data"]["decided_on"], body["data"]["decision_no"]) == (today().isoformat(), ANY)
    # Filing set the 90-day decision limit; its warning counts back over the next year's days.
    assert [t["due_at"] for t in walk.completed if t["bpmn_id"] == "decide_penalty"] != [None]
    # Served by public notice 60 days on, payable 15 days after that: a party's right in the next year.
    (payment,) = body["tasks"]
    (timer,) = body["timers"]
    due = datetime.fromisoformat(payment["due_at"]).astimezone(CHINA_TZ)
    if WorkCalendar().covers(due.year):
        pytest.skip(
            f"{due.year}'s schedule is published in the installed chinesecalendar: nothing is provisional"
        )
    assert (payment["bpmn_id"], payment["due_provisional"], body["provisional_deadlines"]) == (
        "record_payment",
        True,
        True,
    )
    assert (timer["bpmn_id"], timer["due_at"], timer["provisional"]) == (
        "timer_payment_due",
        payment["due_at"],
        True,
    )
    inbox = login(USER_OF_ROLE[payment["role"]]).get("/tasks").json["items"]
    assert [(t["id"], t["due_provisional"]) for t in inbox if t["instance_id"] == case_id] == [
        (payment["id"], True)
    ]
    (marked,) = [
        d
        for e in events(walk, case_id)
        if e["kind"] == "deadlines_set"
        for d in e["data"]["deadlines"]
        if d.get("task_id") == payment["id"]
    ]
    assert (datetime.fromisoformat(marked["due_at"]), marked["provisional"]) == (due, True)
    runner = app.test_cli_runner()
    listed = runner.invoke(main, ["timers", "list", "--provisional"])
    assert f"{due:%Y-%m-%d %H:%M}（暂定 provisional）  case {case_id}" in listed.output

    # The schedule arrives and makes the payment day a holiday: the right runs to the next working day.
    schedule = schedule_file(tmp_path, due.year, {due.date()})
    entered = runner.invoke(main, ["calendar", "set-year", str(due.year), str(schedule), "--by", "admin"])
    assert entered.exit_code == 0, entered.output
    assert f"case {case_id} task record_payment" in entered.output

    after = walk.instance(case_id)
    next_day = WorkCalendar().add_workdays(due.date(), 1, "party")  # provisional: no 调休 either way
    assert datetime.fromisoformat(after["tasks"][0]["due_at"]).astimezone(CHINA_TZ).date() == next_day
    assert (after["tasks"][0]["due_provisional"], after["timers"][0]["provisional"]) == (False, False)
    assert after["timers"][0]["due_at"] == after["tasks"][0]["due_at"]
    assert after["provisional_deadlines"] is False
    (recomputed,) = [e for e in events(walk, case_id) if e["kind"] == "deadlines_recomputed"]
    assert (recomputed["actor"], recomputed["data"]["year"]) == ("admin", due.year)
    shift = (next_day - due.date()).days
    assert {
        (c["kind"], c["bpmn_id"], datetime.fromisoformat(c["from"]), c["days"])
        for c in recomputed["data"]["changes"]
    } == {("task", "record_payment", due, shift), ("timer", "timer_payment_due", due, shift)}
    shown = runner.invoke(main, ["calendar", "show"]).output
    assert re.search(rf"^{due.year}\s+entered\s+admin ", shown, re.MULTILINE), shown
    assert walk.auditor.get("/audit/verify").json["ok"] is True


def events(walk: BureauWalk, instance_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = walk.auditor.get(f"/process-instances/{instance_id}/events").json["items"]
    return items
