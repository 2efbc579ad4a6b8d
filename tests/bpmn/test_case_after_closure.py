"""After closure (`case_after_closure`): 失信 objections, a rectification order set aside, and a house
annotation still in place when the case closed, all handled without reopening the closed case.

A closed case is COMPLETED and catches no message any more; staff start this small process with the
case number instead. Objections are answered within 5 working days of receipt (《上海市社会信用条例》
第三十六条); a founded one, or an order set aside, deletes the record (第三十七条, 3 working days); a
set-aside or a restoration accepted after closure lifts the annotation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from forms import default_registry
from tests.bpmn.steps_case import BPMN, at, end_of, fill
from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus

START = {
    "case_no": "嘉城管立〔2025〕0001号",
    "party_name": "赵某",
    "after_closure_facts": "结案后收到信用中心转来的异议",
    "after_closure_files": ["att-after-closure"],
}


def started(kind: str, received: date, **extra: Any) -> Scenario:
    data = START | {"after_closure_kind": kind, "after_closure_received_on": received} | extra
    values = default_registry().get("after_closure_start").validate(data, now=at(received, 9))
    return Scenario(load_files(BPMN), "case_after_closure", values, now=at(received, 9))


def lift(s: Scenario, day: date) -> None:
    assert s.task("issue_annotation_lift_letter").role == "squad_leader"
    fill(s, "issue_annotation_lift_letter", {"annotation_lift_signed_on": day}, at(day, 10))
    sent = {"annotation_lift_sent_on": day, "annotation_lift_files": ["att-lift-letter"]}
    fill(s, "send_annotation_lift_letter", sent, at(day, 11))
    receipt = {"annotation_lifted_on": day, "annotation_lift_receipt_files": ["att-lift-receipt"]}
    fill(s, "record_annotation_lift_receipt", receipt, at(day, 15))


def test_an_objection_after_closure_is_answered_in_five_working_days_and_a_founded_one_deletes() -> None:
    s = started("credit_objection", date(2026, 3, 2), credit_record_exists=True)
    decision = s.task("decide_credit_objection")
    assert (decision.role, decision.legal_basis) == ("squad_leader", "《上海市社会信用条例》第三十六条")
    assert decision.due_at == end_of(date(2026, 3, 9))  # received Monday 03-02: five working days
    upheld = {
        "credit_objection_decision": "uphold",
        "credit_objection_reply": "异议成立，删除失信信息",
        "credit_objection_decided_on": date(2026, 3, 4),
    }
    fill(s, "decide_credit_objection", upheld, at(date(2026, 3, 4), 10))
    deletion = s.task("delete_credit_record")
    assert (deletion.role, deletion.legal_basis) == ("officer", "《上海市社会信用条例》第三十七条")
    fill(s, "delete_credit_record", {"credit_repair_deleted_on": date(2026, 3, 5)}, at(date(2026, 3, 5), 10))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["credit_record_status"] == "deleted"


def test_a_dismissed_objection_ends_with_the_answer() -> None:
    s = started("credit_objection", date(2026, 3, 2), credit_record_exists=True)
    dismissed = {
        "credit_objection_decision": "dismiss",
        "credit_objection_reply": "异议不成立",
        "credit_objection_decided_on": date(2026, 3, 3),
    }
    fill(s, "decide_credit_objection", dismissed, at(date(2026, 3, 3), 10))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.data["credit_record_status"] == "recorded"


def test_an_order_set_aside_after_closure_deletes_the_record_and_lifts_the_annotation() -> None:
    s = started("order_set_aside", date(2026, 4, 1), credit_record_exists=True, annotation_in_place=True)
    fill(s, "delete_credit_record", {"credit_repair_deleted_on": date(2026, 4, 2)}, at(date(2026, 4, 2), 10))
    lift(s, date(2026, 4, 3))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["credit_record_status"], s.data["annotation_lift_result"]) == ("deleted", "lifted")
    assert s.data["annotation_lift_letter_no"]  # numbered as the in-case lifting letter


def test_a_restoration_accepted_after_closure_lifts_the_annotation_and_a_failed_one_keeps_it() -> None:
    s = started("restored", date(2026, 5, 6), annotation_in_place=True)
    check = {
        "repair_report_no": "TJ-HF-2026-031",
        "acceptance_inspected_on": date(2026, 5, 7),
        "acceptance_result": "passed",
        "acceptance_files": ["att-acceptance"],
    }
    fill(s, "accept_restoration_after_closure", check, at(date(2026, 5, 7), 10))
    lift(s, date(2026, 5, 8))
    assert s.data["annotation_lift_result"] == "lifted"
    failed = started("restored", date(2026, 5, 6), annotation_in_place=True)
    fill(
        failed,
        "accept_restoration_after_closure",
        check | {"acceptance_result": "failed"},
        at(date(2026, 5, 7), 10),
    )
    assert failed.instance.status() is InstanceStatus.COMPLETED
    assert failed.data["annotation_lift_result"] == "none"
