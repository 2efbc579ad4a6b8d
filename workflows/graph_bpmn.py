"""Draw a process at its BPMN-DI positions with neato (`layout="bpmn"`).

Every node is pinned (`pos="x,y!"` in DI points with y flipped, `inputscale=72`) and every flow
follows its DI waypoints (`pos` of the edge, straight segments), so Graphviz computes no layout at
all: render it with `neato -n2` (`graph.pipe(..., neato_no_op=2)`, see `NO_OP`), which takes tens of
milliseconds where neato's own spline routing took 15-24 s on the bureau's large processes. Neato
draws top-level clusters only, each sized to its members, so:

* every lane and every expanded sub-process becomes its own top-level cluster, stretched to its DI
  rectangle by two invisible corner nodes and emitted outermost first, so inner boxes paint on top;
* a boundary event, which DI centres on its activity's border, is nudged just outside it, so that
  its marker and name stay readable;
* flows into or out of an expanded sub-process end at an invisible point where the DI waypoint
  meets its border. A sub-process whose contents DI draws on a separate plane (collapsed) is drawn
  as one node.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import graphviz

from workflows.graph_model import Bounds, Container, Flow, FlowNode, Lane
from workflows.graph_pools import draw_pools_bpmn
from workflows.graph_style import (
    FONT_SIZE,
    HIDDEN_POINT,
    LEGEND_EDGES,
    LOOKS,
    PERIPHERY_GAP,
    Paint,
    cluster_attrs,
    cluster_name,
    edge_attrs,
    lane_attrs,
    legend_cluster_attrs,
    legend_node_attrs,
    new_digraph,
    node_attrs,
    set_title,
)
from workflows.graph_text import html_label

_CLUSTER_MARGIN = 8.0  # points Graphviz leaves around a cluster's members
_NUDGE_GAP = 5.0
_LEGEND_STEP = 105.0
_LEGEND_FLOW_STEP = 150.0  # a sample flow plus its label above it
_ARROW_LENGTH = 7.0  # points: Graphviz's arrowhead (10) at arrowsize 0.7
NO_OP = 2  # `neato -n2`: take every position (nodes and edges) as given, in points


@dataclass
class _Box:
    """A cluster to draw: its name, DI rectangle, attributes and member nodes."""

    name: str
    bounds: Bounds
    attrs: dict[str, str]
    members: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """Which nodes, boxes and flows the diagram holds, and where each node belongs."""

    nodes: dict[str, FlowNode] = field(default_factory=dict)
    subprocesses: dict[str, FlowNode] = field(default_factory=dict)
    boxes: list[_Box] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    lane_names: dict[str, str] = field(default_factory=dict)
    free: list[str] = field(default_factory=list)


def build_bpmn_graph(process: Container, paint: Paint) -> graphviz.Digraph:
    """Return the process drawn with every node at its DI position.

    Raises:
        ValueError: a node to be drawn has no DI bounds.
    """
    plan = _Plan()
    _plan_container(plan, process, owner=None, paint=paint)
    missing = sorted(node_id for node_id, node in plan.nodes.items() if node.shape is None)
    if missing:
        raise ValueError(f"no BPMN-DI bounds for: {', '.join(missing)}")
    graph = new_digraph(process.id, engine="neato")
    graph.attr(inputscale="72", splines="true", forcelabels="true", outputorder="edgesfirst")
    for box in plan.boxes:
        with graph.subgraph(name=box.name) as sub:
            sub.attr(**box.attrs, bb=_bb(box.bounds))
            _draw_corners(sub, box)
            for node_id in box.members:
                _draw_node(sub, plan.nodes[node_id], plan, paint)
    for node_id in plan.free:
        _draw_node(graph, plan.nodes[node_id], plan, paint)
    for flow in plan.flows:
        _draw_flow(graph, flow, plan, paint)
    draw_pools_bpmn(graph, process, plan.nodes, _pos, edge_pos)
    if paint.has_legend:
        _draw_legend(graph, plan)
    set_title(graph, process.name)
    return graph


def _plan_container(plan: _Plan, container: Container, owner: FlowNode | None, paint: Paint) -> None:
    """Add a container's box, lanes, nodes and flows to the plan, recursing into sub-processes."""
    home: _Box | None = None
    if owner is not None and owner.shape is not None:
        home = _Box(cluster_name(owner.id), owner.shape.bounds, cluster_attrs(owner, paint))
        plan.boxes.append(home)
    lane_box: dict[str, _Box] = {}
    for lane in _flatten(container.lanes):
        if lane.shape is not None:
            box = _Box(f"cluster_lane_{lane.id}", lane.shape.bounds, lane_attrs(lane.name))
            plan.boxes.append(box)
            lane_box |= dict.fromkeys(lane.node_ids, box)
        plan.lane_names |= dict.fromkeys(lane.node_ids, lane.name)
    by_id = {node.id: node for node in container.nodes}
    for node in container.nodes:
        child = container.children.get(node.id)
        if child is not None and _expanded(node, child):
            plan.subprocesses[node.id] = node
            _plan_container(plan, child, owner=node, paint=paint)
            continue
        plan.nodes[node.id] = node
        anchor = node.attached_to if node.attached_to in by_id else node.id
        target = lane_box.get(anchor, home)
        (plan.free if target is None else target.members).append(node.id)
    plan.flows.extend(container.flows)


def _flatten(lanes: tuple[Lane, ...]) -> Iterator[Lane]:
    """Yield lanes outermost first, so nested lanes override and paint over their parents."""
    for lane in lanes:
        yield lane
        yield from _flatten(lane.children)


def _expanded(node: FlowNode, child: Container) -> bool:
    """Tell whether DI draws the sub-process's contents inside it (same plane) rather than apart."""
    if node.shape is None:
        return False
    plane = node.shape.plane
    return any(n.shape is not None and n.shape.plane == plane for n in child.nodes)


def _pos(x: float, y: float) -> str:
    """Return a pinned Graphviz position for a DI point (y flipped: DI grows downwards)."""
    return f"{x:.1f},{-y:.1f}!"


def _bb(b: Bounds) -> str:
    """Return a cluster's Graphviz bounding box for DI bounds (drawn as is under `neato -n2`)."""
    return f"{b.x:.1f},{-(b.y + b.height):.1f},{b.x + b.width:.1f},{-b.y:.1f}"


def _inches(points: float) -> str:
    """Convert DI points to Graphviz inches."""
    return f"{points / 72:.3f}"


def _bounds(node: FlowNode) -> Bounds:
    """Return the node's DI bounds (their presence is checked before drawing starts)."""
    if node.shape is None:
        raise ValueError(f"no BPMN-DI bounds for: {node.id}")
    return node.shape.bounds


def _draw_corners(graph: graphviz.Digraph, box: _Box) -> None:
    """Stretch a cluster to its DI rectangle with two invisible pinned corner nodes."""
    b, m = box.bounds, _CLUSTER_MARGIN
    graph.node(f"#corner/{box.name}/a", pos=_pos(b.x + m, b.y + m), **HIDDEN_POINT)
    graph.node(f"#corner/{box.name}/b", pos=_pos(b.x + b.width - m, b.y + b.height - m), **HIDDEN_POINT)


def _draw_node(graph: graphviz.Digraph, node: FlowNode, plan: _Plan, paint: Paint) -> None:
    """Draw one node at its DI position and size."""
    bounds = _bounds(node)
    wrap_width = max(3.0, (bounds.width - 8) / FONT_SIZE)
    attrs = node_attrs(node, paint, lane_name=plan.lane_names.get(node.id), wrap_width=wrap_width)
    x, y = _center(node, plan)
    # Extra rings are drawn outside a fixed-size node; shrink it so the outer ring matches DI.
    inset = 2 * PERIPHERY_GAP * (int(attrs.get("peripheries", "1")) - 1)
    attrs |= {
        "pos": _pos(x, y),
        "width": _inches(bounds.width - inset),
        "height": _inches(bounds.height - inset),
        "fixedsize": "true",
    }
    graph.node(node.id, **attrs)


def _center(node: FlowNode, plan: _Plan) -> tuple[float, float]:
    """Return the node's DI centre; a boundary event is moved off its activity's border."""
    own = _bounds(node)
    x, y = own.center
    host = plan.nodes.get(node.attached_to or "") or plan.subprocesses.get(node.attached_to or "")
    if host is None or host.shape is None:
        return x, y
    a, radius = host.shape.bounds, own.width / 2 + _NUDGE_GAP
    if not (a.x - radius < x < a.x + a.width + radius and a.y - radius < y < a.y + a.height + radius):
        return x, y
    sides = {
        "top": (abs(y - a.y), (x, a.y - radius)),
        "bottom": (abs(y - a.y - a.height), (x, a.y + a.height + radius)),
        "left": (abs(x - a.x), (a.x - radius, y)),
        "right": (abs(x - a.x - a.width), (a.x + a.width + radius, y)),
    }
    return min(sides.values())[1]


def _draw_flow(graph: graphviz.Digraph, flow: Flow, plan: _Plan, paint: Paint) -> None:
    """Draw a flow; ends at an expanded sub-process become points on its border."""
    ends = []
    for node_id, index, side in ((flow.source, 0, "tail"), (flow.target, -1, "head")):
        if node_id in plan.nodes:
            ends.append(node_id)
        elif node_id in plan.subprocesses:
            ends.append(_border_point(graph, flow, plan.subprocesses[node_id], index, side))
        else:
            return  # inside a collapsed sub-process, or a dangling reference
    attrs = edge_attrs(flow, paint)
    points = list(flow.waypoints) or [_flow_end(plan, flow.source), _flow_end(plan, flow.target)]
    attrs["pos"] = edge_pos(points, both=attrs.get("dir") == "both")
    graph.edge(ends[0], ends[1], **attrs)


def _flow_end(plan: _Plan, node_id: str) -> tuple[float, float]:
    """Return where a flow without DI waypoints starts or ends: the node's (DI) centre."""
    node = plan.nodes.get(node_id) or plan.subprocesses[node_id]
    return _center(node, plan) if node_id in plan.nodes else _bounds(node).center


def edge_pos(points: list[tuple[float, float]], *, both: bool = False) -> str:
    """Return a Graphviz edge `pos` drawing straight segments through DI points (y flipped).

    The spline stops one arrow length short of the last point, where the arrowhead (`e,x,y`) ends;
    with `both` (a default flow's tail mark) it also starts one arrow length after the first.
    """
    pts = [(x, -y) for x, y in points]
    if len(pts) < 2 or pts[0] == pts[-1]:
        pts = [pts[0], (pts[0][0] + 0.1, pts[0][1])]
    tip, tail = pts[-1], pts[0]
    pts[-1] = _shorten(pts[-2], pts[-1])
    prefix = f"e,{tip[0]:.1f},{tip[1]:.1f}"
    if both:
        pts[0] = _shorten(pts[1], pts[0])
        prefix = f"s,{tail[0]:.1f},{tail[1]:.1f} {prefix}"
    spline = [pts[0]]
    for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
        spline += [(ax + (bx - ax) / 3, ay + (by - ay) / 3), (ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3)]
        spline.append((bx, by))
    return prefix + " " + " ".join(f"{x:.1f},{y:.1f}" for x, y in spline)


def _shorten(before: tuple[float, float], end: tuple[float, float]) -> tuple[float, float]:
    """Move `end` one arrow length back towards `before` (not past it)."""
    dx, dy = end[0] - before[0], end[1] - before[1]
    length = (dx * dx + dy * dy) ** 0.5
    if length <= _ARROW_LENGTH:
        return before
    k = (length - _ARROW_LENGTH) / length
    return (before[0] + dx * k, before[1] + dy * k)


def _border_point(graph: graphviz.Digraph, flow: Flow, sub: FlowNode, index: int, side: str) -> str:
    """Add the invisible point where a flow meets a sub-process border; return its name."""
    b = _bounds(sub)
    if flow.waypoints:
        x, y = flow.waypoints[index]
    else:
        x, y = (b.x + b.width, b.center[1]) if side == "tail" else (b.x, b.center[1])
    name = f"#border/{flow.id}/{side}"
    graph.node(name, pos=_pos(x, y), **HIDDEN_POINT)
    return name


def _draw_legend(graph: graphviz.Digraph, plan: _Plan) -> None:
    """Add a pinned legend row below the diagram."""
    shapes = [_bounds(n) for n in plan.nodes.values()] + [box.bounds for box in plan.boxes]
    left = min(b.x for b in shapes)
    y = max(b.y + b.height for b in shapes) + 45
    x = left + 50
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(**legend_cluster_attrs())
        width = _LEGEND_STEP * len(LOOKS) + _LEGEND_FLOW_STEP * len(LEGEND_EDGES)
        _draw_corners(legend, _Box("cluster_legend", Bounds(left, y - 40, width, 60), {}))
        for state in LOOKS:
            attrs = legend_node_attrs(state) | {"width": "1.25", "height": "0.32", "fixedsize": "true"}
            legend.node(f"#legend/{state.value}", pos=_pos(x, y), **attrs)
            x += _LEGEND_STEP
        for index, (text, style) in enumerate(LEGEND_EDGES):
            start, end = f"#legend/flow{index}/a", f"#legend/flow{index}/b"
            legend.node(start, pos=_pos(x, y), **HIDDEN_POINT)
            legend.node(end, pos=_pos(x + _LEGEND_FLOW_STEP - 40, y), **HIDDEN_POINT)
            line = edge_pos([(x, y), (x + _LEGEND_FLOW_STEP - 40, y)])
            legend.edge(start, end, label=html_label([text]), pos=line, **style)
            x += _LEGEND_FLOW_STEP
