"""Compute the geometry `zhifa bpmn lanes` writes: lanes as horizontal bands, nodes in their band.

Within each scope (the process, each expanded sub-process) nodes are put in columns by the longest
path from the scope's start (loops broken where a depth-first walk meets a node on its own path).
A column's plain nodes share one slot; each sub-process gets a slot of its own, as wide as its
contents. Nodes of one slot and one lane stack in rows; a lane is as tall as its most stacked slot.
A sub-process box spans the bands of the lanes its contents use. Nothing depends on the old DI, so
the result is the same however the diagram was drawn before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lanes_model import CONTAINERS, ROLE_LANES, Model, loops, scope_graph, span

ROW = 150.0  # height of one row in a lane
GAP = 50.0  # between columns
PAD = 40.0  # inside a sub-process box, left and right
INSET = 10.0  # a sub-process box's distance from its band's edge, per nesting level
POOL_HEIGHT = 60.0
POOL_GAP = 40.0
LEFT = 100.0  # the participant's x
TOP = 60.0
LABEL = 30.0  # participant and lane name columns
START = LEFT + 2 * LABEL + 30.0  # x of the first column
SIZES = {"event": (36.0, 36.0), "gateway": (50.0, 50.0), "activity": (100.0, 80.0)}


@dataclass(frozen=True)
class Box:
    """A rectangle in DI coordinates."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """Return the right edge."""
        return self.x + self.w

    @property
    def middle(self) -> float:
        """Return the y of the centre."""
        return self.y + self.h / 2


@dataclass
class Layout:
    """Where everything goes."""

    shapes: dict[str, Box] = field(default_factory=dict)  # flow nodes, lanes, participants, pools
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    pools_above: list[str] = field(default_factory=list)
    pools_below: list[str] = field(default_factory=list)


def _kind(tag: str) -> str:
    if tag.endswith("Event"):
        return "event"
    return "gateway" if tag.endswith("Gateway") else "activity"


def layers(model: Model, scope_id: str) -> dict[str, int]:
    """Return each non-boundary node's column in its scope (longest path over forward flows)."""
    members, out = scope_graph(model, scope_id)
    back = loops(members, out, model)
    column = dict.fromkeys(members, 0)
    for node in _topological(out, back, members):
        for target in out[node]:
            if (node, target) not in back:
                column[target] = max(column[target], column[node] + 1)
    return column


def _topological(out: dict[str, list[str]], back: set[tuple[str, str]], members: list[str]) -> list[str]:
    indegree = dict.fromkeys(members, 0)
    for node, targets in out.items():
        for target in targets:
            if (node, target) not in back:
                indegree[target] += 1
    ready = [n for n in members if indegree[n] == 0]
    order = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for target in out[node]:
            if (node, target) not in back:
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
    return order


@dataclass
class _Plan:
    x: dict[str, float] = field(default_factory=dict)  # left edge of every node and sub-process box
    width: dict[str, float] = field(default_factory=dict)  # sub-process box widths
    slot: dict[str, tuple[str, int]] = field(default_factory=dict)  # plain node -> (scope, column)


def _place_scope(model: Model, scope_id: str, left: float, plan: _Plan) -> float:
    """Place a scope's columns from `left`; return the right edge of its contents."""
    column = layers(model, scope_id)
    x = left
    for index in range(max(column.values(), default=-1) + 1):
        members = [n for n in model.scopes[scope_id].nodes if column.get(n) == index]
        plain = [n for n in members if model.nodes[n].tag not in CONTAINERS]
        for node_id in plain:
            plan.x[node_id] = x + (SIZES["activity"][0] - SIZES[_kind(model.nodes[node_id].tag)][0]) / 2
            plan.slot[node_id] = (scope_id, index)
        if plain:
            x += SIZES["activity"][0] + GAP
        for node_id in members:
            if model.nodes[node_id].tag in CONTAINERS:
                right = _place_scope(model, node_id, x + PAD, plan)
                plan.x[node_id] = x
                plan.width[node_id] = max(right - x + PAD, SIZES["activity"][0])
                x += plan.width[node_id] + GAP
    return x - GAP if x > left else left


def compute_layout(model: Model) -> Layout:
    """Lay out the whole process: lanes, nodes, sub-process boxes and pools (flows: `lanes_routes`)."""
    plan = _Plan()
    right = _place_scope(model, model.process.get("id"), START, plan)
    lanes = model.lanes()
    rows: dict[str, int] = dict.fromkeys(lanes, 1)
    row_of: dict[str, int] = {}
    stacks: dict[tuple[str, int, str], int] = {}
    for node_id, (scope_id, index) in plan.slot.items():
        key = (scope_id, index, model.nodes[node_id].lane)
        row_of[node_id] = stacks.get(key, 0)
        stacks[key] = row_of[node_id] + 1
        rows[key[2]] = max(rows[key[2]], stacks[key])
    parties = model.parties()
    above, below = _split_pools(model, parties, lanes)
    layout = Layout(pools_above=above, pools_below=below)
    width = right + 60.0 - LEFT
    y = TOP
    for party in above:
        layout.shapes[f"pool_{party}"] = Box(LEFT, y, width, POOL_HEIGHT)
        y += POOL_HEIGHT + POOL_GAP
    band: dict[str, Box] = {}
    top = y
    for role in lanes:
        band[role] = Box(LEFT + LABEL, y, width - LABEL, rows[role] * ROW)
        layout.shapes[f"lane_{role}"] = band[role]
        y += band[role].h
    layout.shapes["#participant"] = Box(LEFT, top, width, y - top)
    y += POOL_GAP
    for party in below:
        layout.shapes[f"pool_{party}"] = Box(LEFT, y, width, POOL_HEIGHT)
        y += POOL_HEIGHT + POOL_GAP
    _node_boxes(model, plan, band, row_of, layout)
    return layout


def _split_pools(model: Model, parties: list[str], lanes: list[str]) -> tuple[list[str], list[str]]:
    """Put the pools whose nodes sit highest above the lanes and the others below, half and half.

    A single pool goes above when its nodes sit mostly in the upper half of the lanes.
    """
    mean: dict[str, float] = {}
    for party in parties:
        talking = [n for n in model.nodes.values() if party in (*n.sends_to, *n.receives_from)]
        mean[party] = sum(lanes.index(n.lane) for n in talking) / len(talking)
    if len(parties) == 1:
        upper = len(lanes) > 1 and mean[parties[0]] < (len(lanes) - 1) / 2
        return (parties, []) if upper else ([], parties)
    ranked = sorted(parties, key=lambda p: (mean[p], parties.index(p)))
    above = set(ranked[: len(parties) // 2])
    return [p for p in parties if p in above], [p for p in parties if p not in above]


def _node_boxes(
    model: Model, plan: _Plan, band: dict[str, Box], row_of: dict[str, int], layout: Layout
) -> None:
    for node_id, node in model.nodes.items():
        if node.tag in CONTAINERS:
            used = span(model, node_id) or [node.lane]
            inset = INSET * (model.scopes[node_id].depth)
            y0, y1 = band[used[0]].y + inset, band[used[-1]].y + band[used[-1]].h - inset
            layout.shapes[node_id] = Box(plan.x[node_id], y0, plan.width[node_id], y1 - y0)
    for node_id, node in model.nodes.items():
        if node.tag in CONTAINERS or node.attached_to in model.nodes:
            continue
        w, h = SIZES[_kind(node.tag)]
        middle = band[node.lane].y + row_of[node_id] * ROW + ROW / 2
        layout.shapes[node_id] = Box(plan.x[node_id], middle - h / 2, w, h)
    attached: dict[str, list[str]] = {}
    for node_id, node in model.nodes.items():
        if node.attached_to in model.nodes:
            attached.setdefault(node.attached_to, []).append(node_id)
    for host_id, events in attached.items():
        host = layout.shapes[host_id]
        for index, node_id in enumerate(events):
            w, h = SIZES["event"]
            centre = host.x + host.w * (index + 1) / (len(events) + 1)
            layout.shapes[node_id] = Box(centre - w / 2, host.y + host.h - h / 2, w, h)


__all__ = ["ROLE_LANES", "Box", "Layout", "compute_layout", "layers"]
