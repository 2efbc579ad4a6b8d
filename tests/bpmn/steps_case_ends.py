"""Shared steps of `load_bearing_case` beside the stages: the cases that end early (终止, 移送公安) and
中止 of the case time limit (request, approval, resumption)."""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import at, fill
from tests.bpmn.steps_complaint import send
from tests.workflows.scenario import Scenario


def terminate(s: Scenario) -> None:
    send(s, "case_termination_requested", {"by": "承办人"}, at(date(2025, 12, 10), 9))
    request = {
        "case_termination_reason": "party_deceased",
        "case_termination_facts": "当事人已死亡，无继承人",
        "case_termination_files": ["att-death-certificate"],
    }
    fill(s, "request_case_termination", request, at(date(2025, 12, 10), 10))
    assert s.task("approve_case_termination").role == "bureau_head"
    approval = {"case_termination_decision": "approve", "case_termination_decided_on": date(2025, 12, 11)}
    fill(s, "approve_case_termination", approval, at(date(2025, 12, 11), 10))


def ask_to_suspend(s: Scenario, reason: str, since: date, asked: date) -> None:
    send(s, "case_suspension_requested", {"by": "承办人"}, at(asked, 9))
    request = {
        "case_suspension_reason": reason,
        "case_suspension_facts": "委托检测机构对相邻楼板作补充鉴定",
        "case_suspension_from": since,
        "case_suspension_files": ["att-suspension"],
    }
    assert s.task("request_case_suspension").role == "officer"
    fill(s, "request_case_suspension", request, at(asked, 10))


def decide_suspension(s: Scenario, decision: str, day: date) -> None:
    approval = s.task("approve_case_suspension_deputy")
    assert (approval.role, approval.legal_basis) == ("deputy_head", "《中华人民共和国行政处罚法》第六十条")
    fill(
        s,
        "approve_case_suspension_deputy",
        {"case_suspension_decision": decision, "case_suspension_decided_on": day},
        at(day, 10),
    )


def resume(s: Scenario, day: date) -> None:
    send(s, "case_suspension_ended", {"report_no": "TJ-2025-221"}, at(day, 9))
    fill(
        s,
        "record_case_resumption",
        {"case_resumed_on": day, "case_resumption_note": "补充鉴定报告已送达"},
        at(day, 10),
    )
