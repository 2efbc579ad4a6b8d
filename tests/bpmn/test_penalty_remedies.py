"""`penalty_procedure` after the decision: 复议/诉讼 outcomes, deferral, and the publicity instance told of
changes (处罚法第四十八条). Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.bpmn.steps_penalty import (
    FINE,
    PUBLICITY_INSTANCE_ID,
    at,
    complete,
    decide,
    end_of,
    give_notice,
    issue_decision,
    pass_review,
    push_credit,
    report,
    respond,
    start,
    waived_case_served,
)
from tests.workflows.scenario import Scenario
from workflows import InstanceStatus


def test_decision_revoked_on_reconsideration_is_not_enforced() -> None:
    s = start()
    waived_case_served(s)
    s.advance_to(at(date(2025, 10, 10), 0))
    case = {"kind": "reconsideration", "remedy_case_no": "嘉府复〔2025〕78号", "result": "revoked"}
    revoked = {**case, "filed_on": date(2025, 10, 15), "concluded_on": date(2025, 12, 10)}
    complete(
        s,
        "monitor_unpaid_fine",
        {"payment_status": "unpaid", "remedy_proceedings": [revoked]},
        on=date(2025, 12, 11),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["execution_status"], s.data["surcharge_amount"]) == ("revoked", Decimal("0"))
    # The publicity instance the router started is told to withdraw the publication (处罚法第四十八条).
    (message,) = s.instance.thrown_messages()
    assert (message.name, message.payload) == (
        "decision_changed",
        {
            "target_instance_id": PUBLICITY_INSTANCE_ID,
            "change_kind": "撤销",
            "changed_on": "2025-12-10",
            "reason": "行政复议撤销该处罚决定（嘉府复〔2025〕78号）",
            "fine_amount": FINE,
        },
    )


def test_without_an_answer_from_the_router_the_case_goes_on_after_ten_minutes_and_notifies_nobody() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    decide(s, date(2025, 9, 10))
    issue_decision(s, date(2025, 9, 10))
    service = {"service_method": "direct", "service_act_on": date(2025, 9, 16), "service_receipt": ["att"]}
    complete(s, "serve_decision", service, on=date(2025, 9, 16))  # nobody routes the start message
    assert s.open() == {}
    # The event-based wait: the router's answer or, failing that, a 10-minute timer (listed on the gateway).
    ten_minutes_on = at(date(2025, 9, 16)) + timedelta(minutes=10)
    assert [(t.bpmn_id, t.due_at) for t in s.instance.timers()] == [
        ("gw_await_publicity_started", ten_minutes_on)
    ]
    assert s.advance_to(ten_minutes_on) == ["gw_await_publicity_started"]
    assert s.data["publicity_instance_id"] is None
    push_credit(s, date(2025, 9, 17))
    s.advance_to(at(date(2025, 10, 10), 0))
    revoked = {
        "kind": "litigation",
        "remedy_case_no": None,
        "result": "revoked",
        "filed_on": date(2025, 10, 15),
        "concluded_on": date(2026, 1, 20),
    }
    unpaid = {"payment_status": "unpaid", "remedy_proceedings": [revoked]}
    complete(s, "monitor_unpaid_fine", unpaid, on=date(2026, 1, 21))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["execution_status"], s.data["revoked_on"]) == ("revoked", date(2026, 1, 20))
    assert [m.name for m in s.instance.thrown_messages()] == ["start.enforcement_publicity"]  # no withdrawal


def unpaid_after(s: Scenario, on: date, kind: str, result: str, concluded_on: date, **extra: Any) -> None:
    """The officer records a 复议/诉讼 that ended in `result` (filed 2025-10-15) and the fine still unpaid."""
    proceeding = {
        "kind": kind,
        "remedy_case_no": "嘉府复〔2025〕78号" if kind == "reconsideration" else "(2025)沪0114行初9号",
        "result": result,
        "filed_on": date(2025, 10, 15),
        "concluded_on": concluded_on,
        **extra,
    }
    complete(
        s, "monitor_unpaid_fine", {"payment_status": "unpaid", "remedy_proceedings": [proceeding]}, on=on
    )


def test_changed_decision_corrects_the_publicity_and_the_reminder_demands_the_changed_fine() -> None:
    s = start()
    waived_case_served(s)
    s.advance_to(at(date(2025, 10, 10), 0))
    unpaid_after(
        s, date(2025, 12, 11), "reconsideration", "changed", date(2025, 12, 10), changed_fine=Decimal("5000")
    )
    (message,) = s.instance.thrown_messages()
    assert (message.name, message.payload["change_kind"], message.payload["fine_amount"]) == (
        "decision_changed",
        "变更",
        Decimal("5000"),
    )
    assert message.payload["target_instance_id"] == PUBLICITY_INSTANCE_ID
    assert (s.data["fine_amount"], s.data["original_fine_amount"]) == (Decimal("5000"), FINE)
    assert s.instance.status() is not InstanceStatus.COMPLETED  # execution goes on
    assert s.advance_to(end_of(date(2026, 3, 16))) == ["timer_remedy_periods"]
    unpaid_after(
        s, date(2026, 3, 17), "reconsideration", "changed", date(2025, 12, 10), changed_fine=Decimal("5000")
    )
    assert s.instance.thrown_messages() == []  # told once
    # 159 days late less the 57 days of the reconsideration: 102 days at 3 % of 5,000, capped at 5,000.
    assert (s.data["surcharge_days"], s.data["surcharge_amount"]) == (102, Decimal("5000"))
    assert s.data["reminder_amount"] == Decimal("10000")
    assert "serve_payment_reminder" in s.open()


def test_decision_found_unlawful_stays_in_force_so_execution_continues_but_publicity_is_withdrawn() -> None:
    s = start()
    waived_case_served(s)
    s.advance_to(at(date(2025, 10, 10), 0))
    unpaid_after(
        s, date(2026, 3, 20), "litigation", "confirmed_illegal", date(2026, 3, 18)
    )  # 行诉法第七十四条
    (message,) = s.instance.thrown_messages()
    assert (message.payload["change_kind"], message.payload["changed_on"]) == ("确认违法", "2026-03-18")
    assert s.data["execution_status"] is None
    assert "serve_payment_reminder" in s.open()


def test_decision_found_void_is_not_enforced_and_publicity_is_withdrawn() -> None:
    s = start()
    waived_case_served(s)
    s.advance_to(at(date(2025, 10, 10), 0))
    unpaid_after(s, date(2026, 1, 21), "litigation", "confirmed_void", date(2026, 1, 20))
    (message,) = s.instance.thrown_messages()
    assert message.payload["change_kind"] == "确认无效"
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["execution_status"], s.data["revoked_on"]) == ("void", date(2026, 1, 20))


def request_deferral(s: Scenario, until: date, decision: str) -> None:
    requested = {"payment_status": "deferral_requested", "deferred_until": until}
    complete(s, "record_payment", requested, on=date(2025, 9, 30))
    assert s.task("approve_payment_deferral").role == "bureau_head"
    assert s.task("approve_payment_deferral").due_at == end_of(date(2025, 10, 9))
    approval = {
        "deferral_decision": decision,
        "deferred_until": until,
        "deferral_decided_on": date(2025, 10, 8),
    }
    complete(s, "approve_payment_deferral", approval, on=date(2025, 10, 8))


def test_approved_deferral_moves_the_payment_and_court_application_deadlines() -> None:
    s = start()
    waived_case_served(s)
    assert s.data["court_application_due_on"] == date(2026, 6, 16)
    request_deferral(s, date(2026, 4, 30), "approve")  # 处罚法第六十六条
    assert s.task("record_payment").due_at == end_of(date(2026, 4, 30))
    # 行政处罚法第七十二条第二款: the court-application period runs from the end of the deferral.
    assert s.data["court_application_due_on"] == date(2026, 7, 30)


def test_refused_deferral_keeps_the_original_payment_deadline() -> None:
    s = start()
    waived_case_served(s)
    request_deferral(s, date(2026, 4, 30), "refuse")
    assert s.task("record_payment").due_at == end_of(date(2025, 10, 9))
    assert s.data["court_application_due_on"] == date(2026, 6, 16)
