"""12345/12319 诉求处置 (`complaint_handling`): each test walks one legally meaningful path on real dates.

Dates come from the 2025 calendar: the National Day holiday runs 2025-10-01..08, and Sunday
2025-09-28 and Saturday 2025-10-11 are 调休 working days.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from marshmallow import ValidationError

from forms import default_registry
from service.config import DefaultConfig
from tests.bpmn.steps_complaint import (
    BPMN,
    CASE_INSTANCE_ID,
    CASE_NO,
    CHECKED,
    INSPECTORS,
    accept,
    at,
    case_closed,
    case_started,
    check_site,
    contact,
    decide,
    end_of,
    escalate,
    fill,
    handle_until_reply,
    open_case,
    receive,
    reply,
    router_starts_case,
    visit,
    work_order,
)
from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus, load_definitions


def test_complaint_turned_into_case_feeds_the_case_outcome_back_to_the_reporter() -> None:
    s = open_case(work_order(at(date(2025, 9, 26))), date(2025, 9, 26))
    assert s.data["contact_due"] == "2025-09-28T23:59:59+08:00"  # the next working day is the 调休 Sunday
    assert s.data["first_contact_on_time"] is True
    payload = router_starts_case(s)
    assert payload == {
        "complaint_no": "2025092612345001",
        "source_channel": "12345",
        "reporter_name": "王女士",
        "reporter_phone": "13812345678",
        "reporter_confidential": False,
        "address": "嘉定区叶城路1号301室",
        "description": "楼上住户装修时拆除承重墙，墙体开裂",
        "received_at": "2025-09-26T09:00:00+08:00",
    }
    # The reporter still gets an answer within the 5-working-day limit while the case runs.
    assert s.task("reply_case_filed").due_at == end_of(date(2025, 10, 10))
    case_started(s, at(date(2025, 9, 26), 15, 1))
    assert (s.data["linked_case_instance_id"], s.data["linked_case_no"]) == (CASE_INSTANCE_ID, CASE_NO)
    reply(s, at(date(2025, 9, 29), 10), task="reply_case_filed")
    assert "give_final_feedback" not in s.open()

    case_closed(s, at(date(2025, 12, 15), 16))
    feedback = s.task("give_final_feedback")
    assert feedback.role == "officer"
    assert feedback.due_at == end_of(date(2025, 12, 22))  # 5 working days after 2025-12-15
    assert s.data["case_closure"]["outcome_summary"].startswith("当事人已恢复")
    fill(
        s,
        "give_final_feedback",
        {
            "feedback_at": at(date(2025, 12, 16), 10),
            "feedback_method": "phone",
            "feedback_content": "案件已办结，承重墙已恢复",
            "reporter_reached": True,
        },
        at(date(2025, 12, 16), 10),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["order_status"], s.data["archived_on"]) == ("archived", date(2025, 12, 16))


def test_case_messages_in_either_order_do_not_block_and_reports_stay_confidential() -> None:
    report = work_order(at(date(2025, 9, 26)), order_type="report", reporter_confidential=False)
    s = open_case(report, date(2025, 9, 26))
    assert router_starts_case(s)["reporter_confidential"] is True  # 城管条例第二十六条
    reply(s, at(date(2025, 9, 29), 10), task="reply_case_filed")
    case_closed(s, at(date(2025, 11, 3), 9))
    assert "give_final_feedback" not in s.open()  # still waiting for the link to the case
    case_started(s, at(date(2025, 11, 3), 9, 1))
    assert "give_final_feedback" in s.open()
    assert s.data["linked_case_instance_id"] == CASE_INSTANCE_ID


# -- 回访 and 重办 -----------------------------------------------------------------------------


def test_dissatisfied_visit_sends_the_order_back_for_a_redo_due_in_three_working_days() -> None:
    s = receive(work_order(at(date(2025, 9, 26))))
    accept(s, at(date(2025, 9, 26), 9, 30))
    handle_until_reply(s, date(2025, 9, 26))
    reply(s, at(date(2025, 9, 29), 10))
    visit(s, "dissatisfied", at(date(2025, 9, 30), 10))

    # 重办 from Tuesday 09-30: 10-09, 10-10, then the 调休 Saturday 10-11.
    assert s.data["redo_count"] == 1
    assert s.task("on_site_check").due_at == end_of(date(2025, 10, 11))
    check_site(s, at(date(2025, 10, 9), 10))
    decide(s, "order_correction", at(date(2025, 10, 9), 11))
    reply(s, at(date(2025, 10, 10), 10))
    visit(s, "satisfied", at(date(2025, 10, 13), 10))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["order_status"] == "archived"
    assert s.steps.count("reply_work_order") == 2


def test_redo_loop_is_bounded_and_then_goes_to_the_squad_leader() -> None:
    s = receive(work_order(at(date(2025, 9, 26))))
    accept(s, at(date(2025, 9, 26), 9, 30))
    handle_until_reply(s, date(2025, 9, 26))
    reply(s, at(date(2025, 9, 29), 10))
    for day in (date(2025, 10, 9), date(2025, 10, 13)):
        visit(s, "dissatisfied", at(day, 9))
        check_site(s, at(day, 10))
        decide(s, "dissuade", at(day, 11))
        reply(s, at(day, 16))
    visit(s, "dissatisfied", at(date(2025, 10, 14), 9))  # third time: the table allows two redos
    assert s.data["redo_count"] == 2
    assert set(s.open()) == {"review_unresolved"}
    fill(
        s,
        "review_unresolved",
        {
            "review_opinion": "已依法处置",
            "closing_reason": "lawfully_handled",
            "reviewed_on": date(2025, 10, 14),
        },
        at(date(2025, 10, 14), 15),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED


# -- remit and deadlines -----------------------------------------------------------------------


def test_order_outside_the_remit_is_transferred_within_three_working_days() -> None:
    s = receive(work_order(at(date(2025, 9, 26)), content="小区内噪声扰民"))
    fill(
        s,
        "review_remit",
        {"remit_decision": "transfer", "remit_reason": "社会生活噪声由公安机关处理"},
        at(date(2025, 9, 26), 10),
    )
    transfer = s.task("transfer_order")
    # Friday 09-26 + 3 working days: Sunday 09-28 (调休), 09-29, 09-30.
    assert transfer.due_at == end_of(date(2025, 9, 30))
    assert (transfer.role, transfer.form_key) == ("hotline_liaison", "complaint_transfer")
    fill(
        s,
        "transfer_order",
        {
            "receiving_party": "嘉定公安分局",
            "transferred_at": at(date(2025, 9, 29), 10),
            "transfer_note": "已移送并电话告知诉求人",
            "reporter_informed": True,
        },
        at(date(2025, 9, 29), 10),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "first_contact" not in s.steps


def test_first_contact_deadline_skips_the_national_day_holiday() -> None:
    s = receive(work_order(at(date(2025, 9, 30), 16)))
    accept(s, at(date(2025, 9, 30), 16, 30))
    first_contact = s.task("first_contact")
    assert first_contact.due_at == end_of(date(2025, 10, 9))
    assert [t.due_at for t in s.instance.timers()] == [end_of(date(2025, 10, 9))]
    assert s.advance_to(at(date(2025, 10, 8), 23)) == []
    contact(s, at(date(2025, 10, 9), 9))
    assert s.data["first_contact_on_time"] is True
    # The reply limit runs on: 10-09, 10-10, 10-11 (调休 Saturday), 10-13, 10-14.
    assert s.task("on_site_check").due_at == end_of(date(2025, 10, 14))


def test_urgent_order_not_contacted_within_two_hours_escalates_to_the_squad_leader() -> None:
    s = receive(work_order(at(date(2025, 10, 3), 20), urgency="urgent"))  # a holiday evening
    accept(s, at(date(2025, 10, 3), 20, 10))
    due = at(date(2025, 10, 3), 22)
    assert s.task("first_contact").due_at == due
    assert s.advance_to(due) == ["timer_contact_overdue"]
    assert set(s.open()) == {"first_contact", "escalate_contact_overdue"}
    assert s.task("escalate_contact_overdue").role == "squad_leader"
    escalate(s, "escalate_contact_overdue", at(date(2025, 10, 3), 22, 5))
    contact(s, at(date(2025, 10, 3), 22, 20))
    assert s.data["first_contact_on_time"] is False


def test_overdue_reply_escalates_to_the_squad_leader_when_the_clock_passes_the_deadline() -> None:
    s = receive(work_order(at(date(2025, 9, 26))))
    accept(s, at(date(2025, 9, 26), 9, 30))
    contact(s, at(date(2025, 9, 26), 10))
    assert s.task("on_site_check").due_at == end_of(date(2025, 10, 10))
    assert s.advance_to(at(date(2025, 10, 10), 18)) == []
    assert s.advance_to(at(date(2025, 10, 11), 0, 1)) == ["timer_reply_overdue"]
    assert set(s.open()) == {"on_site_check", "escalate_reply_overdue"}  # non-interrupting
    assert s.task("escalate_reply_overdue").role == "squad_leader"
    escalate(s, "escalate_reply_overdue", at(date(2025, 10, 11), 9))
    check_site(s, at(date(2025, 10, 11), 10))
    decide(s, "unfounded", at(date(2025, 10, 11), 11))
    reply(s, at(date(2025, 10, 11), 16))
    visit(s, "basically_satisfied", at(date(2025, 10, 13), 10))
    assert s.instance.status() is InstanceStatus.COMPLETED


# -- 延期 --------------------------------------------------------------------------------------


def request_extension(s: Scenario, requested: date, decision: str, now: datetime) -> None:
    fill(
        s,
        "request_extension",
        {"extension_reason": "需委托检测机构鉴定", "requested_reply_due": requested},
        now,
    )
    fill(s, "approve_extension", {"extension_decision": decision}, now)


def test_extension_approved_before_expiry_is_capped_at_fifteen_working_days_in_total() -> None:
    s = receive(work_order(at(date(2025, 9, 26))))
    accept(s, at(date(2025, 9, 26), 9, 30))
    contact(s, at(date(2025, 9, 26), 10))
    check_site(s, at(date(2025, 9, 29), 10))
    decide(s, "order_correction", at(date(2025, 10, 9), 10), needs_extension=True)
    request_extension(s, date(2025, 10, 31), "approve", at(date(2025, 10, 10), 9))

    # 15 working days from 09-26 end on 10-23, so the request for 10-31 is cut back to it.
    assert s.task("decide_handling").due_at == end_of(date(2025, 10, 23))
    assert [t.bpmn_id for t in s.instance.timers()] == ["timer_reply_overdue"]
    assert s.instance.timers()[0].due_at == end_of(date(2025, 10, 23))
    assert s.advance_to(at(date(2025, 10, 20))) == []
    decide(s, "order_correction", at(date(2025, 10, 20), 10), needs_extension=True)  # no second extension
    assert s.task("reply_work_order").due_at == end_of(date(2025, 10, 23))


def test_extension_approved_after_the_deadline_is_not_granted() -> None:
    s = receive(work_order(at(date(2025, 9, 26))))
    accept(s, at(date(2025, 9, 26), 9, 30))
    contact(s, at(date(2025, 9, 26), 10))
    check_site(s, at(date(2025, 10, 10), 10))
    decide(s, "order_correction", at(date(2025, 10, 10), 11), needs_extension=True)
    request_extension(s, date(2025, 10, 20), "approve", at(date(2025, 10, 13), 9))  # deadline was 10-10
    assert s.data["extension_granted"] is False
    assert s.task("reply_work_order").due_at == end_of(date(2025, 10, 10))
    assert "escalate_reply_overdue" in s.open()


def test_earlier_deadline_on_the_hotline_order_wins_over_the_table() -> None:
    s = receive(work_order(at(date(2025, 9, 26)), hotline_due_on=date(2025, 9, 30)))
    accept(s, at(date(2025, 9, 26), 9, 30))
    contact(s, at(date(2025, 9, 26), 10))
    assert s.task("on_site_check").due_at == end_of(date(2025, 9, 30))


# -- diagram and forms -------------------------------------------------------------------------


def test_diagram_names_known_roles_and_shipped_forms() -> None:
    files = load_files(*sorted(BPMN.glob("complaint_*")))
    forms = default_registry()
    (definition,) = load_definitions(
        files, form_exists=forms.__contains__, role_exists=DefaultConfig.ROLES.__contains__
    ).values()
    assert {t.role for t in definition.user_tasks.values()} == {"hotline_liaison", "officer", "squad_leader"}


def test_on_site_check_needs_evidence_and_two_officers() -> None:
    form = default_registry().get("complaint_site_check")
    one_officer = CHECKED | {"checked_at": at(date(2025, 9, 26)), "inspectors": INSPECTORS[:1]}
    with pytest.raises(ValidationError) as caught:
        form.validate(one_officer | {"evidence": []}, now=at(date(2025, 9, 26), 10))
    assert set(caught.value.messages) == {"inspectors", "evidence"}
