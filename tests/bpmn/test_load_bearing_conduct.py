"""损坏房屋承重结构 (`load_bearing_case`): the repair conduct (裁量因素二) follows the repair report.

A party who finished the restoration by the deadline, confirmed only after it, has rectified on time:
the date comes from the repair report, not from the timer that brought the inspection (which would make
it "逾期后整改", two bands heavier). Ordered to restore by 2025-12-26 (see `filed_and_ordered`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.bpmn.steps_case import (
    at,
    end_of,
    filed_and_ordered,
    fill,
    follow_up,
    state_discretion_factors,
)
from tests.bpmn.steps_penalty import REPORT, complete
from tests.workflows.scenario import Scenario


def inspect_after_the_deadline(s: Scenario, result: str, completed: date | None) -> None:
    assert s.advance_to(end_of(date(2025, 12, 26))) == ["timer_rectification_deadline"]
    record = {
        "overdue_inspected_at": at(date(2025, 12, 29), 10),
        "overdue_result": result,
        "overdue_repair_completed_on": completed,
        "party_refusal_stated": False,
        "overdue_files": ["att-overdue"],
    }
    fill(s, "record_overdue_inspection", record, at(date(2025, 12, 29), 10))


def test_restored_by_the_deadline_and_confirmed_after_it_counts_as_on_time() -> None:
    s = filed_and_ordered()
    inspect_after_the_deadline(s, "rectified_on_time", completed=date(2025, 12, 24))
    assert (s.data["rectification_outcome"], s.data["rectified_on"]) == ("rectified", date(2025, 12, 24))
    assert s.data["rectification_confirmed_after_deadline"] is True
    assert not {"draft_annotation_request", "request_dishonesty_record"} & set(s.open())  # no measures
    state_discretion_factors(s, date(2025, 12, 29))
    factors = s.data["discretion"]["factors"]
    assert factors["rectification_conduct"] == "cooperative"
    assert s.data["aggravating"] is False


def test_a_completion_date_after_the_deadline_is_late_whatever_was_ticked() -> None:
    s = filed_and_ordered()
    inspect_after_the_deadline(s, "rectified_on_time", completed=date(2025, 12, 27))
    assert (s.data["rectification_outcome"], s.data["rectified_on"]) == (
        "overdue_then_rectified",
        date(2025, 12, 27),
    )
    state_discretion_factors(s, date(2025, 12, 29))
    assert s.data["discretion"]["factors"]["rectification_conduct"] == "late"


def test_late_repair_is_dated_from_the_report_not_the_inspection() -> None:
    s = filed_and_ordered()
    inspect_after_the_deadline(s, "rectified_late", completed=date(2025, 12, 28))
    assert (s.data["rectification_outcome"], s.data["rectified_on"]) == (
        "overdue_then_rectified",
        date(2025, 12, 28),
    )


def test_a_reduced_penalty_is_a_fine_below_the_statutory_minimum() -> None:
    s = filed_and_ordered()
    follow_up(s, at(date(2025, 12, 15), 10), "completed")
    factors = {
        "mitigating_circumstances": True,
        "mitigation_kind": "reduced",
        "mitigating_reasons": "主动消除违法行为危害后果（行政处罚法第三十二条第一项）",
        "aggravating_circumstances": False,
        "other_factor_grade": 0,
        "serious_proposed": False,
        "discretion_factors_on": date(2025, 12, 16),
    }
    fill(s, "record_discretion_factors", factors, at(date(2025, 12, 16), 10))
    discretion = s.data["discretion"]
    assert (discretion["reduced"], discretion["statutory_min"]) == (True, Decimal("10000"))  # 第八十三条
    assert (discretion["band_low"], discretion["band_high"]) == (Decimal("0"), Decimal("9999.99"))
    proposal = {"recommended_outcome": "penalty", "report_date": date(2025, 12, 17)}
    # A fine inside the ordinary band is no reduction: the report goes back to its author.
    complete(
        s,
        "draft_investigation_report",
        REPORT | proposal | {"proposed_fine": Decimal("15000")},
        on=date(2025, 12, 17),
    )
    assert "first_review_legal" not in s.open()
    complete(
        s,
        "draft_investigation_report",
        REPORT | proposal | {"proposed_fine": Decimal("8000")},
        on=date(2025, 12, 17),
    )
    assert "first_review_legal" in s.open()
