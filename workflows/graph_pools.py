"""Draw a process's external parties (black-box pools) and its message flows, dashed.

In the BPMN layout a pool is a pinned band at its DI rectangle and a message flow follows its DI
waypoints. In the automatic layout each message flow gets a small copy of its pool next to the
node that sends or receives, so dot keeps the process's own order and nothing is pulled across it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import graphviz

from workflows.graph_model import Container, Pool
from workflows.graph_style import BASE_ATTRS, HIDDEN_POINT
from workflows.graph_text import html_label

POOL_ATTRS = {
    "shape": "box",
    "style": "filled,dashed",
    "fillcolor": "#fbf7ee",
    "color": "#8c7b55",
    "fontcolor": "#4d4330",
    **BASE_ATTRS,
}
MESSAGE_EDGE = {
    "style": "dashed",
    "color": "#8c7b55",
    "arrowhead": "onormal",
    "arrowtail": "odot",
    "dir": "both",
    "arrowsize": "0.7",
}


def _pool_label(pool: Pool) -> str:
    return html_label([pool.name])


def draw_pools_bpmn(
    graph: graphviz.Digraph,
    process: Container,
    drawn: Collection[str],
    position: Callable[[float, float], str],
    edge_pos: Callable[..., str],
) -> None:
    """Add every pool with DI bounds as a pinned band, then the message flows between drawn ends."""
    pools = {pool.id: pool for pool in process.pools if pool.shape is not None}
    for pool in pools.values():
        b = pool.shape.bounds  # type: ignore[union-attr]
        with graph.subgraph(name=f"cluster_pool_{pool.id}") as band:
            band.attr(label=_pool_label(pool), labeljust="l", id=f"pool-{pool.id}", **POOL_ATTRS)
            band.attr(bb=f"{b.x:.1f},{-(b.y + b.height):.1f},{b.x + b.width:.1f},{-b.y:.1f}")
            # Flows are drawn at their DI waypoints; the pool's own node only anchors them.
            band.node(pool.id, pos=position(b.x + b.width / 2, b.y + b.height / 2), **HIDDEN_POINT)
    for flow in process.message_flows:
        ends_known = all(end in pools or end in drawn for end in (flow.source, flow.target))
        if not ends_known or len(flow.waypoints) < 2:
            continue
        attrs = dict(MESSAGE_EDGE, id=f"message-{flow.id}", pos=edge_pos(list(flow.waypoints), both=True))
        graph.edge(flow.source, flow.target, **attrs)


def draw_pools_auto(graph: graphviz.Digraph, process: Container, drawn: Collection[str]) -> None:
    """Add one small pool box per message flow, tied to the node it leaves or reaches."""
    pools = {pool.id: pool for pool in process.pools}
    for flow in process.message_flows:
        inbound = flow.source in pools
        pool_id, node_id = (flow.source, flow.target) if inbound else (flow.target, flow.source)
        if pool_id not in pools or node_id not in drawn:
            continue
        copy = f"#pool/{flow.id}"
        graph.node(copy, label=_pool_label(pools[pool_id]), id=f"pool-{flow.id}", **POOL_ATTRS)
        attrs = dict(MESSAGE_EDGE, id=f"message-{flow.id}")
        tail, head = (copy, node_id) if inbound else (node_id, copy)
        graph.edge(tail, head, **attrs)
