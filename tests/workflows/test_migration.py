"""Moving running complaint cases onto a changed diagram (tests/data/migration), in the engine alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tests.bpmn.steps_complaint import (
    BPMN,
    accept,
    at,
    case_closed,
    case_started,
    check_site,
    contact,
    decide,
    escalate,
    fill,
    open_case,
    receive,
    reply,
    router_starts_case,
    visit,
    work_order,
)
from tests.conftest import DATA
from tests.workflows.scenario import Scenario, load_files
from workflows import load_definitions, migration
from workflows.migration import migrate, plan_migration

DAY = date(2025, 9, 26)
TARGET = load_definitions(load_files(BPMN) | load_files(DATA / "migration" / "complaint_handling.bpmn"))[
    "complaint_handling"
]


def same_form(old: str | None, new: str | None) -> str | None:
    return None if old == new else f"{old} → {new}"


def at_remit(n: int) -> Scenario:
    return receive(work_order(at(DAY, 8), work_order_no=f"R{n}"))


def at_contact(n: int) -> Scenario:
    s = receive(work_order(at(DAY, 8), work_order_no=f"C{n}"))
    accept(s, at(DAY, 9, 30))
    return s


def at_escalation(n: int) -> Scenario:
    s = at_contact(n)
    assert s.advance_to(at(date(2025, 9, 30), 9)) == ["timer_contact_overdue"]
    return s


def at_site_check(n: int) -> Scenario:
    s = at_contact(n)
    contact(s, at(DAY, 10))
    return s


def at_case_started(n: int) -> Scenario:
    s = open_case(work_order(at(DAY, 8), work_order_no=f"M{n}"), DAY)
    router_starts_case(s)
    return s


PLACES: dict[str, Callable[[int], Scenario]] = {
    "remit": at_remit,
    "contact": at_contact,
    "escalation": at_escalation,
    "site_check": at_site_check,
    "message": at_case_started,
}


def move(s: Scenario) -> None:
    s.instance = migrate(s.instance, TARGET, s.now)
    s.definition = TARGET


def test_dry_run_says_which_cases_can_move_and_why_the_others_cannot() -> None:
    cases = {(place, n): make(n) for place, make in PLACES.items() for n in range(4)}
    plans = {key: plan_migration(s.instance, TARGET, same_form) for key, s in cases.items()}
    movable = {place for (place, _n), plan in plans.items() if plan.can_move}
    assert movable == {"contact", "site_check", "message"}
    assert {p for p in plans if plans[p].can_move} == {k for k in cases if k[0] in movable}
    remit = plans[("remit", 0)].blockers
    assert [(b.code, b.element_id, b.detail) for b in remit] == [
        ("form_changed", "review_remit", "complaint_remit_review → complaint_remit_review_v2")
    ]
    escalation = plans[("escalation", 0)].blockers
    assert [(b.code, b.element_id) for b in escalation] == [("task_removed", "escalate_contact_overdue")]
    assert {"first_contact", "timer_contact_overdue"} <= set(plans[("contact", 0)].at)
    assert "catch_case_started" in plans[("message", 0)].at


def test_dry_run_changes_nothing() -> None:
    s = at_contact(0)
    before = s.instance.dump()
    plan_migration(s.instance, TARGET, same_form)
    assert s.instance.dump() == before


def test_case_moved_at_a_user_task_keeps_its_timer_and_escalates_on_the_new_diagram() -> None:
    s = at_contact(1)
    (timer,) = s.instance.timers()
    task_id = s.task("first_contact").id
    move(s)
    assert s.task("first_contact").name == "先行联系诉求人（电话或上门）"
    assert s.task("first_contact").id == task_id  # the inbox row and any claim stay valid
    assert [(t.bpmn_id, t.due_at) for t in s.instance.timers()] == [(timer.bpmn_id, timer.due_at)]
    assert s.advance_to(at(date(2025, 9, 30), 9)) == ["timer_contact_overdue"]
    assert set(s.open()) == {"first_contact", "supervise_contact_overdue"}
    escalate(s, "supervise_contact_overdue", at(date(2025, 9, 30), 10))
    contact(s, at(date(2025, 9, 30), 11))
    check_site(s, at(date(2025, 9, 30), 14))
    decide(s, "order_correction", at(date(2025, 9, 30), 15))
    _finish_order(s, date(2025, 9, 30))


def test_case_moved_inside_the_sub_process_finishes_on_the_new_version() -> None:
    s = at_site_check(2)
    move(s)
    check_site(s, at(DAY, 14))
    decide(s, "order_correction", at(DAY, 15))
    _finish_order(s, date(2025, 9, 29))


def test_case_moved_while_waiting_for_a_message_receives_it_and_finishes() -> None:
    s = at_case_started(3)
    move(s)
    case_started(s, at(DAY, 17))
    reply(s, at(date(2025, 9, 29), 10), task="reply_case_filed")
    case_closed(s, at(date(2025, 12, 15), 16))
    fill(s, "give_final_feedback", _feedback(), at(date(2025, 12, 16), 10))
    assert s.instance.status().value == "completed"


def _finish_order(s: Scenario, day: date) -> None:
    reply(s, at(day, 16))
    visit(s, "satisfied", at(day, 17))
    assert s.open() == {}
    assert s.instance.status().value == "completed"


def _feedback() -> dict[str, object]:
    return {
        "feedback_at": at(date(2025, 12, 16), 10),
        "feedback_method": "phone",
        "feedback_content": "案件已办结",
        "reporter_reached": True,
    }


def test_a_move_that_fails_on_a_copy_is_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    s = at_contact(4)

    def broken(*_args: object) -> None:
        raise ValueError("spec mismatch")

    monkeypatch.setattr(migration, "_repoint", broken)
    (blocker,) = plan_migration(s.instance, TARGET, same_form).blockers
    assert (blocker.code, blocker.detail) == ("trial_failed", "ValueError: spec mismatch")
    assert s.task("first_contact").name == "先行联系诉求人"  # the instance itself is untouched
