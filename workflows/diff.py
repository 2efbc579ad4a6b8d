"""Compare two versions of a process: elements added, removed and changed, flows rewired.

Works on the XML text of each version's files (the spec drops flow ids, names of flows and most
extension elements), so every property a process owner can edit shows up: names, Spiff
properties (form key, role, due date, …), conditions, timer expressions, scripts, messages,
called decisions and DMN table cells.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from . import bpmn_xml

# Children that describe an element's place in the graph, reported as flows rather than properties.
_GRAPH_CHILDREN = {"incoming", "outgoing", "flowNodeRef", "laneSet", "childLaneSet"}
_FLOW_TAGS = {"sequenceFlow"}
_ENDS = ("sourceRef", "targetRef")


@dataclass(frozen=True)
class PropertyChange:
    """One property of an element, before and after (None when absent)."""

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ElementDiff:
    """An element added, removed or changed between two versions."""

    element_id: str
    scope: str
    tag: str
    name: str | None
    kind: str  # "added", "removed", "changed"
    changes: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class FlowRewiring:
    """A sequence flow kept by id whose source or target changed."""

    flow_id: str
    scope: str
    old: tuple[str, str]
    new: tuple[str, str]


@dataclass(frozen=True)
class DefinitionDiff:
    """Everything that differs between two versions of one process."""

    added: tuple[ElementDiff, ...] = ()
    removed: tuple[ElementDiff, ...] = ()
    changed: tuple[ElementDiff, ...] = ()
    rewired: tuple[FlowRewiring, ...] = ()
    files_added: tuple[str, ...] = ()
    files_removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Tell whether the versions are the same in every element."""
        return not (self.added or self.removed or self.changed or self.rewired)

    def states(self) -> dict[str, str]:
        """Map element id → "added" / "removed" / "changed" (a rewired flow counts as changed)."""
        found = {d.element_id: d.kind for d in (*self.added, *self.removed, *self.changed)}
        found.update({r.flow_id: "changed" for r in self.rewired})
        return found


@dataclass
class _Element:
    element_id: str
    scope: str
    tag: str
    name: str | None
    props: dict[str, str] = field(default_factory=dict)


def diff_files(old: Mapping[str, str], new: Mapping[str, str]) -> DefinitionDiff:
    """Compare two versions given as {file name: XML text} (a version's `files`)."""
    before, after = _index(old), _index(new)
    added = [_whole(after[k], "added") for k in after if k not in before]
    removed = [_whole(before[k], "removed") for k in before if k not in after]
    changed, rewired = [], []
    for key in before.keys() & after.keys():
        first, second = before[key], after[key]
        changes = _changes(first.props, second.props)
        ends = [c for c in changes if c.name in _ENDS]
        if ends and first.tag in _FLOW_TAGS:
            rewired.append(_rewiring(first, second))
            changes = [c for c in changes if c.name not in _ENDS]
        if changes or first.tag != second.tag:
            if first.tag != second.tag:
                changes.insert(0, PropertyChange("type", first.tag, second.tag))
            changed.append(ElementDiff(key[1], key[0], second.tag, second.name, "changed", tuple(changes)))
    return DefinitionDiff(
        added=tuple(sorted(added, key=_order)),
        removed=tuple(sorted(removed, key=_order)),
        changed=tuple(sorted(changed, key=_order)),
        rewired=tuple(sorted(rewired, key=lambda r: (r.scope, r.flow_id))),
        files_added=tuple(sorted(set(new) - set(old))),
        files_removed=tuple(sorted(set(old) - set(new))),
    )


def _order(item: ElementDiff) -> tuple[str, str]:
    return item.scope, item.element_id


def _whole(element: _Element, kind: str) -> ElementDiff:
    return ElementDiff(element.element_id, element.scope, element.tag, element.name, kind)


def _rewiring(first: _Element, second: _Element) -> FlowRewiring:
    old = (first.props.get("sourceRef", ""), first.props.get("targetRef", ""))
    new = (second.props.get("sourceRef", ""), second.props.get("targetRef", ""))
    return FlowRewiring(first.element_id, first.scope, old, new)


def _changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[PropertyChange]:
    names = sorted(old.keys() | new.keys())
    return [PropertyChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]


def _index(files: Mapping[str, str]) -> dict[tuple[str, str], _Element]:
    found: dict[tuple[str, str], _Element] = {}
    for name, text in files.items():
        root = bpmn_xml.parse_xml(text, name)
        elements = _dmn_elements(root) if bpmn_xml.is_dmn(root) else _bpmn_elements(root)
        for element in elements:
            found[(element.scope, element.element_id)] = element
    return found


def _bpmn_elements(root: etree._Element) -> Iterator[_Element]:
    for process in root.xpath("./bpmn:process", namespaces=bpmn_xml.NS):
        lanes = _lanes(process)
        yield from _walk(process, process.get("id"), lanes)


def _lanes(container: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for lane in container.iter(f"{{{bpmn_xml.BPMN_NS}}}lane"):
        for ref in lane.iterfind("bpmn:flowNodeRef", bpmn_xml.NS):
            found[(ref.text or "").strip()] = lane.get("name") or lane.get("id", "")
    return found


def _walk(container: etree._Element, scope: str, lanes: Mapping[str, str]) -> Iterator[_Element]:
    for node in container:
        if not isinstance(node.tag, str) or not node.get("id"):
            continue
        tag = etree.QName(node).localname
        if tag in _GRAPH_CHILDREN:
            continue
        element = _Element(node.get("id"), scope, tag, node.get("name"), _signature(node))
        if node.get("id") in lanes:
            element.props["lane"] = lanes[node.get("id")]
        yield element
        if tag in {"subProcess", "transaction", "adHocSubProcess"}:
            yield from _walk(node, node.get("id"), lanes)


def _signature(node: etree._Element) -> dict[str, str]:
    props = {key: value for key, value in node.attrib.items() if key != "id" and "}" not in key}
    for child in node:
        _flatten(child, "", props)
    return props


def _flatten(node: etree._Element, prefix: str, props: dict[str, str]) -> None:
    if not isinstance(node.tag, str):
        return
    tag = etree.QName(node).localname
    # Inner flow elements are elements of their own; event definitions belong to their event.
    if tag in _GRAPH_CHILDREN or (node.get("id") and not tag.endswith("EventDefinition")):
        return
    if tag == "property" and node.get("name"):
        props[f"{prefix}{node.get('name')}"] = node.get("value", "")
        return
    path = f"{prefix}{tag}"
    if tag not in {"extensionElements", "properties"}:
        for key, value in node.attrib.items():
            if key != "id" and "}" not in key:
                props[f"{path}.{key}"] = value
    text = (node.text or "").strip()
    if text:
        props[path] = text
    inner = "" if tag in {"extensionElements", "properties"} else f"{path}/"
    for child in node:
        _flatten(child, inner, props)


def _dmn_elements(root: etree._Element) -> Iterator[_Element]:
    namespace = etree.QName(root).namespace
    for decision in root.iterfind(f"{{{namespace}}}decision"):
        scope = decision.get("id", "")
        yield _Element(scope, scope, "decision", decision.get("name"), {})
        for rule in decision.iter(f"{{{namespace}}}rule"):
            yield _Element(rule.get("id", ""), scope, "rule", rule.get("id"), _rule_cells(decision, rule))


def _rule_cells(decision: etree._Element, rule: etree._Element) -> dict[str, str]:
    namespace = etree.QName(decision).namespace
    heads = [
        *(_label(i) for i in decision.iter(f"{{{namespace}}}input")),
        *(_label(o) for o in decision.iter(f"{{{namespace}}}output")),
    ]
    entries = [e for e in rule if isinstance(e.tag, str) and etree.QName(e).localname.endswith("Entry")]
    cells = {}
    for head, entry in zip(heads, entries, strict=False):
        text = entry.findtext(f"{{{namespace}}}text")
        cells[head] = (text or "").strip()
    return cells


def _label(node: etree._Element) -> str:
    namespace = etree.QName(node).namespace
    expression = node.findtext(f"{{{namespace}}}inputExpression/{{{namespace}}}text")
    return str(node.get("label") or node.get("name") or (expression or "").strip() or node.get("id"))
