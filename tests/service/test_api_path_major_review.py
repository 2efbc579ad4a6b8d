"""major_decision_review over HTTP, path (d), on the real dates of the engine-level tests.

The plan and the walker are in bureau_paths.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask

from tests.bpmn import test_major_decision_review as review
from tests.service import test_api_bureau
from tests.service.bureau_paths import (
    Plan,
    assert_due,
    start,
    walk_to_the_end,
)

app = test_api_bureau.app  # the fixture: the service with the bureau's own forms, one user per role


# -- (d) 法制审核退回两次后同意 → 集体讨论决定 --------------------------------------------------------------


def test_d_review_returned_twice_then_agreed_and_collectively_decided(
    app: Flask,
    login: Any,
) -> None:
    called = review.at(date(2025, 9, 24))
    # A direct start goes through the start form (review_start), which types the fine; the
    # discretion calculation is the caller's (penalty_procedure), not a start-form field.
    submitted = {k: v for k, v in review.CASE.items() if k != "discretion"}
    submitted |= {"legal_basis": "《上海市住宅物业管理规定》第八十三条"}
    review_id = start(app, login, "major_decision_review", submitted, called)
    p = Plan("major_decision_review", called, hour=18)  # as its test validates: the meeting is at 15:00
    review.reach_review(p, date(2025, 9, 24), date(2025, 9, 26))
    review.correction_round(p, date(2025, 9, 30), date(2025, 10, 9), Decimal("20000"), "supplement_evidence")
    review.check(p, date(2025, 10, 9))
    review.accept(p, date(2025, 10, 9))
    review.correction_round(p, date(2025, 10, 14), date(2025, 10, 16), Decimal("15000"), "adjust_discretion")
    review.check(p, date(2025, 10, 17))
    review.accept(p, date(2025, 10, 20))
    review.review(p, date(2025, 10, 24), "agree")
    review.discuss(p, date(2025, 10, 28), "penalty", Decimal("15000"))
    review.sign(p, date(2025, 10, 28))

    walk = p.walk(app, login)
    body = walk_to_the_end(p, walk, review_id)
    data = body["data"]
    assert (data["is_major"], data["review_result"], data["review_rounds"]) == (True, "agree", 3)
    letters = [(x["round"], x["opinion_type"], x["issued_on"]) for x in data["review_opinions"]]
    assert letters == [(1, "correct", "2025-09-30"), (2, "correct", "2025-10-14"), (3, "agree", "2025-10-24")]
    assert data["review_opinions"][1]["correction_kinds"] == ["adjust_discretion"]
    assert data["collective_reason"] == "损坏房屋承重结构案件"
    assert [o["member_name"] for o in data["collective_opinions"]] == ["王局长", "李副局长", "赵科长"]
    assert (data["collective_conclusion"], data["final_outcome"]) == ("penalty", "penalty")
    assert Decimal(data["final_fine"]) == Decimal("15000")
    # 10 working days from each acceptance, across National Day; 3 working days to ask for a re-review.
    due = {"conduct_review": ["2025-10-16", "2025-10-22", "2025-11-03"]}
    assert_due(walk, due | {"respond_to_correction": ["2025-10-11", "2025-10-17"]})
    assert walk.auditor.get("/audit/verify").json["ok"] is True
