"""损坏房屋承重结构 (`load_bearing_case`): 先行登记保存 and 回避, beside the running case.

先行登记保存 (行政处罚法第五十六条): approved by the bureau head, the items are registered and a
decision on them is due within 7 days, working days by 第八十五条; a timer brings the squad leader in
when it is missed. 回避 (第四十三条): the party or the officer asks; the squad leader decides for a case
officer, the deputy head for the squad leader; approved, new officers are named for the case.
"""

from __future__ import annotations

from datetime import date

from tests.bpmn.steps_case import OFFICERS, at, end_of, filed_and_ordered, fill, inspect, patrol_lead, receive
from tests.bpmn.steps_case import assign as assign_officers
from tests.bpmn.steps_case_ends import ask_to_suspend, decide_suspension, resume, terminate
from tests.bpmn.steps_complaint import send
from tests.workflows.scenario import Scenario

NEW_OFFICERS = [
    {"officer_name": "钱七", "cert_no": "3101140077"},
    {"officer_name": "孙八", "cert_no": "3101140078"},
]


def preserve(s: Scenario, day: date) -> None:
    send(s, "evidence_preservation_requested", {"by": "承办人"}, at(day, 10))
    request = {
        "evidence_preservation_items": "现场拆除的钢筋混凝土碎块两袋、切割机一台",
        "evidence_preservation_reason": "施工方准备清运，证据可能灭失",
        "evidence_preservation_requested_at": at(day, 10, 5),
    }
    fill(s, "request_evidence_preservation", request, at(day, 10, 5))
    approval = s.task("approve_evidence_preservation")
    assert (approval.role, approval.legal_basis) == ("bureau_head", "《中华人民共和国行政处罚法》第五十六条")
    decision = {
        "evidence_preservation_decision": "approve",
        "evidence_preservation_decided_at": at(day, 10, 30),
    }
    fill(s, "approve_evidence_preservation", decision, at(day, 10, 30))
    registered = {
        "evidence_preserved_on": day,
        "evidence_preservation_place": "现场封存",
        "evidence_preservation_files": ["att-preservation-notice"],
    }
    fill(s, "register_preserved_evidence", registered, at(day, 11))


def test_preserved_evidence_is_decided_within_seven_working_days_or_the_squad_leader_is_told() -> None:
    s = receive(patrol_lead(), at(date(2025, 11, 3), 10))
    assign_officers(s, at(date(2025, 11, 3), 11))
    preserve(s, date(2025, 11, 3))
    assert "inspect_site" in s.open()  # the discovery goes on beside it
    decision = s.task("decide_preserved_evidence")
    assert decision.legal_basis == "《中华人民共和国行政处罚法》第五十六条、第八十五条"
    assert decision.due_at == end_of(date(2025, 11, 12))  # Monday 11-03 + 7 working days
    assert s.advance_to(end_of(date(2025, 11, 12))) == ["timer_preserved_evidence"]
    assert s.task("escalate_preserved_evidence").role == "squad_leader"
    disposal = {
        "preserved_evidence_disposal": "appraisal",
        "preserved_evidence_decided_on": date(2025, 11, 13),
        "preserved_evidence_files": ["att-disposal"],
    }
    fill(s, "decide_preserved_evidence", disposal, at(date(2025, 11, 13), 9))
    inspect(s, at(date(2025, 11, 13), 10))
    assert "decide_preserved_evidence" not in s.open()


def ask_for_recusal(s: Scenario, role: str) -> None:
    send(s, "recusal_requested", {"by": "当事人"}, at(date(2025, 12, 8), 9))
    request = {
        "recusal_requested_by": "party",
        "recused_name": "张三" if role == "officer" else "王中队长",
        "recused_role": role,
        "recusal_reason": "与当事人系近亲属",
        "recusal_requested_on": date(2025, 12, 8),
    }
    fill(s, "record_recusal_request", request, at(date(2025, 12, 8), 10))


def test_an_approved_recusal_of_a_case_officer_names_new_officers() -> None:
    s = filed_and_ordered()
    assert s.data["case_officers"] == OFFICERS
    ask_for_recusal(s, "officer")
    assert "record_followup" in s.open()  # the investigation does not stop meanwhile (第四十三条第三款)
    decision = s.task("decide_recusal_leader")
    assert (decision.role, decision.due_at) == ("squad_leader", end_of(date(2025, 12, 11)))
    fill(
        s,
        "decide_recusal_leader",
        {
            "recusal_decision": "approve",
            "recusal_opinion": "存在利害关系",
            "recusal_decided_on": date(2025, 12, 9),
        },
        at(date(2025, 12, 9), 10),
    )
    reassign = {"case_officers": NEW_OFFICERS, "reassignment_note": "张三手中待办已指派给钱七"}
    fill(s, "reassign_case_officers", reassign, at(date(2025, 12, 9), 11))
    assert not {"reassign_case_officers", "decide_recusal_leader"} & set(s.open())
    # The branch's record is in the case data at once (shareData) and stays there when the case ends.
    terminate(s)
    (recusal,) = s.data["recusals"]
    assert (recusal["recused_name"], recusal["replaced_by"]) == ("张三", ["钱七", "孙八"])
    assert s.data["case_officers"] == NEW_OFFICERS


def test_the_squad_leaders_recusal_goes_to_the_deputy_head_and_a_rejection_changes_nobody() -> None:
    s = filed_and_ordered()
    ask_for_recusal(s, "squad_leader")
    assert "decide_recusal_leader" not in s.open()
    assert s.task("decide_recusal_deputy").role == "deputy_head"
    fill(
        s,
        "decide_recusal_deputy",
        {
            "recusal_decision": "reject",
            "recusal_opinion": "理由不成立",
            "recusal_decided_on": date(2025, 12, 9),
        },
        at(date(2025, 12, 9), 10),
    )
    assert "reassign_case_officers" not in s.open()
    terminate(s)
    assert s.data["case_officers"] == OFFICERS
    assert [r["decision"] for r in s.data["recusals"]] == ["reject"]


def test_evidence_at_risk_can_be_preserved_while_the_case_is_suspended() -> None:
    s = filed_and_ordered()
    ask_to_suspend(s, "appraisal", since=date(2025, 12, 10), asked=date(2025, 12, 10))
    decide_suspension(s, "approve", date(2025, 12, 11))
    assert s.open() == {}
    preserve(s, date(2025, 12, 15))  # the site is about to be cleared while the appraisal is awaited
    assert set(s.open()) == {"decide_preserved_evidence"}  # only the preservation's own step
    assert s.data["case_clock_status"] == "suspended"  # the suspension goes on
    assert s.task("decide_preserved_evidence").due_at == end_of(date(2025, 12, 24))  # 7 working days
    resume(s, date(2026, 1, 9))
    # The case's own work comes back; the preservation's 7 days did not pause with it (its own time limit).
    after = {"decide_preserved_evidence", "escalate_preserved_evidence", "record_overdue_inspection"}
    assert set(s.open()) == after
