"""Shared steps for the cases that end early (终止, 移送公安) of `load_bearing_case`."""

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
