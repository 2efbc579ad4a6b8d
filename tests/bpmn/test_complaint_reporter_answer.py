"""12345/12319 诉求处置 (`complaint_handling`): a 举报人 learns the check result within 5 working days of
the order's assignment (《上海市城市管理行政执法条例》第二十六条), whatever happens to the handling.

Signed and assigned on Friday 2025-09-26: the 调休 Sunday 09-28, 09-29, 09-30, then (after the National
Day holiday 10-01..08) 10-09 and 10-10 make five working days.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_complaint import (
    CHECKED,
    accept,
    at,
    contact,
    decide,
    end_of,
    escalate,
    fill,
    receive,
    work_order,
)

ART_26 = "《上海市城市管理行政执法条例》第二十六条"
ANSWER = {
    "reporter_reply_method": "phone",
    "reporter_reply_content": "因当事人拒绝入户尚未核实，已约谈并将再次核查",
}


def test_the_reporter_is_answered_in_five_working_days_though_entry_is_refused_and_handling_extended() -> (
    None
):
    s = receive(work_order(at(date(2025, 9, 26)), order_type="report"))
    accept(s, at(date(2025, 9, 26), 9, 30))
    answer = s.task("answer_reporter")
    assert (answer.role, answer.due_at, answer.legal_basis) == ("officer", end_of(date(2025, 10, 10)), ART_26)
    contact(s, at(date(2025, 9, 26), 10))
    refused = CHECKED | {"check_conclusion": "unverifiable", "checked_at": at(date(2025, 9, 29), 10)}
    fill(s, "on_site_check", refused, at(date(2025, 9, 29), 10))  # the party would not let them in
    decide(s, "order_correction", at(date(2025, 9, 29), 11), needs_extension=True)
    fill(
        s,
        "request_extension",
        {"extension_reason": "拒绝入户，需再次约谈", "requested_reply_due": date(2025, 10, 20)},
        at(date(2025, 9, 30), 9),
    )
    fill(s, "approve_extension", {"extension_decision": "approve"}, at(date(2025, 9, 30), 10))
    assert s.task("decide_handling").due_at == end_of(date(2025, 10, 20))  # the handling got more time
    assert s.task("answer_reporter").due_at == end_of(date(2025, 10, 10))  # the reporter did not
    assert s.advance_to(end_of(date(2025, 10, 10))) == ["timer_reporter_answer_overdue"]
    assert s.task("escalate_reporter_answer").role == "squad_leader"
    escalate(s, "escalate_reporter_answer", at(date(2025, 10, 11), 9))
    fill(
        s, "answer_reporter", ANSWER | {"reporter_replied_on": date(2025, 10, 11)}, at(date(2025, 10, 11), 10)
    )
    assert "answer_reporter" not in s.open()
    assert "decide_handling" in s.open()


def test_a_complaint_that_is_not_a_report_has_no_such_answer() -> None:
    s = receive(work_order(at(date(2025, 9, 26))))
    accept(s, at(date(2025, 9, 26), 9, 30))
    assert "answer_reporter" not in s.open()
    assert "first_contact" in s.open()
