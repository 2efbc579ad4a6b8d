"""Read the BPMN XML of a deployment into the drawing model (graph_model.py), cached per content hash.

Only the text given is parsed: no entity resolution, no network.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace

from lxml import etree

from workflows.graph_model import (
    CONTAINER_KINDS,
    EVENT_KINDS,
    FLOW_NODE_KINDS,
    Bounds,
    Container,
    Deployment,
    Flow,
    FlowNode,
    Lane,
    Pool,
    Shape,
)
from workflows.graph_text import is_wide

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@dataclass(frozen=True)
class _Diagram:
    """The DI of one file: shapes by element id and waypoints by flow id."""

    shapes: Mapping[str, Shape]
    waypoints: Mapping[str, tuple[tuple[float, float], ...]]


# Status diagrams are rendered on every request; parsing is the only part worth keeping.
_CACHE_SIZE = 32
_cache: OrderedDict[str, Deployment] = OrderedDict()
_cache_lock = threading.Lock()


def sources_digest(sources: Mapping[str, str]) -> str:
    """Return a SHA-256 over the file names and texts, independent of mapping order."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        for part in (name, sources[name]):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def load_deployment(sources: Mapping[str, str]) -> Deployment:
    """Return the parsed model of these files, from the cache when the same texts were seen."""
    key = sources_digest(sources)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    deployment = parse_deployment(sources)
    with _cache_lock:
        _cache[key] = deployment
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return deployment


def parse_deployment(sources: Mapping[str, str]) -> Deployment:
    """Parse every file into processes and the role-name table.

    Raises:
        ValueError: a file is not well-formed XML.
    """
    processes: dict[str, Container] = {}
    role_names: dict[str, str] = {}
    for file_name in sorted(sources):
        root = _parse_xml(file_name, sources[file_name])
        diagram = _Diagram(_read_shapes(root), _read_waypoints(root))
        for process in root.iter(_bpmn("process")):
            container = _read_container(process, diagram)
            processes[container.id] = _with_pools(container, root, diagram)
        for lane in root.iter(_bpmn("lane")):
            lane_id = lane.get("id", "")
            if lane_id.startswith("lane_") and lane.get("name"):
                role_names[lane_id.removeprefix("lane_")] = lane.get("name", "")
    return Deployment(processes=processes, role_names=role_names)


def _with_pools(container: Container, root: etree._Element, diagram: _Diagram) -> Container:
    """Add the black-box pools and message flows of the collaboration the process takes part in."""
    for collaboration in root.iter(_bpmn("collaboration")):
        participants = collaboration.findall(_bpmn("participant"))
        if not any(p.get("processRef") == container.id for p in participants):
            continue
        black_boxes = [p.get("id", "") for p in participants if not p.get("processRef")]
        names = {p.get("id", ""): _clean(p.get("name")) for p in participants}
        pools = tuple(Pool(i, names[i] or i, diagram.shapes.get(i)) for i in black_boxes)
        flows = tuple(
            Flow(
                id=f.get("id", ""),
                source=f.get("sourceRef", ""),
                target=f.get("targetRef", ""),
                label=_clean(f.get("name")),
                scope=container.id,
                waypoints=diagram.waypoints.get(f.get("id", ""), ()),
            )
            for f in collaboration.findall(_bpmn("messageFlow"))
        )
        return replace(container, pools=pools, message_flows=flows)
    return container


def _bpmn(tag: str) -> str:
    """Return the namespaced tag of a BPMN model element."""
    return f"{{{BPMN_NS}}}{tag}"


def _parse_xml(file_name: str, text: str) -> etree._Element:
    """Parse one file safely; the text is already decoded, so its declared encoding is ignored."""
    parser = etree.XMLParser(
        encoding="utf-8", resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
    )
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{file_name}: not well-formed XML: {exc}") from exc


def _read_shapes(root: etree._Element) -> dict[str, Shape]:
    """Map bpmnElement id -> DI shape for every BPMNShape."""
    shapes: dict[str, Shape] = {}
    for plane in root.iter(f"{{{BPMNDI_NS}}}BPMNPlane"):
        plane_id = plane.get("bpmnElement") or plane.get("id") or ""
        for shape in plane.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
            bounds = shape.find(f"{{{DC_NS}}}Bounds")
            element = shape.get("bpmnElement")
            if bounds is None or element is None:
                continue
            values = (float(bounds.get(axis, "0")) for axis in ("x", "y", "width", "height"))
            shapes[element] = Shape(Bounds(*values), plane_id)
    return shapes


def _read_waypoints(root: etree._Element) -> dict[str, tuple[tuple[float, float], ...]]:
    """Map sequence-flow id -> its DI waypoints."""
    result: dict[str, tuple[tuple[float, float], ...]] = {}
    for edge in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        points = tuple(
            (float(p.get("x", "0")), float(p.get("y", "0"))) for p in edge.iter(f"{{{DI_NS}}}waypoint")
        )
        if edge.get("bpmnElement"):
            result[edge.get("bpmnElement", "")] = points
    return result


def _read_container(element: etree._Element, diagram: _Diagram) -> Container:
    """Read a process or sub-process element, recursing into embedded sub-processes."""
    scope = element.get("id", "")
    nodes: list[FlowNode] = []
    flows: list[Flow] = []
    children: dict[str, Container] = {}
    defaults = {child.get("default") for child in element if child.get("default")}
    for child in element:
        kind = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if kind in FLOW_NODE_KINDS:
            nodes.append(_read_node(child, kind, scope, diagram.shapes))
            if kind in CONTAINER_KINDS:
                children[child.get("id", "")] = _read_container(child, diagram)
        elif kind == "sequenceFlow":
            flows.append(_read_flow(child, scope, defaults, diagram.waypoints))
    lane_sets = element.findall(_bpmn("laneSet"))
    lanes = tuple(_read_lane(lane, diagram.shapes) for ls in lane_sets for lane in ls.findall(_bpmn("lane")))
    return Container(scope, _clean(element.get("name")) or scope, tuple(nodes), tuple(flows), lanes, children)


def _read_node(element: etree._Element, kind: str, scope: str, shapes: Mapping[str, Shape]) -> FlowNode:
    """Read one flow node's drawing attributes."""
    node_id = element.get("id", "")
    return FlowNode(
        id=node_id,
        kind=kind,
        name=_clean(element.get("name")),
        scope=scope,
        event=_event_type(element) if kind in EVENT_KINDS else None,
        attached_to=element.get("attachedToRef"),
        interrupting=element.get("cancelActivity", element.get("isInterrupting", "true")) != "false",
        called_element=element.get("calledElement"),
        role=_spiff_property(element, "role"),
        loop=_loop_marker(element),
        shape=shapes.get(node_id),
    )


def _read_flow(
    element: etree._Element,
    scope: str,
    defaults: set[str | None],
    waypoints: Mapping[str, tuple[tuple[float, float], ...]],
) -> Flow:
    """Read one sequence flow."""
    flow_id = element.get("id", "")
    condition = element.find(_bpmn("conditionExpression"))
    condition_text = _clean(condition.text) if condition is not None else ""
    return Flow(
        id=flow_id,
        source=element.get("sourceRef", ""),
        target=element.get("targetRef", ""),
        label=_clean(element.get("name")) or condition_text,
        scope=scope,
        is_default=flow_id in defaults,
        waypoints=waypoints.get(flow_id, ()),
    )


def _read_lane(element: etree._Element, shapes: Mapping[str, Shape]) -> Lane:
    """Read a lane and its child lanes."""
    lane_id = element.get("id", "")
    refs = tuple((ref.text or "").strip() for ref in element.findall(_bpmn("flowNodeRef")))
    nested = element.find(_bpmn("childLaneSet"))
    children = () if nested is None else tuple(_read_lane(c, shapes) for c in nested.findall(_bpmn("lane")))
    return Lane(lane_id, _clean(element.get("name")) or lane_id, refs, children, shapes.get(lane_id))


def _event_type(element: etree._Element) -> str | None:
    """Return 'timer', 'message', ... from the first event definition, None for a plain event."""
    for child in element:
        if isinstance(child.tag, str):
            local: str = etree.QName(child).localname
            if local.endswith("EventDefinition"):
                return local.removesuffix("EventDefinition")
    return None


def _loop_marker(element: etree._Element) -> str | None:
    """Return 'sequential', 'parallel' or 'loop' for multi-instance and standard-loop activities."""
    multi = element.find(_bpmn("multiInstanceLoopCharacteristics"))
    if multi is not None:
        return "sequential" if multi.get("isSequential") == "true" else "parallel"
    return "loop" if element.find(_bpmn("standardLoopCharacteristics")) is not None else None


def _spiff_property(element: etree._Element, name: str) -> str | None:
    """Return a `spiffworkflow:property` value of the element, if set."""
    path = f"{_bpmn('extensionElements')}/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"
    for prop in element.iterfind(path):
        if prop.get("name") == name:
            value: str | None = prop.get("value")
            return value
    return None


def _clean(text: str | None) -> str:
    """Collapse whitespace and drop control characters from a name typed into a modeler."""
    if not text:
        return ""
    parts = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text).split()
    result = parts[0] if parts else ""
    for part in parts[1:]:
        # Modelers wrap long Chinese names with line breaks; joining CJK with a space would look odd.
        joiner = "" if is_wide(result[-1]) and is_wide(part[0]) else " "
        result += joiner + part
    return result
