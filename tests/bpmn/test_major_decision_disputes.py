"""重大执法决定法制审核 (`major_decision_review`): review time limits, disputes with the review, and the
collective discussion. The contract with the caller is in test_major_decision_review.py.

Art. 58 行政处罚法: "未经法制审核或者审核未通过的，不得作出决定" — a dispute the bureau head decides
ends either in a correction and a new passing opinion, or in the case going back (never in a decision).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import ValidationError

from forms import default_registry
from tests.bpmn.steps_major import (
    CASE,
    MEMBERS,
    accept,
    check,
    correction_round,
    decide_extension,
    discuss,
    dispute_until_rereview,
    end_of,
    escalate,
    fill,
    outputs,
    reach_review,
    rereview,
    review,
    sign,
    start,
)
from workflows import InstanceStatus


def fields_of(form_key: str) -> dict[str, Any]:
    return {f.name: f for f in default_registry().get(form_key).definition.fields}


# -- review time limits ------------------------------------------------------------------------


def test_deputy_head_extends_the_review_by_three_working_days_once() -> None:
    s = start()
    reach_review(s, date(2025, 10, 9), date(2025, 10, 9))
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 22))
    review(s, date(2025, 10, 20), "extend")
    task = s.task("approve_review_extension")
    assert (task.role, task.due_at) == ("deputy_head", end_of(date(2025, 10, 22)))
    decide_extension(s, date(2025, 10, 21))
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 27))  # 10-23, 10-24, 10-27
    assert [t.due_at for t in s.instance.timers()] == [end_of(date(2025, 10, 27))]
    review(s, date(2025, 10, 24), "extend")
    decide_extension(s, date(2025, 10, 24))  # approved again, but only one extension is allowed
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 27))
    review(s, date(2025, 10, 27), "agree")
    assert s.data["review_rounds"] == 1
    assert [x["opinion_type"] for x in s.data["review_opinions"]] == ["agree"]


def test_overdue_review_opens_supervision_by_the_deputy_head_and_stays_open() -> None:
    s = start()
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    assert s.advance_to(end_of(date(2025, 10, 15))) == []
    assert s.advance_to(end_of(date(2025, 10, 16))) == ["timer_review_overdue"]
    assert set(s.open()) == {"conduct_review", "supervise_review_overdue"}
    assert s.task("supervise_review_overdue").role == "deputy_head"
    supervision = {"review_supervised_on": date(2025, 10, 17), "review_supervision_note": "请于今日出具意见"}
    fill(s, "supervise_review_overdue", supervision, date(2025, 10, 17))
    review(s, date(2025, 10, 17), "agree")
    discuss(s, date(2025, 10, 20), "penalty", Decimal("20000"))
    sign(s, date(2025, 10, 20))
    assert s.instance.status() is InstanceStatus.COMPLETED


# -- disagreement with the review (§5.3 step 4b) -----------------------------------------------


def test_rereview_answer_is_due_within_two_working_days() -> None:
    s = start()
    dispute_until_rereview(s)
    assert s.task("rereview").due_at == end_of(date(2025, 10, 11))  # 10-10 and the 调休 Saturday 10-11
    assert s.advance_to(end_of(date(2025, 10, 11))) == ["timer_rereview_overdue"]
    assert set(s.open()) == {"rereview", "supervise_rereview_overdue"}
    rereview(s, "agree", date(2025, 10, 13))
    assert s.data["review_result"] == "agree"
    assert s.data["review_opinions"][-1]["opinion_type"] == "agree"
    assert set(s.open()) == {"supervise_rereview_overdue", "schedule_collective_discussion"}


def test_bureau_head_cannot_put_a_failed_review_to_collective_discussion() -> None:
    """Art. 58: a review that did not pass allows no decision, so no discussion can stand in for it."""
    s = start()
    dispute_until_rereview(s)
    rereview(s, "maintain", date(2025, 10, 10))
    assert s.task("decide_review_escalation").role == "bureau_head"
    choices = [c.value for c in fields_of("review_escalation")["review_escalation_decision"].choices]
    assert choices == ["uphold_review", "return_case"]
    with pytest.raises(ValidationError):
        escalate(s, "refer_collective", date(2025, 10, 13))


def test_bureau_head_returning_a_failed_review_ends_it_without_a_decision_basis() -> None:
    s = start()
    dispute_until_rereview(s)
    rereview(s, "maintain", date(2025, 10, 10))
    escalate(s, "return_case", date(2025, 10, 13))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert "schedule_collective_discussion" not in s.steps
    assert outputs(s, "review_result", "collective_required", "final_outcome", "final_fine") == {
        "review_result": "returned",
        "collective_required": False,
        "final_outcome": None,
        "final_fine": None,
    }


def test_bureau_head_upholding_the_review_sends_the_case_back_for_correction() -> None:
    s = start()
    dispute_until_rereview(s)
    rereview(s, "maintain", date(2025, 10, 10))
    escalate(s, "uphold_review", date(2025, 10, 13))
    assert set(s.open()) == {"revise_submission"}


def test_officer_who_does_not_ask_for_rereview_within_three_working_days_must_correct() -> None:
    s = start()
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    review(s, date(2025, 9, 30), "correct", ["revise_documents"])
    assert s.advance_to(end_of(date(2025, 10, 11))) == ["timer_rereview_window"]
    assert set(s.open()) == {"revise_submission"}


def test_correction_in_the_fifth_round_goes_to_the_bureau_head() -> None:
    s = start()
    reach_review(s, date(2025, 10, 9), date(2025, 10, 9))
    day = date(2025, 10, 10)
    for _ in range(4):
        correction_round(s, day, day, Decimal("20000"), "revise_documents")
        check(s, day)
        accept(s, day)
    assert s.data["review_rounds"] == 5
    review(s, day, "correct", ["revise_documents"])
    assert set(s.open()) == {"decide_review_escalation"}


# -- collective discussion ---------------------------------------------------------------------


def test_discussion_below_quorum_is_held_again() -> None:
    s = start(CASE, proposed_outcome="no_penalty", proposed_fine=None)
    discuss(s, date(2025, 9, 26), "no_penalty", members=MEMBERS[:2])
    assert set(s.open()) == {"schedule_collective_discussion"}
    discuss(s, date(2025, 9, 29), "no_penalty")
    assert s.task("collect_signatures").role == "legal_reviewer"
    sign(s, date(2025, 9, 29))
    assert s.instance.status() is InstanceStatus.COMPLETED
