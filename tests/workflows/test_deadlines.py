"""Provisional deadlines in running instances: marked where computed, recomputed when a schedule arrives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.workflows.scenario import load_files
from workflows import CHINA_TZ, WorkCalendar, WorkflowEngine, WorkflowInstance, load_definitions
from workflows.calendar_schedule import YearSchedule

DEFINITION = load_definitions(load_files(Path(__file__).parents[1] / "data" / "deadlines"))["notice_window"]
SERVED = datetime(2027, 2, 3, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai, before the Spring Festival
# A made-up official 2027 schedule for tests: Thursday 02-04 is worked, 02-05..02-13 off, Sunday 02-14 worked.
HOLIDAYS_2027 = (
    "01-01 02-05 02-08 02-09 02-10 02-11 02-12 04-05 05-03 05-04 05-05 06-09 09-15 10-01 10-04 10-07"
)
SCHEDULE_2027 = YearSchedule(
    2027,
    frozenset(date.fromisoformat(f"2027-{d}") for d in HOLIDAYS_2027.split()),
    frozenset({date(2027, 2, 14), date(2027, 2, 20)}),
)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


@pytest.fixture
def engine() -> WorkflowEngine:
    return WorkflowEngine(WorkCalendar())


def served(engine: WorkflowEngine) -> WorkflowInstance:
    """The notice served on 2027-02-03: a party's 5-day window and a bureau's 7-day duty are open."""
    instance = engine.start(DEFINITION, {}, SERVED)
    (serve,) = instance.open_tasks()
    instance.complete_task(serve.id, {"notice_served_on": date(2027, 2, 3)}, SERVED)
    return round_trip(engine, instance)


def round_trip(engine: WorkflowEngine, instance: WorkflowInstance) -> WorkflowInstance:
    state = instance.dump()
    restored = engine.restore(DEFINITION, state)
    assert restored.dump() == state
    return restored


def tasks(instance: WorkflowInstance) -> dict[str, object]:
    return {t.bpmn_id: t for t in instance.open_tasks()}


def test_deadlines_over_an_unpublished_year_are_marked_provisional_with_their_legal_basis(
    engine: WorkflowEngine,
) -> None:
    instance = served(engine)
    response, publish = tasks(instance)["record_response"], tasks(instance)["publish_notice"]
    # The party's right assumes 02-04..02-13 off: 02-15..02-19 are its five days.
    assert (response.due_at, response.due_provisional) == (end_of(date(2027, 2, 19)), True)
    assert response.legal_basis == "《行政处罚法》第六十四条"
    # The bureau's duty assumes only 除夕-初三 off: 02-04, 02-09..02-12, 02-15, 02-16.
    assert (publish.due_at, publish.due_provisional) == (end_of(date(2027, 2, 16)), True)
    (timer,) = instance.timers()
    assert (timer.bpmn_id, timer.due_at, timer.provisional) == (
        "timer_window",
        end_of(date(2027, 2, 19)),
        True,
    )
    assert timer.legal_basis == "《行政处罚法》第六十四条"
    assert "_zhifa_provisional" not in instance.data()  # the ledger is bookkeeping, not case data
    assert instance.has_provisional()


def test_a_deadline_in_a_published_year_is_not_marked(engine: WorkflowEngine) -> None:
    instance = engine.start(DEFINITION, {}, datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    (serve,) = instance.open_tasks()
    instance.complete_task(
        serve.id, {"notice_served_on": date(2026, 3, 2)}, datetime(2026, 3, 2, 2, tzinfo=UTC)
    )
    assert not any(t.due_provisional for t in instance.open_tasks())
    assert not instance.timers()[0].provisional
    assert not instance.has_provisional()


def test_entering_the_schedule_recomputes_script_values_due_times_and_timers(engine: WorkflowEngine) -> None:
    instance = served(engine)
    engine.calendar.set_entered({2027: SCHEDULE_2027})
    later = datetime(2027, 2, 10, 2, 0, tzinfo=UTC)
    changes = {(c.kind, c.bpmn_id): c for c in instance.recompute_deadlines(later)}
    instance = round_trip(engine, instance)
    # The right: 02-04 (1), 02-14 (2, a 调休 Sunday), 02-15..02-17: two days earlier than assumed.
    assert changes[("task", "record_response")].new == end_of(date(2027, 2, 17))
    assert changes[("timer", "timer_window")].new == end_of(date(2027, 2, 17))
    assert instance.data()["hearing_window_ends_on"] == date(2027, 2, 17)
    # The duty, counted from the day the notice was recorded (today() frozen at 02-03, not 02-10):
    # 02-04, 02-14, 02-15..02-19: three days later than assumed.
    assert changes[("task", "publish_notice")].new == end_of(date(2027, 2, 19))
    open_now = tasks(instance)
    assert not any(t.due_provisional for t in open_now.values())
    assert not instance.timers()[0].provisional
    assert not instance.has_provisional()
    assert not any(t.deadline_moved_earlier for t in open_now.values())  # 02-17 is still ahead of 02-10


def test_a_deadline_moved_to_before_now_is_flagged(engine: WorkflowEngine) -> None:
    instance = served(engine)
    engine.calendar.set_entered({2027: SCHEDULE_2027})
    changes = instance.recompute_deadlines(datetime(2027, 2, 18, 2, 0, tzinfo=UTC))  # 02-18 10:00
    earlier = {(c.kind, c.bpmn_id) for c in changes if c.moved_earlier}
    assert earlier == {("task", "record_response"), ("timer", "timer_window")}  # now due 02-17
    instance = round_trip(engine, instance)
    assert tasks(instance)["record_response"].deadline_moved_earlier
    assert not tasks(instance)["publish_notice"].deadline_moved_earlier  # it moved later


def test_recomputing_under_the_same_assumptions_moves_nothing(engine: WorkflowEngine) -> None:
    instance = served(engine)
    assert instance.recompute_deadlines(datetime(2027, 2, 10, 2, 0, tzinfo=UTC)) == []
    assert all(t.due_provisional for t in instance.open_tasks())
