"""Diff between two versions of a process: what a process owner changed, element by element."""

from __future__ import annotations

import re

from tests.bpmn.steps_complaint import BPMN
from tests.conftest import DATA
from tests.workflows.scenario import load_files
from workflows.diff import PropertyChange, diff_files

OLD = load_files(BPMN / "complaint_handling.bpmn", BPMN / "complaint_time_limits.dmn")
NEW = OLD | load_files(DATA / "migration" / "complaint_handling.bpmn")


def _changed(diff: object, element_id: str) -> dict[str, tuple[str | None, str | None]]:
    (item,) = [c for c in diff.changed if c.element_id == element_id]  # type: ignore[attr-defined]
    return {c.name: (c.old, c.new) for c in item.changes}


def test_same_files_give_an_empty_diff() -> None:
    diff = diff_files(OLD, dict(OLD))
    assert diff.empty
    assert diff.states() == {}


def test_renamed_task_changed_form_and_replaced_task_are_reported() -> None:
    diff = diff_files(OLD, NEW)
    assert _changed(diff, "first_contact") == {"name": ("先行联系诉求人", "先行联系诉求人（电话或上门）")}
    assert _changed(diff, "review_remit") == {
        "formKey": ("complaint_remit_review", "complaint_remit_review_v2")
    }
    assert [(d.element_id, d.tag) for d in diff.removed] == [("escalate_contact_overdue", "userTask")]
    assert [(d.element_id, d.name) for d in diff.added] == [
        ("supervise_contact_overdue", "先行联系超期督办（中队长）")
    ]
    rewired = {r.flow_id: (r.old, r.new) for r in diff.rewired}
    assert rewired == {
        "flow_contact_overdue": (
            ("timer_contact_overdue", "escalate_contact_overdue"),
            ("timer_contact_overdue", "supervise_contact_overdue"),
        ),
        "flow_contact_escalated": (
            ("escalate_contact_overdue", "end_contact_escalated"),
            ("supervise_contact_overdue", "end_contact_escalated"),
        ),
    }
    assert diff.states()["escalate_contact_overdue"] == "removed"
    assert diff.states()["supervise_contact_overdue"] == "added"


def test_conditions_timers_scripts_and_lanes_count_as_changes() -> None:
    text = OLD["complaint_handling.bpmn"]
    edited = re.sub(  # the approving role of 延期审批, whatever the file's indentation
        r'(id="approve_extension".*?name="role" value=")squad_leader"',
        r'\1deputy_head"',
        text.replace("deadline_iso(contact_due)", "deadline_iso(add_workdays(contact_due, 1))").replace(
            "extension_count = extension_count + 1", "extension_count += 1"
        ),
        count=1,
        flags=re.DOTALL,
    )
    diff = diff_files(OLD, OLD | {"complaint_handling.bpmn": edited})
    assert _changed(diff, "timer_contact_overdue") == {
        "timerEventDefinition/timeDate": (
            "deadline_iso(contact_due)",
            "deadline_iso(add_workdays(contact_due, 1))",
        )
    }
    assert list(_changed(diff, "check_extension")) == ["script"]
    assert _changed(diff, "approve_extension") == {"role": ("squad_leader", "deputy_head")}


def test_a_changed_cell_of_a_decision_table_names_its_rule_and_column() -> None:
    table = OLD["complaint_time_limits.dmn"].replace("<text>2</text>", "<text>4</text>", 1)
    diff = diff_files(OLD, OLD | {"complaint_time_limits.dmn": table})
    (item,) = diff.changed
    assert (item.scope, item.element_id) == ("complaint_time_limits", "rule_critical")
    assert item.changes == (PropertyChange("先行联系时限（小时）", "2", "4"),)
