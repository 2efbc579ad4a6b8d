"""Shared steps of the 损坏房屋承重结构 (`load_bearing_case`) scenarios: each step completes one task as
the service does (the form validates, numbers are allocated) on a real date.

The 2025-2026 calendar matters here: the National Day holiday runs 2025-10-01..08 (Sunday 2025-09-28 and
Saturday 2025-10-11 are 调休 working days), New Year 2026-01-01..03 (Sunday 2026-01-04 works) and the
Spring Festival 2026-02-15..23 (Saturdays 2026-02-14 and 2026-02-28 work). The called processes
`penalty_procedure` and `major_decision_review` run for real; their tasks are completed with valid data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tests.bpmn.steps_case_discovery import (
    BPMN,
    CATALOGUE_ITEM,
    COMPLAINT_INSTANCE_ID,
    OFFICERS,
    PARTY,
    PROCESS,
    appraise,
    ask_for_structure_info,
    assign,
    at,
    close_lead,
    confirm_violation,
    determine,
    end_of,
    file_and_order,
    file_case,
    fill,
    inspect,
    interview,
    lead,
    list_evidence,
    notify_consequences,
    order_correction,
    patrol_lead,
    receive,
    record_structure_info,
    refuse_entry_once,
    serve_talk_notice,
    stop_works,
    with_dishonesty_catalogue,
)
from tests.bpmn.steps_case_measures import annotate_house, hear_the_party_on_dishonesty, record_dishonesty
from tests.bpmn.steps_penalty import (
    decide,
    issue_decision,
    pay,
    push_credit,
    respond,
    serve,
)
from tests.workflows.scenario import Scenario

# Re-exported: the scenario modules and the HTTP walks import every case step from here.
__all__ = [
    "BPMN",
    "CATALOGUE_ITEM",
    "COMPLAINT_INSTANCE_ID",
    "OFFICERS",
    "PARTY",
    "PROCESS",
    "appraise",
    "annotate_house",
    "ask_for_structure_info",
    "assign",
    "at",
    "close_lead",
    "confirm_violation",
    "determine",
    "end_of",
    "file_and_order",
    "file_case",
    "fill",
    "hear_the_party_on_dishonesty",
    "inspect",
    "interview",
    "lead",
    "list_evidence",
    "notify_consequences",
    "order_correction",
    "patrol_lead",
    "receive",
    "record_dishonesty",
    "record_structure_info",
    "refuse_entry_once",
    "serve_talk_notice",
    "stop_works",
    "with_dishonesty_catalogue",
]


# -- stage 3 整改修复 ---------------------------------------------------------------------------


def follow_up(s: Scenario, now: datetime, result: str, *, extension_until: date | None = None) -> None:
    record: dict[str, object] = {
        "rect_followup_at": now,
        "rect_followup_result": result,
        "rect_followup_files": [f"att-followup-{now:%m%d}"],
    }
    if extension_until:
        record |= {
            "rect_extension_requested": True,
            "rect_extension_reason": "加固材料采购周期长",
            "rect_extension_until": extension_until,
        }
    fill(s, "record_followup", record, now)


def inspect_at_deadline(s: Scenario, now: datetime, result: str) -> None:
    record = {
        "overdue_inspected_at": now,
        "overdue_result": result,
        "party_refusal_stated": result == "not_rectified",
        "overdue_party_statement": "不同意恢复",
        "overdue_files": ["att-overdue"],
    }
    fill(s, "record_overdue_inspection", record, now)


# -- stage 4 验收结案 ---------------------------------------------------------------------------


def state_discretion_factors(s: Scenario, day: date) -> None:
    factors = {
        "mitigating_circumstances": False,
        "aggravating_circumstances": False,
        "other_factor_grade": 0,
        "serious_proposed": False,
        "discretion_factors_on": day,
    }
    fill(s, "record_discretion_factors", factors, at(day, 10))


def report_repair(s: Scenario, day: date) -> None:
    report = {
        "repair_report_no": "TJ-HF-2025-118",
        "repair_report_body": "同济大学房屋质量检测站",
        "repair_report_on": day,
        "repair_report_conclusion": "已恢复原承重结构，满足安全使用要求",
        "repair_contractor": "某建筑加固工程有限公司",
        "repair_report_files": ["att-repair-report"],
    }
    fill(s, "record_repair_report", report, at(day, 10))


def accept(s: Scenario, now: datetime, result: str = "passed", rework_deadline: date | None = None) -> None:
    check = {
        "acceptance_inspected_at": now,
        "acceptance_result": result,
        "acceptance_files": ["att-acceptance"],
        "acceptance_rework_deadline": rework_deadline,
    }
    fill(s, "accept_repair", check, now)


def close_case(s: Scenario, days: list[date], reason: str, summary: str) -> None:
    drafted, leader, deputy = days
    fill(
        s,
        "draft_closure_report",
        {"case_closure_reason": reason, "case_closure_summary": summary, "closure_drafted_on": drafted},
        at(drafted, 10),
    )
    fill(
        s,
        "approve_closure_leader",
        {"closure_leader_decision": "approve", "closure_leader_decided_on": leader},
        at(leader, 10),
    )
    fill(
        s,
        "approve_closure_deputy",
        {"closure_deputy_decision": "approve", "closure_approved_on": deputy},
        at(deputy, 10),
    )


def archive(s: Scenario, day: date) -> None:
    fill(
        s,
        "archive_case",
        {
            "archive_file_no": "嘉城管档〔2026〕57号",
            "archive_retention": "long_term",
            "archive_pages": 86,
            "archived_on": day,
        },
        at(day, 10),
    )


def follow_restoration(s: Scenario, now: datetime, progress: str) -> None:
    record = {
        "restoration_followup_at": now,
        "restoration_progress": progress,
        "restoration_files": [f"att-restoration-{now:%m%d}"],
    }
    fill(s, "record_restoration_followup", record, now)


def lift_annotation(s: Scenario, signed: date, sent: date, lifted: date) -> None:
    """A2: after acceptance the squad leader signs the lifting letter; the registry confirms."""
    fill(
        s,
        "issue_annotation_lift_letter",
        {"annotation_lift_signed_on": signed},
        at(signed, 15),
    )
    fill(
        s,
        "send_annotation_lift_letter",
        {"annotation_lift_sent_on": sent, "annotation_lift_files": ["att-lift-letter"]},
        at(sent, 10),
    )
    fill(
        s,
        "record_annotation_lift_receipt",
        {"annotation_lifted_on": lifted, "annotation_lift_receipt_files": ["att-lift-receipt"]},
        at(lifted, 15),
    )


def repair_credit(s: Scenario, issued: date, deleted: date, deletion_due: date) -> None:
    """B3: written proof of performance; the platform deletes the record within 3 working days."""
    fill(
        s,
        "issue_credit_repair_proof",
        {
            "credit_repair_proof_no": "嘉城管信修〔2026〕3号",
            "credit_repair_proof_issued_on": issued,
            "credit_repair_proof_files": ["att-credit-proof"],
        },
        at(issued, 10),
    )
    assert s.task("record_credit_deletion").due_at == end_of(deletion_due)
    fill(s, "record_credit_deletion", {"credit_repair_deleted_on": deleted}, at(deleted, 16))


# -- C 罚款处罚: the real penalty_procedure, steps shared with its own tests ------------------------


def nothing_in_yet(s: Scenario, day: date, window_ends: date) -> None:
    """The officer finds no statement and no hearing request yet; the task waits for the window to close."""
    assert s.task("record_party_response").due_at == end_of(window_ends)  # 5 working days (第六十四条)
    respond(s, day)


def wait_out_the_hearing_window(s: Scenario, window_ends: date, recorded: date) -> None:
    """Nothing arrives within the window: the hearing is waived by silence."""
    assert s.advance_to(end_of(window_ends) - timedelta(minutes=1)) == []
    assert s.advance_to(end_of(window_ends)) == ["timer_hearing_window"]
    respond(s, recorded)
    assert s.data["hearing_status"] == "waived"


def decide_and_collect(
    s: Scenario, decided: date, served: date, paid: date, *, credit_push: bool
) -> dict[str, Any] | None:
    """负责人决定 → 决定书 → 送达 → 处罚信息归集 (B2, not for a party who restored on time) → 缴款.

    Returns the payload of the publicity start the (emulated) router answered.
    """
    decide(s, decided)
    issue_decision(s, decided)
    publicity = serve(s, served)
    assert ("record_credit_push" in s.open()) is credit_push
    if credit_push:
        push_credit(s, served)
    pay(s, "record_payment", paid)
    return publicity


# -- the refusal scenarios ---------------------------------------------------------------------


def extend_once(s: Scenario) -> None:
    """The party asks for more time; the squad leader grants it up to the latest date that keeps 90 days."""
    follow_up(s, at(date(2025, 12, 15), 10), "in_progress", extension_until=date(2026, 1, 9))
    assert s.task("approve_extension").due_at == end_of(date(2025, 12, 26))  # before the running deadline
    approval = {
        "rect_extension_decision": "approve",
        "rect_extension_new_deadline": date(2026, 1, 9),
        "rect_extension_opinion": "同意延期",
        "rect_extension_decided_on": date(2025, 12, 16),
    }
    fill(s, "approve_extension", approval, at(date(2025, 12, 16), 10))
    assert "approve_extension_deputy" not in s.open()  # not past rectification_latest_on
    assert s.data["extensions"] == [
        {
            "previous_deadline": date(2025, 12, 26),
            "new_deadline": date(2026, 1, 9),
            "reason": "加固材料采购周期长",
            "approved_on": date(2025, 12, 16),
        }
    ]


def warn_the_officer(s: Scenario, day: date) -> None:
    """The case clock's warning: the squad leader urges the officer (行政处罚法第六十条)."""
    warning = s.task("warn_case_clock")
    assert (warning.role, warning.legal_basis) == ("squad_leader", "《中华人民共和国行政处罚法》第六十条")
    assert warning.due_at == end_of(s.data["rectification_latest_on"])
    note = {
        "case_escalation_action": "urged",
        "case_escalation_note": "督促复查，准备处罚材料",
        "case_escalated_on": day,
    }
    fill(s, "warn_case_clock", note, at(day, 9))


def filed_and_ordered(*, catalogue: bool = False) -> Scenario:
    """A patrol lead confirmed on the first visit, filed 2025-11-25, ordered to restore by 2025-12-26."""
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10), catalogue=catalogue)
    assign(s, at(date(2025, 11, 3), 11))
    confirm_violation(s, at(date(2025, 11, 3), 14))
    file_and_order(s)
    return s
