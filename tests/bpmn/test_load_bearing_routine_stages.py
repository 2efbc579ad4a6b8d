"""损坏房屋承重结构 (`load_bearing_case`): the routine branches in every stage where they apply.

撤案 after 立案 (stage 二 `stage_inquiry`, 三, and 四 before the decision: it cancels the running
penalty procedure); 中止 and the case-clock warning from 立案 on (stage 二 as well as 三); while the
case is suspended (`stage_suspended`) 撤案, 终止 and 回避 can still be requested; and what a side branch
records (回避's new officers) joins the running case at once (`shareData`).
Filed 2025-11-25: decision due 2026-02-23, latest penalty start 2026-01-09, warning from 2025-12-30.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import (
    OFFICERS,
    at,
    end_of,
    file_case,
    filed_and_ordered,
    fill,
    follow_up,
    interview,
    list_evidence,
    nothing_in_yet,
    patrol_lead,
    receive,
    state_discretion_factors,
    wait_out_the_hearing_window,
)
from tests.bpmn.steps_case import assign as assign_officers
from tests.bpmn.steps_case import confirm_violation as confirm
from tests.bpmn.steps_case_ends import ask_to_suspend, decide_suspension, resume, terminate
from tests.bpmn.steps_complaint import send
from tests.bpmn.steps_penalty import decide, give_notice, issue_decision, pass_review, report
from tests.workflows.scenario import Scenario
from workflows import InstanceStatus

NEW_OFFICERS = [
    {"officer_name": "钱七", "cert_no": "3101140077"},
    {"officer_name": "孙八", "cert_no": "3101140078"},
]


def filed_only() -> Scenario:
    """Filed 2025-11-25; the first interview says more are to come."""
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign_officers(s, at(date(2025, 11, 3), 11))
    confirm(s, at(date(2025, 11, 3), 14))
    file_case(s, date(2025, 11, 24), date(2025, 11, 25))
    interview(s, at(date(2025, 11, 26), 9), more=True)
    assert s.instance.stage() == "二、立案调查"
    return s


def withdraw(s: Scenario, day: date, *, interrupts: bool = True) -> None:
    """The approved 撤案 arrives, the squad leader records it and the case ends (running work with it)."""
    send(s, "case_withdrawn", {"approved_by": "分管领导", "decision_no": "撤〔2025〕1号"}, at(day, 9))
    withdrawal = {
        "case_withdrawal_reason": "facts_not_established",
        "case_withdrawal_note": "复核检测认定为非承重墙，撤销立案",
        "case_withdrawal_approved_on": day,
        "case_withdrawal_files": ["att-withdrawal"],
    }
    if interrupts:
        assert set(s.open()) == {"record_case_withdrawal"}  # the stage's work ends with it
    assert s.task("record_case_withdrawal").role == "squad_leader"
    fill(s, "record_case_withdrawal", withdrawal, at(day, 10))
    assert (s.instance.status(), s.open()) == (InstanceStatus.COMPLETED, {})
    assert (s.data["closure_reason"], s.data["case_no"]) == ("withdrawn", "嘉城管立〔2025〕0001号")


def reassign(s: Scenario, day: date) -> None:
    send(s, "recusal_requested", {"by": "当事人"}, at(day, 9))
    request = {
        "recusal_requested_by": "party",
        "recused_name": "张三",
        "recused_role": "officer",
        "recusal_reason": "与当事人系近亲属",
        "recusal_requested_on": day,
    }
    fill(s, "record_recusal_request", request, at(day, 10))
    decision = {"recusal_decision": "approve", "recusal_opinion": "存在利害关系", "recusal_decided_on": day}
    fill(s, "decide_recusal_leader", decision, at(day, 11))
    officers = {"case_officers": NEW_OFFICERS, "reassignment_note": "移交"}
    fill(s, "reassign_case_officers", officers, at(day, 14))


def test_a_case_is_withdrawn_in_stage_two_while_the_interviews_run() -> None:
    s = filed_only()
    withdraw(s, date(2025, 11, 27))


def test_a_withdrawal_in_stage_four_cancels_the_running_penalty_procedure() -> None:
    s = filed_and_ordered()
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    state_discretion_factors(s, date(2025, 12, 16))
    assert "四、验收结案" in (s.instance.stage() or "")
    penalty_tasks = {t.process_id for t in s.instance.open_tasks()}
    assert "penalty_procedure" in penalty_tasks
    # In stage 四 the 撤案 waits for the check that no decision was made, beside the running work.
    withdraw(s, date(2025, 12, 18), interrupts=False)


def test_after_the_penalty_decision_a_withdrawal_is_not_taken() -> None:
    s = filed_and_ordered()
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    state_discretion_factors(s, date(2025, 12, 16))
    report(s, fine=s.data["discretion"]["band_low"], on=date(2025, 12, 17))
    give_notice(s, date(2025, 12, 18))
    nothing_in_yet(s, date(2025, 12, 19), window_ends=date(2025, 12, 25))
    wait_out_the_hearing_window(s, window_ends=date(2025, 12, 25), recorded=date(2025, 12, 26))
    pass_review(s, date(2025, 12, 29))
    decide(s, date(2025, 12, 30))
    issue_decision(s, date(2025, 12, 30))
    assert s.data["decision_no"] is not None  # shared from the running penalty procedure
    before = set(s.open())
    send(
        s,
        "case_withdrawn",
        {"approved_by": "分管领导", "decision_no": "撤〔2025〕2号"},
        at(date(2025, 12, 31), 9),
    )
    assert set(s.open()) == before  # not a 撤案: the decision stands, the case goes on
    assert "serve_decision" in before
    assert s.instance.status() is InstanceStatus.RUNNING


def test_a_suspension_in_stage_two_keeps_the_interviews_and_resumes_where_it_stopped() -> None:
    s = filed_only()
    ask_to_suspend(s, "appraisal", since=date(2025, 11, 27), asked=date(2025, 11, 27))
    assert "record_interview" not in s.open()
    decide_suspension(s, "approve", date(2025, 11, 28))
    assert (s.open(), s.instance.stage()) == ({}, "中止期间")
    resume(s, date(2025, 12, 7))  # 10 calendar days
    assert s.data["decision_due_on"] == date(2026, 3, 5)
    assert [i["interviewee"] for i in s.data["interviews"]] == ["赵某"]  # recorded before the suspension
    assert set(s.open()) == {"record_interview"}  # "more interviews" was chosen before: the next one
    interview(s, at(date(2025, 12, 8), 9), more=False)
    assert len(s.data["interviews"]) == 2
    list_evidence(s, date(2025, 12, 8))
    assert "draft_rectification_order" in s.open()


def test_a_rejected_suspension_in_stage_two_returns_to_the_order_after_the_evidence() -> None:
    s = filed_only()
    interview(s, at(date(2025, 11, 27), 9), more=False)
    list_evidence(s, date(2025, 11, 28))
    ask_to_suspend(s, "appraisal", since=date(2025, 11, 28), asked=date(2025, 11, 28))
    decide_suspension(s, "reject", date(2025, 11, 29))
    assert set(s.open()) == {"draft_rectification_order"}
    assert s.data["case_evidence"][0]["evidence_description"] == "房屋质量检测报告"


def test_the_case_clock_warning_runs_in_stage_two() -> None:
    s = filed_only()
    assert s.advance_to(end_of(date(2025, 12, 28))) == []
    assert s.advance_to(end_of(date(2025, 12, 29))) == ["timer_case_clock_warning_inquiry"]
    warning = s.task("warn_case_clock")
    assert (warning.role, warning.due_at) == ("squad_leader", end_of(date(2026, 1, 9)))
    assert "record_interview" in s.open()  # a warning, the stage goes on


def suspended() -> Scenario:
    s = filed_and_ordered()
    ask_to_suspend(s, "appraisal", since=date(2025, 12, 10), asked=date(2025, 12, 10))
    decide_suspension(s, "approve", date(2025, 12, 11))
    assert s.open() == {}
    return s


def test_while_suspended_a_recusal_is_decided_and_the_case_stays_suspended() -> None:
    s = suspended()
    reassign(s, date(2025, 12, 15))
    assert (s.open(), s.data["case_clock_status"]) == ({}, "suspended")
    assert s.data["case_officers"] == NEW_OFFICERS
    resume(s, date(2025, 12, 20))
    assert "record_followup" in s.open()
    assert s.data["case_officers"] == NEW_OFFICERS


def test_while_suspended_the_case_can_be_withdrawn() -> None:
    s = suspended()
    withdraw(s, date(2025, 12, 20))


def test_while_suspended_the_case_can_be_terminated() -> None:
    s = suspended()
    terminate(s)
    assert (s.instance.status(), s.data["closure_reason"]) == (InstanceStatus.COMPLETED, "terminated")


def test_the_new_officers_join_the_running_case_at_once() -> None:
    s = filed_and_ordered()
    assert s.data["case_officers"] == OFFICERS
    reassign(s, date(2025, 12, 8))
    assert s.data["case_officers"] == NEW_OFFICERS  # the case page, before the case ends
    assert [r["replaced_by"] for r in s.data["recusals"]] == [["钱七", "孙八"]]
    followup = s.task("record_followup")
    assert s.instance.task_data(followup.id)["case_officers"] == NEW_OFFICERS  # the open task
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    factors = s.task("record_discretion_factors")
    assert s.instance.task_data(factors.id)["case_officers"] == NEW_OFFICERS  # and the later ones


def test_a_refused_police_transfer_is_in_the_running_case_at_once() -> None:
    s = filed_only()
    send(s, "suspected_crime", {"by": "承办人"}, at(date(2025, 11, 27), 9))
    request = {
        "police_transfer_facts": "拆除承重墙致楼板开裂",
        "police_transfer_requested_on": date(2025, 11, 27),
        "police_transfer_files": ["att-crime"],
    }
    fill(s, "request_police_transfer", request, at(date(2025, 11, 27), 10))
    decision = {
        "police_transfer_decision": "reject",
        "police_transfer_opinion": "尚不构成犯罪",
        "police_transfer_decided_at": at(date(2025, 11, 27), 15),
    }
    fill(s, "approve_police_transfer", decision, at(date(2025, 11, 27), 15))
    assert set(s.open()) == {"record_interview"}  # the case goes on
    assert s.data["police_transfer_opinion"] == "尚不构成犯罪"
    interviewing = s.task("record_interview")
    assert s.instance.task_data(interviewing.id)["police_transfer_decision"] == "reject"
