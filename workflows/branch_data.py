"""Merge parallel branches' data three-way, so a branch's stale copy cannot undo another's work.

SpiffWorkflow merges branch data wholesale: at a parallel or inclusive join every branch's full copy
is merged in arrival order, a finished sub-process hands its `last_task.data` to the caller, and the
process's final data is the last finishing task's. A branch that did not touch a field still carries
the value it had when the branches split, so whichever branch arrives last silently reverts the
others' results — a 督办 escalation finishing after the decision wipes the decision number; the
restoration branch finishing after the penalty branch restores the old legal basis.

We merge against the branches' common ancestor instead: each branch contributes only the fields it
changed since the split (containers still merge the way SpiffWorkflow merges them), in arrival order.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

from .plain_copy import copy_plain

_MISSING = object()


def merge_branches(tails: list[SpiffTask]) -> dict[str, Any]:
    """Merge the data at the ends of several branches (in the given order) against their split."""
    if not tails:
        return {}
    base = _common_ancestor(tails)
    base_data = base.data if base is not None else {}
    merged = copy_plain(dict(base_data))
    for tail in tails:
        changed = {k: v for k, v in tail.data.items() if base_data.get(k, _MISSING) != v}
        DeepMerge.merge(merged, copy_plain(changed))
    return merged


def ordered_like(reference: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Return `data` with the reference's keys first, in its order.

    Task data is stored as a delta against the parent task and rebuilt in the parent's key order;
    matching that order keeps a saved-and-restored instance byte-identical.
    """
    ordered = {k: data[k] for k in reference if k in data}
    ordered.update((k, v) for k, v in data.items() if k not in ordered)
    return ordered


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
    return merge_branches(ends)


def _ancestors(task: SpiffTask) -> list[SpiffTask]:
    chain = []
    node: SpiffTask | None = task
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def _common_ancestor(tasks: list[SpiffTask]) -> SpiffTask | None:
    shared = {t.id for t in _ancestors(tasks[0])}
    for task in tasks[1:]:
        shared &= {t.id for t in _ancestors(task)}
    return next((t for t in _ancestors(tasks[0]) if t.id in shared), None)


def _join_run_hook(self: Any, my_task: SpiffTask) -> bool:
    """UnstructuredJoin._run_hook with a three-way merge of the arriving branches."""
    others = sorted(
        (
            t
            for t in my_task.workflow.tasks.values()
            if t.task_spec == self
            and t.has_state(TaskState.FINISHED_MASK)
            and not my_task.is_descendant_of(t)
        ),
        key=lambda t: t.last_state_change,
    )
    tails = [t.parent for t in others if t.parent is not None] + [my_task.parent]
    for task in others:
        # As SpiffWorkflow does: a branch reset inside a parallel section must not keep stale children.
        if task.has_state(TaskState.COMPLETED):
            task._drop_children(force=True)
    if len(tails) > 1:
        my_task.data = ordered_like(my_task.parent.data, merge_branches(tails))
    else:
        my_task._inherit_data()
    return True


def _subprocess_update_data(self: Any, my_task: SpiffTask, subworkflow: Any) -> None:
    my_task.data = _as_task_data(my_task, merged_end_data(subworkflow))


def _as_task_data(my_task: SpiffTask, data: dict[str, Any]) -> dict[str, Any]:
    reference = my_task.parent.data if my_task.parent is not None else {}
    return ordered_like(reference, copy_plain(data))


_original_call_update = CallActivity.update_data


def _call_activity_update_data(self: Any, my_task: SpiffTask, subworkflow: Any) -> None:
    io = subworkflow.spec.io_specification
    if io is not None and io.data_outputs:
        _original_call_update(self, my_task, subworkflow)  # declared outputs: SpiffWorkflow's own rule
    else:
        my_task.data = _as_task_data(my_task, merged_end_data(subworkflow))


_original_mark_complete = Workflow._mark_complete


def _mark_complete(self: Any, task: SpiffTask) -> None:
    _original_mark_complete(self, task)
    if hasattr(self, "subprocesses"):  # a BPMN top-level workflow
        self.data.update(merged_end_data(self))


UnstructuredJoin._run_hook = _join_run_hook
SubWorkflowTask.update_data = _subprocess_update_data
CallActivity.update_data = _call_activity_update_data
Workflow._mark_complete = _mark_complete
