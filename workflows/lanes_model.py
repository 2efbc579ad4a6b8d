"""Read a BPMN process for `zhifa bpmn lanes`: its scopes, flows, each node's role lane and its parties.

A user task's lane is its role: the `role` property, else the `lane_<role>` lane it sits in now.
Every other flow node takes the lane of a neighbour (the node before it, else the one after it);
a boundary event the lane of its activity. External parties a node talks to are declared on the
node with the Spiff properties `messageTo` / `messageFrom` (comma-separated party keys, `PARTIES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .bpmn_xml import BPMN_NS, NS, index_elements

# Lane order top to bottom, with the Chinese lane name (role keys as in ARCHITECTURE.md).
ROLE_LANES: dict[str, str] = {
    "hotline_liaison": "热线联络员",
    "officer": "执法队员（承办人）",
    "squad_legal": "中队法制员",
    "squad_leader": "中队长",
    "legal_reviewer": "局法制科法制审核人员",
    "deputy_head": "分管领导",
    "bureau_head": "局负责人",
    "clerk": "内勤",
}
# External parties drawn as collapsed (black-box) pools, in the order they are stacked.
PARTIES: dict[str, str] = {
    "hotline_platform": "12345 市民服务热线平台",
    "reporter": "举报人/诉求人",
    "party": "当事人",
    "appraisal_agency": "房屋安全检测机构",
    "real_estate_registry": "不动产登记机构",
    "credit_center": "公共信用信息服务中心",
    "other_agency": "其他行政机关/街镇",
    "public_security": "公安机关",
    "court": "人民法院",
    "publicity_platform": "行政执法公示平台",
}
LANE_PREFIX = "lane_"
MESSAGE_TO = "messageTo"
MESSAGE_FROM = "messageFrom"
CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
_NOT_NODES = frozenset(
    {
        "sequenceFlow",
        "laneSet",
        "extensionElements",
        "documentation",
        "ioSpecification",
        "property",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "textAnnotation",
        "association",
        "group",
    }
)


class LanesError(ValueError):
    """The diagram names a role or party the tool cannot draw."""


@dataclass
class Node:
    """One flow node: where it lives, its lane and the parties it sends to or receives from."""

    id: str
    tag: str
    element: etree._Element
    scope: str
    lane: str | None = None
    attached_to: str | None = None
    sends_to: tuple[str, ...] = ()
    receives_from: tuple[str, ...] = ()


@dataclass
class Scope:
    """The process or an expanded sub-process: its nodes and sequence flows in document order."""

    id: str
    element: etree._Element
    depth: int
    nodes: list[str] = field(default_factory=list)
    flows: list[tuple[str, str, str]] = field(default_factory=list)  # (flow id, source, target)


@dataclass
class Model:
    """A process read for relaning."""

    process: etree._Element
    nodes: dict[str, Node]
    scopes: dict[str, Scope]

    def lanes(self) -> list[str]:
        """Return the role keys that have a node, in lane order."""
        used = {n.lane for n in self.nodes.values()}
        return [role for role in ROLE_LANES if role in used]

    def parties(self) -> list[str]:
        """Return the party keys some node talks to, in pool order."""
        used = {p for n in self.nodes.values() for p in (*n.sends_to, *n.receives_from)}
        return [party for party in PARTIES if party in used]


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _keys(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.strip() for k in (text or "").split(",") if k.strip()))


def read_model(process: etree._Element, file_name: str = "") -> Model:
    """Read a process's scopes and nodes and decide every node's lane.

    Raises:
        LanesError: a role or party not in the tables, or a user task without a role.
    """
    info = {e.element_id: e for e in index_elements(process.getparent(), file_name)}
    model = Model(process, {}, {})
    _read_scope(model, process, process.get("id"), 0, info)
    problems = []
    for node in model.nodes.values():
        for party in (*node.sends_to, *node.receives_from):
            if party not in PARTIES:
                problems.append(f"{node.id}: unknown party '{party}' (known: {', '.join(PARTIES)})")
    _assign_lanes(model)
    for node in model.nodes.values():
        if node.lane not in ROLE_LANES:
            problems.append(f"{node.id}: role '{node.lane}' has no lane (known: {', '.join(ROLE_LANES)})")
    if problems:
        raise LanesError("; ".join(problems))
    return model


def _read_scope(model: Model, element: etree._Element, scope_id: str, depth: int, info: dict) -> None:
    scope = Scope(scope_id, element, depth)
    model.scopes[scope_id] = scope
    for child in element:
        tag = _local(child)
        if tag == "sequenceFlow":
            scope.flows.append((child.get("id"), child.get("sourceRef"), child.get("targetRef")))
            continue
        if not tag or tag in _NOT_NODES or not child.get("id"):
            continue
        element_info = info.get(child.get("id"))
        props = element_info.properties if element_info else {}
        node = Node(child.get("id"), tag, child, scope_id, attached_to=child.get("attachedToRef"))
        node.sends_to = _keys(props.get(MESSAGE_TO))
        node.receives_from = _keys(props.get(MESSAGE_FROM))
        if tag == "userTask":
            lane_id = element_info.lane_id if element_info else None
            current = lane_id[len(LANE_PREFIX) :] if lane_id and lane_id.startswith(LANE_PREFIX) else None
            node.lane = props.get("role") or current
            if not node.lane:
                raise LanesError(f"{node.id}: user task has neither a role property nor a lane_<role> lane")
        model.nodes[node.id] = node
        scope.nodes.append(node.id)
        if tag in CONTAINERS:
            _read_scope(model, child, node.id, depth + 1, info)


def scope_graph(model: Model, scope_id: str) -> tuple[list[str], dict[str, list[str]]]:
    """Return a scope's nodes other than boundary events and its flows, a boundary's from its host."""
    nodes = model.nodes
    members = [n for n in model.scopes[scope_id].nodes if nodes[n].attached_to not in nodes]
    out: dict[str, list[str]] = {n: [] for n in members}
    for _flow, source, target in model.scopes[scope_id].flows:
        host = nodes[source].attached_to if source in nodes and nodes[source].attached_to in nodes else source
        if host in out and target in out and host != target:
            out[host].append(target)
    return members, out


def loops(members: list[str], out: dict[str, list[str]], model: Model) -> set[tuple[str, str]]:
    """Return the flows that go back (found by a depth-first walk from the scope's start)."""
    has_in = {t for targets in out.values() for t in targets}
    starts = [n for n in members if model.nodes[n].tag == "startEvent"]
    return back_edges(out, starts + [n for n in members if n not in has_in] + members)


def back_edges(out: dict[str, list[str]], roots: list[str]) -> set[tuple[str, str]]:
    """Return the flows a depth-first walk from `roots` finds going back to a node on its path."""
    back: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        on_path = {root}
        stack = [(root, iter(out[root]))]
        while stack:
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                on_path.discard(node)
            elif target in on_path:
                back.add((node, target))
            elif target not in seen:
                seen.add(target)
                on_path.add(target)
                stack.append((target, iter(out[target])))
    return back


def _assign_lanes(model: Model) -> None:
    """Give every node without a role the lane of a neighbour; sub-processes the lowest lane they span."""
    back: set[tuple[str, str]] = set()
    for scope_id in model.scopes:
        back |= loops(*scope_graph(model, scope_id), model)
    forward: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
    every: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
    for scope in model.scopes.values():
        for _flow, source, target in scope.flows:
            host = model.nodes[source].attached_to if source in model.nodes else None
            maps = [every] if (host or source, target) in back else [every, forward]
            for before, after in maps:
                after.setdefault(source, []).append(target)
                before.setdefault(target, []).append(source)
    order = list(model.nodes)
    while any(model.nodes[n].lane is None for n in order):
        # Neighbours along forward flows first: a loop back must not pull a node into a later lane.
        if _propagate(model, order, *forward) or _propagate(model, order, *every):
            continue
        # Nothing connected has a lane yet (a scope of scripts only): use its sub-process's neighbour.
        open_ids = [n for n in order if model.nodes[n].lane is None]
        free = [n for n in open_ids if not (model.nodes[n].tag in CONTAINERS or model.nodes[n].attached_to)]
        stuck = (free or open_ids)[0]
        model.nodes[stuck].lane = _fallback_lane(model, stuck, every[0])


def _propagate(model: Model, order: list[str], before: dict, after: dict) -> bool:
    """Fill lanes from hosts, then predecessors, then successors; return whether anything changed."""
    nodes = model.nodes
    for rule in ("host", "container", "before", "after"):
        changed = False
        for node_id in order:
            node = nodes[node_id]
            if node.lane is not None:
                continue
            pinned = node.tag in CONTAINERS or node.attached_to in nodes  # only from contents / host
            if pinned and rule not in {"host", "container"}:
                continue
            if rule == "host" and node.attached_to in nodes:
                host = nodes[node.attached_to]
                lane = host.lane if host.tag not in CONTAINERS else _span_bottom(model, host.id)
            elif rule == "container" and node.tag in CONTAINERS:
                lane = _span_bottom(model, node_id)
            elif rule == "before":
                lane = next(
                    (_exit_lane(model, s) for s in before.get(node_id, []) if _exit_lane(model, s)), None
                )
            elif rule == "after":
                lane = next(
                    (_entry_lane(model, t) for t in after.get(node_id, []) if _entry_lane(model, t)), None
                )
            else:
                lane = None
            if lane is not None:
                node.lane = lane
                changed = True
                if rule == "after":
                    return True  # one guess from a successor, then predecessors again
        if changed:
            return True
    return False


def _descendants(model: Model, scope_id: str) -> list[Node]:
    found = []
    for node_id in model.scopes[scope_id].nodes:
        found.append(model.nodes[node_id])
        if node_id in model.scopes:
            found.extend(_descendants(model, node_id))
    return found


def span(model: Model, scope_id: str) -> list[str]:
    """Return the lanes a sub-process's contents use, in lane order."""
    used = {n.lane for n in _descendants(model, scope_id) if n.tag not in CONTAINERS}
    return [role for role in ROLE_LANES if role in used]


def _span_bottom(model: Model, scope_id: str) -> str | None:
    """Return the lowest lane of a sub-process once all its contents have lanes."""
    inner = [n for n in _descendants(model, scope_id) if n.tag not in CONTAINERS]
    if any(n.lane is None for n in inner) or not inner:
        return None
    return span(model, scope_id)[-1]


def _exit_lane(model: Model, node_id: str) -> str | None:
    """Return the lane a flow leaving the node starts in (a sub-process: its end event's lane)."""
    if node_id in model.scopes:
        ends = [model.nodes[n] for n in model.scopes[node_id].nodes if model.nodes[n].tag == "endEvent"]
        return next((n.lane for n in ends if n.lane), None)
    return model.nodes[node_id].lane


def _entry_lane(model: Model, node_id: str) -> str | None:
    """Return the lane a flow entering the node ends in (a sub-process: its start event's lane)."""
    if node_id in model.scopes:
        starts = [model.nodes[n] for n in model.scopes[node_id].nodes if model.nodes[n].tag == "startEvent"]
        return next((n.lane for n in starts if n.lane), None)
    return model.nodes[node_id].lane


def _fallback_lane(model: Model, node_id: str, before: dict) -> str:
    """Return a lane for a node with no neighbour in a lane: the sub-process's predecessor's, or the first."""
    scope = model.nodes[node_id].scope
    while scope in model.nodes:
        for source in before.get(scope, []):
            lane = _exit_lane(model, source)
            if lane:
                return lane
        scope = model.nodes[scope].scope
    lanes = model.lanes()
    return lanes[0] if lanes else next(iter(ROLE_LANES))


def bpmn(tag: str) -> str:
    """Return the Clark name of a BPMN model tag."""
    return f"{{{BPMN_NS}}}{tag}"


__all__ = ["NS", "PARTIES", "ROLE_LANES", "LanesError", "Model", "Node", "Scope", "read_model", "span"]
