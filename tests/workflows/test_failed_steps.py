"""A failing automatic step becomes an incident the instance keeps, and runs again after a fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus, TimeBudgetExceeded, WorkCalendar, WorkflowEngine

DATA = Path(__file__).parents[1] / "data" / "incidents"
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
FIXED = WorkflowEngine(WorkCalendar(extra_years=[2040]))  # 2040 (past the provisional horizon) entered


def scenario(process_id: str, data: dict[str, object]) -> Scenario:
    return Scenario(load_files(DATA / f"{process_id}.bpmn"), process_id, data, now=START)


def fixed(s: Scenario) -> None:
    """Restore the instance on an engine whose calendar covers 2040 (what a service restart does)."""
    s.instance = FIXED.restore(s.definition, s.instance.dump())


def test_a_failing_script_after_a_task_keeps_the_case_running_with_an_incident() -> None:
    s = scenario("flaky_step", {"start_on": "2040-03-01"})
    s.complete("register", {"escalation_note": "登记"})
    assert s.instance.status() is InstanceStatus.RUNNING
    (incident,) = s.instance.incidents()
    assert (incident.bpmn_id, incident.name, incident.kind) == ("compute_due", "计算办理期限", "script")
    assert "2040" in incident.message
    assert incident.failed_at == START
    assert s.open() == {}
    s.advance_to(START + timedelta(days=1))  # saved and restored: the incident is still there
    assert [i.bpmn_id for i in s.instance.incidents()] == ["compute_due"]


def test_retrying_before_the_fix_fails_again_and_after_the_fix_moves_on() -> None:
    s = scenario("flaky_step", {"start_on": "2040-03-01"})
    s.complete("register", {"escalation_note": "登记"})
    later = START + timedelta(hours=2)
    assert s.instance.retry_errors(later) == 1
    (incident,) = s.instance.incidents()
    assert incident.failed_at == later
    fixed(s)
    assert s.instance.retry_errors(later) == 1
    assert s.instance.incidents() == []
    assert list(s.open()) == ["handle"]
    assert s.data["handle_by"] == "2040-03-06"
    s.complete("handle", {"filing_decision": "approve"})
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_a_step_after_a_timer_fails_into_an_incident_and_the_timer_counts_as_fired() -> None:
    s = scenario("timer_then_step", {"start_on": "2040-03-01"})
    assert s.advance_to(START + timedelta(days=1)) == ["wait_a_day"]
    assert [i.bpmn_id for i in s.instance.incidents()] == ["compute_due"]
    assert s.instance.timers() == []
    fixed(s)
    s.instance.retry_errors(START + timedelta(days=2))
    assert list(s.open()) == ["handle"]


def test_a_timer_whose_date_cannot_be_computed_is_an_incident_at_the_timer() -> None:
    s = scenario("timer_expression", {"start_on": "2040-03-01"})
    s.complete("register", {"escalation_note": "登记"})
    (incident,) = s.instance.incidents()
    assert (incident.bpmn_id, incident.kind) == ("wait_workdays", "event")
    assert s.instance.timers() == []
    fixed(s)
    s.instance.retry_errors(START)
    assert s.instance.incidents() == []
    (timer,) = s.instance.timers()
    assert timer.bpmn_id == "wait_workdays"
    assert timer.due_at == datetime(2040, 3, 5, 15, 59, 59, tzinfo=UTC)
    assert s.advance_to(timer.due_at) == ["wait_workdays"]
    assert list(s.open()) == ["handle"]


def test_a_timer_value_that_is_not_a_date_is_an_incident_not_an_exception() -> None:
    s = scenario("timer_value", {"wake_at": "2026-13-45"})
    s.complete("register", {"escalation_note": "登记"})
    (incident,) = s.instance.incidents()
    assert incident.bpmn_id == "wait_until"
    assert "invalid timer" in incident.message
    s.advance_to(START + timedelta(days=3))  # later steps do not trip over it again
    assert s.instance.status() is InstanceStatus.RUNNING


def test_a_runaway_loop_is_stopped_by_the_time_budget() -> None:
    s = scenario("runaway", {})
    with pytest.raises(TimeBudgetExceeded):
        s.instance.fire_timers(START + timedelta(days=1), budget_seconds=0.3)


def test_cancelling_a_case_with_an_incident_leaves_no_incident() -> None:
    s = scenario("flaky_step", {"start_on": "2040-03-01"})
    s.complete("register", {"escalation_note": "登记"})
    s.instance.cancel()
    assert s.instance.incidents() == []
    assert s.instance.status() is InstanceStatus.CANCELLED
