"""Restoration while `penalty_procedure` runs (行政处罚法第三十二条第一项): the case throws
`restoration_accepted` {case_no, accepted_on} when the repair passes acceptance; the penalty instance
records it (event sub-process `on_restoration_accepted`) and, before the decision, recomputes the
discretion with the mitigating factor. The officer confirms the recomputed proposal; a new 告知 is
needed only if the fine goes above the notified amount. Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.bpmn import steps_case as case
from tests.bpmn.steps_penalty import (
    START,
    complete,
    decide_and_serve,
    give_notice,
    pass_review,
    report,
    respond,
    start,
)

# The discretion a load-bearing case computed (refused, no mitigating factor): score 60 → 6万–8万元.
FACTORS = {
    "rectification_conduct": "refused",
    "harm_points": 40,
    "conduct_points": 20,
    "other_factor_points": 0,
    "mitigating": False,
    "mitigating_reasons": None,
    "aggravating": False,
    "serious_proposed": False,
    "score_adjustment": 0,
}
DISCRETION = {
    **START["discretion"],
    "score": 60,
    "band_low": Decimal("60000"),
    "band_high": Decimal("80000"),
    "statutory_min": Decimal("10000"),
    "statutory_max": Decimal("100000"),
    "statutory_basis": "《上海市住宅物业管理规定》第八十三条",
    "reduced": False,
    "factors": FACTORS,
}
ACCEPTED = {"case_no": START["case_no"], "accepted_on": date(2025, 8, 28)}


def restored_during_the_procedure(**changes: Any):  # type: ignore[no-untyped-def]
    """Fined 70,000, notified, the party restores (accepted 08-28), the review passes."""
    s = start(discretion=DISCRETION, **changes)
    report(s, fine=Decimal("70000"))
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    s.advance_to(s.now)
    s.instance.send_message("restoration_accepted", ACCEPTED, s.now)
    pass_review(s, date(2025, 9, 5))
    return s


def revise(s: Any, fine: Decimal, on: date = date(2025, 9, 8)) -> None:
    answer = {
        "proposed_fine": fine,
        "restoration_revision_reason": "已恢复原状",
        "restoration_revised_on": on,
    }
    complete(s, "revise_proposal_after_restoration", answer, on=on)


def test_restoration_during_the_procedure_recomputes_the_discretion_before_the_decision() -> None:
    s = restored_during_the_procedure()
    assert set(s.open()) == {"revise_proposal_after_restoration"}  # not yet the decision
    task = s.task("revise_proposal_after_restoration")
    assert task.role == "officer"
    discretion = s.data["discretion"]
    # The mitigating factor takes 10 points off (discretion_circumstances.dmn): 50 → 4万–6万元.
    assert (discretion["score"], discretion["band_low"], discretion["band_high"]) == (
        50,
        Decimal("40000"),
        Decimal("60000"),
    )
    assert discretion["factors"]["mitigating"] is True
    assert "第三十二条第一项" in discretion["factors"]["mitigating_reasons"]
    assert s.data["proposed_fine"] == Decimal("60000")  # the officer's proposal, brought into the band
    assert "60000" in s.data["restoration_recheck_note"]
    # Lower than the notified 70,000: no new notice; the review sees the new amount, then the decision.
    revise(s, Decimal("55000"))
    assert "draft_prior_notice" not in s.open()
    pass_review(s, date(2025, 9, 10))
    assert set(s.open()) == {"decide_penalty"}
    decide_and_serve(s, date(2025, 9, 12), date(2025, 9, 15))
    assert (s.data["notified_fine"], s.data["fine_amount"]) == (Decimal("70000"), Decimal("55000"))
    assert s.steps.count("draft_prior_notice") == 1


def test_a_revised_fine_outside_the_recomputed_band_is_returned() -> None:
    s = restored_during_the_procedure()
    revise(s, Decimal("65000"))
    assert set(s.open()) == {"revise_proposal_after_restoration"}
    assert "重新裁量的幅度" in s.data["fine_range_problem"]


def test_a_revised_fine_above_the_notified_amount_needs_a_new_notice() -> None:
    # Notified 50,000 (band 4万–8万元); restored; the officer then proposes more than was notified.
    s = start(discretion={**DISCRETION, "band_low": Decimal("40000")})
    report(s, fine=Decimal("50000"))
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    s.advance_to(s.now)
    s.instance.send_message("restoration_accepted", ACCEPTED, s.now)
    pass_review(s, date(2025, 9, 5))
    revise(s, Decimal("58000"))
    assert set(s.open()) == {"draft_prior_notice"}  # heavier than the notified 50,000 (Art. 44)
    assert (s.data["proposed_fine"], s.data["notice_no"]) == (Decimal("58000"), None)


def test_without_a_restoration_the_decision_follows_the_review() -> None:
    s = start(discretion=DISCRETION)
    report(s, fine=Decimal("70000"))
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    assert set(s.open()) == {"decide_penalty"}
    assert s.data["restoration_route"] == "decide"


def test_a_refusing_party_who_restores_while_the_case_is_fined_gets_the_mitigated_band() -> None:
    """The whole case: refusal, the penalty starts; the repair passes acceptance before the decision."""
    s = case.filed_and_ordered()
    assert s.advance_to(case.end_of(date(2025, 12, 26))) == ["timer_rectification_deadline"]
    case.inspect_at_deadline(s, case.at(date(2025, 12, 29), 10), "not_rectified")
    factors = {
        "mitigating_circumstances": False,
        "aggravating_circumstances": False,
        "other_factor_grade": 5,  # 10 points: 30 + 40 + 10 = 80, the 8万–10万元 band
        "serious_proposed": False,
        "discretion_factors_on": date(2025, 12, 29),
    }
    case.fill(s, "record_discretion_factors", factors, case.at(date(2025, 12, 29), 10))
    before = s.data["discretion"]
    assert (before["score"], before["band_low"]) == (80, Decimal("80000"))
    assert before["factors"]["rectification_conduct"] == "refused"
    report(s, fine=before["band_high"], on=date(2025, 12, 29))
    give_notice(s, date(2025, 12, 30))
    waived = {"statement_made": False, "hearing_requested": False, "rights_waived_in_writing": True}
    complete(s, "record_party_response", waived, on=date(2025, 12, 31))
    case.follow_restoration(s, case.at(date(2026, 1, 5), 9), "completed")
    case.report_repair(s, date(2026, 1, 5))
    case.accept(s, case.at(date(2026, 1, 5), 15))  # the case tells the penalty procedure
    pass_review(s, date(2026, 1, 6))
    assert "decide_penalty" not in s.open()
    after = s.data["discretion"]
    assert after["score"] == before["score"] - 10  # discretion_circumstances.dmn: 从轻、减轻 −10
    assert (after["band_low"], after["band_high"]) == (Decimal("60000"), Decimal("80000"))
    assert after["recomputed_after_restoration"] == date(2026, 1, 5)
    assert s.data["proposed_fine"] == after["band_high"]
    revise(s, after["band_high"], on=date(2026, 1, 6))
    pass_review(s, date(2026, 1, 7))
    assert "decide_penalty" in s.open()  # lower than notified: no new notice
    assert s.steps.count("draft_prior_notice") == 1
