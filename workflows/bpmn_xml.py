"""Read BPMN/DMN XML safely and index what the loader and linter need (ids, lines, lanes, properties)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_FILE_BYTES = 2 * 1024 * 1024

# Entities, DTDs and network access stay off: diagrams come from users (XXE, billion laughs).
_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
)


class XmlProblem(Exception):
    """The file is not well-formed or not acceptable XML."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def parse_xml(text: str | bytes, file_name: str) -> etree._Element:
    """Parse one uploaded XML document with entity expansion and DTDs disabled."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_FILE_BYTES:
        raise XmlProblem(Problem(f"file is larger than {MAX_FILE_BYTES // 1024} KiB", file_name))
    try:
        root = etree.fromstring(raw, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise XmlProblem(Problem(f"XML syntax error: {exc.msg}", file_name, line)) from exc
    if root.getroottree().docinfo.doctype:
        raise XmlProblem(Problem("DOCTYPE declarations are not allowed", file_name, 1))
    return root


def is_dmn(root: etree._Element) -> bool:
    """Tell whether a parsed document is a DMN definitions file."""
    return etree.QName(root).namespace in DMN_NAMESPACES


@dataclass(frozen=True)
class ElementInfo:
    """Where an element sits: file, line, the process or sub-process scope, its lane."""

    element_id: str
    tag: str
    name: str | None
    file_name: str
    line: int | None
    scope: str
    lane_id: str | None
    properties: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None  # a boundary event's activity

    def problem(self, message: str) -> Problem:
        """Build a problem located at this element."""
        return Problem(message, self.file_name, self.line, self.element_id, self.name)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _properties(node: etree._Element) -> dict[str, str]:
    found = node.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS
    )
    return {p.get("name"): p.get("value", "") for p in found if p.get("name")}


def _lane_index(process: etree._Element) -> dict[str, str]:
    """Map flow-node id → lane id for the lanes directly declared in a process or sub-process."""
    index: dict[str, str] = {}
    for lane in process.xpath("./bpmn:laneSet//bpmn:lane", namespaces=NS):
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            if ref.text:
                index[ref.text.strip()] = lane.get("id")
    return index


def index_elements(root: etree._Element, file_name: str) -> list[ElementInfo]:
    """List every element with an id inside the document's processes, with scope and lane."""
    found: list[ElementInfo] = []
    for process in root.xpath("./bpmn:process", namespaces=NS):
        _walk(process, process.get("id"), _lane_index(process), None, file_name, found)
    return found


def _walk(  # noqa: PLR0917  (a private recursive walker; the arguments are its state)
    container: etree._Element,
    scope: str,
    lanes: dict[str, str],
    inherited_lane: str | None,
    file_name: str,
    found: list[ElementInfo],
) -> None:
    for node in container:
        element_id = node.get("id") if isinstance(node.tag, str) else None
        if not element_id:
            continue
        tag = _local(node.tag)
        lane = lanes.get(element_id, inherited_lane)
        found.append(
            ElementInfo(
                element_id,
                tag,
                node.get("name"),
                file_name,
                node.sourceline,
                scope,
                lane,
                _properties(node),
                node.get("attachedToRef"),
            )
        )
        if tag in {"subProcess", "transaction", "adHocSubProcess"}:
            inner_lanes = _lane_index(node) or lanes
            _walk(node, element_id, inner_lanes, lane, file_name, found)


def executable_process_ids(root: etree._Element) -> list[str]:
    """Return ids of the processes marked executable in a BPMN document."""
    return [
        p.get("id") for p in root.xpath("./bpmn:process", namespaces=NS) if p.get("isExecutable") == "true"
    ]


def process_names(root: etree._Element) -> dict[str, str]:
    """Map process id → its (Chinese) name."""
    return {p.get("id"): p.get("name") or p.get("id") for p in root.xpath("./bpmn:process", namespaces=NS)}
