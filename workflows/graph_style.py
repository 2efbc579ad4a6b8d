"""Colours, shapes and attributes for the Graphviz diagrams, shared by both layouts.

Every visible text goes through an HTML-like label built by graph_text.py, so names containing
quotes, `<`, `&` or backslashes cannot break the DOT or the SVG.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import graphviz

from workflows.graph_model import CONTAINER_KINDS, EVENT_KINDS, GATEWAY_KINDS, Flow, FlowNode
from workflows.graph_text import SMALL_SIZE, WRAP_WIDTH, html_label, html_text, plain_attr, safe_url, wrap
from workflows.trace import NodeState, Trace

FONT = "Noto Sans CJK SC"
FONT_SIZE = 10
MARKER_SIZE = 13
PERIPHERY_GAP = 4.0  # points Graphviz adds outside a fixed-size node per extra periphery

STATE_TEXT: Mapping[NodeState, str] = {
    NodeState.DONE: "已完成",
    NodeState.OPEN: "进行中/待办",
    NodeState.WAITING: "等待定时器或消息",
    NodeState.NOT_REACHED: "未到达",
    NodeState.CANCELLED: "已取消",
    NodeState.ERROR: "出错",
}

# Glyphs are chosen from what Noto Sans CJK or DejaVu Sans carry, so server-side rasterising works too
# (U+23F1 STOPWATCH is in neither; U+25F7 is a clock face).
EVENT_MARKERS: Mapping[str, str] = {
    "timer": "◷",
    "message": "✉",
    "signal": "△",
    "error": "⚡",
    "escalation": "⇑",
    "conditional": "▦",
    "terminate": "●",
    "cancel": "✕",
    "compensate": "↺",
    "link": "→",
}
GATEWAY_MARKERS: Mapping[str, str] = {
    "exclusiveGateway": "×",
    "parallelGateway": "+",
    "inclusiveGateway": "◯",
    "eventBasedGateway": "⬠",
    "complexGateway": "✱",
}
TASK_MARKERS: Mapping[str, str] = {
    "scriptTask": "⚙ 脚本",
    "serviceTask": "⚙ 服务",
    "businessRuleTask": "▦ 规则",
    "sendTask": "✉ 发送",
    "receiveTask": "✉ 接收",
    "manualTask": "手工",
    "callActivity": "⊞ 调用",
    "subProcess": "⊞ 子流程",
    "transaction": "⊞ 事务",
    "adHocSubProcess": "⊞ 子流程",
}
_INTERMEDIATE_KINDS = frozenset({"intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
_HUMAN_KINDS = frozenset({"userTask", "manualTask"})
LOOP_MARKERS: Mapping[str, str] = {"parallel": "‖", "sequential": "≡", "loop": "↻"}


@dataclass(frozen=True)
class Look:
    """How a node in one state is painted."""

    fill: str
    border: str
    text: str
    penwidth: float = 1.2
    dashed: bool = False
    strike: bool = False


PLAIN_LOOK = Look(fill="#ffffff", border="#404040", text="#1f1f1f")
LOOKS: Mapping[NodeState, Look] = {
    NodeState.DONE: Look(fill="#dce6d6", border="#5b7a52", text="#2d3b29"),
    NodeState.OPEN: Look(fill="#ffcf5c", border="#d46b08", text="#000000", penwidth=2.8),
    NodeState.WAITING: Look(fill="#d4e6f9", border="#3a76b5", text="#10324f", penwidth=1.6),
    NodeState.NOT_REACHED: Look(fill="#ffffff", border="#a6a6a6", text="#8c8c8c", penwidth=1.0, dashed=True),
    NodeState.CANCELLED: Look(fill="#e6e6e6", border="#999999", text="#7f7f7f", penwidth=1.0, strike=True),
    NodeState.ERROR: Look(fill="#f6c5bf", border="#c0281b", text="#7a0d05", penwidth=2.8),
}
# Sub-process clusters get a paler fill so that the nodes inside them stay readable.
CLUSTER_FILLS: Mapping[NodeState, str] = {
    NodeState.DONE: "#f1f5ee",
    NodeState.OPEN: "#fff4d6",
    NodeState.WAITING: "#eef5fc",
    NodeState.NOT_REACHED: "#ffffff",
    NodeState.CANCELLED: "#f3f3f3",
    NodeState.ERROR: "#fbe6e3",
}
LANE_ATTRS: Mapping[str, str] = {"style": "filled", "fillcolor": "#f5f7fa", "color": "#c4ccd6"}
EDGE_PLAIN: Mapping[str, str] = {"color": "#595959", "penwidth": "1.2", "fontcolor": "#404040"}
EDGE_TAKEN: Mapping[str, str] = {"color": "#262626", "penwidth": "2.5", "fontcolor": "#262626"}
EDGE_UNTAKEN: Mapping[str, str] = {"color": "#c8c8c8", "penwidth": "1", "fontcolor": "#a6a6a6"}
BASE_ATTRS: Mapping[str, str] = {"fontname": FONT, "fontsize": str(FONT_SIZE)}


@dataclass(frozen=True)
class Paint:
    """What colours a diagram: the optional trace, role names and the call-activity link maker."""

    trace: Trace | None
    role_names: Mapping[str, str]
    link: Callable[[str], str] | None = None
    legend: bool = False  # draw the state legend even without a trace (a template to recolour)

    @property
    def has_legend(self) -> bool:
        """Tell whether the diagram gets the state legend."""
        return self.legend or self.trace is not None

    def state(self, node: FlowNode) -> NodeState | None:
        """Return the node's state, None without a trace."""
        return None if self.trace is None else self.trace.state(node.scope, node.id)

    def look(self, node: FlowNode) -> Look:
        """Return how to paint the node."""
        state = self.state(node)
        return PLAIN_LOOK if state is None else LOOKS[state]

    def count_text(self, node: FlowNode) -> str:
        """Return '×3' when the node completed more than once, else ''."""
        count = 0 if self.trace is None else self.trace.count(node.scope, node.id)
        return f"×{count}" if count > 1 else ""


def look_attrs(look: Look, *, rounded: bool) -> dict[str, str]:
    """Return the fill, border and font attributes for a look."""
    style = ["filled"]
    if rounded:
        style.append("rounded")
    if look.dashed:
        style.append("dashed")
    return {
        "style": ",".join(style),
        "fillcolor": look.fill,
        "color": look.border,
        "fontcolor": look.text,
        "penwidth": f"{look.penwidth:g}",
    }


def node_attrs(node: FlowNode, paint: Paint, *, lane_name: str | None, wrap_width: float) -> dict[str, str]:
    """Return every Graphviz attribute of one (non-cluster) flow node."""
    look = paint.look(node)
    attrs = {"tooltip": _tooltip(node, paint), "id": f"node-{node.id}"}
    if node.kind in EVENT_KINDS or node.kind in GATEWAY_KINDS:
        attrs |= _small_node_attrs(node, paint, look)
    else:
        attrs |= _activity_attrs(node, paint, look, lane_name, wrap_width)
    return attrs


def _tooltip(node: FlowNode, paint: Paint) -> str:
    """Return the hover text: the full name, plus the state when there is a trace."""
    state = paint.state(node)
    text = node.name or node.id
    return plain_attr(text if state is None else f"{text}（{STATE_TEXT[state]}）")


def _small_node_attrs(node: FlowNode, paint: Paint, look: Look) -> dict[str, str]:
    """Events (circles) and gateways (diamonds): a marker inside, the name outside as xlabel."""
    is_event = node.kind in EVENT_KINDS
    marker = EVENT_MARKERS.get(node.event or "", "") if is_event else GATEWAY_MARKERS.get(node.kind, "")
    attrs = look_attrs(look, rounded=False)
    attrs |= {
        "shape": "circle" if is_event else "diamond",
        "label": f'<<FONT POINT-SIZE="{MARKER_SIZE}">{html_text(marker)}</FONT>>' if marker else "",
        "fixedsize": "true",
        "width": "0.42" if is_event else "0.55",
        "height": "0.42" if is_event else "0.55",
    }
    if node.kind == "endEvent":
        attrs["penwidth"] = f"{stroke_width(node, look):g}"
    elif node.kind in _INTERMEDIATE_KINDS:
        attrs["peripheries"] = "2"
    if not node.interrupting and not look.dashed:
        attrs["style"] += ",dashed"  # BPMN draws non-interrupting events dashed
    footer = [paint.count_text(node)]
    if node.name or footer[0]:
        attrs["xlabel"] = html_label(wrap(node.name), footer=footer, strike=look.strike)
    return attrs


def _activity_attrs(
    node: FlowNode, paint: Paint, look: Look, lane_name: str | None, wrap_width: float
) -> dict[str, str]:
    """Tasks and call activities: a rounded box with type marker, name, role and count."""
    role = paint.role_names.get(node.role, node.role) if node.role else lane_name
    header = TASK_MARKERS.get(node.kind, "")
    if node.loop:
        header = f"{header} {LOOP_MARKERS[node.loop]}".strip()
    footer = [(role or "") if node.kind in _HUMAN_KINDS else "", paint.count_text(node)]
    attrs = look_attrs(look, rounded=True)
    attrs |= {
        "shape": "box",
        "margin": "0.08,0.04",
        "label": html_label(wrap(node.name, wrap_width), header=header, footer=footer, strike=look.strike),
    }
    if node.kind == "callActivity" or node.kind in CONTAINER_KINDS:
        attrs["penwidth"] = f"{stroke_width(node, look):g}"
    if node.kind == "callActivity" and paint.link is not None and node.called_element:
        attrs["URL"] = safe_url(paint.link(node.called_element))
        attrs["target"] = "_top"
    return attrs


def stroke_width(node: FlowNode, look: Look, *, cluster: bool = False) -> float:
    """Return the border width of a node in a look: end events and call activities draw heavier."""
    if cluster:
        return look.penwidth
    if node.kind == "endEvent":
        return max(look.penwidth, 2.0) + 1
    if node.kind == "callActivity" or node.kind in CONTAINER_KINDS:
        return look.penwidth + 2
    return look.penwidth


def cluster_attrs(node: FlowNode, paint: Paint) -> dict[str, str]:
    """Return the attributes of an embedded sub-process drawn as a cluster."""
    look = paint.look(node)
    state = paint.state(node)
    attrs = look_attrs(look, rounded=True)
    attrs["fillcolor"] = PLAIN_LOOK.fill if state is None else CLUSTER_FILLS[state]
    footer = [paint.count_text(node)]
    attrs["label"] = html_label(wrap(node.name, 2 * WRAP_WIDTH), footer=footer, strike=look.strike)
    attrs["labeljust"] = "l"
    attrs["tooltip"] = _tooltip(node, paint)
    attrs["id"] = f"sub-{node.id}"
    return attrs | dict(BASE_ATTRS)


def lane_attrs(name: str) -> dict[str, str]:
    """Return the attributes of a lane cluster."""
    return {"label": html_label([name]), "labeljust": "l", **LANE_ATTRS, **BASE_ATTRS}


def edge_attrs(flow: Flow, paint: Paint) -> dict[str, str]:
    """Return the attributes of a sequence flow, heavy when the instance travelled it."""
    if paint.trace is None:
        attrs = dict(EDGE_PLAIN)
    elif (flow.scope, flow.source, flow.target) in paint.trace.taken_edges:
        attrs = dict(EDGE_TAKEN)
    else:
        attrs = dict(EDGE_UNTAKEN)
    attrs["arrowsize"] = "0.7"
    if flow.id:
        attrs["id"] = f"flow-{flow.id}"  # SVG group ids: see graph_template
    if flow.label:
        attrs["label"] = html_label(wrap(_shorten(flow.label), 8))
    if flow.is_default:
        attrs |= {"dir": "both", "arrowtail": "tee"}  # BPMN marks the default flow with a slash
    return attrs


def _shorten(text: str, limit: int = 40) -> str:
    """Cut long condition expressions so that edge labels stay small."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


LEGEND_EDGES: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("已走过的路径", EDGE_TAKEN),
    ("未走过的路径", EDGE_UNTAKEN),
)
ATTACH_EDGE: Mapping[str, str] = {"style": "dotted", "arrowhead": "none", "color": "#8c8c8c", "weight": "5"}
HIDDEN_POINT: Mapping[str, str] = {"shape": "point", "style": "invis", "width": "0.01", "height": "0.01"}


def legend_node_attrs(state: NodeState) -> dict[str, str]:
    """Return a legend sample painted exactly like a task in that state."""
    look = LOOKS[state]
    attrs = look_attrs(look, rounded=True)
    attrs |= {
        "shape": "box",
        "label": html_label([STATE_TEXT[state]], strike=look.strike),
        "margin": "0.1,0.03",
    }
    return attrs | {"fontsize": str(SMALL_SIZE + 1)}


def legend_cluster_attrs() -> dict[str, str]:
    """Return the attributes of the legend cluster."""
    return {"label": html_label(["图例"]), "style": "rounded", "color": "#bfbfbf", **BASE_ATTRS}


def new_digraph(name: str, engine: str) -> graphviz.Digraph:
    """Return an empty digraph with the CJK font set on graph, nodes and edges."""
    graph = graphviz.Digraph(name=name, engine=engine)
    graph.attr("graph", fontname=FONT, fontsize="12", bgcolor="white", pad="0.2")
    graph.attr("node", **BASE_ATTRS)
    graph.attr("edge", fontname=FONT, fontsize=str(SMALL_SIZE + 1))
    return graph


def set_title(graph: graphviz.Digraph, title: str) -> None:
    """Put the process name on top; call it last so that clusters do not inherit the label."""
    graph.attr(label=html_label([title]), labelloc="t", fontsize="14")


def cluster_name(subprocess_id: str) -> str:
    """Return the Graphviz cluster name of an embedded sub-process."""
    return f"cluster_sp_{subprocess_id}"
