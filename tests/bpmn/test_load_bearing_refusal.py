"""损坏房屋承重结构 (`load_bearing_case`): refusal to restore (拒不整改) and the extension of the deadline."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.bpmn.steps_case import (
    accept,
    annotate_house,
    archive,
    assign,
    at,
    close_case,
    confirm_violation,
    decide_and_collect,
    end_of,
    extend_once,
    file_and_order,
    fill,
    follow_restoration,
    follow_up,
    inspect_at_deadline,
    lift_annotation,
    nothing_in_yet,
    patrol_lead,
    receive,
    record_dishonesty,
    refuse_entry_once,
    repair_credit,
    report_repair,
    state_discretion_factors,
    wait_out_the_hearing_window,
    warn_the_officer,
)
from tests.bpmn.steps_penalty import give_notice, pass_review, report
from workflows import InstanceStatus


def test_refusal_brings_annotation_and_credit_record_a_heavier_fine_and_both_are_lifted_after_repair() -> (
    None
):
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10), catalogue=True)  # the bureau named the item
    assign(s, at(date(2025, 11, 3), 11))
    refuse_entry_once(s)
    confirm_violation(s, at(date(2025, 11, 6), 10))
    assert "reply_reporter" not in s.steps  # found on patrol: no reporter to answer
    file_and_order(s)
    assert (s.data["decision_due_on"], s.data["rectification_latest_on"]) == (
        date(2026, 2, 23),
        date(2026, 1, 9),
    )
    assert len(s.data["interviews"]) == 2

    extend_once(s)
    assert s.task("record_followup").due_at == end_of(date(2026, 1, 9))
    # Ten days before the latest penalty start (01-09) the squad leader is warned (第六十条).
    assert s.advance_to(at(date(2025, 12, 30), 0)) == ["timer_case_clock_warning"]
    warn_the_officer(s, date(2025, 12, 30))
    assert s.advance_to(end_of(date(2026, 1, 9)) - timedelta(minutes=1)) == []
    assert s.advance_to(end_of(date(2026, 1, 9))) == ["timer_rectification_deadline"]
    assert s.task("record_overdue_inspection").due_at == end_of(date(2026, 1, 13))
    inspect_at_deadline(s, at(date(2026, 1, 12), 10), "not_rectified")
    assert s.data["rectification_outcome"] == "refused"
    # 行政处罚法第六十条: the penalty starts as soon as the outcome is known, beside A1 and B1 (no
    # waiting for the registry's receipt). The latest planned start (01-09) has passed: the task shows
    # overdue, the 90 days still hold.
    started = {"record_discretion_factors", "draft_annotation_request", "request_dishonesty_record"}
    assert started <= set(s.open())
    assert s.task("record_discretion_factors").due_at == end_of(date(2026, 1, 9))
    state_discretion_factors(s, date(2026, 1, 12))
    assert s.data["discretion"] | {"factors": None} == {
        "score": 70,
        "band_low": Decimal("60000"),
        "band_high": Decimal("80000"),
        "serious": False,
        "statutory_min": Decimal("10000"),  # 第八十三条: 1万-10万元
        "statutory_max": Decimal("100000"),
        "statutory_basis": "《上海市住宅物业管理规定》第八十三条",
        "reduced": False,
        "factors": None,
    }
    factors = s.data["discretion"]["factors"]
    assert (factors["rectification_conduct"], factors["conduct_points"]) == ("refused", 40)
    assert s.data["aggravating"] is True  # passed to penalty_procedure
    # 表一: 5.2 m² is harm level 3 (30 points), heavier than 2 places or grade 2.
    assert (factors["harm_level"], factors["harm_points"]) == (3, 30)
    assert s.task("record_restoration_followup").due_at == end_of(date(2026, 2, 11))
    assert "draft_investigation_report" in s.open()  # the penalty procedure runs while A1 and B1 go on

    annotate_house(s, [date(2026, 1, d) for d in (12, 13, 14, 15, 20, 21)])
    # Notice served 01-14: 5 working days for a statement end 01-21; reviewed and pushed on 01-22.
    record_dishonesty(s, date(2026, 1, 12), date(2026, 1, 13), date(2026, 1, 14), date(2026, 1, 22))
    assert not {"draft_annotation_request", "request_dishonesty_record"} & set(s.open())

    report(s, fine=Decimal("70000"), on=date(2026, 1, 23))  # within the band: 60,000-80,000 yuan
    give_notice(s, date(2026, 1, 26))
    nothing_in_yet(s, date(2026, 1, 26), window_ends=date(2026, 2, 2))
    follow_restoration(s, at(date(2026, 1, 27), 11), "not_started")
    follow_restoration(s, at(date(2026, 2, 2), 9), "completed")  # the party gives in while the penalty runs
    report_repair(s, date(2026, 2, 2))
    accept(s, at(date(2026, 2, 2), 15), "failed", rework_deadline=date(2026, 3, 6))  # back to rectification
    assert s.task("record_restoration_followup").due_at == end_of(date(2026, 3, 6))
    wait_out_the_hearing_window(s, window_ends=date(2026, 2, 2), recorded=date(2026, 2, 3))
    pass_review(s, date(2026, 2, 4))
    decide_and_collect(s, date(2026, 2, 5), date(2026, 2, 6), paid=date(2026, 2, 12), credit_push=True)
    assert set(s.open()) == {"record_restoration_followup"}  # paid; B3 waits for the restoration

    follow_restoration(s, at(date(2026, 2, 27), 10), "completed")
    report_repair(s, date(2026, 2, 27))
    accept(s, at(date(2026, 3, 2), 10))
    lift_annotation(s, date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5))
    assert s.task("issue_credit_repair_proof").role == "squad_leader"
    repair_credit(s, date(2026, 3, 6), date(2026, 3, 10), deletion_due=date(2026, 3, 11))
    close_case(
        s,
        [date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13)],
        "penalty_executed",
        "处罚执行完毕，承重结构已恢复并验收合格",
    )
    assert s.task("archive_case").due_at == end_of(date(2026, 4, 13))  # Qingming Monday 04-06 skipped
    archive(s, date(2026, 3, 16))

    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["annotation_status"], s.data["credit_record_status"], s.data["restoration_status"]) == (
        "lifted",
        "repaired",
        "accepted",
    )
    assert (s.data["fine_amount"], s.data["execution_status"]) == (Decimal("70000"), "paid")
    assert s.data["decided_on"] == date(2026, 2, 5) < s.data["decision_due_on"]  # inside the 90 days
    assert s.data["credit_repair_deleted_on"] == date(2026, 3, 10)
    assert s.data["annotation_letter_no"] == "嘉城管注记函〔2026〕0001号"


def test_extension_past_the_latest_penalty_start_needs_the_deputy_head_and_a_refusal_keeps_the_deadline() -> (
    None
):
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    confirm_violation(s, at(date(2025, 11, 3), 14))
    file_and_order(s)
    follow_up(s, at(date(2025, 12, 15), 10), "in_progress", extension_until=date(2026, 1, 20))
    approval = {
        "rect_extension_decision": "approve",
        "rect_extension_new_deadline": date(2026, 1, 20),
        "rect_extension_decided_on": date(2025, 12, 16),
    }
    fill(s, "approve_extension", approval, at(date(2025, 12, 16), 10))
    assert s.task("approve_extension_deputy").role == "deputy_head"  # 2026-01-20 is after 2026-01-09
    fill(
        s,
        "approve_extension_deputy",
        {
            "rect_extension_deputy_decision": "reject",
            "rect_extension_deputy_opinion": "将超出九十日办案期限",
            "rect_extension_deputy_decided_on": date(2025, 12, 17),
        },
        at(date(2025, 12, 17), 10),
    )
    assert s.task("record_followup").due_at == end_of(date(2025, 12, 26))
    assert s.data["extensions"] == []
