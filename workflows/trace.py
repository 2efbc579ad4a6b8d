"""Read a live instance's task tree into per-node states, completion counts and traversed flows.

The result feeds the status diagram (`workflows.graph.build_graph(..., trace=...)`). Nodes are keyed
by `(scope, bpmn_id)`, where scope is the id of the innermost `bpmn:process` or embedded
`bpmn:subProcess` holding the node; for a task that is `task.workflow.spec.name`.

How SpiffWorkflow task states map to `NodeState`:

* COMPLETED -> done; READY, STARTED -> open; ERROR -> error; MAYBE, LIKELY, FUTURE -> not_reached.
* WAITING -> waiting for catching events (timers, messages, signals, receive tasks, event-based
  gateways): something outside the process must happen. A join (parallel/inclusive gateway) that
  waits for its other branches is open instead: a token sits there and the case is in progress at
  that point, but no timer or message is involved, so the "waiting" colour would mislead.
* CANCELLED -> cancelled, except for catching events (boundary and intermediate events, start
  events): those were armed and never fired, e.g. the timer on a task finished in time, so they
  read as not_reached.

A node with several tasks (loop iterations, cancelled join copies, predictions) shows the most
meaningful one: error > open > waiting > done > cancelled > not_reached.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow as SpiffBpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent as SpiffCatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent as SpiffBoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    EventBasedGateway as SpiffEventBasedGateway,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import ReceiveTask as SpiffReceiveTask
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

NodeKey = tuple[str, str]
EdgeKey = tuple[str, str, str]

# get_tasks() stops descending at depth 1000 by default, and the counter leaks one level per
# subprocess walked through; past that, tasks silently vanish (engine-notes P1).
_UNLIMITED_DEPTH = 10**9

# A task "entered" its node when the token actually arrived there.
_ENTERED_MASK = (
    SpiffTaskState.WAITING
    | SpiffTaskState.READY
    | SpiffTaskState.STARTED
    | SpiffTaskState.COMPLETED
    | SpiffTaskState.ERROR
)


class NodeState(StrEnum):
    """How far an instance got at one BPMN node."""

    DONE = "done"
    OPEN = "open"
    WAITING = "waiting"
    NOT_REACHED = "not_reached"
    CANCELLED = "cancelled"
    ERROR = "error"


_PRECEDENCE: dict[NodeState, int] = {
    NodeState.ERROR: 5,
    NodeState.OPEN: 4,
    NodeState.WAITING: 3,
    NodeState.DONE: 2,
    NodeState.CANCELLED: 1,
    NodeState.NOT_REACHED: 0,
}


@dataclass(frozen=True)
class Trace:
    """Where an instance has been: node states, completion counts and traversed flows."""

    states: dict[NodeKey, NodeState]
    counts: dict[NodeKey, int]
    taken_edges: frozenset[EdgeKey]

    def state(self, scope: str, bpmn_id: str) -> NodeState:
        """Return the node's state, not_reached when the instance never saw it."""
        return self.states.get((scope, bpmn_id), NodeState.NOT_REACHED)

    def count(self, scope: str, bpmn_id: str) -> int:
        """Return how many times the node completed."""
        return self.counts.get((scope, bpmn_id), 0)


def trace_workflow(wf: SpiffBpmnWorkflow) -> Trace:
    """Summarise a live workflow (including its subprocesses) as a `Trace`.

    History cut off the live tree (`compaction.py`) was folded into `wf.zf_history`; it counts too.
    """
    states = dict.fromkeys(_spec_nodes(wf), NodeState.NOT_REACHED)
    counts: Counter[NodeKey] = Counter()
    taken: set[EdgeKey] = set()
    history = getattr(wf, "zf_history", None) or {}
    for joined, name in history.get("states", {}).items():
        states[_split_key(joined)] = NodeState(name)
    counts.update({_split_key(k): n for k, n in history.get("counts", {}).items()})
    taken.update(tuple(edge.split(_SEP)) for edge in history.get("edges", []))  # type: ignore[misc]
    for task in wf.get_tasks(max_depth=_UNLIMITED_DEPTH):
        _fold(task, states, counts, taken)
    return Trace(states=states, counts=dict(counts), taken_edges=frozenset(taken))


_SEP = "|"


def _split_key(joined: str) -> NodeKey:
    scope, bpmn_id = joined.split(_SEP, 1)
    return scope, bpmn_id


def _fold(task: Any, states: dict[NodeKey, NodeState], counts: Counter[NodeKey], taken: set[EdgeKey]) -> None:
    bpmn_id = task.task_spec.bpmn_id
    if bpmn_id is None:
        return
    key = (task.workflow.spec.name, bpmn_id)
    state = task_node_state(task)
    if _PRECEDENCE[state] > _PRECEDENCE[states.get(key, NodeState.NOT_REACHED)]:
        states[key] = state
    source = _bpmn_parent(task)
    if source is not None and source.task_spec.bpmn_id == bpmn_id:
        return  # a multi-instance or loop child: part of its activity, not a new visit
    if task.state == SpiffTaskState.COMPLETED:
        counts[key] += 1
    if source is not None and _flow_taken(task):
        taken.add((key[0], source.task_spec.bpmn_id, bpmn_id))


def fold_history(history: dict[str, Any], tasks: Iterable[Any]) -> None:
    """Add finished tasks about to leave the live tree to a JSON summary `trace_workflow` reads back."""
    states = {_split_key(k): NodeState(v) for k, v in history.get("states", {}).items()}
    counts: Counter[NodeKey] = Counter({_split_key(k): n for k, n in history.get("counts", {}).items()})
    taken: set[EdgeKey] = {tuple(e.split(_SEP)) for e in history.get("edges", [])}  # type: ignore[misc]
    for task in tasks:
        _fold(task, states, counts, taken)
    history["states"] = {_SEP.join(k): v.value for k, v in sorted(states.items())}
    history["counts"] = {_SEP.join(k): n for k, n in sorted(counts.items())}
    history["edges"] = sorted(_SEP.join(e) for e in taken)


def task_node_state(task: Any) -> NodeState:
    """Map one SpiffWorkflow task to the state its node shows on the diagram."""
    state, spec = task.state, task.task_spec
    if state == SpiffTaskState.COMPLETED:
        return NodeState.DONE
    if state in (SpiffTaskState.READY, SpiffTaskState.STARTED):
        return NodeState.OPEN
    if state == SpiffTaskState.ERROR:
        return NodeState.ERROR
    if state == SpiffTaskState.WAITING:
        return NodeState.WAITING if isinstance(spec, SpiffCatchingEvent) else NodeState.OPEN
    if state == SpiffTaskState.CANCELLED:
        return NodeState.NOT_REACHED if _is_event_node(spec) else NodeState.CANCELLED
    return NodeState.NOT_REACHED


def _is_event_node(spec: Any) -> bool:
    """Tell whether a spec is a catching *event* (not a receive task or event-based gateway)."""
    return isinstance(spec, SpiffCatchingEvent) and not isinstance(
        spec, SpiffReceiveTask | SpiffEventBasedGateway
    )


def _spec_nodes(wf: SpiffBpmnWorkflow) -> tuple[NodeKey, ...]:
    """Return every BPMN node of the workflow's spec and of all its subprocess specs.

    Specs are parsed once per definition version and shared by its instances: the list is kept with
    the spec (every save traces the instance, and the bureau's largest process has ~700 nodes).
    """
    names = tuple(wf.subprocess_specs)
    known = _NODES.get(wf.spec)
    if known is not None and known[0] == names:
        return known[1]
    nodes = tuple(
        (spec.name, task_spec.bpmn_id)
        for spec in (wf.spec, *wf.subprocess_specs.values())
        for task_spec in spec.task_specs.values()
        if task_spec.bpmn_id is not None
    )
    _NODES[wf.spec] = (names, nodes)
    return nodes


_NODES: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], tuple[NodeKey, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _bpmn_parent(task: Any) -> Any | None:
    """Return the nearest ancestor that is a BPMN element, looking through Spiff-internal specs."""
    parent = task.parent
    while parent is not None and parent.task_spec.bpmn_id is None:
        parent = parent.parent
    return parent


def _flow_taken(task: Any) -> bool:
    """Tell whether the token really travelled along the flow into this task."""
    if isinstance(task.task_spec, SpiffBoundaryEvent):
        return False  # attached to its activity; no sequence flow leads into it
    if task.state & _ENTERED_MASK:
        return True
    # Cancelled after arriving: an interrupted activity, or a join copy superseded by a later branch.
    return (
        task.state == SpiffTaskState.CANCELLED
        and task.parent is not None
        and task.parent.state == SpiffTaskState.COMPLETED
    )
