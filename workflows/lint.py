"""Check every expression and script in uploaded diagrams before anything runs them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .bpmn_xml import NS, SPIFF_NS, ElementInfo
from .errors import Problem, SandboxViolation
from .sandbox import SandboxEnvironment
from .sandbox_check import check_source
from .time_limit import time_limit

_ISO_LIKE = re.compile(r"^(R\d*/)?P(\d|T)|^\d{4}-\d{2}-\d{2}")
_TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")
_SPIFF_EXPRESSION_TAGS = {"messagePayload": "eval", "preScript": "exec", "postScript": "exec"}
# A dict holding this key is mistaken for a serialised object on restore (pitfall P6).
_RESERVED_KEY = "typename"


def lint_bpmn(root: etree._Element, elements: dict[str, ElementInfo]) -> list[Problem]:
    """Return a problem for every forbidden or malformed expression in a BPMN document."""
    problems: list[Problem] = []
    for node, source, mode, what in _bpmn_expressions(root):
        element = _owner(node, elements)
        problem = _check(source, mode, what, element, node.sourceline)
        if problem is None and what == "timer":
            problem = _check_timer(source, element, node.sourceline, etree.QName(node).localname)
        if problem is not None:
            problems.append(problem)
    return problems


def lint_dmn(root: etree._Element, file_name: str) -> list[Problem]:
    """Return a problem for every forbidden expression in a DMN decision table."""
    problems: list[Problem] = []
    for node in root.iter():
        tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if tag not in {"inputExpression", "inputEntry", "outputEntry"}:
            continue
        text = "".join(node.itertext()).strip()
        if not text or text == "-":
            continue
        source = text if tag != "inputEntry" else _dmn_entry_source(text)
        owner = node.getparent()
        element_id = owner.get("id") if owner is not None else None
        try:
            _verify(source, "eval")
        except SandboxViolation as exc:
            problems.append(
                Problem(f"DMN {tag}: {exc}", file_name, node.sourceline, element_id or node.get("id"))
            )
    return problems


def _dmn_entry_source(text: str) -> str:
    text = re.sub(r"\?", "dmn_input", text)
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return f"dmn_input {text}"
    return text


def _bpmn_expressions(root: etree._Element) -> Iterator[tuple[etree._Element, str, str, str]]:
    for node in root.iterfind(".//bpmn:conditionExpression", NS):
        yield node, node.text or "", "eval", "condition"
    for node in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        yield node, node.text or "", "exec", "script"
    for tag in _TIMER_TAGS:
        for node in root.iterfind(f".//bpmn:timerEventDefinition/bpmn:{tag}", NS):
            yield node, node.text or "", "eval", "timer"
    for tag, mode in _SPIFF_EXPRESSION_TAGS.items():
        for node in root.iter(f"{{{SPIFF_NS}}}{tag}"):
            yield node, node.text or "", mode, tag
    for node in root.iter(f"{{{SPIFF_NS}}}property"):
        if node.get("name") == "dueDate":
            yield node, node.get("value", ""), "eval", "dueDate"


def _owner(node: etree._Element, elements: dict[str, ElementInfo]) -> ElementInfo | None:
    current: etree._Element | None = node
    while current is not None:
        element = elements.get(current.get("id", ""))
        if element is not None:
            return element
        current = current.getparent()
    return None


def _check(
    source: str, mode: str, what: str, element: ElementInfo | None, line: int | None
) -> Problem | None:
    if not source.strip():
        return None if what == "condition" else _locate(f"empty {what}", element, line)
    try:
        _verify(source, mode)
    except SandboxViolation as exc:
        hint = _timer_hint(source) if what == "timer" else ""
        return _locate(f"{what}: {exc}{hint}", element, line, exc.line_number)
    return None


def _verify(source: str, mode: str) -> None:
    check_source(source, mode)  # type: ignore[arg-type]
    tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == _RESERVED_KEY:
            raise SandboxViolation(f"the string '{_RESERVED_KEY}' is reserved", getattr(node, "lineno", None))
    _refuse_oversized_constants(tree)


# Names a constant expression may use; its value is then known at deploy time.
_STATIC_NAMES = frozenset({"int", "round", "sum", "str", "float", "len", "Decimal", "list", "tuple", "range"})
_STATIC_ENV = SandboxEnvironment({"Decimal": Decimal})


def _refuse_oversized_constants(tree: ast.AST) -> None:
    """Evaluate the parts made of literals only (`'a' * 10**10`) and refuse those over the limits."""
    for node in _constant_parts(tree):
        try:
            with time_limit(0.5):
                _STATIC_ENV.evaluate(ast.unparse(node), {})
        except SandboxViolation as exc:
            raise SandboxViolation(
                f"{exc} (in {ast.unparse(node)[:80]})", getattr(node, "lineno", None)
            ) from None
        except Exception:  # noqa: BLE001, S112  (TypeError etc. are the diagram's own runtime errors)
            continue


def _constant_parts(tree: ast.AST) -> list[ast.expr]:
    """Return the largest subexpressions that compute something from literals and pure builtins only."""
    found: list[ast.expr] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp | ast.Call | ast.JoinedStr) and _is_static(node):
            found.append(node)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _is_static(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id not in _STATIC_NAMES:
            return False
        if isinstance(child, ast.Lambda | ast.comprehension | ast.NamedExpr | ast.Starred):
            return False
    return True


def _check_timer(source: str, element: ElementInfo | None, line: int | None, tag: str) -> Problem | None:
    tree = ast.parse(source.strip(), mode="eval").body
    if isinstance(tree, ast.Name) or (isinstance(tree, ast.BinOp) and _ISO_LIKE.match(source.strip())):
        return _locate(
            f"timer expression {source.strip()!r} is not a quoted string{_timer_hint(source)}", element, line
        )
    if isinstance(tree, ast.Constant) and isinstance(tree.value, str) and not _ISO_LIKE.match(tree.value):
        return _locate(
            f"timer value {tree.value!r} is not an ISO 8601 date, duration or cycle", element, line
        )
    if isinstance(tree, ast.Constant) and isinstance(tree.value, str):
        problem = timer_value_problem(tree.value.strip(), tag)
        return _locate(f"timer value {tree.value!r}: {problem}", element, line) if problem else None
    return None


def timer_value_problem(value: str, tag: str) -> str | None:
    """Say what is wrong with a timer's ISO 8601 text for its kind (timeDate/timeDuration/timeCycle)."""
    try:
        if tag == "timeDate":
            TimerEventDefinition.get_datetime(value)
        elif tag == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            _cycles, _start, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
            if duration <= timedelta(0):
                return "a cycle's interval must be longer than zero (it would fire on every poll)"
    except Exception as exc:  # noqa: BLE001  (Spiff raises bare Exception, ValueError, OverflowError, ...)
        return f"not a valid ISO 8601 {_TIMER_KINDS.get(tag, 'timer')} ({exc})"
    return None


_TIMER_KINDS = {"timeDate": "date-time", "timeDuration": "duration", "timeCycle": "repeating interval"}


def _timer_hint(source: str) -> str:
    text = source.strip()
    return f'; write it quoted, e.g. "{text}"' if _ISO_LIKE.match(text) else ""


def _locate(
    message: str, element: ElementInfo | None, line: int | None, inner_line: int | None = None
) -> Problem:
    absolute = line + inner_line - 1 if line and inner_line else line
    if element is None:
        return Problem(message, None, absolute)
    return Problem(message, element.file_name, absolute, element.element_id, element.name)
