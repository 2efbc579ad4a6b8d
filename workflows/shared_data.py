"""Case data that joins the whole case at once: the `shareData` property of a task.

SpiffWorkflow keeps data per task. A task inherits its parent's copy when it becomes ready, so what a
side branch records (a non-interrupting boundary event's 回避, 先行登记保存, 移送公安 …) reaches the
main path only where the branches meet: at a join, or when the process ends. An interrupting boundary
event on a stage takes the data the stage started with, so what the stage recorded before it was
interrupted (the interviews before a 中止) is lost. BPMN data objects are process-wide, but a task
sees one only through a data input association and gives it back on completion, so every reader of
`case_officers` would need one; and the case page reads task data.

A task whose spiffworkflow property `shareData` names fields ("case_officers,recusals") publishes
them when it completes, as a process-wide value, last write wins:
- every unfinished task of the instance (sub-processes and called processes included) gets the
  values at once, so the open work, the case page and whatever follows see them;
- the values are kept in the top workflow's data under `SHARED_KEY`, and every task that inherits
  data later (a task becoming ready, a boundary event firing) gets them on top of its parent's copy;
- once shared, a field stays shared: any task that completes with another value publishes it too.
At the end the key is dropped from the final data (the fields themselves are in it).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

from .plain_copy import copy_plain

SHARE_PROPERTY = "shareData"
SHARED_KEY = "shared_case_data"
_UNFINISHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def shared_names(spec: Any) -> list[str]:
    """Return the field names a task spec publishes (its `shareData` property), in order."""
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    raw = properties.get(SHARE_PROPERTY) or ""
    return [name.strip() for name in raw.split(",") if name.strip()]


def _top(workflow: Any) -> Any:
    return getattr(workflow, "top_workflow", None) or workflow


def publish(task: SpiffTask, names: list[str]) -> None:
    """Make the task's values of these fields the case's values, in every unfinished task and later ones."""
    values = {name: task.data[name] for name in names if name in task.data}
    if not values:
        return
    top = _top(task.workflow)
    top.data.setdefault(SHARED_KEY, {}).update(copy_plain(values))
    for other in top.get_tasks(state=_UNFINISHED):
        if other is not task:
            other.data.update(copy_plain(values))


_original_on_complete = BpmnTaskSpec._on_complete_hook


def _on_complete_hook(self: Any, my_task: SpiffTask) -> None:
    _original_on_complete(self, my_task)
    names = shared_names(self)
    # A shared field that a task changes (a later form or script writing it) is published again.
    top = _top(my_task.workflow)
    shared = top.data.get(SHARED_KEY) or {} if hasattr(my_task.workflow, "top_workflow") else {}
    names += [n for n, v in shared.items() if n not in names and n in my_task.data and my_task.data[n] != v]
    if names:
        publish(my_task, names)


_original_inherit = SpiffTask._inherit_data


def _inherit_data(self: SpiffTask) -> None:
    _original_inherit(self)
    workflow = self.workflow
    top = _top(workflow)
    shared = getattr(top, "data", {}).get(SHARED_KEY) if hasattr(workflow, "top_workflow") else None
    if shared:
        self.data.update(copy_plain(shared))


_original_mark_complete = Workflow._mark_complete


def _mark_complete(self: Any, task: SpiffTask) -> None:
    _original_mark_complete(self, task)
    if hasattr(self, "subprocesses"):  # the top-level workflow: its final data holds the fields themselves
        self.data.pop(SHARED_KEY, None)


BpmnTaskSpec._on_complete_hook = _on_complete_hook
SpiffTask._inherit_data = _inherit_data
Workflow._mark_complete = _mark_complete
