"""行政执法公示 (enforcement_publicity): masking, the 7-working-day deadline, withdrawal, expiry.

Dates are real-calendar: the 2025 National Day holiday runs 10-01..10-08, with 调休 working days
on Sunday 2025-09-28 and Saturday 2025-10-11; New Year 2026 is off 01-01..01-03, with Sunday
2026-01-04 worked. Every step's data is first validated by the task's own form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.bpmn.steps_publicity import (
    INDIVIDUAL,
    MINOR_ID,
    ORGANIZATION,
    PUBLISHED_FACTS,
    USCC,
    at,
    complete,
    decide_non_publication,
    decision_changed,
    end_of,
    prepare_and_approve,
    publish,
    publish_and_push,
    record_deletion,
    request_deletion,
    start,
    withdraw,
)
from workflows import InstanceStatus


def test_decision_on_a_tiaoxiu_sunday_is_published_within_seven_workdays_and_withdrawn_when_revoked() -> None:
    s = start(INDIVIDUAL)
    prepare = s.task("prepare_publicity_record")
    # 7 working days after Sunday 09-28: 09-29, 09-30, [10-01..08 off], 10-09, 10-10, Sat 10-11, 10-13, 10-14.
    deadline = end_of(date(2025, 10, 14))
    assert (prepare.role, prepare.due_at) == ("clerk", deadline)
    assert [(t.bpmn_id, t.due_at) for t in s.instance.timers()] == [("timer_publish_deadline", deadline)]

    publish_and_push(s, date(2025, 10, 10))
    assert s.data["published_on"] == date(2025, 10, 10)
    # An individual: 3 years (publicity_period), counted from the decision date, not from publication.
    assert s.data["publicity_ends_on"] == date(2028, 9, 28)
    assert [t.bpmn_id for t in s.instance.timers()] == ["timer_publicity_expired"]
    assert "escalate_publication_overdue" not in s.open()

    decision_changed(s, "撤销", date(2025, 12, 31))
    withdrawal = s.task("withdraw_publicity")
    # 3 working days after Wednesday 12-31: [01-01..01-03 off], Sunday 01-04, 01-05, 01-06.
    assert (withdrawal.role, withdrawal.due_at) == ("clerk", end_of(date(2026, 1, 6)))
    assert (s.data["change_kind"], s.data["changed_on"]) == ("撤销", date(2025, 12, 31))

    withdraw(s, date(2026, 1, 5))
    request_deletion(s, date(2026, 1, 5))
    # The centre deletes within 3 working days: 01-06, 01-07, 01-08.
    assert s.task("record_credit_deletion").due_at == end_of(date(2026, 1, 8))
    record_deletion(s, date(2026, 1, 7))

    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["credit_deleted_on"] == date(2026, 1, 7)
    assert s.steps[-3:] == ["withdraw_publicity", "request_credit_deletion", "record_credit_deletion"]


def test_individual_record_shows_surname_and_partial_id_only() -> None:
    s = start(INDIVIDUAL)
    complete(s, "prepare_publicity_record", date(2025, 9, 29), published_facts=PUBLISHED_FACTS)
    record = s.data["publicity_record"]
    assert record["party_name"] == "张某某"
    assert record["party_id_number"] == "310114********2413"
    assert "party_address" not in record
    assert record["violation_facts"] == PUBLISHED_FACTS
    assert record["decision_no"] == INDIVIDUAL["decision_no"]
    assert (record["penalty_kind"], record["fine_amount"]) == ("罚款", Decimal("50000.00"))
    assert s.task("review_publicity_record").role == "legal_reviewer"


def test_organization_record_shows_name_credit_code_and_representative_in_full() -> None:
    s = start(ORGANIZATION)
    complete(s, "prepare_publicity_record", date(2025, 9, 29), published_facts=PUBLISHED_FACTS)
    record = s.data["publicity_record"]
    assert (record["party_name"], record["party_uscc"]) == ("上海某某装饰工程有限公司", USCC)
    assert record["legal_representative"] == "李四"
    assert "party_address" not in record
    assert record["penalty_kind"] == "警告"
    assert "fine_amount" not in record  # a warning carries no fine
    assert record["decided_on"] == date(2025, 9, 28)  # sent as ISO text


def test_returned_record_goes_back_to_the_clerk_with_the_same_deadline() -> None:
    s = start(INDIVIDUAL)
    complete(s, "prepare_publicity_record", date(2025, 9, 29), published_facts=INDIVIDUAL["violation_facts"])
    complete(
        s, "review_publicity_record", date(2025, 9, 30), review_result="return", review_opinion="删去门牌号"
    )
    assert s.task("prepare_publicity_record").due_at == end_of(date(2025, 10, 14))
    prepare_and_approve(s, date(2025, 10, 9))
    assert s.data["publicity_record"]["violation_facts"] == PUBLISHED_FACTS
    assert "publish_publicity_record" in s.open()


def test_minor_party_is_not_published_even_when_the_clerk_does_not_tick_it() -> None:
    s = start({**INDIVIDUAL, "party_name": "王小明", "party_id_number": MINOR_ID})
    prepare_and_approve(s, date(2025, 9, 29))  # exemption left at its default, "none"
    approval = s.task("approve_non_publication")
    assert (approval.role, s.data["exemption"]) == ("deputy_head", "minor")
    decide_non_publication(s, "approve", "当事人未满十八周岁，同意不予公开")
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["published_on"] is None
    assert "push_to_credit_platform" not in s.steps


def test_rejected_trade_secret_claim_returns_to_the_clerk_for_publication() -> None:
    s = start(ORGANIZATION)
    prepare_and_approve(s, date(2025, 9, 29), exemption="trade_secret", exemption_reason="涉及施工工艺")
    decide_non_publication(s, "reject", "处罚结果不涉及商业秘密，应予公开")
    prepare_and_approve(s, date(2025, 10, 9), exemption="none")
    assert "publish_publicity_record" in s.open()


def test_missed_publication_deadline_escalates_to_the_squad_leader_while_the_work_goes_on() -> None:
    s = start(INDIVIDUAL)
    assert s.advance_to(at(date(2025, 10, 14), 18)) == []
    assert s.advance_to(end_of(date(2025, 10, 14))) == ["timer_publish_deadline"]
    assert s.task("escalate_publication_overdue").role == "squad_leader"
    assert "prepare_publicity_record" in s.open()
    complete(s, "escalate_publication_overdue", date(2025, 10, 15), escalation_note="今日内完成公示")
    publish_and_push(s, date(2025, 10, 15))
    assert s.instance.status() is InstanceStatus.RUNNING
    assert s.open() == {}


def test_decision_revoked_before_publication_stops_it() -> None:
    s = start(INDIVIDUAL)
    decision_changed(s, "撤销", date(2025, 9, 30))
    assert list(s.open()) == ["record_publication_stopped"]
    assert s.instance.timers() == []
    complete(s, "record_publication_stopped", date(2025, 9, 30), stop_note="原决定已撤销，不再公示")
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_changed_decision_is_withdrawn_then_published_again_as_changed() -> None:
    s = start(INDIVIDUAL)
    prepare_and_approve(s, date(2025, 10, 9))
    publish(s, date(2025, 10, 9))
    payload = {
        "target_instance_id": 42,
        "change_kind": "变更",
        "changed_on": "2025-10-10",
        "reason": "复议变更",
    }
    s.instance.send_message(
        "decision_changed", payload | {"fine_amount": "30000"}, at(date(2025, 10, 10), 15)
    )
    assert s.task("withdraw_publicity").due_at == end_of(date(2025, 10, 14))  # Sat 10-11 worked, 10-13, 10-14
    withdraw(s, date(2025, 10, 13))
    assert "request_credit_deletion" not in s.steps  # not pushed yet
    # 更正: the changed decision is published again, within 7 working days of the change.
    # 7 working days after Friday 10-10: Sat 10-11 (调休), 10-13 … 10-17, 10-20.
    assert s.task("prepare_publicity_record").due_at == end_of(date(2025, 10, 20))
    prepare_and_approve(s, date(2025, 10, 14))
    assert s.data["publicity_record"]["fine_amount"] == Decimal("30000")
    publish(s, date(2025, 10, 14))
    assert s.data["publicity_ends_on"] == date(2028, 9, 28)  # still counted from the decision date


def test_late_withdrawal_and_late_deletion_are_escalated_and_chased() -> None:
    s = start(INDIVIDUAL)
    publish_and_push(s, date(2025, 10, 10))
    decision_changed(s, "确认违法", date(2025, 12, 31))
    assert s.advance_to(end_of(date(2026, 1, 6))) == ["timer_withdrawal_deadline"]
    complete(s, "escalate_withdrawal_overdue", date(2026, 1, 7), escalation_note="立即撤回")
    withdraw(s, date(2026, 1, 7))
    request_deletion(s, date(2026, 1, 7))
    assert s.advance_to(end_of(date(2026, 1, 12))) == ["timer_credit_deletion_overdue"]  # 01-08, 01-09, 01-12
    complete(
        s, "chase_credit_deletion", date(2026, 1, 13), chased_on=date(2026, 1, 13), chase_note="电话催告"
    )
    record_deletion(s, date(2026, 1, 14))
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_organization_is_shown_five_years_from_the_decision_then_taken_down() -> None:
    s = start({**ORGANIZATION, "decided_on": date(2024, 2, 29)})
    publish_and_push(s, date(2024, 3, 4))
    # An organisation: 5 years from the decision date; 2029-02-29 does not exist, so 02-28.
    assert s.data["publicity_ends_on"] == date(2029, 2, 28)
    assert s.advance_to(at(date(2029, 2, 28), 18)) == []
    assert s.advance_to(end_of(date(2029, 2, 28))) == ["timer_publicity_expired"]
    assert s.task("take_down_expired_record").due_at == end_of(date(2029, 3, 1))
    complete(s, "take_down_expired_record", date(2029, 3, 1), taken_down_on=date(2029, 3, 1))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "withdraw_publicity" not in s.steps
