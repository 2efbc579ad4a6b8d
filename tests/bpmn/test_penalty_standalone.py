"""Penalty cases of any kind, started on their own (issue 9 §2): the statutory fine range comes from
the case-type catalogue (`discretion_statutory_range.dmn`, by `case_type`) unless the start form
gives one, and both the report check and the check after the legal review use it (第三十二条: 减轻
below the statutory minimum, never above the maximum). A restoration (`restoration_accepted`,
recorded by staff as an external message) makes the officer revise the fine within the statutory
range before the decision. Contract: test_penalty_procedure.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.bpmn.steps_penalty import (
    REPORT,
    START,
    complete,
    decide_and_serve,
    give_notice,
    pass_review,
    report,
    respond,
    start,
)

# A street-vending case: the catalogue's range is 50–500 元 [?]; the bureau's band 200–600 元 is wider.
VENDING = {
    "case_type": "street_vending",
    "legal_basis": None,
    "violation_facts": "占用人行道设摊经营",
    "discretion": {"band_low": Decimal("200"), "band_high": Decimal("600"), "score": 40, "serious": False},
}


def draft(s: Any, fine: Decimal, mitigated: bool = False) -> None:
    answer = {
        **REPORT,
        "penalty_mitigated": mitigated,
        "recommended_outcome": "penalty",
        "proposed_fine": fine,
        "report_date": date(2025, 8, 11),
    }
    complete(s, "draft_investigation_report", answer)


def test_the_catalogue_gives_a_standalone_case_its_statutory_range() -> None:
    s = start(**VENDING)
    assert (s.data["discretion"]["statutory_min"], s.data["discretion"]["statutory_max"]) == (
        Decimal("50"),
        Decimal("500"),
    )
    assert "市容环境卫生" in s.data["discretion"]["statutory_basis"]
    # 600 lies inside the band but above the statutory maximum: back to the report, with the reason.
    draft(s, Decimal("600"))
    assert set(s.open()) == {"draft_investigation_report"}
    assert "法定最高罚款 500" in s.data["fine_range_problem"]
    draft(s, Decimal("500"))
    assert set(s.open()) == {"first_review_legal"}


def test_a_reduction_in_a_standalone_case_goes_below_the_catalogue_minimum() -> None:
    s = start(**VENDING)
    draft(s, Decimal("100"), mitigated=True)  # inside the statutory range: 从轻, not 减轻
    assert "减轻处罚须低于法定最低罚款 50" in s.data["fine_range_problem"]
    draft(s, Decimal("40"), mitigated=True)
    assert set(s.open()) == {"first_review_legal"}


def test_the_start_form_overrides_the_catalogue_range() -> None:
    # A type without a catalogue range (其他违法行为): the officer gives it on the start form.
    given = {"band_low": Decimal("1000"), "band_high": Decimal("5000"), "score": 40, "serious": False}
    s = start(
        case_type="general", discretion={**given, "statutory_min": Decimal("2000"), "statutory_max": None}
    )
    assert s.data["discretion"]["statutory_min"] == Decimal("2000")
    draft(s, Decimal("1500"))
    assert "低于法定最低罚款 2000" in s.data["fine_range_problem"]
    # Overriding the catalogue's own range for a listed type: the form's value counts.
    s = start(**{**VENDING, "discretion": {**VENDING["discretion"], "statutory_max": Decimal("1000")}})
    assert s.data["discretion"]["statutory_max"] == Decimal("1000")
    draft(s, Decimal("600"))
    assert set(s.open()) == {"first_review_legal"}


def test_a_reviewed_fine_above_the_catalogue_maximum_is_returned() -> None:
    # A load-bearing case started on its own (no range given): the catalogue's 1万–10万元 [S] applies.
    s = start()
    assert s.data["discretion"]["statutory_max"] == Decimal("100000")
    report(s, fine=Decimal("30000"))
    give_notice(s, date(2025, 8, 18))
    respond(s, date(2025, 8, 26))
    pass_review(s, date(2025, 9, 5), conclusion="penalty", fine=Decimal("150000"))
    # Not notified again with the heavier amount: out of the statutory range, back to the report.
    assert set(s.open()) == {"draft_investigation_report"}
    assert "法定最高罚款 100000" in s.data["fine_range_problem"]
    assert s.steps.count("draft_prior_notice") == 1


def test_the_catalogue_marks_unconfirmed_types_without_a_range() -> None:
    s = start(case_type="illegal_construction", legal_basis=None)
    assert s.data["discretion"].get("statutory_min") is None
    assert s.data["discretion"].get("statutory_max") is None
    assert "statutory_fine_min" not in s.data  # the lookup's temporaries stay inside


# -- restoration in a standalone case ---------------------------------------------------------------

ACCEPTED = {"case_no": START["case_no"], "accepted_on": date(2025, 8, 28)}


def restored(fine: Decimal = Decimal("450"), **changes: Any):  # type: ignore[no-untyped-def]
    s = start(**{**VENDING, **changes})
    report(s, fine=fine)
    give_notice(s, date(2025, 8, 18))
    s.advance_to(s.now)
    s.instance.send_message("restoration_accepted", ACCEPTED, s.now)
    respond(s, date(2025, 8, 26))  # a small fine is no major decision: no legal review before deciding
    return s


def test_staff_may_record_a_restoration_for_a_standalone_case() -> None:
    s = start(**VENDING)
    external = s.definition.external_messages["restoration_accepted"]
    assert set(external.sender_roles) == {"officer", "squad_leader"}
    assert "catch_restoration_accepted" in external.elements


def test_a_restored_standalone_case_revises_its_fine_within_the_statutory_range() -> None:
    s = restored()
    assert set(s.open()) == {"revise_proposal_after_restoration"}  # not yet the decision
    discretion = s.data["discretion"]
    assert (discretion["band_low"], discretion["band_high"]) == (Decimal("50"), Decimal("500"))
    assert discretion["mitigating"] is True
    assert "第三十二条第一项" in discretion["mitigating_reasons"]
    note = s.data["restoration_recheck_note"]
    assert "50–500" in note
    assert "无裁量因素" in note
    complete(
        s,
        "revise_proposal_after_restoration",
        {
            "proposed_fine": Decimal("150"),
            "restoration_revision_reason": "已恢复",
            "restoration_revised_on": date(2025, 9, 8),
        },
        on=date(2025, 9, 8),
    )
    assert set(s.open()) == {"decide_penalty"}  # lower than the notified 450: no new notice
    decide_and_serve(s, date(2025, 9, 12), date(2025, 9, 15))
    assert (s.data["notified_fine"], s.data["fine_amount"]) == (Decimal("450"), Decimal("150"))


@pytest.mark.parametrize("outcome", ["rectified", "overdue_then_rectified"])
def test_a_standalone_case_that_had_rectified_is_not_revised_again(outcome: str) -> None:
    s = restored(rectification_outcome=outcome)
    assert set(s.open()) == {"decide_penalty"}  # the conduct was counted in the band already
    assert s.data["restoration_applied"] is True
