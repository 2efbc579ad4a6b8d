"""The case page's live Graphviz diagram: rendered once per instance version, answered 304 while unchanged.

Contract 3 names every flow-node group `<g id="node-<bpmn_id>" class="node zf-<state>" data-bpmn-id=...>`.
Helper `perf` adds those attributes in the graph builder; until that lands, `mark_nodes` adds them
here from the node titles (Graphviz writes the BPMN id as each node's <title>), and leaves groups
that already carry them untouched.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict

from workflows import NodeState, Trace, build_graph

from ..operations.instances import LiveInstance

STATE_CLASSES = {
    NodeState.DONE: "completed",
    NodeState.OPEN: "ready",
    NodeState.WAITING: "waiting",
    NodeState.ERROR: "error",
    NodeState.CANCELLED: "cancelled",
    NodeState.NOT_REACHED: "future",
}
_PRECEDENCE = ["error", "ready", "waiting", "completed", "cancelled", "future"]
_NODE = re.compile(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>')
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_CACHE: OrderedDict[tuple[int, int, str], str] = OrderedDict()
_CACHE_SIZE = 256
_lock = threading.Lock()


def node_states(trace: Trace) -> dict[str, str]:
    """Return {bpmn id: contract state}, the most telling state when an id occurs in several scopes."""
    states: dict[str, str] = {}
    for (_scope, bpmn_id), state in trace.states.items():
        name = STATE_CLASSES.get(state, "future")
        current = states.get(bpmn_id)
        if current is None or _PRECEDENCE.index(name) < _PRECEDENCE.index(current):
            states[bpmn_id] = name
    return states


def mark_nodes(svg: str, states: dict[str, str]) -> str:
    """Give Graphviz's numbered node groups the contract ids, state classes and data-bpmn-id."""

    def replace(match: re.Match[str]) -> str:
        bpmn_id = html.unescape(match.group(1))
        safe = html.escape(bpmn_id, quote=True)
        state = states.get(bpmn_id, "future")
        group = f'<g id="node-{safe}" class="node zf-{state}" data-bpmn-id="{safe}">'
        return f"{group}\n<title>{match.group(1)}</title>"

    return _NODE.sub(replace, svg)


def instance_svg(live: LiveInstance, layout: str) -> str:
    """Return the inline SVG of a live instance (cached per row version and layout)."""
    key = (live.row.id, live.row.version_id, layout)
    with _lock:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    process = live.definition.process
    trace = live.engine.trace()
    graph = build_graph(process.files, process.process_id, trace=trace, layout=layout)  # type: ignore[arg-type]
    svg = _PROLOG.sub("", graph.pipe(format="svg", encoding="utf-8"), count=1)
    svg = mark_nodes(svg, node_states(trace))
    with _lock:
        _CACHE[key] = svg
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return svg
