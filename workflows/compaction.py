"""Keep a long case's live state small: cut finished history off the task tree, and walk it without recursion.

SpiffWorkflow keeps every task a case ever ran in one tree: a loop adds a chain of tasks per round,
so a case that loops long gets a tree thousands of levels deep. Every save then serialises, and
every join re-scans, all of it (cost grows with history), and the library's recursive ancestor
walks (`Task.is_descendant_of`, `Task.find_ancestor`) end in a `RecursionError` a few hundred
rounds in, leaving the case unable to move.

`compact(workflow)` finds, in each task tree (top level and sub-processes), the chains of finished
tasks that lead to unfinished work one child at a time (a loop's rounds). A chain longer than
`COMPACT_AT` keeps its first task and its last `KEEP_ABOVE`; the middle, with everything hanging
off it, is finished work and is dropped, with the sub-process instances it owns. Sub-process
instances whose calling task has finished go too (their result was handed back when they ended).
What the status diagram needs of dropped tasks (node states, completion counts, flows taken) is
folded into `workflow.zf_history` first (`trace.fold_history`); the full history of what people
did stays in the service's audit record. Trees of short cases are never cut.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .branch_data import ordered_like
from .trace import fold_history

KEEP_LIST_ITEMS = 30  # entries a script-grown list keeps in the live data (the audit record has all)
COMPACT_AT = 60  # levels from the root to the live work's common ancestor before a cut
KEEP_ABOVE = 20  # levels kept above that ancestor (joins look back at their inputs' parents)
HISTORY_ATTR = "zf_history"


def compact(workflow: BpmnWorkflow) -> int:
    """Drop the finished history above the live work of each task tree; return how many tasks went."""
    dropped = _drop_finished_subprocesses(workflow)
    for sub in [workflow, *list(workflow.subprocesses.values())]:
        if sub is workflow or workflow.subprocesses.get(sub.parent_task_id) is sub:
            dropped += _compact_tree(workflow, sub)
    return dropped


def _drop_finished_subprocesses(top: BpmnWorkflow) -> int:
    """Fold sub-process instances whose calling task has finished into the history, and drop them.

    Their result was handed to the calling task when they ended; what stays is bookkeeping that
    every save would otherwise write again (a full copy of the case data per instance).
    """
    callers = dict(top.tasks)
    for sub in top.subprocesses.values():
        callers.update(sub.tasks)
    done = [
        sub
        for key, sub in top.subprocesses.items()
        if (key not in callers or callers[key].has_state(TaskState.FINISHED_MASK))
        and all(t.has_state(TaskState.FINISHED_MASK) for t in sub.tasks.values())
    ]
    if not done:
        return 0
    gone = _owned_subprocesses(top, {sub.parent_task_id for sub in done})
    _fold(top, [t for sub in gone for t in sub.tasks.values()])
    for sub in gone:
        top.subprocesses.pop(sub.parent_task_id, None)
    return sum(len(sub.tasks) for sub in gone)


def _fold(top: BpmnWorkflow, tasks: list[SpiffTask]) -> None:
    history = getattr(top, HISTORY_ATTR, None) or {}
    fold_history(history, tasks)
    setattr(top, HISTORY_ATTR, history)


def _compact_tree(top: BpmnWorkflow, tree: Any) -> int:
    live = [t for t in tree.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if tree.last_task is not None and tree.last_task.workflow is tree:
        live.append(tree.last_task)
    if not live:
        return 0  # a finished sub-process: it goes when its calling task finishes
    spine = _spine(live)
    dropped = 0
    for run in _long_runs(tree.task_tree, spine, {t.id for t in live}):
        dropped += _splice(top, tree, run)
    return dropped


def _spine(live: list[SpiffTask]) -> dict[UUID, list[SpiffTask]]:
    """Map each ancestor of live work to its children that lead to live work."""
    spine: dict[UUID, list[SpiffTask]] = {}
    for task in live:
        node, child = task, None
        while node is not None:
            seen = node.id in spine
            children = spine.setdefault(node.id, [])
            if child is not None and child not in children:
                children.append(child)
            if seen:
                break
            node, child = node.parent, node
    return spine


def _long_runs(root: SpiffTask, spine: dict[UUID, list[SpiffTask]], live: set[UUID]) -> list[list[SpiffTask]]:
    """Chains of finished tasks that lead, one child each, to live work, longer than `COMPACT_AT`."""
    runs, stack = [], [root]
    while stack:
        head = stack.pop()
        run, node = [head], head
        while len(spine[node.id]) == 1 and node.id not in live:
            node = spine[node.id][0]
            run.append(node)
        stack.extend(spine[node.id])
        if len(run) > COMPACT_AT:
            runs.append(run[:-1])  # the last one is live or branches: it stays
    return runs


def _splice(top: BpmnWorkflow, tree: Any, run: list[SpiffTask]) -> int:
    """Keep the run's first task and its last `KEEP_ABOVE`; drop the middle with all it holds."""
    cut = len(run) - KEEP_ABOVE
    while cut > 1 and isinstance(run[cut].task_spec, Join | UnstructuredJoin | InclusiveGateway):
        cut -= 1  # a join's inputs are found through their parents: keep its parent with it
    head, first, rest = run[0], run[1], run[cut]
    gone_ids = _subtree_ids(tree, first) - _subtree_ids(tree, rest)
    gone = [tree.tasks[i] for i in gone_ids]
    gone_subs = _owned_subprocesses(top, gone_ids)
    _fold(top, [*gone, *(t for sub in gone_subs for t in sub.tasks.values())])
    for sub in gone_subs:
        top.subprocesses.pop(sub.parent_task_id, None)
    for task_id in gone_ids:
        del tree.tasks[task_id]
    head._children = [rest.id if c == first.id else c for c in head._children]
    rest._parent = head.id
    # Stored as a delta against its new parent: keep the key order a restore would rebuild.
    rest.data = ordered_like(head.data, rest.data)
    return len(gone) + sum(len(sub.tasks) for sub in gone_subs)


def _subtree_ids(tree: Any, root: SpiffTask) -> set[UUID]:
    kept, stack = set(), [root.id]
    while stack:
        task_id = stack.pop()
        kept.add(task_id)
        task = tree.tasks.get(task_id)
        if task is not None:
            stack.extend(task._children)
    return kept


def _owned_subprocesses(top: BpmnWorkflow, task_ids: set[UUID]) -> list[Any]:
    """Sub-process instances called from these tasks, and the ones they called in turn."""
    owned, frontier = [], set(task_ids)
    while frontier:
        found = [sub for key, sub in top.subprocesses.items() if key in frontier]
        owned.extend(found)
        frontier = {task_id for sub in found for task_id in sub.tasks}
    return owned


def trim_grown_lists(data: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """Keep the newest `KEEP_LIST_ITEMS` entries of lists a script just grew past that; return their keys.

    Diagrams keep a running record by rebuilding a list every round (`followups = followups + [...]`):
    left alone, every later step of a long case copies, stores and diffs an ever longer list. Each
    entry was recorded in the audit record when it was made, so the live data keeps the recent ones.
    Lists people enter in forms are never touched: only a list longer after the script than before.
    """
    trimmed = []
    for key, value in data.items():
        previous = before.get(key)
        if (
            isinstance(value, list)
            and len(value) > KEEP_LIST_ITEMS
            and isinstance(previous, list)
            and len(value) > len(previous)
        ):
            trimmed.append(key)
    for key in trimmed:
        data[key] = data[key][-KEEP_LIST_ITEMS:]
    return trimmed


def _is_descendant_of(self: SpiffTask, task: SpiffTask) -> bool:
    """`Task.is_descendant_of` as a loop: the library's recursion fails on deep trees."""
    node = self.parent
    while node is not None:
        if node == task:
            return True
        node = node.parent
    return False


def _find_ancestor(self: SpiffTask, spec_name: str) -> SpiffTask | None:
    """`Task.find_ancestor` as a loop."""
    node = self.parent
    while node is not None:
        if node.task_spec.name == spec_name:
            return node
        node = node.parent
    return None


SpiffTask.is_descendant_of = _is_descendant_of
SpiffTask.find_ancestor = _find_ancestor
