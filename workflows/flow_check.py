"""Check sequence flows before the engine parses: ends that point nowhere, nodes that lead nowhere.

SpiffWorkflow reports a flow to a missing element as a bare KeyError or a message about another
element; these checks name the flow, its file and line, and what is missing, in Chinese and English.
"""

from __future__ import annotations

from lxml import etree

from .bpmn_xml import NS
from .errors import Problem

_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
# Flow nodes that may have no incoming flow, and those that may have no outgoing one.
_NO_INCOMING_OK = {"startEvent", "boundaryEvent"}
_NO_OUTGOING_OK = {"endEvent"}
_FLOW_NODES = {
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "startEvent",
    "endEvent",
    "boundaryEvent",
}


_DEAD_END_ZH = "此元素没有出去的连线（流程走不下去）"


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def check_flows(root: etree._Element, file_name: str) -> list[Problem]:
    """Return a problem for every flow whose source or target is missing and every dead-end node."""
    problems: list[Problem] = []
    for process in root.iterfind("./bpmn:process", NS):
        for container in [process, *process.iterfind(".//bpmn:subProcess", NS)]:
            problems.extend(_check_container(container, file_name))
    return problems


def _check_container(container: etree._Element, file_name: str) -> list[Problem]:
    nodes = {n.get("id"): n for n in container if _local(n) in _FLOW_NODES and n.get("id")}
    flows = [n for n in container if _local(n) == "sequenceFlow"]
    problems = []
    has_in: set[str] = set()
    has_out: set[str] = set()
    for flow in flows:
        for end, seen, zh in (("sourceRef", has_out, "起点"), ("targetRef", has_in, "终点")):
            ref = flow.get(end) or ""
            if ref in nodes:
                seen.add(ref)
                continue
            problems.append(
                Problem(
                    f"sequence flow {flow.get('id')}: its {end} '{ref}' is not an element of this "
                    f"{'sub-process' if _local(container) != 'process' else 'process'}",
                    file_name,
                    flow.sourceline,
                    flow.get("id"),
                    flow.get("name"),
                    message_zh=f"连线 {flow.get('id')} 的{zh}“{ref}”在本流程中不存在",
                )
            )
    triggered = container.get("triggeredByEvent") == "true"
    for node_id, node in nodes.items():
        tag = _local(node)
        if node.get("isForCompensation") == "true":
            continue  # compensation handlers hang off an association, not a flow
        if node_id not in has_in and tag not in _NO_INCOMING_OK and not _is_link_catch(node):
            problems.append(
                _node_problem(node, file_name, "no flow leads to it", "没有连线指向此元素，无法到达")
            )
        ends_here = tag in _NO_OUTGOING_OK or _is_link_throw(node) or (triggered and tag == "endEvent")
        if node_id not in has_out and not ends_here:
            problems.append(_node_problem(node, file_name, "no flow leaves it (a dead end)", _DEAD_END_ZH))
    return problems


def _is_link_catch(node: etree._Element) -> bool:
    return _local(node) == "intermediateCatchEvent" and node.find("bpmn:linkEventDefinition", NS) is not None


def _is_link_throw(node: etree._Element) -> bool:
    return _local(node) == "intermediateThrowEvent" and node.find("bpmn:linkEventDefinition", NS) is not None


def _node_problem(node: etree._Element, file_name: str, en: str, zh: str) -> Problem:
    return Problem(
        f"{_local(node)} {node.get('id')}: {en}",
        file_name,
        node.sourceline,
        node.get("id"),
        node.get("name"),
        message_zh=f"{node.get('name') or node.get('id')}：{zh}",
    )
