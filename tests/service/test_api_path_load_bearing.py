"""load_bearing_case over HTTP, paths (b) and (c), on the real dates of the engine-level tests.

The plan and the walker are in bureau_paths.py (with (b)'s first two stages, which other walks reuse);
these paths keep their 2025 dates because they check calendar facts (National Day 2025, New Year 2026).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask

from tests.bpmn import steps_case as case
from tests.bpmn import steps_penalty as penalty
from tests.service import test_api_bureau
from tests.service.bureau_paths import (
    Plan,
    assert_due,
    discover_with_reporter,
    pass_review,
    publicity_started_once,
    rectify_in_time,
    start,
    timers_fired,
    walk_to_the_end,
)

app = test_api_bureau.app  # the fixture: the service with the bureau's own forms, one user per role
EXTENSION_APPROVAL = {
    "rect_extension_decision": "approve",
    "rect_extension_new_deadline": date(2026, 1, 9),
    "rect_extension_opinion": "同意延期",
}


# -- (b) 按期整改 → 放弃听证 → 审核通过 → 缴款 → 结案归档 ------------------------------------------------


def fine_after_the_hearing_window(p: Plan) -> None:
    """Fine of 25,000 yuan; nothing arrives by 12-04 (the timer closes the window); decided 12-10."""
    case.state_discretion_factors(p, date(2025, 11, 25))
    penalty.report(p, fine=Decimal("25000"), on=date(2025, 11, 26))
    case.report_repair(p, date(2025, 11, 26))
    penalty.give_notice(p, date(2025, 11, 27))
    case.accept(p, case.at(date(2025, 11, 27), 14))
    case.nothing_in_yet(p, date(2025, 11, 28), window_ends=date(2025, 12, 4))
    penalty.respond(p, date(2025, 12, 5))
    pass_review(p, date(2025, 12, 8), Decimal("25000"))
    penalty.decide(p, date(2025, 12, 10))
    penalty.issue_decision(p, date(2025, 12, 10))
    penalty.serve(p, date(2025, 12, 11))  # no credit push: the party restored in time
    penalty.pay(p, "record_payment", date(2025, 12, 15))


def test_b_party_who_rectifies_in_time_is_fined_pays_and_the_case_is_archived(
    app: Flask,
    login: Any,
) -> None:
    received = case.at(date(2025, 9, 26))
    case_id = start(app, login, "load_bearing_case", case.lead(received), received)
    p = Plan("load_bearing_case", received)
    discover_with_reporter(p)
    rectify_in_time(p)
    fine_after_the_hearing_window(p)
    days = [date(2025, 12, 16), date(2025, 12, 17), date(2025, 12, 18)]
    case.close_case(p, days, "penalty_executed", "已恢复原状并缴纳罚款")
    case.archive(p, date(2025, 12, 22))

    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, case_id)
    data = body["data"]
    assert data["case_no"] == "嘉城管立〔2025〕0001号"
    assert (data["filed_on"], data["decision_due_on"]) == ("2025-10-23", "2026-01-21")
    assert (data["rect_order_no"], data["assist_notice_no"]) == (
        "嘉城管责改〔2025〕0001号",
        "嘉城管协助〔2025〕0001号",
    )
    assert (data["rectification_outcome"], data["rectified_on"]) == ("rectified", "2025-11-24")
    assert (data["discretion"]["score"], data["aggravating"]) == (25, False)
    assert (data["hearing_window_ends_on"], data["hearing_status"]) == ("2025-12-04", "waived")
    assert (data["decision_no"], data["decided_on"]) == ("嘉城管罚决〔2025〕0001号", "2025-12-10")
    assert date.fromisoformat(data["decided_on"]) <= date.fromisoformat(data["decision_due_on"])
    assert (data["execution_status"], data["paid_on"]) == ("paid", "2025-12-15")
    assert (data["closure_reason"], data["restoration_status"]) == ("penalty_executed", "accepted")
    assert (data["annotation_status"], data["credit_record_status"]) == ("none", "none")
    assert_due(
        walk,
        {
            "assign_officers": ["2025-09-26"],  # the same day
            "inspect_site": ["2025-09-28"],  # the next working day: the 调休 Sunday
            "reply_reporter": ["2025-10-10"],  # 5 working days, skipping National Day 10-01..08
            "request_filing": ["2025-10-30"],
            "record_followup": ["2025-11-28", "2025-11-28"],
            "record_party_response": ["2025-12-04", "2025-12-04"],  # 5 working days (第六十四条)
            "decide_penalty": ["2026-01-21"],  # 90 days from filing (第六十条)
            "archive_case": ["2026-01-16"],  # 20 working days, New Year skipped
        },
    )
    assert timers_fired(walk, case_id) == [("timer_hearing_window", "2025-12-04T23:59:59+08:00")]
    publicity_started_once(walk, body)


# -- (c) 拒不整改 → 注记与失信 → 从重处罚 → 恢复验收 → 解除注记、信用修复 ---------------------------------


def refuse_entry_then_confirm(p: Plan) -> None:
    """First visit refused; the timer brings the next visit on 11-06; appraisal: 5.2 m², grade 2."""
    case.assign(p, case.at(date(2025, 11, 3), 11))
    case.inspect(p, case.at(date(2025, 11, 3), 14), entered=False)
    case.serve_talk_notice(p, date(2025, 11, 4))
    case.confirm_violation(p, case.at(date(2025, 11, 6), 10))
    case.file_and_order(p)


def extend_once(p: Plan) -> None:
    """The party asks for more time on 2025-12-15; the squad leader grants it up to 2026-01-09."""
    case.follow_up(p, case.at(date(2025, 12, 15), 10), "in_progress", extension_until=date(2026, 1, 9))
    approval = EXTENSION_APPROVAL | {"rect_extension_decided_on": date(2025, 12, 16)}
    case.fill(p, "approve_extension", approval, case.at(date(2025, 12, 16), 10))


def refuse_to_rectify(p: Plan) -> None:
    """Extended to 2026-01-09, then left undone: the deadline passes; the house is annotated."""
    extend_once(p)
    warning = {
        "case_escalation_action": "urged",
        "case_escalation_note": "督促复查",
        "case_escalated_on": date(2025, 12, 30),
    }
    case.fill(p, "warn_case_clock", warning, case.at(date(2025, 12, 30), 9))  # 10 days before 01-09
    p.wait_out("record_followup", case.at(date(2026, 1, 12), 10))
    case.inspect_at_deadline(p, case.at(date(2026, 1, 12), 10), "not_rectified")
    # No 失信 record: case_dishonesty_catalogue.dmn ships OFF until the bureau names the catalogue item.
    case.annotate_house(p, [date(2026, 1, d) for d in (12, 13, 14, 15, 20, 21)])


def heavier_fine_while_the_party_gives_in(p: Plan) -> None:
    """Fine of 70,000 yuan (refusal: aggravating); the first repair fails acceptance; paid 02-12."""
    case.state_discretion_factors(p, date(2026, 1, 22))
    penalty.report(p, fine=Decimal("70000"), on=date(2026, 1, 23))
    penalty.give_notice(p, date(2026, 1, 26))
    case.nothing_in_yet(p, date(2026, 1, 26), window_ends=date(2026, 2, 2))
    case.follow_restoration(p, case.at(date(2026, 1, 27), 11), "not_started")
    case.follow_restoration(p, case.at(date(2026, 2, 2), 9), "completed")
    case.report_repair(p, date(2026, 2, 2))
    case.accept(p, case.at(date(2026, 2, 2), 15), "failed", rework_deadline=date(2026, 3, 6))
    penalty.respond(p, date(2026, 2, 3))
    pass_review(p, date(2026, 2, 4), Decimal("70000"))
    penalty.decide_and_serve(p, date(2026, 2, 5), date(2026, 2, 6))
    penalty.pay(p, "record_payment", date(2026, 2, 12))


def repair_and_lift(p: Plan) -> None:
    """Restored and accepted; the annotation is lifted and the credit record repaired; closed."""
    case.follow_restoration(p, case.at(date(2026, 2, 27), 10), "completed")
    case.report_repair(p, date(2026, 2, 27))
    case.accept(p, case.at(date(2026, 3, 2), 10))
    case.lift_annotation(p, date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5))
    days = [date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13)]
    case.close_case(p, days, "penalty_executed", "处罚执行完毕，承重结构已恢复并验收合格")
    case.archive(p, date(2026, 3, 16))


def test_c_refusal_brings_annotation_credit_record_and_a_heavier_fine_all_lifted_after_repair(
    app: Flask,
    login: Any,
) -> None:
    received = case.at(date(2025, 11, 3), 10)
    case_id = start(app, login, "load_bearing_case", case.patrol_lead(), received)
    p = Plan("load_bearing_case", received)
    refuse_entry_then_confirm(p)
    refuse_to_rectify(p)
    heavier_fine_while_the_party_gives_in(p)
    repair_and_lift(p)

    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, case_id)
    data = body["data"]
    assert (data["entry_attempts"], data["decision_due_on"]) == (1, "2026-02-23")
    assert [e["new_deadline"] for e in data["extensions"]] == ["2026-01-09"]
    assert data["rectification_outcome"] == "refused"
    assert data["annotation_letter_no"] == "嘉城管注记函〔2026〕0001号"
    assert (data["discretion"]["score"], data["aggravating"]) == (70, True)
    assert (data["annotation_status"], data["credit_record_status"], data["restoration_status"]) == (
        "lifted",
        "not_applicable",
        "accepted",
    )
    assert (Decimal(data["fine_amount"]), data["execution_status"]) == (Decimal("70000"), "paid")
    assert data["decided_on"] == "2026-02-05" < data["decision_due_on"]
    assert_due(
        walk,
        {
            "inspect_site": ["2025-11-04", "2025-11-06"],
            "approve_extension": ["2025-12-26"],  # before the running deadline
            "record_overdue_inspection": ["2026-01-13"],
            "record_discretion_factors": ["2026-01-09"],  # overdue when done; the 90 days still hold
            "record_party_response": ["2026-02-02", "2026-02-02"],
            "record_restoration_followup": ["2026-02-11", "2026-02-11", "2026-03-06"],  # from the outcome
            "archive_case": ["2026-04-13"],  # Qingming Monday 04-06 skipped
        },
    )
    assert timers_fired(walk, case_id) == [
        ("timer_entry_retry", "2025-11-06T00:00:00+08:00"),  # 2 working days after the talk notice
        ("timer_case_clock_warning", "2025-12-29T23:59:59+08:00"),  # 10 days before the latest penalty start
        ("timer_rectification_deadline", "2026-01-09T23:59:59+08:00"),  # the extended deadline
        ("timer_hearing_window", "2026-02-02T23:59:59+08:00"),
    ]
    publicity_started_once(walk, body)
