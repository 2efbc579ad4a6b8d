"""Build the Graphviz diagram of a deployed process, optionally coloured by a running instance.

A pure builder: it reads only the XML text it is given and returns a `graphviz.Digraph`; rendering
(`.pipe(format="svg")`) is the caller's business. Two layouts:

* "auto": dot, left to right. Lanes and embedded sub-processes are nested clusters; flows into
  and out of a sub-process are clipped at its border (`lhead`/`ltail`); boundary events sit in the
  same rank as their activity, tied to it by a dotted stub.
* "bpmn": every node pinned at its BPMN-DI position and drawn by neato (see `graph_bpmn`).

Call activities are single nodes with a thick border, linked to `link(called_process_id)`; the
called process is a diagram of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import graphviz

from workflows.graph_bpmn import NO_OP, build_bpmn_graph
from workflows.graph_model import Container, Flow, FlowNode, Lane, iter_containers
from workflows.graph_pools import draw_pools_auto
from workflows.graph_reader import load_deployment
from workflows.graph_style import (
    ATTACH_EDGE,
    HIDDEN_POINT,
    LEGEND_EDGES,
    LOOKS,
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
from workflows.graph_text import WRAP_WIDTH, html_label
from workflows.trace import Trace

Layout = Literal["auto", "bpmn"]


def build_graph(
    sources: Mapping[str, str],
    process_id: str,
    *,
    trace: Trace | None = None,
    layout: Layout = "auto",
    link: Callable[[str], str] | None = None,
) -> graphviz.Digraph:
    """Build the diagram of one process, coloured by `trace` when given.

    Args:
        sources: file name -> BPMN XML text, every file of the deployment.
        process_id: the process to draw; it may live in any of the files.
        trace: an instance's `trace_workflow(...)`; adds state colours, counts and a legend.
        layout: "auto" (dot) or "bpmn" (positions from BPMN-DI).
        link: maps a called process id to the URL a call activity links to.

    Raises:
        LookupError: no file defines `process_id`.
        ValueError: `layout="bpmn"` but a drawn node has no DI bounds, or a file is not XML.
    """
    deployment = load_deployment(sources)
    process = deployment.processes.get(process_id)
    if process is None:
        raise LookupError(f"process {process_id!r} is not defined in the given files")
    paint = Paint(trace=trace, role_names=deployment.role_names, link=link)
    return draw_process(process, paint, layout)


def draw_process(process: Container, paint: Paint, layout: Layout) -> graphviz.Digraph:
    """Build the diagram of one parsed process with the given paint.

    Raises:
        ValueError: unknown layout, or `layout="bpmn"` and a drawn node has no DI bounds.
    """
    if layout == "bpmn":
        return build_bpmn_graph(process, paint)
    if layout != "auto":
        raise ValueError(f"unknown layout {layout!r}")
    return _build_auto(process, paint)


# dot's ranking (network simplex over clusters) sometimes gives up on a valid graph ("trouble in
# init_rank", Graphviz 2.43): one edge more or less decides it. These settings rank differently;
# each is tried in turn only when the plain layout failed, so a diagram never fails to draw.
DOT_RETRIES: tuple[dict[str, str], ...] = ({"newrank": "true"}, {"mclimit": "0.5"}, {"clusterrank": "none"})


def render_svg(graph: graphviz.Digraph) -> str:
    """Render a built diagram to SVG text; a BPMN-layout graph is drawn as positioned (`neato -n2`)."""
    if graph.engine == "neato":
        positioned: str = graph.pipe(format="svg", encoding="utf-8", neato_no_op=NO_OP)
        return positioned
    try:
        svg: str = graph.pipe(format="svg", encoding="utf-8")
    except graphviz.CalledProcessError:
        for settings in DOT_RETRIES:
            retry = graph.copy()
            retry.graph_attr.update(settings)
            try:
                svg = retry.pipe(format="svg", encoding="utf-8")
            except graphviz.CalledProcessError:
                continue
            return svg
        raise
    return svg


@dataclass(frozen=True)
class _Scene:
    """What every drawing step of one diagram needs."""

    paint: Paint
    anchors: Mapping[str, tuple[str, str]]
    known: frozenset[str]


@dataclass
class _Level:
    """One container being drawn: its nodes by id, boundary events by activity, nodes placed so far."""

    container: Container
    nodes: dict[str, FlowNode]
    attached: dict[str, list[FlowNode]]
    placed: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, container: Container) -> _Level:
        """Index a container for drawing."""
        nodes = {node.id: node for node in container.nodes}
        attached: dict[str, list[FlowNode]] = {}
        for node in container.nodes:
            if node.attached_to in nodes:
                attached.setdefault(node.attached_to, []).append(node)
        return cls(container, nodes, attached)

    def is_attached(self, node: FlowNode) -> bool:
        """Tell whether the node is a boundary event drawn next to its activity."""
        return node.attached_to in self.nodes


def _build_auto(process: Container, paint: Paint) -> graphviz.Digraph:
    """Lay the process out with dot, lanes and sub-processes as clusters."""
    graph = new_digraph(process.id, engine="dot")
    graph.attr(rankdir="LR", compound="true", nodesep="0.3", ranksep="0.4")
    known = frozenset(node.id for c in iter_containers(process) for node in c.nodes)
    scene = _Scene(paint, _anchors(process), known)
    _draw_container(graph, _Level.of(process), scene)
    for container in iter_containers(process):
        for flow in container.flows:
            _draw_flow(graph, flow, scene)
    draw_pools_auto(graph, process, known - scene.anchors.keys())
    if paint.has_legend:
        _draw_legend(graph)
    set_title(graph, process.name)
    return graph


def _anchors(process: Container) -> dict[str, tuple[str, str]]:
    """Map each embedded sub-process to the nodes its incoming and outgoing flows attach to."""
    result: dict[str, tuple[str, str]] = {}
    for container in iter_containers(process):
        for sub_id, child in container.children.items():
            starts = [n.id for n in child.nodes if n.kind == "startEvent"]
            ends = [n.id for n in child.nodes if n.kind == "endEvent"]
            fallback = f"#anchor/{sub_id}"
            result[sub_id] = (starts[0] if starts else fallback, ends[0] if ends else fallback)
    return result


def _draw_container(graph: graphviz.Digraph, level: _Level, scene: _Scene) -> None:
    """Draw a container's lanes, then the nodes that no lane references."""
    for lane in level.container.lanes:
        _draw_lane(graph, lane, level, scene)
    for node in level.container.nodes:
        if node.id not in level.placed and not level.is_attached(node):
            _draw_node(graph, node, level, scene, lane_name=None)


def _draw_lane(graph: graphviz.Digraph, lane: Lane, level: _Level, scene: _Scene) -> None:
    """Draw a lane as a cluster; nested lanes first, so a node lands in its innermost lane."""
    with graph.subgraph(name=f"cluster_lane_{lane.id}") as sub:
        sub.attr(**lane_attrs(lane.name))
        for child in lane.children:
            _draw_lane(sub, child, level, scene)
        for node_id in lane.node_ids:
            node = level.nodes.get(node_id)
            if node is not None and node_id not in level.placed and not level.is_attached(node):
                _draw_node(sub, node, level, scene, lane_name=lane.name)


def _draw_node(
    graph: graphviz.Digraph, node: FlowNode, level: _Level, scene: _Scene, *, lane_name: str | None
) -> None:
    """Draw one node (a sub-process as a nested cluster) with its boundary events."""
    level.placed.add(node.id)
    events = level.attached.get(node.id, [])
    child = level.container.children.get(node.id)
    if child is not None:
        _draw_subprocess(graph, node, child, scene)
        for event in events:
            graph.node(event.id, **node_attrs(event, scene.paint, lane_name=None, wrap_width=WRAP_WIDTH))
            tail = scene.anchors[node.id][1]
            graph.edge(tail, event.id, ltail=cluster_name(node.id), **ATTACH_EDGE)
        return
    graph.node(node.id, **node_attrs(node, scene.paint, lane_name=lane_name, wrap_width=WRAP_WIDTH))
    if not events:
        return
    with graph.subgraph() as same_rank:
        same_rank.attr(rank="same")
        same_rank.node(node.id)
        for event in events:
            same_rank.node(event.id, **node_attrs(event, scene.paint, lane_name=None, wrap_width=WRAP_WIDTH))
    for event in events:
        graph.edge(node.id, event.id, **ATTACH_EDGE)


def _draw_subprocess(graph: graphviz.Digraph, node: FlowNode, child: Container, scene: _Scene) -> None:
    """Draw an embedded sub-process as a cluster holding its own contents."""
    with graph.subgraph(name=cluster_name(node.id)) as sub:
        sub.attr(**cluster_attrs(node, scene.paint))
        _draw_container(sub, _Level.of(child), scene)
        own = {n.id for n in child.nodes}
        for anchor in set(scene.anchors[node.id]) - own:
            sub.node(anchor, **HIDDEN_POINT)


def _draw_flow(graph: graphviz.Digraph, flow: Flow, scene: _Scene) -> None:
    """Draw a sequence flow, clipped at the border of a sub-process it enters or leaves."""
    if flow.source not in scene.known or flow.target not in scene.known:
        return
    attrs = edge_attrs(flow, scene.paint)
    tail, head = flow.source, flow.target
    if tail in scene.anchors:
        tail = scene.anchors[tail][1]
        attrs["ltail"] = cluster_name(flow.source)
    if head in scene.anchors:
        head = scene.anchors[head][0]
        attrs["lhead"] = cluster_name(flow.target)
    graph.edge(tail, head, **attrs)


def _draw_legend(graph: graphviz.Digraph) -> None:
    """Add a legend cluster: one sample per state, chained into a row, and two sample flows."""
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(**legend_cluster_attrs())
        previous = None
        for state in LOOKS:
            name = f"#legend/{state.value}"
            legend.node(name, **legend_node_attrs(state))
            if previous is not None:
                legend.edge(previous, name, style="invis")
            previous = name
        for index, (text, style) in enumerate(LEGEND_EDGES):
            start, end = f"#legend/flow{index}/a", f"#legend/flow{index}/b"
            legend.node(start, **HIDDEN_POINT)
            legend.node(end, **HIDDEN_POINT)
            legend.edge(start, end, label=html_label([text]), **style)
