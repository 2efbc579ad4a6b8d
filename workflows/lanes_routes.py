"""Route the edges `zhifa bpmn lanes` writes: sequence flows orthogonally, message flows vertically.

A flow leaves its source on the right (a boundary event: at the bottom) and enters its target on
the left; a flow into a sub-process meets its border at the height of the sub-process's start
event, a flow out of it leaves at the height of its end event. A flow going back (a loop) runs
below its source's row. A message flow runs straight up or down between a node and its pool.
"""

from __future__ import annotations

from .lanes_layout import GAP, ROW, Box, Layout
from .lanes_model import CONTAINERS, Model

Point = tuple[float, float]
_STEP = 20.0  # how far a flow runs straight before it turns
_MESSAGE_OFFSET = 15.0  # a node that both sends to and receives from one pool: two lines apart


def route_flows(model: Model, layout: Layout) -> None:
    """Add orthogonal waypoints for every sequence flow."""
    for scope in model.scopes.values():
        for flow_id, source, target in scope.flows:
            if source in layout.shapes and target in layout.shapes:
                layout.edges[flow_id] = _route(model, layout, source, target)


def _inner_y(model: Model, layout: Layout, sub_id: str, tag: str) -> float:
    """Return the middle height of a sub-process's first start (or end) event, else of the box."""
    for node_id in model.scopes[sub_id].nodes:
        if model.nodes[node_id].tag == tag:
            return layout.shapes[node_id].middle
    return layout.shapes[sub_id].middle


def _route(model: Model, layout: Layout, source: str, target: str) -> list[Point]:
    s, t = layout.shapes[source], layout.shapes[target]
    end_y = (
        _inner_y(model, layout, target, "startEvent") if model.nodes[target].tag in CONTAINERS else t.middle
    )
    end = (t.x, end_y)
    if model.nodes[source].attached_to in model.nodes:
        return _from_boundary(s, t, end)
    start_y = (
        _inner_y(model, layout, source, "endEvent") if model.nodes[source].tag in CONTAINERS else s.middle
    )
    start = (s.right, start_y)
    if t.x >= s.right + 2 * _STEP:
        if abs(start_y - end_y) < 0.5:
            return [start, end]
        turn = s.right + min(_STEP, GAP / 2)
        return [start, (turn, start_y), (turn, end_y), end]
    # Backwards (a loop) or into the same column: run below the source's row, then into the target.
    below = max(s.y + s.h, t.y + t.h) + (ROW - 80.0) / 2 - 5.0
    out_x, in_x = s.right + _STEP, t.x - _STEP
    return [start, (out_x, start_y), (out_x, below), (in_x, below), (in_x, end_y), end]


def _from_boundary(s: Box, t: Box, end: Point) -> list[Point]:
    """Leave a boundary event downwards, then turn towards the target."""
    x, bottom = s.x + s.w / 2, s.y + s.h
    if end[1] > bottom and end[0] > x:
        return [(x, bottom), (x, end[1]), end]
    low = bottom + _STEP
    in_x = end[0] - _STEP
    return [(x, bottom), (x, low), (in_x, low), (in_x, end[1]), end]


def route_messages(model: Model, layout: Layout) -> dict[str, tuple[str, str]]:
    """Add a line for every message flow; return flow id -> (source ref, target ref).

    The line runs straight up or down to the pool; when that would cross another node it steps
    aside into the gap right of the node's column first.
    """
    refs: dict[str, tuple[str, str]] = {}
    above = set(layout.pools_above)
    for node_id, node in model.nodes.items():
        shape = layout.shapes[node_id]
        for outgoing, parties in ((True, node.sends_to), (False, node.receives_from)):
            for party in parties:
                pool = layout.shapes[f"pool_{party}"]
                both = party in node.sends_to and party in node.receives_from
                shift = (_MESSAGE_OFFSET if outgoing else -_MESSAGE_OFFSET) if both else 0.0
                x = shape.x + shape.w / 2 + shift
                up = party in above
                node_y, pool_y = (shape.y, pool.y + pool.h) if up else (shape.y + shape.h, pool.y)
                points = [(x, node_y), (x, pool_y)]
                if _crosses(model, layout, node_id, (x, node_y, pool_y)):
                    bend = node_y - _STEP if up else node_y + _STEP
                    aside = shape.x + shape.w / 2 + 50.0 + GAP * 0.7 + shift
                    points = [(x, node_y), (x, bend), (aside, bend), (aside, pool_y)]
                flow_id = f"message_{node_id}_to_{party}" if outgoing else f"message_{party}_to_{node_id}"
                layout.edges[flow_id] = points if outgoing else points[::-1]
                refs[flow_id] = (node_id, f"pool_{party}") if outgoing else (f"pool_{party}", node_id)
    return refs


def _crosses(model: Model, layout: Layout, node_id: str, line: tuple[float, float, float]) -> bool:
    """Tell whether a vertical line (x, y0, y1) passes through a node other than `node_id`."""
    x, y0, y1 = line
    low, high = min(y0, y1), max(y0, y1)
    for other_id, other in model.nodes.items():
        if other_id == node_id or other.tag in CONTAINERS:
            continue
        box = layout.shapes[other_id]
        if box.x - 5 <= x <= box.right + 5 and box.y < high and box.y + box.h > low:
            return True
    return False
