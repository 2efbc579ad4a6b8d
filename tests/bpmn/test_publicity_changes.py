"""行政执法公示 (enforcement_publicity) told of changes: by the penalty procedure while it runs, by
staff (an external `decision_changed`) once it has ended; the publication deadline extended with the
head's approval.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_publicity import (
    INDIVIDUAL,
    PUBLISHED_FACTS,
    at,
    complete,
    decision_changed,
    end_of,
    penalty,
    penalty_served_and_publicity_started,
    prepare_and_approve,
    publish,
    record_deletion,
    request_deletion,
    start,
    withdraw,
)
from tests.workflows.scenario import Scenario
from workflows import InstanceStatus


def test_publicity_started_by_the_penalty_procedure_does_not_push_to_the_credit_platform_again() -> None:
    p, s = penalty_served_and_publicity_started()
    assert "record_credit_push" in p.steps  # pushed once, by the penalty procedure
    assert (s.data["credit_push_done_by_caller"], s.data["credit_pushed"]) == (True, True)
    prepare_and_approve(s, date(2025, 9, 17))
    publish(s, date(2025, 9, 17))
    assert s.open() == {}  # waiting for a decision change or the end of the period: no second push task
    assert "push_to_credit_platform" not in s.steps
    assert [t.bpmn_id for t in s.instance.timers()] == ["timer_publicity_expired"]


def test_revocation_in_the_penalty_procedure_withdraws_the_publication_and_asks_for_credit_deletion() -> None:
    p, s = penalty_served_and_publicity_started()
    prepare_and_approve(s, date(2025, 9, 17))
    publish(s, date(2025, 9, 17))

    p.advance_to(at(date(2025, 10, 10), 0))
    case = {"kind": "reconsideration", "remedy_case_no": "嘉府复〔2025〕78号", "result": "revoked"}
    revoked = {**case, "filed_on": date(2025, 10, 15), "concluded_on": date(2025, 12, 10)}
    unpaid = {"payment_status": "unpaid", "remedy_proceedings": [revoked]}
    penalty.complete(p, "monitor_unpaid_fine", unpaid, on=date(2025, 12, 11))
    assert p.instance.status() is InstanceStatus.COMPLETED

    # Emulate the router: the message names the publicity instance the penalty procedure was told about.
    (message,) = p.instance.thrown_messages()
    assert message.name == "decision_changed"
    assert isinstance(message.payload, dict)
    assert message.payload["target_instance_id"] == penalty.PUBLICITY_INSTANCE_ID
    s.advance_to(at(date(2025, 12, 11)))
    s.instance.send_message(message.name, message.payload, at(date(2025, 12, 11)))

    withdrawal = s.task("withdraw_publicity")
    # 3 working days after Wednesday 2025-12-10: 12-11, 12-12, Monday 12-15.
    assert (withdrawal.role, withdrawal.due_at) == ("clerk", end_of(date(2025, 12, 15)))
    assert (s.data["change_kind"], s.data["changed_on"]) == ("撤销", date(2025, 12, 10))
    assert s.data["change_reason"] == "行政复议撤销该处罚决定（嘉府复〔2025〕78号）"
    withdraw(s, date(2025, 12, 12))
    request_deletion(s, date(2025, 12, 12))  # the penalty procedure's push must be deleted
    record_deletion(s, date(2025, 12, 16))
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_withdrawal_asks_for_no_deletion_when_the_caller_exempted_the_party_from_the_credit_push() -> None:
    s = start({**INDIVIDUAL, "credit_push_done_by_caller": True, "credit_pushed": False})
    prepare_and_approve(s, date(2025, 10, 9))
    publish(s, date(2025, 10, 9))
    assert s.open() == {}
    decision_changed(s, "撤销", date(2025, 12, 31))
    withdraw(s, date(2026, 1, 5))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "request_credit_deletion" not in s.steps


def test_staff_record_a_later_court_finding_on_the_publicity_after_the_penalty_procedure_ended() -> None:
    p, s = penalty_served_and_publicity_started()
    prepare_and_approve(s, date(2025, 9, 17))
    publish(s, date(2025, 9, 17))
    penalty.pay(p, "record_payment", date(2025, 9, 30))
    assert p.instance.status() is InstanceStatus.COMPLETED  # nobody left to throw decision_changed
    external = s.definition.external_messages["decision_changed"]
    assert "await_decision_change" in external.elements
    assert {"legal_reviewer", "bureau_head"} <= set(external.sender_roles)
    decision_changed(s, "确认违法", date(2026, 3, 18))  # 行诉法第七十四条: recorded by the legal section
    assert s.task("withdraw_publicity").due_at == end_of(date(2026, 3, 23))  # 03-19, 03-20, 03-23
    withdraw(s, date(2026, 3, 19))
    request_deletion(s, date(2026, 3, 19))
    record_deletion(s, date(2026, 3, 20))
    assert s.instance.status() is InstanceStatus.COMPLETED  # 确认违法: withdrawn, not published again


def ask_for_extension(s: Scenario, on: date) -> None:
    reason = {"publication_extension_requested": True, "publication_extension_reason": "决定书待补正"}
    complete(s, "prepare_publicity_record", on, published_facts=PUBLISHED_FACTS, **reason)


def test_publication_deadline_is_extended_once_with_the_bureau_heads_approval() -> None:
    s = start(INDIVIDUAL)  # decided Sunday 2025-09-28: publish by 10-14
    ask_for_extension(s, date(2025, 10, 13))
    approval = s.task("approve_publication_extension")
    assert (approval.role, approval.due_at) == ("bureau_head", end_of(date(2025, 10, 14)))
    assert approval.legal_basis
    decided = {
        "publication_extension_decision": "approve",
        "publication_extension_decided_on": date(2025, 10, 13),
    }
    complete(s, "approve_publication_extension", date(2025, 10, 13), **decided)
    # 7 more working days after 10-14 (publicity_period): 10-15 … 10-17, 10-20 … 10-23.
    assert s.task("prepare_publicity_record").due_at == end_of(date(2025, 10, 23))
    assert [(t.bpmn_id, t.due_at) for t in s.instance.timers()] == [
        ("timer_publish_deadline", end_of(date(2025, 10, 23)))
    ]
    ask_for_extension(s, date(2025, 10, 20))  # only once: the record goes on to review
    assert set(s.open()) == {"review_publicity_record"}


def test_refused_extension_keeps_the_seven_working_day_deadline() -> None:
    s = start(INDIVIDUAL)
    ask_for_extension(s, date(2025, 10, 10))
    decided = {
        "publication_extension_decision": "refuse",
        "publication_extension_decided_on": date(2025, 10, 10),
    }
    complete(s, "approve_publication_extension", date(2025, 10, 10), **decided)
    assert s.task("prepare_publicity_record").due_at == end_of(date(2025, 10, 14))
    assert s.data["publish_extended"] is False
