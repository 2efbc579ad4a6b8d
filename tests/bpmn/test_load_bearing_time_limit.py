"""损坏房屋承重结构 (`load_bearing_case`): the case clock from 立案 (行政处罚法第六十条).

Filed on 2025-11-25: the decision is due 2026-02-23 and, with 45 days kept for the penalty procedure
(case_load_bearing_settings.dmn), the penalty must start by 2026-01-09; the squad leader is warned ten
days before. A rectification deadline may not pass that date unless the case's own time limit is
extended, once, by the rule of case_time_limit_extension.dmn (30 days, approved by the deputy head).
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import (
    accept,
    archive,
    assign,
    at,
    close_case,
    confirm_violation,
    end_of,
    extend_once,
    file_case,
    filed_and_ordered,
    fill,
    follow_up,
    interview,
    list_evidence,
    order_correction,
    patrol_lead,
    receive,
    report_repair,
    warn_the_officer,
)
from tests.bpmn.steps_complaint import send
from tests.workflows.scenario import Scenario
from workflows import InstanceStatus


def ask_for_extension(s: Scenario, until: date, decided: date) -> None:
    follow_up(s, at(decided, 9), "in_progress", extension_until=until)
    approval = {
        "rect_extension_decision": "approve",
        "rect_extension_new_deadline": until,
        "rect_extension_decided_on": decided,
    }
    fill(s, "approve_extension", approval, at(decided, 10))


def test_the_squad_leader_is_warned_before_the_latest_penalty_start_while_the_outcome_is_open() -> None:
    s = filed_and_ordered()
    extend_once(s)  # the order's deadline, 12-26, moves to the latest penalty start, 01-09
    assert (s.data["decision_due_on"], s.data["rectification_latest_on"]) == (
        date(2026, 2, 23),
        date(2026, 1, 9),
    )
    assert s.data["case_clock_warning_on"] == date(2025, 12, 30)
    timers = {t.bpmn_id: t for t in s.instance.timers()}
    assert timers["timer_case_clock_warning"].due_at == end_of(date(2025, 12, 29))  # as 12-30 begins
    assert timers["timer_case_clock_warning"].legal_basis == "《中华人民共和国行政处罚法》第六十条"
    assert s.advance_to(at(date(2025, 12, 29), 23, 59)) == []
    assert s.advance_to(end_of(date(2025, 12, 29))) == ["timer_case_clock_warning"]
    assert "record_followup" in s.open()  # a warning, not an interruption: the officer keeps the follow-up
    warn_the_officer(s, date(2025, 12, 30))
    assert s.data["case_escalation_action"] == "urged"


def test_no_warning_when_the_outcome_is_known_in_good_time() -> None:
    s = filed_and_ordered()
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    assert "record_discretion_factors" in s.open()
    assert "timer_case_clock_warning" not in {t.bpmn_id for t in s.instance.timers()}


def test_an_approved_extension_of_the_case_time_limit_moves_the_90_days_and_the_latest_start_once() -> None:
    s = filed_and_ordered()
    ask_for_extension(s, until=date(2026, 1, 20), decided=date(2025, 12, 16))
    deputy = s.task("approve_extension_deputy")
    assert (deputy.role, deputy.legal_basis) == ("deputy_head", "《中华人民共和国行政处罚法》第六十条")
    decision = {
        "rect_extension_deputy_decision": "approve",
        "rect_extension_deputy_decided_on": date(2025, 12, 17),
    }
    fill(s, "approve_extension_deputy", decision, at(date(2025, 12, 17), 10))
    assert (s.data["decision_due_on"], s.data["rectification_latest_on"]) == (
        date(2026, 3, 25),
        date(2026, 2, 8),
    )
    (change,) = s.data["time_limit_changes"]
    assert (change["kind"], change["days"], change["previous_decision_due_on"]) == (
        "extension",
        30,
        date(2026, 2, 23),
    )
    assert s.task("record_followup").due_at == end_of(date(2026, 1, 20))
    # A second extension past the (moved) latest start is refused without going up: one extension per case.
    ask_for_extension(s, until=date(2026, 2, 20), decided=date(2026, 1, 5))
    assert "approve_extension_deputy" not in s.open()
    assert s.task("record_followup").due_at == end_of(date(2026, 1, 20))
    assert s.data["decision_due_on"] == date(2026, 3, 25)


def test_an_extension_beyond_what_the_rule_allows_is_refused_and_the_deadline_stays() -> None:
    s = filed_and_ordered()
    ask_for_extension(s, until=date(2026, 2, 9), decided=date(2025, 12, 16))  # latest 01-09 + 30 = 02-08
    assert "approve_extension_deputy" not in s.open()
    assert s.task("record_followup").due_at == end_of(date(2025, 12, 26))
    assert (s.data["extensions"], s.data["time_limit_changes"]) == ([], [])


def test_an_order_whose_deadline_passes_the_latest_penalty_start_goes_back_to_the_draft() -> None:
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    confirm_violation(s, at(date(2025, 11, 3), 14))
    file_case(s, date(2025, 11, 24), date(2025, 11, 25))
    interview(s, at(date(2025, 11, 26), 9), more=False)
    list_evidence(s, date(2025, 11, 28))
    draft = {
        "rect_order_content": "恢复房屋承重结构原状",
        "restoration_requirements": "完工后提交检测机构出具的恢复报告",
        "rectification_deadline": date(2026, 1, 10),  # one day after the latest penalty start
    }
    fill(s, "draft_rectification_order", draft, at(date(2025, 11, 28), 14))
    approval = {"rect_order_decision": "approve", "rect_order_approved_on": date(2025, 11, 28)}
    fill(s, "approve_rectification_order", approval, at(date(2025, 11, 28), 16))
    assert "serve_rectification_order" not in s.open()
    assert "draft_rectification_order" in s.open()


def filed_with_the_works_ended_on(ended: date) -> Scenario:
    """Discovered 2025-10-25 (30 days before the filing request); ordered to restore by 2025-12-26."""
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    confirm_violation(s, at(date(2025, 11, 3), 14))
    file_case(s, date(2025, 11, 24), date(2025, 11, 25), ended=ended)
    interview(s, at(date(2025, 11, 26), 9), more=False)
    list_evidence(s, date(2025, 11, 28))
    order_correction(s, date(2025, 11, 28), date(2025, 12, 1), deadline=date(2025, 12, 26))
    return s


def test_a_violation_past_the_time_bar_is_ordered_restored_but_not_fined() -> None:
    # 行政处罚法第三十六条, five years for a danger to life and health (case_time_bar.dmn): ended
    # 2020-10-20, the bar fell on 2025-10-20, before the discovery on 2025-10-25.
    s = filed_with_the_works_ended_on(date(2020, 10, 20))
    assert (s.data["time_bar_on"], s.data["penalty_time_barred"]) == (date(2025, 10, 20), True)
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    assert "record_discretion_factors" not in s.open()  # no penalty procedure
    assert "record_repair_report" in s.open()  # the restoration is still followed and accepted
    report_repair(s, date(2025, 12, 16))
    accept(s, at(date(2025, 12, 17), 10))
    close_case(
        s,
        [date(2025, 12, 18), date(2025, 12, 19), date(2025, 12, 22)],
        "no_penalty",
        "已恢复，超过处罚时效不予处罚",
    )
    archive(s, date(2025, 12, 23))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["execution_status"], s.data["restoration_status"]) == ("time_barred", "accepted")


def test_a_violation_discovered_within_the_time_bar_goes_to_the_penalty() -> None:
    s = filed_with_the_works_ended_on(date(2020, 10, 26))
    assert s.data["penalty_time_barred"] is False
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    assert "record_discretion_factors" in s.open()


def test_a_filed_case_withdrawn_on_approval_ends_as_withdrawn() -> None:
    s = filed_and_ordered()
    send(
        s,
        "case_withdrawn",
        {"approved_by": "分管领导", "decision_no": "撤〔2025〕1号"},
        at(date(2025, 12, 10), 9),
    )
    assert "record_followup" not in s.open()  # the rectification follow-up ends with the case
    withdrawal = {
        "case_withdrawal_reason": "facts_not_established",
        "case_withdrawal_note": "复核检测认定为非承重墙，撤销立案",
        "case_withdrawal_approved_on": date(2025, 12, 10),
        "case_withdrawal_files": ["att-withdrawal"],
    }
    assert s.task("record_case_withdrawal").role == "squad_leader"
    fill(s, "record_case_withdrawal", withdrawal, at(date(2025, 12, 10), 10))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["closure_reason"], s.data["case_no"]) == ("withdrawn", "嘉城管立〔2025〕0001号")
