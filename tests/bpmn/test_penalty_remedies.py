"""`penalty_procedure` after the decision: 复议/诉讼 outcomes, deferral, and the publicity instance told of
changes (处罚法第四十八条). Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.bpmn.steps_penalty import (
    PUBLICITY_INSTANCE_ID,
    at,
    complete,
    decide,
    give_notice,
    issue_decision,
    pass_review,
    push_credit,
    report,
    respond,
    start,
    waived_case_served,
)
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
            "reason": "行政复议撤销或确认违法该处罚决定（嘉府复〔2025〕78号）",
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
