"""penalty_procedure over HTTP, paths (e) and (f), on the real dates of the engine-level tests.

The plan and the walker are in bureau_paths.py; these paths keep their 2025 dates because they check
calendar facts (National Day 2025, Qingming 2026).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask

from tests.bpmn import steps_penalty as penalty
from tests.service import test_api_bureau
from tests.service.bureau_paths import (
    Plan,
    assert_due,
    pass_review,
    publicity_started_once,
    start,
    timers_fired,
    walk_to,
    walk_to_the_end,
)
from tests.service.bureau_walk import BureauWalk

app = test_api_bureau.app  # the fixture: the service with the bureau's own forms, one user per role
HEARING_REFUSAL = {"hearing_refusal_notice_no": "听不〔2025〕1号", "hearing_refusal_reason": "逾期申请"}
UNPAID = {"payment_status": "unpaid", "remedy_proceedings": []}


# -- (e) 告知送达后第5个工作日申请听证（举行）与第6个工作日申请（不予受理） --------------------------------


def hearing_requested(p: Plan, requested_on: date) -> None:
    """Notice served Thursday 2025-09-25; the request is recorded on 10-10 with its own date."""
    penalty.report(p, on=date(2025, 9, 15))
    penalty.give_notice(p, date(2025, 9, 25))
    penalty.respond(p, date(2025, 10, 10), requested_on=requested_on)


def hold_hearing(p: Plan) -> None:
    """The first host named investigated the case; the first hearing date is too early; both redone."""
    investigator = {"hearing_host_name": "李四", "hearing_host_cert_no": "31140001"}
    independent = {"hearing_host_name": "赵六", "hearing_host_cert_no": "31140009"}
    for host in (investigator, independent):
        penalty.complete(p, "appoint_hearing_host", penalty.HOST | host)
    notice = penalty.HEARING_NOTICE | {"hearing_notice_served_on": date(2025, 10, 10)}
    for hearing_date in (date(2025, 10, 17), date(2025, 10, 20)):
        penalty.complete(p, "notify_hearing", notice | {"hearing_date": hearing_date})
    held = penalty.HEARING_RECORD | {"hearing_held_on": date(2025, 10, 20)}
    penalty.complete(p, "hold_hearing", held, on=date(2025, 10, 20))
    report = penalty.HEARING_REPORT | {
        "proposed_fine": penalty.FINE,
        "hearing_reported_on": date(2025, 10, 20),
    }
    penalty.complete(p, "write_hearing_report", report)


def hearing_held(p: Plan) -> None:
    """The hearing is held on 10-20; decided 10-24, served 10-27, paid 11-10."""
    hold_hearing(p)
    pass_review(p, date(2025, 10, 22), penalty.FINE)
    penalty.decide_and_serve(p, date(2025, 10, 24), date(2025, 10, 27))
    penalty.pay(p, "record_payment", date(2025, 11, 10))


def hearing_refused(p: Plan) -> None:
    """The late request is refused on Saturday 10-11 (a 调休 working day); decided 10-20, paid 10-30."""
    refusal = HEARING_REFUSAL | {"hearing_refusal_served_on": date(2025, 10, 11)}
    penalty.complete(p, "refuse_hearing_request", refusal, on=date(2025, 10, 11))
    pass_review(p, date(2025, 10, 15), penalty.FINE)
    penalty.decide_and_serve(p, date(2025, 10, 20), date(2025, 10, 21))
    penalty.pay(p, "record_payment", date(2025, 10, 30))


def walk_hearing_case(
    app: Flask, login: Any, requested_on: date, rest: Callable[[Plan], None]
) -> tuple[BureauWalk, dict[str, Any]]:
    """Filed 2025-08-01, notice served 2025-09-25, the request dated `requested_on`; then `rest`."""
    filed = penalty.START | {"filed_on": date(2025, 8, 1)}
    penalty_id = start(app, login, "penalty_procedure", filed, penalty.at(date(2025, 8, 11)))
    p = Plan("penalty_procedure", penalty.at(date(2025, 8, 11)))
    hearing_requested(p, requested_on)
    rest(p)
    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, penalty_id)
    # 09-26, Sunday 09-28 (调休), 09-29, 09-30, then 10-09 after the National Day holiday (10-01..08).
    assert body["data"]["hearing_window_ends_on"] == "2025-10-09"
    assert body["data"]["execution_status"] == "paid"
    return walk, body


def test_e_hearing_requested_on_the_fifth_working_day_is_held(app: Flask, login: Any) -> None:
    walk, body = walk_hearing_case(app, login, date(2025, 10, 9), hearing_held)
    data = body["data"]
    assert (data["hearing_request_in_time"], data["hearing_status"]) == (True, "held")
    # 7 working days' notice from 10-10: Saturday 10-11 works, so the earliest date is 10-20.
    assert (data["hearing_host_eligible"], data["hearing_earliest_date"]) == (True, "2025-10-20")
    due = {"record_party_response": ["2025-10-09"], "hold_hearing": ["2025-10-20"]}
    assert_due(walk, due | {"record_payment": ["2025-11-11"]})
    publicity_started_once(walk, body)


def test_e_hearing_requested_on_the_sixth_working_day_is_refused_and_waived(app: Flask, login: Any) -> None:
    walk, body = walk_hearing_case(app, login, date(2025, 10, 10), hearing_refused)
    data = body["data"]
    assert (data["hearing_request_in_time"], data["hearing_status"]) == (False, "waived")
    assert_due(walk, {"record_party_response": ["2025-10-09"], "record_payment": ["2025-11-05"]})
    publicity_started_once(walk, body)


# -- (f) 逾期不缴 → 加处罚款 → 催告 → 申请法院强制执行 -------------------------------------------------------


def served_and_left_unpaid(p: Plan) -> None:
    """Waived hearing, decided 2025-09-10, served 09-16; nothing is paid by 10-09."""
    penalty.report(p)
    penalty.give_notice(p, date(2025, 8, 18))
    penalty.respond(p, date(2025, 8, 26))
    pass_review(p, date(2025, 9, 5), penalty.FINE)
    penalty.decide_and_serve(p, date(2025, 9, 10), date(2025, 9, 16))
    p.wait_out("record_payment", penalty.at(date(2025, 10, 10), 0))


def remind_and_apply_to_court(p: Plan) -> None:
    """Checked too early on 12-01, then after the remedy periods; 催告 on 03-27; court on 04-15."""
    penalty.complete(p, "monitor_unpaid_fine", UNPAID, on=date(2025, 12, 1))
    penalty.complete(p, "monitor_unpaid_fine", UNPAID, on=date(2026, 3, 17))
    reminder = {"reminder_served_on": date(2026, 3, 27), "reminder_performance_due": date(2026, 4, 13)}
    penalty.complete(p, "serve_payment_reminder", penalty.REMINDER | reminder, on=date(2026, 3, 27))
    outcome = {"payment_status": "unpaid", "reminder_statement_made": False}
    penalty.complete(p, "record_reminder_outcome", outcome, on=date(2026, 4, 14))
    application = penalty.COURT_APPLICATION | {
        "court_applied_on": date(2026, 4, 15),
        "application_materials": ["att"],
    }
    penalty.complete(p, "draft_court_application", application, on=date(2026, 4, 15))
    signed = {"court_application_approval": "approve", "court_application_signed_on": date(2026, 4, 15)}
    penalty.complete(p, "sign_court_application", signed)
    ruling = penalty.COURT_RULING | {"court_accepted_on": date(2026, 4, 20)}
    penalty.complete(p, "record_court_ruling", ruling, on=date(2026, 4, 27))


def test_f_unpaid_fine_carries_a_surcharge_then_reminder_and_court_enforcement(
    app: Flask,
    login: Any,
) -> None:
    penalty_id = start(app, login, "penalty_procedure", penalty.START, penalty.at(date(2025, 8, 11)))
    p = Plan("penalty_procedure", penalty.at(date(2025, 8, 11)))
    served_and_left_unpaid(p)
    remind_and_apply_to_court(p)

    walk = p.walk(app, login)
    data = walk_to(walk, penalty_id, "serve_payment_reminder")["data"]
    assert (data["served_on"], data["payment_due_on"], data["paid_on"]) == ("2025-09-16", "2025-10-09", None)
    # 159 days late on 2026-03-17: 3 % a day would be 95,400 yuan, capped at the fine.
    assert data["surcharge_days"] == 159
    assert Decimal(data["surcharge_amount"]) == Decimal(data["fine_amount"]) == penalty.FINE
    assert Decimal(data["reminder_amount"]) == Decimal("40000")
    body = walk_to_the_end(p, walk, penalty_id)
    data = body["data"]
    # The final surcharge counts up to the court application: 188 days, still capped at the fine.
    assert (data["surcharge_days"], data["court_applied_on"]) == (188, "2026-04-15")
    assert (data["reminder_no"], data["court_application_no"]) == (
        "嘉城管催告〔2026〕0001号",
        "嘉城管强执申〔2026〕0001号",
    )
    assert data["execution_status"] == "court_enforcement_applied"
    assert_due(
        walk,
        {
            "decide_penalty": ["2025-09-29"],  # filed 2025-07-01 + 90 days
            "serve_decision": ["2025-09-19"],  # 7 working days after deciding
            "monitor_unpaid_fine": ["2026-03-16", "2026-03-16"],  # 6 months after service
            "draft_court_application": ["2026-06-16"],  # 3 months after the remedy periods
        },
    )
    assert timers_fired(walk, penalty_id) == [
        ("timer_payment_due", "2025-10-09T23:59:59+08:00"),  # 09-16 + 15 days, out of the holiday
        ("timer_remedy_periods", "2026-03-16T23:59:59+08:00"),
        ("timer_reminder_period", "2026-04-13T23:59:59+08:00"),  # 10 working days, Qingming skipped
    ]
    publicity_started_once(walk, body)
