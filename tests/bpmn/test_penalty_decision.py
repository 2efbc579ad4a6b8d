"""`penalty_procedure` from the notice to the decision: 复核, the 90-day limit, service, transfer, and
what the legal review (Art. 58) and a heavier conclusion (Art. 44, 62) allow.
Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from forms import default_registry
from tests.bpmn.steps_penalty import (
    FINE,
    NOTICE,
    STATEMENT_REVIEW,
    TRANSFER,
    complete,
    decide,
    decide_and_serve,
    end_of,
    give_notice,
    issue_decision,
    pass_review,
    pay,
    report,
    respond,
    review_answers,
    serve,
    start,
)
from workflows import InstanceStatus


def test_review_of_statements_cannot_raise_the_notified_fine() -> None:
    s = start(party_type="organization", party_id_number=None, party_uscc="91310114MA1GT12348")
    report(s)
    give_notice(s, date(2025, 8, 18))
    assert s.data["hearing_right"] is False  # 20,000 is below the threshold for organisations (50,000)
    respond(s, date(2025, 8, 26), statement=True)
    assert s.data["hearing_status"] == "not_applicable"
    complete(s, "review_statements", {**STATEMENT_REVIEW, "proposed_fine": Decimal("25000")})
    assert s.data["statement_review_not_heavier"] is False
    assert "review_statements" in s.open()
    complete(
        s,
        "review_statements",
        {**STATEMENT_REVIEW, "statement_review_result": "reduce", "proposed_fine": Decimal("15000")},
    )
    complete(
        s,
        "approve_statement_review",
        {"statement_review_approval": "approve", "statement_review_approved_on": date(2025, 8, 26)},
    )
    pass_review(s, date(2025, 9, 5))
    decide_and_serve(s, date(2025, 9, 10), date(2025, 9, 16))
    pay(s, "record_payment", date(2025, 9, 30))
    assert (s.data["notified_fine"], s.data["fine_amount"]) == (FINE, Decimal("15000"))


def test_decision_deadline_escalates_to_the_squad_leader_and_the_stage_waits_for_both() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    assert s.advance_to(end_of(date(2025, 9, 29))) == ["timer_decision_deadline"]
    assert s.task("escalate_decision_deadline").role == "squad_leader"
    decide(s, date(2025, 9, 30))
    assert set(s.open()) == {"escalate_decision_deadline"}
    complete(
        s,
        "escalate_decision_deadline",
        {
            "escalation_note": "限当日作出决定",
            "escalation_measure": "urge",
            "supervised_on": date(2025, 9, 30),
        },
    )
    assert s.data["decided_on"] == date(2025, 9, 30)  # the escalation branch does not undo the decision
    assert set(s.open()) == {"draft_decision_document"}


def test_electronic_service_without_confirmation_is_void_and_public_notice_takes_effect_later() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    decide(s, date(2025, 9, 10))
    issue_decision(s, date(2025, 9, 10))
    serve(s, date(2025, 9, 12), method="electronic")
    assert s.data["served_on"] is None
    serve(s, date(2025, 9, 16), method="public_notice")
    # Public notice takes effect after 60 days (configured): 2025-11-15; +15 days is Sunday 11-30.
    assert (s.data["served_on"], s.data["payment_due_on"]) == (date(2025, 11, 15), date(2025, 12, 1))


def test_suspected_crime_is_transferred_to_the_judicial_organs() -> None:
    s = start()
    report(s, outcome="transfer", fine=Decimal("0"))
    assert s.data["multiple_legal_relations"] is True
    pass_review(s, date(2025, 8, 15))
    decide(s, date(2025, 8, 18))
    complete(
        s, "transfer_to_judicial", {**TRANSFER, "transferred_on": date(2025, 8, 19)}, on=date(2025, 8, 19)
    )
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert (s.data["penalty_outcome"], s.data["execution_status"]) == ("transfer", "transferred")


@pytest.mark.parametrize(
    ("conclusion", "fine", "reopened"),
    [
        ("further_investigation", None, "draft_investigation_report"),
        ("penalty", Decimal("30000"), "draft_prior_notice"),
    ],
)
def test_review_conclusion_outside_the_notice_sends_the_case_back(
    conclusion: str, fine: Any, reopened: str
) -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5), conclusion=conclusion, fine=fine)
    assert set(s.open()) == {reopened}  # 补充调查; a heavier fine than notified needs a new 告知 (Art. 44)


def test_heavier_fine_after_review_is_notified_again_with_the_new_amount_and_then_decided() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    assert s.data["notified_fine"] == FINE
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5), conclusion="penalty", fine=Decimal("30000"))
    assert set(s.open()) == {"draft_prior_notice"}
    # The new notice starts from the heavier amount the discussion concluded on.
    fields = {f.name: f for f in default_registry().get("penalty_prior_notice").definition.fields}
    assert (fields["notified_fine"].required, fields["notified_fine"].prefill) == (True, "proposed_fine")
    assert s.data["proposed_fine"] == Decimal("30000")
    give_notice(s, date(2025, 9, 8))
    assert s.data["notified_fine"] == Decimal("30000")
    respond(s, date(2025, 9, 16))
    pass_review(s, date(2025, 9, 17))
    assert set(s.open()) == {"decide_penalty"}
    decide_and_serve(s, date(2025, 9, 18), date(2025, 9, 19))
    assert s.data["fine_amount"] == Decimal("30000")


def test_decision_never_follows_a_legal_review_that_did_not_pass() -> None:
    s = start()
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    answers = review_answers(s, date(2025, 9, 1))
    for bpmn_id in ("prepare_submission", "check_submission", "register_review"):
        complete(s, bpmn_id, answers[bpmn_id], on=date(2025, 9, 1))
    correction = {
        "review_opinion_type": "correct",
        "review_correction_kinds": ["adjust_discretion"],
        "review_check_law": "problem",
    }
    complete(s, "conduct_review", {**answers["conduct_review"], **correction}, on=date(2025, 9, 2))
    dispute = {"correction_response": "dispute", "correction_dispute_reason": "裁量适当"}
    complete(
        s,
        "respond_to_correction",
        {**dispute, "correction_responded_on": date(2025, 9, 3)},
        on=date(2025, 9, 3),
    )
    rereview = {"rereview_result": "maintain", "rereview_opinion": "维持", "rereview_reviewer": "周九"}
    complete(s, "rereview", {**rereview, "rereview_on": date(2025, 9, 4)}, on=date(2025, 9, 4))
    returned = {"review_escalation_decision": "return_case", "review_escalation_note": "退回"}
    complete(
        s,
        "decide_review_escalation",
        {**returned, "review_escalation_decided_on": date(2025, 9, 5)},
        on=date(2025, 9, 5),
    )
    assert s.data["review_result"] == "returned"
    assert set(s.open()) == {"draft_investigation_report"}  # 审核未通过的，不得作出决定
    assert "decide_penalty" not in s.steps


def test_notice_stating_less_than_the_proposed_fine_goes_back_to_the_drafter() -> None:
    s = start()
    report(s)
    complete(
        s,
        "draft_prior_notice",
        {**NOTICE, "notice_drafted_on": date(2025, 8, 18), "notified_fine": Decimal("1")},
        on=date(2025, 8, 18),
    )
    complete(
        s, "approve_prior_notice", {"notice_approval": "approve", "notice_approved_on": date(2025, 8, 18)}
    )
    assert set(s.open()) == {"draft_prior_notice"}  # else the decision could never follow the notice
