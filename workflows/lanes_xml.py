"""`zhifa bpmn lanes`: regenerate a diagram's lanes, pools, message flows and BPMN-DI from its tasks.

Idempotent and independent of the old drawing: it rewrites only the process's laneSet, the
collaboration's black-box participants (pools) and message flows, and the DI plane; everything
else in the file (tasks, flows, scripts, properties) is left byte for byte as it was.
"""

from __future__ import annotations

import re

from lxml import etree

from .bpmn_xml import BPMN_NS, NS, parse_xml
from .lanes_layout import Box, Layout, compute_layout
from .lanes_model import PARTIES, ROLE_LANES, LanesError, Model, bpmn, read_model
from .lanes_routes import route_flows, route_messages

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Children of a process that come before its laneSet (BPMN 2.0 XSD order).
_BEFORE_LANES = {
    "documentation",
    "extensionElements",
    "supportedInterfaceRef",
    "ioSpecification",
    "ioBinding",
}
_BEFORE_LANES |= {"auditing", "monitoring", "property"}


def relane(text: str, file_name: str = "") -> str:
    """Return the diagram with lanes, pools, message flows and DI regenerated.

    Raises:
        LanesError: no executable process, or a role or party the tables do not know.
        XmlProblem: the text is not acceptable XML.
    """
    root = parse_xml(text, file_name)
    processes = root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NS) or root.xpath(
        "./bpmn:process", namespaces=NS
    )
    if len(processes) != 1:
        raise LanesError(f"{file_name}: expected one process, found {len(processes)}")
    process = processes[0]
    model = read_model(process, file_name)
    layout = compute_layout(model)
    route_flows(model, layout)
    messages = route_messages(model, layout)
    unit = _indent_unit(root)
    _write_lanes(model, unit)
    participant = _write_collaboration(root, model, messages, unit)
    _write_plane(root, model, layout, participant, messages, unit)
    new_text = etree.tostring(root, encoding="unicode")
    return _splice(text, new_text, root) or _whole(text, new_text)


def _blocks(text: str, prefixes: dict[str, str]) -> list[re.Match[str]] | None:
    """Find the collaboration, the laneSet and the DI plane in a document's text, once each."""
    found = []
    for namespace, tag in ((BPMN_NS, "collaboration"), (BPMN_NS, "laneSet"), (BPMNDI_NS, "BPMNPlane")):
        prefix = prefixes.get(namespace)
        if prefix is None:
            return None
        name = re.escape(f"{prefix}:{tag}" if prefix else tag)
        matches = list(re.finditer(rf"<{name}\b[^>]*?(/>|>.*?</{name}>)", text, re.DOTALL))
        if len(matches) != 1:
            return None
        found.append(matches[0])
    return found


def _splice(text: str, new_text: str, root: etree._Element) -> str | None:
    """Put the regenerated blocks into the original text, so that nothing else changes at all."""
    prefixes = {namespace: prefix or "" for prefix, namespace in root.nsmap.items()}
    old, new = _blocks(text, prefixes), _blocks(new_text, prefixes)
    if old is None or new is None:
        return None
    result, position = [], 0
    for before, after in sorted(zip(old, new, strict=True), key=lambda pair: pair[0].start()):
        result += [text[position : before.start()], after.group(0).replace("/>", " />")]
        position = before.end()
    return "".join(result) + text[position:]


def _whole(text: str, new_text: str) -> str:
    """Return the whole serialised document (when the original lacked one of the blocks)."""
    head = text[: text.find("<", text.find("?>") + 2)] if text.lstrip().startswith("<?xml") else ""
    return (head or _HEADER) + new_text + ("\n" if text.endswith("\n") else "")


def _indent_unit(root: etree._Element) -> str:
    tail = root.text or "\n  "
    return tail.rsplit("\n", 1)[-1] or "  "


def _depth(element: etree._Element) -> int:
    return sum(1 for _ in element.iterancestors())


def _insert_after(anchor: etree._Element, new: etree._Element, unit: str) -> None:
    """Insert `new` as the next sibling of `anchor`, indented like it."""
    parent = anchor.getparent()
    parent.insert(parent.index(anchor) + 1, new)
    new.tail = anchor.tail
    anchor.tail = "\n" + unit * _depth(anchor)
    etree.indent(new, space=unit, level=_depth(new))


def _insert_first(parent: etree._Element, new: etree._Element, unit: str) -> None:
    parent.insert(0, new)
    new.tail = parent.text
    parent.text = "\n" + unit * _depth(new)
    etree.indent(new, space=unit, level=_depth(new))


def _remove(element: etree._Element) -> None:
    """Remove an element, keeping the whitespace that followed its predecessor."""
    parent = element.getparent()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = element.tail if element.getnext() is None else previous.tail
    elif element.getnext() is None:
        parent.text = element.tail
    parent.remove(element)


def _write_lanes(model: Model, unit: str) -> None:
    process = model.process
    old = process.xpath(".//bpmn:laneSet", namespaces=NS)
    lane_set_id = old[0].get("id") if old and old[0].getparent() is process else f"{process.get('id')}_lanes"
    for element in old:
        _remove(element)
    lane_set = etree.Element(bpmn("laneSet"), id=lane_set_id)
    for role in model.lanes():
        lane = etree.SubElement(lane_set, bpmn("lane"), id=f"lane_{role}", name=ROLE_LANES[role])
        for node_id, node in model.nodes.items():
            if node.lane == role:
                etree.SubElement(lane, bpmn("flowNodeRef")).text = node_id
    anchors = [c for c in process if isinstance(c.tag, str) and etree.QName(c).localname in _BEFORE_LANES]
    if anchors:
        _insert_after(anchors[-1], lane_set, unit)
    else:
        _insert_first(process, lane_set, unit)


def _write_collaboration(
    root: etree._Element, model: Model, messages: dict[str, tuple[str, str]], unit: str
) -> str:
    """Rewrite the pools and message flows; return the process participant's id."""
    process_id = model.process.get("id")
    collaboration = root.find("bpmn:collaboration", NS)
    if collaboration is None:
        collaboration = etree.Element(bpmn("collaboration"), id=f"{process_id}_collaboration")
        etree.SubElement(
            collaboration, bpmn("participant"), id=f"{process_id}_participant", processRef=process_id,
            name=model.process.get("name") or process_id,
        )  # fmt: skip
        _insert_first(root, collaboration, unit)
    for element in collaboration.xpath(
        "./bpmn:participant[not(@processRef)] | ./bpmn:messageFlow", namespaces=NS
    ):
        _remove(element)
    own = collaboration.xpath("./bpmn:participant[@processRef=$p]", namespaces=NS, p=process_id)
    if not own:
        raise LanesError(f"the collaboration has no participant for process {process_id}")
    anchor = collaboration.xpath("./bpmn:participant", namespaces=NS)[-1]
    for party in model.parties():
        pool = etree.Element(bpmn("participant"), id=f"pool_{party}", name=PARTIES[party])
        _insert_after(anchor, pool, unit)
        anchor = pool
    for flow_id, (source, target) in messages.items():
        flow = etree.Element(bpmn("messageFlow"), id=flow_id, sourceRef=source, targetRef=target)
        _insert_after(anchor, flow, unit)
        anchor = flow
    return own[0].get("id")


def _write_plane(  # noqa: PLR0917  (private: one call site passes what it computed)
    root: etree._Element,
    model: Model,
    layout: Layout,
    participant: str,
    messages: dict[str, tuple[str, str]],
    unit: str,
) -> None:
    planes = root.xpath(".//bpmndi:BPMNPlane", namespaces={"bpmndi": BPMNDI_NS})
    if not planes:
        raise LanesError("the diagram has no BPMNDiagram/BPMNPlane to draw on")
    plane = planes[0]
    plane.set("bpmnElement", root.find("bpmn:collaboration", NS).get("id"))
    for child in list(plane):
        plane.remove(child)
    _shape(plane, participant, layout.shapes["#participant"], horizontal=True)
    for role in model.lanes():
        _shape(plane, f"lane_{role}", layout.shapes[f"lane_{role}"], horizontal=True)
    for node_id, node in model.nodes.items():
        shape = _shape(plane, node_id, layout.shapes[node_id], expanded=node_id in model.scopes)
        if node.tag == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")  # as bpmn-js writes it: the round trip changes nothing
    for party in model.parties():
        _shape(plane, f"pool_{party}", layout.shapes[f"pool_{party}"], horizontal=True)
    for scope in model.scopes.values():
        for flow_id, _source, _target in scope.flows:
            if flow_id in layout.edges:
                _edge(plane, flow_id, layout.edges[flow_id])
    for flow_id in messages:
        _edge(plane, flow_id, layout.edges[flow_id])
    etree.indent(plane, space=unit, level=_depth(plane))


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def _shape(
    plane: etree._Element, element_id: str, box: Box, *, horizontal: bool = False, expanded: bool = False
) -> etree._Element:
    shape = etree.SubElement(
        plane, f"{{{BPMNDI_NS}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id
    )
    if horizontal:
        shape.set("isHorizontal", "true")
    if expanded:
        shape.set("isExpanded", "true")
    bounds = etree.SubElement(shape, f"{{{DC_NS}}}Bounds")
    for name, value in (("x", box.x), ("y", box.y), ("width", box.w), ("height", box.h)):
        bounds.set(name, _number(value))
    return shape


def _edge(plane: etree._Element, flow_id: str, points: list[tuple[float, float]]) -> None:
    edge = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
    for x, y in points:
        etree.SubElement(edge, f"{{{DI_NS}}}waypoint", x=_number(x), y=_number(y))


__all__ = ["BPMN_NS", "LanesError", "relane"]
