"""损坏房屋承重结构 (`load_bearing_case`): a party who restores the structure in time (按期整改)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.bpmn.steps_case import (
    accept,
    appraise,
    archive,
    ask_for_structure_info,
    assign,
    at,
    close_case,
    decide_and_collect,
    determine,
    end_of,
    file_case,
    fill,
    follow_up,
    inspect,
    interview,
    lead,
    list_evidence,
    nothing_in_yet,
    notify_consequences,
    order_correction,
    receive,
    record_structure_info,
    report_repair,
    state_discretion_factors,
    stop_works,
    wait_out_the_hearing_window,
)
from tests.bpmn.steps_penalty import give_notice, pass_review, report
from workflows import InstanceStatus

# -- (b) 按期整改 → 放弃听证 → 审核通过 → 缴款 → 结案归档 ---------------------------------------------


def test_party_who_rectifies_in_time_is_fined_in_the_cooperative_band_and_the_case_is_archived() -> None:
    s = receive(lead(at(date(2025, 9, 26))), at(date(2025, 9, 26)))
    assert s.task("assign_officers").due_at == end_of(date(2025, 9, 26))  # same day
    assign(s, at(date(2025, 9, 26), 10))
    assert s.task("inspect_site").due_at == end_of(date(2025, 9, 28))  # next working day: the 调休 Sunday
    inspect(s, at(date(2025, 9, 26), 14))
    stop_works(s, at(date(2025, 9, 26), 14, 30))
    # 城管条例第二十六条: 5 working days, skipping the National Day holiday 10-01..08.
    assert s.task("reply_reporter").due_at == end_of(date(2025, 10, 10))
    fill(
        s,
        "reply_reporter",
        {
            "reporter_replied_on": date(2025, 9, 29),
            "reporter_reply_method": "phone",
            "reporter_reply_content": "已到场核查并责令停工",
        },
        at(date(2025, 9, 29), 9),
    )
    ask_for_structure_info(s, date(2025, 9, 29))
    record_structure_info(s, date(2025, 10, 9))
    appraise(s, date(2025, 10, 9), date(2025, 10, 20), load_bearing=True, grade=2, places=2, area="3.50")
    determine(s, date(2025, 10, 21), "violation")
    notify_consequences(s, at(date(2025, 10, 21), 14))

    assert s.task("request_filing").due_at == end_of(date(2025, 10, 30))
    file_case(s, date(2025, 10, 22), date(2025, 10, 23))
    assert (s.data["filed_on"], s.data["case_no"]) == (date(2025, 10, 23), "嘉城管立〔2025〕0001号")
    assert s.data["decision_due_on"] == date(2026, 1, 21)  # 行政处罚法第六十条: 90 days from filing
    assert s.data["rectification_latest_on"] == date(2025, 12, 7)
    interview(s, at(date(2025, 10, 24), 9), more=False)
    list_evidence(s, date(2025, 10, 24))
    order_correction(s, date(2025, 10, 27), date(2025, 10, 28), deadline=date(2025, 11, 28))
    assert (s.data["rect_order_no"], s.data["assist_notice_no"]) == (
        "嘉城管责改〔2025〕0001号",
        "嘉城管协助〔2025〕0001号",
    )

    assert s.task("record_followup").due_at == end_of(date(2025, 11, 28))
    follow_up(s, at(date(2025, 11, 14), 10), "in_progress")
    follow_up(s, at(date(2025, 11, 24), 10), "completed")
    assert (s.data["rectification_outcome"], s.data["rectified_on"]) == ("rectified", date(2025, 11, 24))
    assert s.instance.timers() == []  # the deadline timer went with the follow-up task

    state_discretion_factors(s, date(2025, 11, 25))
    assert s.data["discretion"] | {"factors": None} == {
        "score": 25,
        "band_low": Decimal("20000"),
        "band_high": Decimal("40000"),
        "serious": False,
        "statutory_min": Decimal("10000"),  # 第八十三条: 1万-10万元
        "statutory_max": Decimal("100000"),
        "statutory_basis": "《上海市住宅物业管理规定》第八十三条",
        "reduced": False,
        "factors": None,
    }
    assert s.data["discretion"]["factors"]["harm_level"] == 2
    assert s.data["aggravating"] is False
    assert {"record_repair_report", "draft_investigation_report"} <= set(s.open())
    report(s, fine=Decimal("25000"), on=date(2025, 11, 26))  # within the band: 20,000-40,000 yuan
    report_repair(s, date(2025, 11, 26))
    give_notice(s, date(2025, 11, 27))
    accept(s, at(date(2025, 11, 27), 14))
    nothing_in_yet(s, date(2025, 11, 28), window_ends=date(2025, 12, 4))
    wait_out_the_hearing_window(s, window_ends=date(2025, 12, 4), recorded=date(2025, 12, 5))
    pass_review(s, date(2025, 12, 8))
    publicity = decide_and_collect(
        s, date(2025, 12, 10), date(2025, 12, 11), paid=date(2025, 12, 15), credit_push=False
    )
    # Restored in time: no credit push here (Art. 9(4)), and publicity is told not to push either.
    assert publicity is not None
    assert (publicity["credit_push_done_by_caller"], publicity["credit_pushed"]) == (True, False)
    assert s.data["decided_on"] <= s.data["decision_due_on"]
    assert (s.data["execution_status"], s.data["paid_on"]) == ("paid", date(2025, 12, 15))

    assert "issue_credit_repair_proof" not in s.open()  # no dishonesty record to repair
    close_case(
        s,
        [date(2025, 12, 16), date(2025, 12, 17), date(2025, 12, 18)],
        "penalty_executed",
        "已恢复原状并缴纳罚款",
    )
    assert s.task("archive_case").role == "clerk"
    assert s.task("archive_case").due_at == end_of(date(2026, 1, 16))  # 20 working days, New Year skipped
    archive(s, date(2025, 12, 22))

    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["closure_reason"] == "penalty_executed"
    assert (s.data["annotation_status"], s.data["credit_record_status"]) == ("none", "none")
    assert (s.data["restoration_status"], s.data["repair_report_no"]) == ("accepted", "TJ-HF-2025-118")
    # Only penalty_procedure's publicity start, answered above: no case_closed, the lead is not from 12345.
    assert s.instance.thrown_messages() == []
