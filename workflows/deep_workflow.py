"""Lift SpiffWorkflow's 1,000-level task-iteration cut-off, which otherwise stalls long cases (pitfall P1).

`TaskIterator` and `BpmnTaskIterator` default to `max_depth=1000`, and the depth counter grows with
every sub-process instance walked. Past that, READY tasks vanish from `get_tasks()` and engine steps
stop: the instance neither completes nor errors. Every caller (top workflow, sub-workflows, engine
steps) builds its iterator with the default, so we change the default itself, once, here.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator

UNBOUNDED_DEPTH = 10**9


def _lift_depth_limit(cls: type) -> None:
    init = cls.__init__
    names = init.__code__.co_varnames[1 : init.__code__.co_argcount]
    defaults = list(init.__defaults__ or ())
    offset = len(names) - len(defaults)
    defaults[names.index("max_depth") - offset] = UNBOUNDED_DEPTH
    init.__defaults__ = tuple(defaults)


_lift_depth_limit(TaskIterator)
_lift_depth_limit(BpmnTaskIterator)
