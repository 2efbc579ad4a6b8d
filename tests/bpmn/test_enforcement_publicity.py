"""行政执法公示 (enforcement_publicity): masking, the 7-working-day deadline, withdrawal, expiry.

Dates are real-calendar: the 2025 National Day holiday runs 10-01..10-08, with 调休 working days
on Sunday 2025-09-28 and Saturday 2025-10-11; New Year 2026 is off 01-01..01-03, with Sunday
2026-01-04 worked. Every step's data is first validated by the task's own form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import FormRegistry
from tests.bpmn import test_penalty_procedure as penalty
from tests.workflows.scenario import Scenario, load_files
from workflows import CHINA_TZ, InstanceStatus

ROOT = Path(__file__).parents[2]
FORMS = FormRegistry.from_directory(ROOT / "forms" / "definitions")
FILES = load_files(ROOT / "bpmn")

PERSON_ID = "310114198503152413"  # born 1985-03-15
MINOR_ID = "310114200905010020"  # born 2009-05-01: 16 on the decision day
USCC = "91310114MA1GT3XK04"

INDIVIDUAL = {
    "case_no": "嘉城管案〔2025〕第0123号",
    "decision_no": "嘉城管罚决字〔2025〕第0123号",
    "decided_on": "2025-09-28",
    "party_type": "individual",
    "party_name": "张三",
    "party_id_number": PERSON_ID,
    "legal_representative": None,
    "party_address": "嘉定区叶城路1号301室",
    "violation_facts": "当事人在嘉定区叶城路1号301室装修时擅自拆除承重墙",
    "penalty_kind": "fine",  # the penalty procedure sends its form codes
    "legal_basis": "《上海市住宅物业管理规定》第五十六条第二款第一项、第八十三条",
    "fine_amount": Decimal("50000.00"),
    "performance_method": "自收到决定书之日起十五日内缴纳罚款",
    "deciding_organ": "上海市嘉定区城市管理行政执法局",
    "source_instance_id": 41,
}
ORGANIZATION = {
    **INDIVIDUAL,
    "party_type": "organization",
    "party_name": "上海某某装饰工程有限公司",
    "party_uscc": USCC,
    "legal_representative": "李四",
    "party_address": "嘉定区城中路2号",
    "penalty_kind": "warning",
    "fine_amount": None,
    "performance_method": "当场履行",
}
ORGANIZATION.pop("party_id_number")
PUBLISHED_FACTS = "当事人在嘉定区某小区住宅装修时擅自拆除承重墙"


def at(day: date, hour: int = 10) -> datetime:
    """Return `hour` o'clock China time on `day`."""
    return datetime.combine(day, time(hour), CHINA_TZ)


def end_of(day: date) -> datetime:
    """Return the deadline instant of `day`: 23:59:59 China time."""
    return datetime.combine(day, time(23, 59, 59), CHINA_TZ)


def start(payload: Mapping[str, Any]) -> Scenario:
    """Start the process as the penalty procedure's `start.enforcement_publicity` message does."""
    decided_on = payload["decided_on"]  # a date, or ISO text
    day = decided_on if isinstance(decided_on, date) else date.fromisoformat(decided_on)
    return Scenario(FILES, "enforcement_publicity", payload, now=at(day))


def complete(s: Scenario, bpmn_id: str, on: date, **data: Any) -> None:
    """Validate `data` with the open task's form, then complete the task on day `on`."""
    form = FORMS.get(s.task(bpmn_id).form_key)
    s.complete(bpmn_id, form.validate(data, now=at(on)), now=at(on))


def prepare_and_approve(s: Scenario, on: date, **prepare: Any) -> None:
    """The clerk prepares the record and 法制科 approves it."""
    complete(s, "prepare_publicity_record", on, published_facts=PUBLISHED_FACTS, **prepare)
    complete(s, "review_publicity_record", on, review_result="approve", review_opinion="同意公示")


def publish(s: Scenario, on: date) -> None:
    """The clerk publishes the approved record on the district portal."""
    where = {"publicity_channels": ["district_portal"], "publication_proof": ["att-publicity-page"]}
    complete(s, "publish_publicity_record", on, published_on=on, **where)


def publish_and_push(s: Scenario, on: date) -> None:
    """Approve, publish and push to the credit platform on day `on`."""
    prepare_and_approve(s, on)
    publish(s, on)
    complete(s, "push_to_credit_platform", on, credit_pushed_on=on, credit_receipt_no="SH-CREDIT-0001")


def decision_changed(s: Scenario, kind: str, changed_on: date) -> None:
    """Deliver the penalty procedure's `decision_changed` message."""
    payload = {
        "target_instance_id": 42,
        "change_kind": kind,
        "changed_on": changed_on.isoformat(),
        "reason": "复议",
    }
    s.instance.send_message("decision_changed", payload, at(changed_on, 15))


def withdraw(s: Scenario, on: date) -> None:
    """The clerk withdraws the record and publishes why."""
    explanation = "该处罚决定已被变更、撤销或确认违法，现撤回公示。"
    complete(s, "withdraw_publicity", on, withdrawn_on=on, withdrawal_explanation=explanation)


def request_deletion(s: Scenario, on: date) -> None:
    """The clerk asks the credit centre in writing to delete the record."""
    notice = {"deletion_notice_no": "嘉城管函〔2026〕1号", "deletion_notice": ["att-deletion-notice"]}
    complete(s, "request_credit_deletion", on, credit_deletion_requested_on=on, **notice)


def decide_non_publication(s: Scenario, decision: str, opinion: str) -> None:
    """The deputy head decides on the proposal not to publish."""
    answer = {"non_publication_decision": decision, "non_publication_opinion": opinion}
    complete(s, "approve_non_publication", date(2025, 9, 30), **answer)


def record_deletion(s: Scenario, on: date) -> None:
    """The clerk records the credit centre's confirmation."""
    complete(s, "record_credit_deletion", on, credit_deleted_on=on, deletion_confirmation="回执 XY-0007")


def test_decision_on_a_tiaoxiu_sunday_is_published_within_seven_workdays_and_withdrawn_when_revoked() -> None:
    s = start(INDIVIDUAL)
    prepare = s.task("prepare_publicity_record")
    # 7 working days after Sunday 09-28: 09-29, 09-30, [10-01..08 off], 10-09, 10-10, Sat 10-11, 10-13, 10-14.
    deadline = end_of(date(2025, 10, 14))
    assert (prepare.role, prepare.due_at) == ("clerk", deadline)
    assert [(t.bpmn_id, t.due_at) for t in s.instance.timers()] == [("timer_publish_deadline", deadline)]

    publish_and_push(s, date(2025, 10, 10))
    assert s.data["published_on"] == date(2025, 10, 10)
    assert s.data["publicity_ends_on"] == date(2028, 10, 10)  # 罚款: 36 months (publicity_period)
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


def test_change_before_the_credit_push_withdraws_without_asking_for_deletion() -> None:
    s = start(INDIVIDUAL)
    prepare_and_approve(s, date(2025, 10, 9))
    publish(s, date(2025, 10, 9))
    decision_changed(s, "变更", date(2025, 10, 10))
    assert s.task("withdraw_publicity").due_at == end_of(date(2025, 10, 14))  # Sat 10-11 worked, 10-13, 10-14
    withdraw(s, date(2025, 10, 13))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "request_credit_deletion" not in s.steps


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


def test_publicity_period_ends_at_month_end_and_the_record_is_taken_down() -> None:
    s = start({**ORGANIZATION, "decided_on": date(2026, 3, 27)})
    publish_and_push(s, date(2026, 3, 31))
    # 警告: 3 months from 03-31 would be 06-31, which does not exist: the period ends on 06-30.
    assert s.data["publicity_ends_on"] == date(2026, 6, 30)
    assert s.advance_to(at(date(2026, 6, 30), 18)) == []
    assert s.advance_to(end_of(date(2026, 6, 30))) == ["timer_publicity_expired"]
    assert s.task("take_down_expired_record").due_at == end_of(date(2026, 7, 1))
    complete(s, "take_down_expired_record", date(2026, 7, 1), taken_down_on=date(2026, 7, 1))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "withdraw_publicity" not in s.steps


# -- started by penalty_procedure: one credit push, withdrawal on revocation ----------------------


def penalty_served_and_publicity_started(**penalty_start: Any) -> tuple[Scenario, Scenario]:
    """A penalty decided 2025-09-10 and served 2025-09-16; the router starts publicity with its payload."""
    p = penalty.start(**penalty_start)
    payload = penalty.waived_case_served(p)  # the emulated router answers with PUBLICITY_INSTANCE_ID
    assert payload is not None
    source = {"source_instance_id": 41, "source_process": "penalty_procedure"}
    s = Scenario(FILES, "enforcement_publicity", {**payload, **source}, now=at(date(2025, 9, 16)))
    return p, s


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
