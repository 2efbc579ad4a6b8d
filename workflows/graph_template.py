"""Status diagrams laid out once per definition version, then only recoloured per instance.

Laying a large process out takes Graphviz tens of milliseconds (dot) or, with spline routing,
seconds (neato); recolouring an SVG takes about a millisecond. So `diagram_template` draws a
process once per (file contents, process, layout) with sentinel colours, cuts the SVG into the
groups of flow nodes, sub-processes and flows, and `DiagramTemplate.render(trace)` swaps each
group's sentinel colours, widths and tooltip for the ones the trace gives (the same `Look`s the
builder uses), adds completion counts and the contract classes:

    <g id="node-<bpmn id>" class="node zf-<state>" data-bpmn-id="<bpmn id>">

Templates are cached in this process, keyed by the content hash of the deployment's files.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from workflows.graph import Layout, draw_process, render_svg
from workflows.graph_model import Container, FlowNode, iter_containers
from workflows.graph_reader import load_deployment, sources_digest
from workflows.graph_style import (
    CLUSTER_FILLS,
    EDGE_PLAIN,
    EDGE_TAKEN,
    EDGE_UNTAKEN,
    FONT,
    PLAIN_LOOK,
    STATE_TEXT,
    Look,
    Paint,
    stroke_width,
)
from workflows.graph_text import SMALL_SIZE
from workflows.trace import NodeState, Trace

# Contract 3 state classes.
STATE_CLASSES: Mapping[NodeState, str] = {
    NodeState.DONE: "completed",
    NodeState.OPEN: "ready",
    NodeState.WAITING: "waiting",
    NodeState.ERROR: "error",
    NodeState.CANCELLED: "cancelled",
    NodeState.NOT_REACHED: "future",
}
_SENTINEL = Look(fill="#fefefd", border="#010102", text="#020103", penwidth=1.37)
_GROUP = re.compile(r'<g id="(node|sub|flow)(?:-|&#45;)([^"]*)" class="(node|cluster|edge)">')
_SHAPE = re.compile(r"<(?:path|polygon|ellipse)\b[^>]*>")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WIDTH = re.compile(r'stroke-width="[^"]*"')
_TAG = re.compile(r"<g\b|</g>")
_TITLE = re.compile(r'xlink:title="[^"]*"')
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_CACHE_SIZE = 64


class _TemplatePaint(Paint):
    """Paints every node in the sentinel look, with no state, no count, and the legend."""

    def look(self, node: FlowNode) -> Look:
        return _SENTINEL


@dataclass(frozen=True)
class _Slot:
    """One group of the template SVG to recolour: a flow node, a sub-process cluster or a flow."""

    kind: str  # "node" | "sub" | "flow"
    text: str
    node: FlowNode | None = None
    edge_key: tuple[str, str, str] | None = None
    corner: tuple[float, float] | None = None  # bottom right of the shape, for the count


@dataclass(frozen=True)
class DiagramTemplate:
    """A process drawn once; `render` recolours it for an instance (or plainly, without a trace)."""

    parts: tuple[str | _Slot, ...]
    role_names: Mapping[str, str]

    def render(self, trace: Trace | None) -> str:
        """Return the SVG (no XML prolog) coloured by `trace`, or plain when there is none."""
        paint = Paint(trace=trace, role_names=self.role_names)
        out = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else _recolour(part, paint))
        return "".join(out)


def _recolour(slot: _Slot, paint: Paint) -> str:
    if slot.kind == "flow":
        return _recolour_flow(slot, paint)
    node = slot.node
    assert node is not None
    state = paint.state(node)
    look = paint.look(node)
    cluster = slot.kind == "sub"
    fill = (PLAIN_LOOK.fill if state is None else CLUSTER_FILLS[state]) if cluster else look.fill
    text = slot.text.replace(f'fill="{_SENTINEL.fill}"', f'fill="{fill}"')
    text = text.replace(f'stroke="{_SENTINEL.border}"', f'stroke="{look.border}"')
    text = text.replace(f'fill="{_SENTINEL.text}"', f'fill="{look.text}"')
    text = _WIDTH.sub(f'stroke-width="{stroke_width(node, look, cluster=cluster):g}"', text)
    if look.dashed:
        text = _SHAPE.sub(_dash, text)
    if look.strike:
        text = text.replace("<text ", '<text text-decoration="line-through" ')
    state_class = STATE_CLASSES[state] if state is not None else "plain"
    text = text.replace("\x00state\x00", state_class, 1)
    if state is not None:
        text = _TITLE.sub(lambda m: f'{m.group(0)[:-1]}（{STATE_TEXT[state]}）"', text, count=1)
    count = paint.count_text(node)
    if count and slot.corner is not None:
        x, y = slot.corner
        mark = (
            f'<text text-anchor="end" x="{x - 3:.1f}" y="{y - 3:.1f}" font-family="{FONT}" '
            f'font-size="{SMALL_SIZE}.00" fill="{look.text}" class="zf-count">{count}</text>\n'
        )
        text = text.replace("</g>\n", mark + "</g>\n", 1) if cluster else _before_close(text, mark)
    return text


def _before_close(text: str, mark: str) -> str:
    """Insert an element just before the node group's own closing tag."""
    cut = text.rfind("</g>")
    return text[:cut] + mark + text[cut:] if cut >= 0 else text + mark


def _dash(match: re.Match[str]) -> str:
    shape = match.group(0)
    if "stroke-dasharray" in shape or 'fill="none" stroke="transparent"' in shape:
        return shape
    return shape.replace(" stroke=", ' stroke-dasharray="5,2" stroke=', 1)


def _recolour_flow(slot: _Slot, paint: Paint) -> str:
    if paint.trace is None:
        return slot.text.replace("\x00state\x00", "plain", 1)
    taken = slot.edge_key in paint.trace.taken_edges
    style = EDGE_TAKEN if taken else EDGE_UNTAKEN
    text = slot.text.replace(f'"{EDGE_PLAIN["color"]}"', f'"{style["color"]}"')
    text = text.replace(f'fill="{EDGE_PLAIN["fontcolor"]}"', f'fill="{style["fontcolor"]}"')
    text = _WIDTH.sub(f'stroke-width="{float(style["penwidth"]):g}"', text)
    return text.replace("\x00state\x00", "taken" if taken else "untaken", 1)


def _corner(text: str) -> tuple[float, float] | None:
    """Return the bottom-right corner (SVG coordinates) of the group's first shape."""
    shape = _SHAPE.search(text)
    if shape is None:
        return None
    tag = shape.group(0)
    if tag.startswith("<ellipse"):
        values = dict(re.findall(r'(cx|cy|rx|ry)="([^"]*)"', tag))
        return float(values["cx"]) + float(values["rx"]), float(values["cy"]) + float(values["ry"])
    coords = re.search(r' (?:d|points)="([^"]*)"', tag)
    numbers = [float(n) for n in _NUMBER.findall(coords.group(1))] if coords else []
    if len(numbers) < 2:
        return None
    return max(numbers[0::2]), max(numbers[1::2])


def _group_end(svg: str, start: int) -> int:
    """Return the index just after the `</g>` closing the group opened before `start`."""
    depth = 0
    for tag in _TAG.finditer(svg, start):
        if tag.group(0) == "</g>":
            if depth == 0:
                return tag.end() + (1 if svg[tag.end() : tag.end() + 1] == "\n" else 0)
            depth -= 1
        else:
            depth += 1
    return len(svg)


def _cut(svg: str, process: Container) -> tuple[str | _Slot, ...]:
    """Split the SVG into static text and the slots to recolour."""
    nodes = {n.id: n for c in iter_containers(process) for n in c.nodes}
    flows = {f.id: f for c in iter_containers(process) for f in c.flows}
    parts: list[str | _Slot] = []
    position = 0
    for match in _GROUP.finditer(svg):
        kind, ident = match.group(1), html.unescape(match.group(2))
        end = _group_end(svg, match.end())
        parts.append(svg[position : match.start()])
        body = svg[match.end() : end]
        safe = html.escape(ident, quote=True)
        if kind == "flow" and ident in flows:
            flow = flows[ident]
            head = f'<g id="flow-{safe}" class="edge zf-\x00state\x00">'
            parts.append(_Slot("flow", head + body, edge_key=(flow.scope, flow.source, flow.target)))
        elif ident in nodes:
            css = "node" if kind == "node" else "cluster"
            head = f'<g id="{kind}-{safe}" class="{css} zf-\x00state\x00" data-bpmn-id="{safe}">'
            parts.append(_Slot(kind, head + body, node=nodes[ident], corner=_corner(body)))
        else:
            parts.append(match.group(0) + body)
        position = end
    parts.append(svg[position:])
    return tuple(parts)


class _Templates:
    """A small LRU of templates with hit and miss counts (read by tests and the bench)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[object, ...], DiagramTemplate] = OrderedDict()
        self.called: dict[tuple[object, ...], tuple[str, ...]] = {}  # call activities' targets, per process
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0


_templates = _Templates()


def template_cache_stats() -> dict[str, int]:
    """Return how often a template was reused ("hits") and drawn ("misses") in this process."""
    return {"hits": _templates.hits, "misses": _templates.misses, "size": len(_templates.entries)}


def diagram_template(
    sources: Mapping[str, str],
    process_id: str,
    *,
    layout: Layout = "auto",
    legend: bool = True,
    link: Callable[[str], str] | None = None,
    content_hash: str | None = None,
) -> DiagramTemplate:
    """Return the process's template, drawn on first use for these file contents.

    Args:
        sources: file name -> BPMN XML text, every file of the deployment.
        process_id: the process to draw.
        layout: "auto" (dot) or "bpmn" (DI positions and waypoints).
        legend: include the state legend (instance diagrams) or not (definition diagrams).
        link: maps a called process id to the URL a call activity links to.
        content_hash: the definition version's hash of these files, when the caller knows it
            (saves hashing the files on every request).

    Raises:
        LookupError: no file defines `process_id`.
        ValueError: unknown layout, or "bpmn" and a node has no DI bounds, or a file is not XML.
    """
    short_key = (content_hash or sources_digest(sources), process_id, layout, legend)
    with _templates.lock:
        called = _templates.called.get(short_key)
    links = tuple(link(c) for c in called) if link is not None and called is not None else None
    key = (*short_key, links)
    with _templates.lock:
        found = _templates.entries.get(key) if called is not None else None
        if found is not None:
            _templates.entries.move_to_end(key)
            _templates.hits += 1
            return found
    deployment = load_deployment(sources)
    process = deployment.processes.get(process_id)
    if process is None:
        raise LookupError(f"process {process_id!r} is not defined in the given files")
    called_ids = sorted(
        {n.called_element for c in iter_containers(process) for n in c.nodes if n.called_element}
    )
    links = tuple(link(c) for c in called_ids) if link is not None else None
    key = (*short_key, links)
    paint = _TemplatePaint(trace=None, role_names=deployment.role_names, link=link, legend=legend)
    svg = _PROLOG.sub("", render_svg(draw_process(process, paint, layout)), count=1)
    template = DiagramTemplate(_cut(svg, process), deployment.role_names)
    with _templates.lock:
        _templates.misses += 1
        _templates.called[short_key] = tuple(called_ids)
        _templates.entries[key] = template
        while len(_templates.entries) > _CACHE_SIZE:
            _templates.entries.popitem(last=False)
    return template
