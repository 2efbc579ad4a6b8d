"""Messages staff may record from outside (a court ruling, a revocation), as a diagram declares them.

A message catch event (intermediate or boundary event, or receive task) opts in with the Spiff
properties `externalMessage` = `true` and `senderRoles` = comma-separated role keys. Everything
else is internal: only the service routes it between instances. Names the router itself uses
(`start.*`, `started.*`, `case_closed`) can never be declared external.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from .bpmn_xml import NS, ElementInfo
from .errors import Problem

INTERNAL_PREFIXES = ("start.", "started.")
INTERNAL_NAMES = frozenset({"case_closed"})
_CATCHING = {"intermediateCatchEvent", "boundaryEvent", "receiveTask"}


@dataclass(frozen=True)
class ExternalMessage:
    """A message staff may record for an instance waiting on it, and who may record it."""

    name: str
    sender_roles: tuple[str, ...]
    elements: tuple[str, ...]  # the catch events that declare it


def is_internal(name: str) -> bool:
    """Tell whether a message name belongs to the router (never recorded by staff)."""
    return name.startswith(INTERNAL_PREFIXES) or name in INTERNAL_NAMES


def declared_external(
    roots: Mapping[str, etree._Element], elements: Iterable[ElementInfo]
) -> tuple[dict[str, ExternalMessage], list[Problem]]:
    """Collect the external messages the elements declare (by name), with the problems found."""
    found: dict[str, ExternalMessage] = {}
    problems: list[Problem] = []
    for element in elements:
        flag = element.properties.get("externalMessage", "").strip().lower()
        if not flag and "senderRoles" not in element.properties:
            continue
        name, problem = _checked(roots, element, flag)
        if problem is not None:
            problems.append(element.problem(problem))
            continue
        assert name is not None  # _checked returns a name or a problem
        roles = tuple(r.strip() for r in element.properties.get("senderRoles", "").split(",") if r.strip())
        known = found.get(name)
        if known is not None:
            roles = tuple(dict.fromkeys((*known.sender_roles, *roles)))
        found[name] = ExternalMessage(name, roles, (*(known.elements if known else ()), element.element_id))
    return found, problems


def _checked(
    roots: Mapping[str, etree._Element], element: ElementInfo, flag: str
) -> tuple[str | None, str | None]:
    if flag != "true":
        return None, "senderRoles needs externalMessage = true (or remove it)"
    if not element.properties.get("senderRoles", "").strip():
        return None, "an external message needs senderRoles: the roles that may record it"
    root = roots.get(element.file_name)
    node = _node(root, element.element_id) if root is not None else None
    name = _message_name(root, node) if root is not None and node is not None else None
    if element.tag not in _CATCHING or name is None:
        return None, "externalMessage belongs on a message catch event or a receive task"
    if is_internal(name):
        return None, f"message '{name}' is routed between instances and cannot be recorded by staff"
    return name, None


def _node(root: etree._Element, element_id: str) -> etree._Element | None:
    found = root.xpath(".//*[@id=$id]", id=element_id)
    return found[0] if found else None


def _message_name(root: etree._Element, node: etree._Element) -> str | None:
    ref = node.get("messageRef")
    if ref is None:
        refs = node.xpath("./bpmn:messageEventDefinition/@messageRef", namespaces=NS)
        ref = refs[0] if refs else None
    if ref is None:
        return None
    names = root.xpath("./bpmn:message[@id=$ref]/@name", namespaces=NS, ref=ref)
    return str(names[0]) if names else None
