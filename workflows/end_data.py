"""Merge the data of every finished branch when a (sub)process ends, not just the last one's.

SpiffWorkflow hands a finished sub-process's `last_task.data` to its caller, and the process's final
data is the last finishing task's. When a non-interrupting branch (say a 督办 escalation opened by a
boundary timer) ends *after* the main path, its copy of the case data is older, so the main path's
results (decision number, fine, outcome) silently revert. We replace that with a three-way merge:
each branch contributes only what it changed since it split from the branches merged before it.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

_MISSING = object()


def merged_end_data(workflow: Any) -> dict[str, Any]:
    """Return the data of all completed end events of a workflow, merged in completion order."""
    ends = sorted(
        (
            t
            for t in workflow.tasks.values()
            if t.state == TaskState.COMPLETED and isinstance(t.task_spec, EndEvent)
        ),
        key=lambda t: t.last_state_change,
    )
    if len(ends) <= 1:
        last = ends[0] if ends else workflow.last_task
        return dict(last.data) if last is not None else {}
    merged = dict(ends[0].data)
    for previous, end in zip(ends, ends[1:], strict=False):
        base = _common_ancestor(previous, end)
        base_data = base.data if base is not None else {}
        for key, value in end.data.items():
            if base_data.get(key, _MISSING) != value:
                merged[key] = value
    return merged


def _common_ancestor(a: SpiffTask, b: SpiffTask) -> SpiffTask | None:
    seen = set()
    node: SpiffTask | None = a
    while node is not None:
        seen.add(node.id)
        node = node.parent
    node = b
    while node is not None and node.id not in seen:
        node = node.parent
    return node


def _subprocess_update_data(self: Any, my_task: SpiffTask, subworkflow: Any) -> None:
    my_task.data = deepcopy(merged_end_data(subworkflow))


_original_call_update = CallActivity.update_data


def _call_activity_update_data(self: Any, my_task: SpiffTask, subworkflow: Any) -> None:
    io = subworkflow.spec.io_specification
    if io is not None and io.data_outputs:
        _original_call_update(self, my_task, subworkflow)  # declared outputs: SpiffWorkflow's own rule
    else:
        my_task.data = deepcopy(merged_end_data(subworkflow))


_original_mark_complete = Workflow._mark_complete


def _mark_complete(self: Any, task: SpiffTask) -> None:
    _original_mark_complete(self, task)
    if hasattr(self, "subprocesses"):  # a BPMN top-level workflow
        self.data.update(merged_end_data(self))


SubWorkflowTask.update_data = _subprocess_update_data
CallActivity.update_data = _call_activity_update_data
Workflow._mark_complete = _mark_complete
