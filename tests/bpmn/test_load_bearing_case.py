"""损坏房屋承重结构 (`load_bearing_case`), stage 1 发现认定: leads closed without a case, entry
refused, overdue assistance. Steps are shared in `tests/bpmn/steps_case.py`.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import (
    BPMN,
    COMPLAINT_INSTANCE_ID,
    PROCESS,
    appraise,
    ask_for_structure_info,
    assign,
    at,
    close_lead,
    determine,
    end_of,
    fill,
    inspect,
    lead,
    notify_consequences,
    patrol_lead,
    receive,
    record_structure_info,
    refuse_entry_once,
    serve_talk_notice,
    stop_works,
)
from tests.bpmn.steps_complaint import case_started, open_case, reply, router_starts_case, send, work_order
from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus

# -- (a) 诉转案 → 不构成 → 办结并反馈诉求 ------------------------------------------------------------


def test_complaint_lead_found_not_load_bearing_is_closed_and_the_complaint_gets_the_outcome() -> None:
    complaint = open_case(work_order(at(date(2025, 9, 26))), date(2025, 9, 26))
    start = router_starts_case(complaint) | {"source_instance_id": COMPLAINT_INSTANCE_ID}
    s = Scenario(load_files(BPMN), PROCESS, start, now=at(date(2025, 9, 26), 15, 5))
    assert s.data["lead_no"] == "2025092612345001"  # the work-order number stands in for the lead number
    case_started(complaint, at(date(2025, 9, 26), 15, 5))  # the router answers the complaint with the new id
    reply(complaint, at(date(2025, 9, 29), 10), task="reply_case_filed")

    assign(s, at(date(2025, 9, 26), 16))
    inspect(s, at(date(2025, 9, 28), 10))  # the 调休 Sunday is a working day
    stop_works(s, at(date(2025, 9, 28), 10, 30))
    assert "reply_reporter" not in s.open()  # the complaint process answers 12345 callers itself
    ask_for_structure_info(s, date(2025, 9, 29))
    # 城管条例第二十九条: 10 days from 09-29 end on 10-09, the first working day after the holiday.
    assert s.task("record_structure_info").due_at == end_of(date(2025, 10, 9))
    record_structure_info(s, date(2025, 10, 9))
    appraise(s, date(2025, 10, 9), date(2025, 10, 20), load_bearing=False, grade=None, places=1, area="1.2")
    determine(s, date(2025, 10, 21), "not_load_bearing")
    assert s.task("close_lead").role == "officer"
    close_lead(s, date(2025, 10, 22), "not_load_bearing", "经检测，拆除墙体为非承重墙，不构成违法")

    assert s.instance.status() is InstanceStatus.COMPLETED
    (closed,) = s.instance.thrown_messages()
    assert closed.name == "case_closed"
    assert closed.payload == {
        "target_instance_id": COMPLAINT_INSTANCE_ID,
        "case_no": None,
        "closure_reason": "not_load_bearing",
        "outcome_summary": "经检测，拆除墙体为非承重墙，不构成违法",
    }
    send(complaint, "case_closed", closed.payload, at(date(2025, 10, 22), 16, 1))
    assert complaint.task("give_final_feedback").due_at == end_of(date(2025, 10, 29))


# -- other paths ------------------------------------------------------------------------------


def test_entry_refused_three_times_goes_to_the_squad_leader_who_may_stop_the_check() -> None:
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    refuse_entry_once(s)
    inspect(s, at(date(2025, 11, 6), 10), entered=False)
    serve_talk_notice(s, date(2025, 11, 6))
    assert s.advance_to(at(date(2025, 11, 10), 0)) == ["timer_entry_retry"]  # 2 working days, weekend skipped
    inspect(s, at(date(2025, 11, 10), 10), entered=False)
    decision = s.task("decide_no_entry")
    assert (decision.role, decision.due_at) == ("squad_leader", end_of(date(2025, 11, 11)))
    fill(
        s,
        "decide_no_entry",
        {
            "no_entry_decision": "stop",
            "no_entry_opinion": "三次约谈未果，终止核查",
            "no_entry_decided_on": date(2025, 11, 11),
        },
        at(date(2025, 11, 11), 10),
    )
    close_lead(s, date(2025, 11, 12), "unverified", "当事人三次拒绝入户，终止核查，转物业持续关注")
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["entry_attempts"], s.data["closure_reason"], s.data["case_no"]) == (3, "unverified", None)
    assert s.instance.thrown_messages() == []


def test_overdue_assistance_reply_escalates_to_the_squad_leader_while_the_officer_keeps_the_task() -> None:
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    inspect(s, at(date(2025, 11, 6), 10))
    stop_works(s, at(date(2025, 11, 6), 10, 30))
    ask_for_structure_info(s, date(2025, 11, 6))
    # 城管条例第二十九条: 10 days; day 10 (2025-11-16) is a Sunday, so the reply is due on Monday.
    assert s.task("record_structure_info").due_at == end_of(date(2025, 11, 17))
    assert s.advance_to(end_of(date(2025, 11, 17))) == ["timer_assist_reply"]
    escalation = s.task("escalate_assist_reply")
    assert (escalation.role, escalation.due_at) == ("squad_leader", end_of(date(2025, 11, 18)))
    record_structure_info(s, date(2025, 11, 18))
    fill(
        s,
        "escalate_assist_reply",
        {
            "case_escalation_action": "chased_other_party",
            "case_escalation_note": "已电话催告物业，当日补交",
            "case_escalated_on": date(2025, 11, 18),
        },
        at(date(2025, 11, 18), 16),
    )
    appraise(s, date(2025, 11, 19), date(2025, 11, 28), load_bearing=True, grade=3, places=3, area="5.20")
    determine(s, date(2025, 12, 1), "violation")
    notify_consequences(s, at(date(2025, 12, 1), 14))
    assert s.task("request_filing").due_at == end_of(date(2025, 12, 10))
    assert (s.data["house_owner_name"], s.data["case_escalation_action"]) == ("赵某", "chased_other_party")


def test_a_reporter_is_answered_within_five_working_days_while_entry_is_still_refused() -> None:
    s = receive(lead(at(date(2025, 11, 3), 10)), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    answer = s.task("reply_reporter")  # open from assignment, beside the check (城管条例第二十六条)
    assert (answer.due_at, answer.legal_basis) == (
        end_of(date(2025, 11, 10)),
        "《上海市城市管理行政执法条例》第二十六条",
    )
    refuse_entry_once(s)  # refused on 11-03, talk notice on 11-04, next visit on 11-06
    assert s.task("reply_reporter").due_at == end_of(date(2025, 11, 10))
    reply = {
        "reporter_replied_on": date(2025, 11, 6),
        "reporter_reply_method": "phone",
        "reporter_reply_content": "当事人拒绝入户，已送达谈话通知书并将再次核查",
    }
    fill(s, "reply_reporter", reply, at(date(2025, 11, 6), 9))
    assert set(s.open()) == {"inspect_site"}  # the check goes on; the reporter has the answer in time


def test_works_going_on_behind_a_refused_door_are_ordered_to_stop_at_once() -> None:
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    refused = {
        "inspected_at": at(date(2025, 11, 3), 14),
        "inspection_location": "某小区12号301室",
        "inspectors_cert_shown": True,
        "entry_result": "refused",
        "works_status": "ongoing",  # drilling heard from the landing
        "inspection_record_files": ["att-inspection-record"],
        "site_media": ["att-bodycam-video"],
    }
    fill(s, "inspect_site", refused, at(date(2025, 11, 3), 14))
    order = s.task("order_stop_work_refused")
    assert (order.role, order.due_at, order.legal_basis) == (
        "officer",
        end_of(date(2025, 11, 3)),
        "《中华人民共和国行政处罚法》第二十八条",
    )
    stop = {
        "stop_order_no": "嘉城管停〔2025〕10号",
        "stop_ordered_at": at(date(2025, 11, 3), 14, 30),
        "stop_order_targets": ["owner", "contractor"],
        "stop_order_content": "立即停止拆改承重墙体",
        "works_stopped": True,
        "stop_order_files": ["att-stop-order"],
    }
    fill(s, "order_stop_work_refused", stop, at(date(2025, 11, 3), 14, 30))
    assert "issue_talk_notice" in s.open()  # then the usual next visit


def test_another_violation_is_passed_on_within_three_working_days_and_the_lead_closed() -> None:
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign(s, at(date(2025, 11, 3), 11))
    inspect(s, at(date(2025, 11, 6), 10))
    stop_works(s, at(date(2025, 11, 6), 10, 30))
    ask_for_structure_info(s, date(2025, 11, 6))
    record_structure_info(s, date(2025, 11, 14))
    appraise(s, date(2025, 11, 14), date(2025, 11, 20), load_bearing=False, grade=None, places=1, area="1.2")
    opinion = {
        "determination": "other_violation",
        "determination_opinion": "不涉及承重结构，涉嫌违法搭建",
        "determined_on": date(2025, 11, 21),
    }
    fill(s, "determine_violation", opinion, at(date(2025, 11, 21), 10))
    transfer = s.task("transfer_lead")
    assert (transfer.role, transfer.due_at) == (
        "officer",
        end_of(date(2025, 11, 26)),
    )  # Friday + 3 working days
    passed_on = {
        "transfer_recipient_kind": "street_town",
        "transfer_recipient": "菊园新区管委会",
        "transferred_on": date(2025, 11, 24),
        "transfer_files": ["att-transfer-letter"],
    }
    fill(s, "transfer_lead", passed_on, at(date(2025, 11, 24), 10))
    close_lead(s, date(2025, 11, 25), "other_violation_transferred", "已移送菊园新区管委会处理违法搭建")
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["closure_reason"], s.data["transfer_recipient"]) == (
        "other_violation_transferred",
        "菊园新区管委会",
    )
