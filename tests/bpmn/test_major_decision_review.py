"""重大执法决定法制审核 + 集体讨论 (`major_decision_review`, domain notes §5): one legal path per test.

Contract with the caller. `penalty_procedure` calls this process as a call activity (steps 9–11 of
§4.1); SpiffWorkflow copies the whole case data in and the whole data back out.

Inputs it reads:
    case_no, party_name (text); party_type "individual" | "organization";
    proposed_outcome "penalty" | "no_penalty" | "transfer"; proposed_fine Decimal yuan (None without a fine);
    hearing_status "held" | "waived" | "not_applicable"; penalty_mitigated (减轻处罚),
    multiple_legal_relations (incl. suspected crime), enforcement_decision (行政强制执行决定): bool;
    facts (text); discretion (dict, optional, default None);
    case_type (optional, default "general"; "load_bearing" for 损坏承重结构 cases).

Outputs it leaves:
    is_major (bool), major_criterion / major_reason (why, from major_decision_criteria.dmn);
    review_result: "agree" | "transfer" | "returned" (the review did not pass and the bureau head
        sent the case back: final_outcome is None and no decision may follow, Art. 58) | None (not
        major: no review);
    review_rounds (int, one per accepted submission); review_opinion (text of the last opinion);
    review_opinions (list, one 法制审核意见书 per opinion: round, case_no, party_name, proposed
        decision, the seven review items, opinion_type, correction_kinds, opinion, reviewer, issued_on);
    collective_required (bool), collective_reason; collective_conclusion "penalty" | "no_penalty" |
        "further_investigation" | "transfer" or None; collective_fine (Decimal or None);
        collective_opinions (each member's name, position, opinion, vote);
    final_outcome / final_fine: what the decision must follow (the collective conclusion when there
        was a discussion, "transfer" when the review recommended it, else the proposed outcome/fine).
    The revision step may change proposed_outcome / proposed_fine (调整裁量); they flow back too.

Messages: none. Configuration: review_settings.dmn (time limits, round limit, quorum),
major_decision_criteria.dmn, review_collective_discussion.dmn.

Dates come from the 2025 calendar: the National Day holiday runs 2025-10-01..08, and Sunday
2025-09-28 and Saturday 2025-10-11 are 调休 working days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.bpmn.steps_major import (  # noqa: F401  (CASE, at … are used by the HTTP walks)
    CASE,
    MEMBERS,
    MINOR,
    accept,
    at,
    check,
    correction_round,
    discuss,
    end_of,
    fill,
    outputs,
    reach_review,
    respond,
    review,
    revise,
    sign,
    start,
    submit,
)
from workflows import InstanceStatus

# -- "is it major?" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "criterion"),
    [
        ({"proposed_fine": Decimal("4999.99"), "hearing_status": "held"}, "none"),
        ({"proposed_fine": Decimal("5000"), "hearing_status": "held"}, "heavy_fine_individual"),
        ({"proposed_fine": Decimal("5000"), "hearing_status": "waived"}, "heavy_fine_individual"),
        ({"proposed_fine": Decimal("20000"), "hearing_status": "not_applicable"}, "none"),
        ({"proposed_outcome": "no_penalty", "proposed_fine": None, "hearing_status": "held"}, "none"),
        (
            {"party_type": "organization", "proposed_fine": Decimal("49999.99"), "hearing_status": "waived"},
            "none",
        ),
        (
            {"party_type": "organization", "proposed_fine": Decimal("50000"), "hearing_status": "held"},
            "heavy_fine_organization",
        ),
        ({"penalty_mitigated": True}, "penalty_mitigated"),
        ({"multiple_legal_relations": True, "proposed_outcome": "transfer"}, "multiple_legal_relations"),
        ({"enforcement_decision": True, "proposed_outcome": "no_penalty"}, "enforcement_decision"),
    ],
)
def test_major_decision_table_applies_the_shanghai_criteria(changes: dict[str, Any], criterion: str) -> None:
    s = start(MINOR, **changes)
    assert s.data["major_criterion"] == criterion
    assert s.data["is_major"] is (criterion != "none")
    assert ("prepare_submission" in s.open()) is s.data["is_major"]


def test_individual_fine_of_3000_without_hearing_skips_review_and_keeps_the_proposal() -> None:
    s = start(MINOR)
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert s.steps == []
    assert outputs(s, "is_major", "review_result", "review_rounds", "review_opinion") == {
        "is_major": False,
        "review_result": None,
        "review_rounds": 0,
        "review_opinion": None,
    }
    assert s.data["collective_required"] is False
    assert outputs(s, "collective_conclusion", "final_outcome", "final_fine") == {
        "collective_conclusion": None,
        "final_outcome": "penalty",
        "final_fine": Decimal("3000"),
    }


def test_load_bearing_case_that_is_not_major_still_goes_to_collective_discussion() -> None:
    s = start(CASE, proposed_outcome="no_penalty", proposed_fine=None)  # Art. 33: first offence, restored
    assert s.data["is_major"] is False
    assert s.data["collective_reason"] == "损坏房屋承重结构案件"
    assert s.task("schedule_collective_discussion").role == "legal_reviewer"
    assert s.instance.stage() == "集体讨论"
    discuss(s, date(2025, 9, 26), "no_penalty")
    sign(s, date(2025, 9, 26))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "review_rounds", "final_outcome", "final_fine") == {
        "review_rounds": 0,
        "final_outcome": "no_penalty",
        "final_fine": None,
    }


# -- submission package ------------------------------------------------------------------------


def test_incomplete_package_is_returned_when_not_supplemented_within_three_working_days() -> None:
    s = start()
    assert s.task("prepare_submission").role == "officer"
    submit(s, date(2025, 9, 29))
    check(s, date(2025, 9, 30), complete=False)
    # 3 working days after Tuesday 09-30: 10-09, 10-10 and the 调休 Saturday 10-11.
    task = s.task("supplement_submission")
    assert (task.role, task.due_at) == ("officer", end_of(date(2025, 10, 11)))
    assert [t.due_at for t in s.instance.timers()] == [end_of(date(2025, 10, 11))]
    assert s.advance_to(at(date(2025, 10, 11), 22)) == []
    assert s.advance_to(end_of(date(2025, 10, 11))) == ["timer_supplement_deadline"]
    assert set(s.open()) == {"return_submission"}
    fill(
        s,
        "return_submission",
        {"submission_returned_on": date(2025, 10, 13), "submission_return_reason": "逾期未补充鉴定报告"},
        date(2025, 10, 13),
    )
    assert set(s.open()) == {"prepare_submission"}


def test_package_supplemented_in_time_goes_back_to_the_completeness_check() -> None:
    s = start()
    submit(s, date(2025, 9, 29))
    check(s, date(2025, 9, 30), complete=False)
    data = {
        "submission_supplemented_on": date(2025, 10, 10),
        "submission_supplement_files": ["att-appraisal"],
    }
    fill(s, "supplement_submission", data, date(2025, 10, 10))
    assert set(s.open()) == {"check_submission"}
    assert s.instance.timers() == []
    check(s, date(2025, 10, 10))
    assert s.task("register_review").role == "legal_reviewer"


# -- review rounds -----------------------------------------------------------------------------


def test_review_returned_twice_then_agreed_and_collectively_decided() -> None:
    s = start()
    reach_review(s, date(2025, 9, 24), date(2025, 9, 26))
    # 10 working days from Friday 09-26 cross National Day:
    # 09-28 (Sun), 09-29, 09-30, 10-09, 10-10, 10-11 (Sat), 10-13 … 10-16.
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 16))
    assert s.task("conduct_review").role == "legal_reviewer"
    review(s, date(2025, 9, 30), "correct", ["supplement_evidence"])
    assert s.task("respond_to_correction").due_at == end_of(date(2025, 10, 11))  # 3 wd to ask for a re-review
    respond(s, date(2025, 9, 30))
    revise(s, date(2025, 10, 9), Decimal("20000"))
    check(s, date(2025, 10, 9))
    accept(s, date(2025, 10, 9))
    assert s.task("conduct_review").due_at == end_of(date(2025, 10, 22))  # 10-10, 10-11 (Sat) … 10-22
    correction_round(s, date(2025, 10, 14), date(2025, 10, 16), Decimal("15000"), "adjust_discretion")
    check(s, date(2025, 10, 17))
    accept(s, date(2025, 10, 20))
    assert s.task("conduct_review").due_at == end_of(date(2025, 11, 3))
    review(s, date(2025, 10, 24), "agree")

    assert s.data["collective_reason"] == "损坏房屋承重结构案件"
    discuss(s, date(2025, 10, 28), "penalty", Decimal("15000"))
    sign(s, date(2025, 10, 28))

    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "is_major", "review_result", "review_rounds", "collective_required") == {
        "is_major": True,
        "review_result": "agree",
        "review_rounds": 3,
        "collective_required": True,
    }
    letters = s.data["review_opinions"]
    assert [(x["round"], x["opinion_type"], x["issued_on"]) for x in letters] == [
        (1, "correct", date(2025, 9, 30)),
        (2, "correct", date(2025, 10, 14)),
        (3, "agree", date(2025, 10, 24)),
    ]
    assert letters[1]["correction_kinds"] == ["adjust_discretion"]
    assert letters[1]["review_items"]["law"] == "problem"
    assert (letters[2]["case_no"], letters[2]["party_name"], letters[2]["proposed_fine"]) == (
        CASE["case_no"],
        "张某",
        Decimal("15000"),
    )
    assert [(o["member_name"], o["member_vote"]) for o in s.data["collective_opinions"]] == [
        ("王局长", "penalty"),
        ("李副局长", "penalty"),
        ("赵科长", "penalty"),
    ]
    assert outputs(s, "collective_conclusion", "collective_fine", "final_outcome", "final_fine") == {
        "collective_conclusion": "penalty",
        "collective_fine": Decimal("15000"),
        "final_outcome": "penalty",
        "final_fine": Decimal("15000"),
    }


def test_reviewer_recommends_transfer_and_the_discussion_decides_to_transfer() -> None:
    s = start(
        CASE,
        party_type="organization",
        party_name="上海某装饰工程有限公司",
        proposed_fine=Decimal("80000"),
        multiple_legal_relations=True,  # the works endangered the building: suspected crime
        case_type="general",
    )
    assert s.data["major_criterion"] == "multiple_legal_relations"
    reach_review(s, date(2025, 9, 24), date(2025, 9, 25))
    review(s, date(2025, 9, 29), "transfer")
    assert s.data["collective_reason"] == "情节复杂：涉及多种法律关系"
    voters = [(name, position, "涉嫌犯罪，同意移送", "transfer") for name, position, _, _ in MEMBERS]
    discuss(s, date(2025, 9, 30), "transfer", members=voters)
    sign(s, date(2025, 9, 30))
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "review_result", "review_rounds", "final_outcome", "final_fine") == {
        "review_result": "transfer",
        "review_rounds": 1,
        "final_outcome": "transfer",
        "final_fine": None,
    }
    assert s.data["review_opinions"][0]["review_items"]["crime"] == "problem"


def test_major_case_without_collective_rule_follows_the_agreed_proposal() -> None:
    enforcement = {"enforcement_decision": True, "proposed_outcome": "no_penalty", "proposed_fine": None}
    s = start(CASE, **enforcement, case_type="general")
    reach_review(s, date(2025, 9, 24), date(2025, 9, 25))
    review(s, date(2025, 9, 26), "agree")
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert outputs(s, "review_result", "collective_required", "final_outcome", "final_fine") == {
        "review_result": "agree",
        "collective_required": False,
        "final_outcome": "no_penalty",
        "final_fine": None,
    }
