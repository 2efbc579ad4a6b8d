"""行政处罚法第六十条 over HTTP on the real clock: a case filed today gets its 90-day decision limit,
the latest penalty start and the warning before it; an extension of the rectification deadline past
that start goes up as an extension of the case's own time limit (case_time_limit_extension.dmn) and,
approved, moves both dates, and the penalty procedure's decision task is then due on the extended date.
No date is pinned: the walk runs on today's date, whatever it is."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask

from service.jsonsafe import to_json_value
from tests.bpmn import steps_case as case
from tests.bpmn import steps_penalty as penalty
from tests.conftest import deploy_dir
from tests.service import bureau_paths as paths
from tests.service import test_calendar_walk as real_clock
from workflows import CHINA_TZ

app = real_clock.app  # the fixture: the service with the bureau's forms and no pinned clock
NEW_DEADLINE_DAYS = 60  # past the latest penalty start (45 days after filing), within 45 + 30


def plan_to_the_extension() -> paths.Plan:
    """Path (b) to the order (deadline six weeks on), then an extension asked for and approved."""
    p = paths.Plan("load_bearing_case", case.at(date(2025, 9, 26)))
    paths.discover_with_reporter(p)
    case.file_case(p, date(2025, 10, 22), date(2025, 10, 23))
    case.interview(p, case.at(date(2025, 10, 24), 9), more=False)
    case.list_evidence(p, date(2025, 10, 24))
    case.order_correction(p, date(2025, 10, 27), date(2025, 10, 28), deadline=date(2025, 11, 28))
    case.follow_up(p, case.at(date(2025, 11, 14), 10), "in_progress", extension_until=date(2025, 12, 20))
    approval = {
        "rect_extension_decision": "approve",
        "rect_extension_new_deadline": date(2025, 12, 20),
        "rect_extension_decided_on": date(2025, 11, 14),
    }
    case.fill(p, "approve_extension", approval, case.at(date(2025, 11, 14), 11))
    deputy = {
        "rect_extension_deputy_decision": "approve",
        "rect_extension_deputy_decided_on": date(2025, 11, 14),
    }
    case.fill(p, "approve_extension_deputy", deputy, case.at(date(2025, 11, 14), 15))
    return p


def plan_to_the_decision_task() -> paths.Plan:
    """After the extension: restored, fined, the rights waived and the review passed."""
    p = plan_to_the_extension()
    case.follow_up(p, case.at(date(2025, 12, 15), 10), "completed")
    case.state_discretion_factors(p, date(2025, 12, 16))
    penalty.report(p, fine=Decimal("25000"), on=date(2025, 12, 16))
    case.report_repair(p, date(2025, 12, 16))
    penalty.give_notice(p, date(2025, 12, 17))
    case.accept(p, case.at(date(2025, 12, 17), 14))
    waived = {"statement_made": False, "hearing_requested": False, "rights_waived_in_writing": True}
    penalty.complete(p, "record_party_response", waived, on=date(2025, 12, 18))
    paths.pass_review(p, date(2025, 12, 19), Decimal("25000"))
    return p


def answers_for_today(p: paths.Plan) -> dict[str, list[Any]]:
    today = real_clock.today()
    later = (today + timedelta(days=NEW_DEADLINE_DAYS)).isoformat()
    answers = {b: [real_clock.moved_to_today(a) for a in items] for b, items in p.answers.items()}
    for item in answers["record_followup"]:
        item["rect_extension_until"] = later
    for item in answers["approve_extension"]:
        item["rect_extension_new_deadline"] = later
    return answers


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def test_a_case_filed_today_is_warned_before_the_latest_penalty_start_and_an_extension_moves_the_90_days(
    app: Flask, login: Any
) -> None:
    today = real_clock.today()
    assert deploy_dir(login("process_owner"), paths.BPMN).status_code == 201
    lead = real_clock.moved_to_today(to_json_value(case.lead(case.at(today))))
    started = login("officer1").post(
        "/process-instances", json={"process_key": "load_bearing_case", "data": lead}
    )
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    walk = real_clock.RealClockWalk(app, login, answers_for_today(plan_to_the_decision_task()))
    walk.run(advance_time=False, until=lambda: "record_followup" in [b for _, b, _ in walk.steps])

    body = walk.instance(case_id)
    data = body["data"]
    latest = today + timedelta(days=45)
    assert (data["filed_on"], data["decision_due_on"]) == (
        today.isoformat(),
        (today + timedelta(days=90)).isoformat(),
    )
    assert data["rectification_latest_on"] == latest.isoformat()
    timers = {t["bpmn_id"]: t for t in body["timers"]}
    warning = timers["timer_case_clock_warning"]
    assert datetime.fromisoformat(warning["due_at"]) == end_of(
        latest - timedelta(days=11)
    )  # as day 35 begins
    assert warning["legal_basis"] == "《中华人民共和国行政处罚法》第六十条"

    walk.run(advance_time=False, until=lambda: "approve_extension" in [b for _, b, _ in walk.steps])
    (deputy,) = [t for t in walk.instance(case_id)["tasks"] if t["bpmn_id"] == "approve_extension_deputy"]
    assert (deputy["role"], deputy["legal_basis"]) == ("deputy_head", "《中华人民共和国行政处罚法》第六十条")
    walk.run(advance_time=False, until=lambda: "approve_extension_deputy" in [b for _, b, _ in walk.steps])

    data = walk.instance(case_id)["data"]
    assert data["decision_due_on"] == (today + timedelta(days=120)).isoformat()
    assert data["rectification_latest_on"] == (today + timedelta(days=75)).isoformat()
    assert data["rectification_deadline"] == (today + timedelta(days=NEW_DEADLINE_DAYS)).isoformat()
    assert [(c["kind"], c["days"]) for c in data["time_limit_changes"]] == [("extension", 30)]

    # The penalty procedure the case calls keeps the extended limit: its decision task is due then.
    def decision_open() -> bool:
        return "decide_penalty" in [t["bpmn_id"] for t in walk.instance(case_id)["tasks"]]

    walk.run(advance_time=False, until=decision_open)
    (decision,) = [t for t in walk.instance(case_id)["tasks"] if t["bpmn_id"] == "decide_penalty"]
    assert datetime.fromisoformat(decision["due_at"]) == end_of(today + timedelta(days=120))
    assert "延长" in decision["legal_basis"]
    timers = {t["bpmn_id"]: t for t in walk.instance(case_id)["timers"]}
    assert datetime.fromisoformat(timers["timer_decision_deadline"]["due_at"]) == end_of(
        today + timedelta(days=120)
    )
    assert walk.auditor.get("/audit/verify").json["ok"] is True
