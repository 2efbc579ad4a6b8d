"""Shared steps of `load_bearing_case` for the measures against a refusal (行政强制法 / 社会信用条例):
A1 房屋注记 and B1 失信记录 with its prior notice and 陈述申辩."""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case_discovery import PARTY, at, fill
from tests.workflows.scenario import Scenario


def annotate_house(s: Scenario, days: list[date]) -> None:
    """A1: request, squad leader and deputy head approve, letter, registry receipt, party told."""
    drafted, leader, deputy, sent, registered, told = days
    fill(
        s,
        "draft_annotation_request",
        {
            "annotation_property_location": PARTY["violation_address"],
            "annotation_unit_no": "310114001001GB00012F00010301",
            "annotation_right_holder": "赵某",
            "annotation_reason": "责令改正期限届满拒不恢复承重结构",
            "annotation_evidence_files": ["att-overdue"],
            "annotation_requested_on": drafted,
        },
        at(drafted, 14),
    )
    fill(
        s,
        "approve_annotation_leader",
        {"annotation_leader_decision": "approve", "annotation_leader_decided_on": leader},
        at(leader, 10),
    )
    assert s.task("approve_annotation_deputy").role == "deputy_head"
    fill(
        s,
        "approve_annotation_deputy",
        {"annotation_deputy_decision": "approve", "annotation_deputy_decided_on": deputy},
        at(deputy, 10),
    )
    fill(
        s,
        "send_annotation_letter",
        {
            "annotation_registry": "嘉定区不动产登记事务中心",
            "annotation_letter_sent_on": sent,
            "annotation_letter_files": ["att-annotation-letter"],
        },
        at(sent, 10),
    )
    fill(
        s,
        "record_annotation_receipt",
        {
            "annotation_registered_on": registered,
            "annotation_reg_no": "ZJ-2026-0007",
            "annotation_receipt_files": ["att-annotation-receipt"],
        },
        at(registered, 15),
    )
    fill(
        s,
        "notify_party_annotation",
        {
            "annotation_party_notified_on": told,
            "annotation_notice_method": "written",
            "annotation_lift_conditions": "恢复承重结构并经验收合格后解除",
        },
        at(told, 10),
    )


def record_dishonesty(s: Scenario, requested: date, approved: date, served: date, reviewed: date) -> None:
    """B1: approved, notified to the party, pushed only after the statement period and its review."""
    fill(
        s,
        "request_dishonesty_record",
        {
            "credit_record_content": "拒不履行责令改正决定",
            "credit_record_basis": "《上海市社会信用条例》",
            "credit_record_requested_on": requested,
        },
        at(requested, 15),
    )
    fill(
        s,
        "approve_dishonesty_record",
        {"credit_record_decision": "approve", "credit_record_decided_on": approved},
        at(approved, 11),
    )
    hear_the_party_on_dishonesty(s, served, reviewed, "maintain")
    fill(
        s,
        "record_dishonesty_push",
        {
            "dishonesty_pushed_on": reviewed,
            "dishonesty_platform": "上海市公共信用信息服务平台",
            "dishonesty_push_receipt_no": "XY-2026-0031",
        },
        at(reviewed, 15),
    )


def hear_the_party_on_dishonesty(s: Scenario, served: date, reviewed: date, conclusion: str) -> None:
    """Prior notice served; the statement period runs out (its timer); the squad leader reviews."""
    notice = {
        "dishonesty_notice_served_on": served,
        "dishonesty_notice_method": "direct",
        "dishonesty_notice_files": ["att-credit-notice"],
    }
    fill(s, "notify_party_dishonesty", notice, at(served, 10))
    assert "record_dishonesty_push" not in s.open()
    period_ends = {t.bpmn_id: t.due_at for t in s.instance.timers()}["timer_dishonesty_statement"]
    assert s.advance_to(period_ends) == ["timer_dishonesty_statement"]
    review = {
        "dishonesty_statement_made": conclusion == "withdraw",
        "dishonesty_statement_summary": "已于期限届满前恢复部分结构" if conclusion == "withdraw" else None,
        "dishonesty_statement_conclusion": conclusion,
        "dishonesty_statement_reviewed_on": reviewed,
    }
    assert s.task("record_dishonesty_statement").role == "squad_leader"
    fill(s, "record_dishonesty_statement", review, at(reviewed, 11))
