"""`penalty_procedure`'s own limits: the decision time limit it receives (行政处罚法第六十条, moved by
an approved extension) and the statutory fine range the report and the final fine must keep
(第三十二条: 减轻 means below the statutory minimum, never above the maximum).
Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.bpmn.steps_penalty import (
    REPORT,
    START,
    complete,
    decide,
    end_of,
    give_notice,
    pass_review,
    report,
    respond,
    start,
)

EXTENDED = date(2025, 10, 29)  # 立案 2025-07-01 + 90 days (09-29) + an approved 30-day extension


def to_the_decision(**changes: object):  # type: ignore[no-untyped-def]
    s = start(**changes)
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5))
    return s


def test_decision_is_due_on_the_extended_time_limit_the_case_passes() -> None:
    s = to_the_decision(decision_due_on=EXTENDED)
    task = s.task("decide_penalty")
    assert task.due_at == end_of(EXTENDED)
    assert "延长" in (task.legal_basis or "")
    # Day 90 from filing passes without an escalation: the extension moved the limit.
    assert s.advance_to(end_of(date(2025, 9, 30))) == []
    assert s.advance_to(end_of(EXTENDED)) == ["timer_decision_deadline"]
    assert s.task("escalate_decision_deadline").role == "squad_leader"


def test_started_without_a_time_limit_the_decision_is_due_90_days_after_filing() -> None:
    s = to_the_decision()
    assert s.data["decision_due_on"] == date(2025, 9, 29)
    assert s.task("decide_penalty").due_at == end_of(date(2025, 9, 29))
    decide(s, date(2025, 9, 10))
    assert "timer_decision_deadline" not in s.steps


# A load-bearing case's discretion: band inside 《上海市住宅物业管理规定》第八十三条 (1万–10万元).
STATUTORY = {
    **START["discretion"],
    "band_low": Decimal("20000"),
    "band_high": Decimal("40000"),
    "statutory_min": Decimal("10000"),
    "statutory_max": Decimal("100000"),
    "statutory_basis": "《上海市住宅物业管理规定》第八十三条",
    "reduced": False,
}


def test_a_reduction_claimed_in_the_report_must_go_below_the_statutory_minimum() -> None:
    s = start(discretion=STATUTORY)
    mitigated = {
        **REPORT,
        "penalty_mitigated": True,
        "recommended_outcome": "penalty",
        "report_date": date(2025, 8, 11),
    }
    # 15,000 is below the band but inside the statutory range: 从轻, not 减轻 (Art. 32).
    complete(s, "draft_investigation_report", {**mitigated, "proposed_fine": Decimal("15000")})
    assert set(s.open()) == {"draft_investigation_report"}
    assert "法定最低罚款" in s.data["fine_range_problem"]
    complete(s, "draft_investigation_report", {**mitigated, "proposed_fine": Decimal("8000")})
    assert set(s.open()) == {"first_review_legal"}
    assert s.data["fine_range_problem"] is None


@pytest.mark.parametrize(
    ("fine", "reason"),
    [(Decimal("250000"), "法定最高罚款"), (Decimal("5000"), "法定最低罚款")],
)
def test_a_reviewed_fine_outside_the_statutory_range_is_returned_with_its_reason(
    fine: Decimal, reason: str
) -> None:
    s = start(discretion=STATUTORY)
    report(s, fine=Decimal("30000"))
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5), conclusion="penalty", fine=fine)
    # Neither decided (too low) nor notified again (too high): back to the report, with the reason.
    assert set(s.open()) == {"draft_investigation_report"}
    assert reason in s.data["fine_range_problem"]
    assert "decide_penalty" not in s.steps


def test_a_standalone_case_without_a_statutory_range_keeps_its_review_routes() -> None:
    s = start()  # the start form's discretion: a band only
    report(s)
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5), conclusion="penalty", fine=Decimal("15000"))
    assert set(s.open()) == {"decide_penalty"}
    assert s.data["fine_range_problem"] is None
