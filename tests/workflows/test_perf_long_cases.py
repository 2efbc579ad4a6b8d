"""Long cases stay small and keep working: loops at top level and inside sub-processes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.bpmn import steps_case as case
from tests.bpmn import steps_case_discovery as discovery
from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus, compaction

LOOPS = Path(__file__).parents[1] / "data" / "loops"
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def _review_loop() -> Scenario:
    return Scenario(load_files(LOOPS), "user_loop", {}, now=START)


def _state_size(s: Scenario) -> int:
    return len(s.instance.dump())


def test_two_thousand_review_rounds_finish_with_bounded_state_and_full_counts() -> None:
    s = _review_loop()
    sizes = {}
    for round_no in range(1, 2001):
        s.complete("review_round", {"approved": False})
        if round_no in (100, 2000):
            sizes[round_no] = _state_size(s)
    s.complete("review_round", {"approved": True})
    assert s.instance.status() is InstanceStatus.COMPLETED
    assert sizes[2000] < 1.5 * sizes[100], sizes
    assert s.instance.trace().count("user_loop", "review_round") == 2001


def test_ancestor_walks_on_a_tree_deeper_than_the_recursion_limit_raise_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compaction, "COMPACT_AT", 10**9)  # no compaction: the tree gets deep
    s = _review_loop()
    for _ in range(400):  # three levels per round: past the interpreter's recursion limit of 1,000
        s.instance.complete_task(s.task("review_round").id, {"approved": False}, START)
    workflow = s.instance._wf
    deepest = max(workflow.tasks.values(), key=lambda t: t.depth)
    assert deepest.depth > 1000
    assert deepest.is_descendant_of(workflow.task_tree)
    assert deepest.find_ancestor("no_such_spec") is None


def test_compacted_history_draws_the_same_trace_as_the_full_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    compacted, full = _review_loop(), _review_loop()
    for s, limit in ((compacted, compaction.COMPACT_AT), (full, 10**9)):
        monkeypatch.setattr(compaction, "COMPACT_AT", limit)
        for _ in range(150):
            s.complete("review_round", {"approved": False})
    assert len(json.loads(compacted.instance.dump())["tasks"]) < len(
        json.loads(full.instance.dump())["tasks"]
    )
    assert compacted.instance.trace() == full.instance.trace()


def _load_bearing_case_in_restoration_loop() -> Scenario:
    s = discovery.receive(discovery.patrol_lead(), discovery.at(date(2025, 11, 3), 10))
    discovery.assign(s, discovery.at(date(2025, 11, 3), 11))
    discovery.refuse_entry_once(s)
    discovery.confirm_violation(s, discovery.at(date(2025, 11, 6), 10))
    discovery.file_and_order(s)
    case.extend_once(s)
    s.advance_to(discovery.end_of(date(2026, 1, 9)))
    case.inspect_at_deadline(s, discovery.at(date(2026, 1, 12), 10), "not_rectified")
    case.annotate_house(s, [date(2026, 1, d) for d in (12, 13, 14, 15, 20, 21)])
    case.state_discretion_factors(s, date(2026, 1, 22))
    return s


def _failed_acceptance_round(s: Scenario) -> None:
    case.follow_restoration(s, discovery.at(date(2026, 1, 27), 11), "completed")
    case.report_repair(s, date(2026, 1, 27))
    case.accept(s, discovery.at(date(2026, 1, 27), 15), "failed", rework_deadline=date(2026, 3, 6))


def test_rectification_review_loop_inside_a_sub_process_keeps_its_state_bounded() -> None:
    s = _load_bearing_case_in_restoration_loop()
    sizes = {}
    for round_no in range(1, 61):
        _failed_acceptance_round(s)
        if round_no in (20, 60):
            sizes[round_no] = _state_size(s)
    assert sizes[60] <= 1.1 * sizes[20], sizes
    assert "record_restoration_followup" in s.open()
    assert s.instance.trace().count("stage_closure", "accept_repair") == 60


def test_a_list_a_script_keeps_growing_keeps_its_newest_entries_and_form_lists_stay_whole() -> None:
    keep = compaction.KEEP_LIST_ITEMS
    before = {
        "followups": list(range(keep)),
        "damages": list(range(keep + 5)),
        "notes": list(range(keep + 9)),
    }
    data = {**before, "followups": [*before["followups"], keep], "notes": before["notes"][:-1]}
    assert compaction.trim_grown_lists(data, before) == ["followups"]
    assert data["followups"] == list(range(1, keep + 1))  # the oldest entry went, the new one is there
    assert data["damages"] == before["damages"]  # not grown by the script: as entered
    assert data["notes"] == before["notes"][:-1]
