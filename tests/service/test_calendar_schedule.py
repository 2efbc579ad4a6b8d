"""Entering a year's holiday schedule: validation, dry run, flags for deadlines that moved before now,
and every app process switching to it (issue 6)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service import create_app
from service.cli import main
from service.db import session_scope
from service.errors import Invalid
from service.models import CalendarYear
from service.operations import calendar as calendar_ops
from service.operations.audit import Actor
from service.operations.calendar_sync import sync_calendar
from service.runtime import get_runtime
from tests.conftest import DATA, deploy_dir
from tests.workflows.test_deadlines import SCHEDULE_2027
from workflows import CHINA_TZ
from workflows.workcalendar import YearSource

ADMIN = Actor("admin", "admin", None)
SERVED_AT = "2027-02-03T10:00:00+08:00"


def served(app: Flask, login: Any) -> tuple[int, dict[str, dict[str, Any]]]:
    """A notice_window case whose notice was served on 2027-02-03: its open tasks by BPMN id."""
    app.config["FIXED_NOW"] = SERVED_AT
    assert deploy_dir(login("process_owner"), DATA / "deadlines").status_code == 201
    officer = login("officer1")
    started = officer.post("/process-instances", json={"process_key": "notice_window"})
    assert started.status_code == 201, started.json
    (serve,) = started.json["tasks"]
    done = officer.post(f"/tasks/{serve['id']}/complete", json={"data": {"notice_served_on": "2027-02-03"}})
    assert done.status_code == 200, done.json
    return started.json["id"], {t["bpmn_id"]: t for t in done.json["tasks"]}


def enter(app: Flask, schedule: Any = SCHEDULE_2027, **options: Any) -> calendar_ops.ScheduleEffect:
    with app.app_context(), session_scope(app) as session:
        effect = calendar_ops.set_year_schedule(
            session, schedule.year, schedule.holidays, schedule.workdays, ADMIN, **options
        )
        session.commit()
        return effect


def day_of(instant: str) -> date:
    return datetime.fromisoformat(instant).astimezone(CHINA_TZ).date()


def test_tasks_json_marks_the_provisional_due_dates_and_names_the_legal_basis(app: Flask, login: Any) -> None:
    _, tasks = served(app, login)
    response, publish = tasks["record_response"], tasks["publish_notice"]
    assert (day_of(response["due_at"]), response["due_provisional"]) == (date(2027, 2, 19), True)
    assert response["legal_basis"] == "《行政处罚法》第六十四条"
    assert (day_of(publish["due_at"]), publish["due_provisional"], publish["legal_basis"]) == (
        date(2027, 2, 16),
        True,
        None,
    )
    assert response["deadline_moved_earlier"] is False


def test_a_dry_run_reports_the_effect_and_changes_nothing(app: Flask, login: Any) -> None:
    case_id, tasks = served(app, login)
    auditor = login("auditor")
    history = auditor.get(f"/process-instances/{case_id}/events").json["items"]
    effect = enter(app, dry_run=True, now=datetime.fromisoformat("2027-02-10T10:00:00+08:00"))
    assert (effect.cases_checked, effect.cases_changed) == (1, 1)
    assert {(m.change.bpmn_id, m.days) for m in effect.moved} == {
        ("record_response", -2),
        ("timer_window", -2),
        ("publish_notice", +3),
    }
    assert auditor.get(f"/process-instances/{case_id}/events").json["items"] == history
    after = {t["bpmn_id"]: t for t in auditor.get(f"/process-instances/{case_id}").json["tasks"]}
    assert {b: (t["due_at"], t["due_provisional"]) for b, t in after.items()} == {
        b: (t["due_at"], True) for b, t in tasks.items()
    }
    with app.app_context(), session_scope(app) as session:
        assert session.get(CalendarYear, 2027) is None
        sync_calendar(session)
        assert get_runtime().engine.calendar.source(2027) is YearSource.PROVISIONAL


def test_a_deadline_moved_before_now_is_flagged_to_the_holder_and_the_leader(app: Flask, login: Any) -> None:
    case_id, tasks = served(app, login)
    officer = login("officer1")
    assert officer.post(f"/tasks/{tasks['record_response']['id']}/claim").status_code == 200
    now = datetime.fromisoformat("2027-02-18T10:00:00+08:00")  # the right now ends on 02-17
    app.config["FIXED_NOW"] = now.isoformat()
    effect = enter(app, now=now, source="国办发明电〔2026〕测试")
    assert [m.holder for m in effect.moved if m.before_now and m.change.kind == "task"] == ["officer1"]
    inbox = {t["bpmn_id"]: t for t in officer.get("/tasks?mine=1").json["items"]}
    assert (
        day_of(inbox["record_response"]["due_at"]),
        inbox["record_response"]["deadline_moved_earlier"],
    ) == (
        date(2027, 2, 17),
        True,
    )
    assert inbox["record_response"]["id"] in {t["id"] for t in officer.get("/tasks?overdue=1").json["items"]}
    history = login("auditor").get(f"/process-instances/{case_id}/events").json["items"]
    (flag,) = [e for e in history if e["kind"] == "deadline_moved_earlier"]
    assert (flag["task_bpmn_id"], flag["actor"], flag["data"]["notify"]) == (
        "record_response",
        "admin",
        ["officer1", "squad_leader"],
    )
    case = {t["bpmn_id"]: t for t in login("auditor").get(f"/process-instances/{case_id}").json["tasks"]}
    assert (day_of(case["publish_notice"]["due_at"]), case["publish_notice"]["deadline_moved_earlier"]) == (
        date(2027, 2, 19),  # the duty moved later: nothing to flag
        False,
    )
    assert login("auditor").get("/audit/verify").json["ok"] is True


def test_another_app_process_switches_to_the_entered_schedule_on_its_next_step(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "ATTACHMENT_DIR": str(tmp_path),
        }
    )
    try:
        with other.app_context(), session_scope(other) as session:
            sync_calendar(session)
            assert get_runtime().engine.calendar.source(2027) is YearSource.PROVISIONAL
        enter(app)
        with other.app_context(), session_scope(other) as session:
            sync_calendar(session)
            calendar = get_runtime().engine.calendar
            assert calendar.source(2027) is YearSource.ENTERED
            assert not calendar.is_workday(date(2027, 2, 12))
            assert calendar.is_workday(date(2027, 2, 14))  # the test schedule's 调休 Sunday
    finally:
        other.extensions["zhifa.engine"].dispose()


@pytest.mark.parametrize(
    ("holidays", "workdays", "problem"),
    [
        (SCHEDULE_2027.holidays - {date(2027, 2, 5)}, SCHEDULE_2027.workdays, "2027-02-05（春节）"),
        (SCHEDULE_2027.holidays | {date(2026, 12, 31)}, SCHEDULE_2027.workdays, "2026-12-31 不属于 2027 年"),
        (
            SCHEDULE_2027.holidays,
            SCHEDULE_2027.workdays | {date(2027, 2, 12)},
            "2027-02-12 既是放假日又是上班日",
        ),
    ],
)
def test_a_schedule_that_misses_a_statutory_holiday_or_leaves_its_year_is_refused(
    app: Flask, holidays: frozenset[date], workdays: frozenset[date], problem: str
) -> None:
    with app.app_context(), session_scope(app) as session, pytest.raises(Invalid) as refused:
        calendar_ops.set_year_schedule(session, 2027, holidays, workdays, ADMIN)
    assert any(problem in p for p in refused.value.details["schedule"]), refused.value.details


def test_a_year_the_package_covers_cannot_be_entered(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session, pytest.raises(Invalid) as refused:
        calendar_ops.set_year_schedule(session, 2026, [date(2026, 1, 1)], [], ADMIN)
    assert "chinesecalendar" in refused.value.details["schedule"][0]


def test_cli_lists_the_years_and_refuses_a_bad_schedule_file(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    shown = runner.invoke(main, ["calendar", "show"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith("2004-2026  package      chinesecalendar 1.")
    assert lines[1].startswith("2027-2031  provisional  weekends + statutory holidays only")
    bad = tmp_path / "2027.yaml"
    bad.write_text("holidays: [2027-01-01]\nworkdays: []\n", encoding="utf-8")
    refused = runner.invoke(main, ["calendar", "set-year", "2027", str(bad)])
    assert refused.exit_code == 1
    assert "2027-02-05（春节）是法定节假日" in refused.output
    with app.app_context(), session_scope(app) as session:
        assert session.get(CalendarYear, 2027) is None
