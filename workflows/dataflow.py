"""Find names in conditions, scripts and other expressions that the case cannot hold at that point.

The data a case can have at an element is what its start form, the messages that start it and
the callers that call it bring, plus what every element that can run before it produces: form
fields of user tasks, names a script assigns, outputs of the DMN tables business-rule tasks call,
message variables, numbers the service assigns, and everything a called process or an embedded
sub-process produces. The analysis over-approximates (all branches, loops, parallel paths), so it
only reports names that no path can have set: typos and names of data that does not exist yet.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from .bpmn_xml import NS, SPIFF_NS, is_dmn
from .errors import Problem
from .expressions import build_helpers
from .sandbox import SAFE_BUILTINS

FormFields = Callable[[str], "set[str] | None"]
# Set by the service on every case it starts from another instance (service/operations/messages.py).
ROUTER_NAMES = frozenset({"source_instance_id", "source_process"})
_CONSTANTS = frozenset({"True", "False", "None"})
_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
_WHAT = {
    "condition": ("condition", "条件"),
    "script": ("script", "脚本"),
    "preScript": ("pre-script", "前置脚本"),
    "postScript": ("post-script", "后置脚本"),
    "dueDate": ("dueDate", "办理期限表达式"),
    "timer": ("timer", "定时器表达式"),
    "messagePayload": ("message payload", "消息内容"),
    "dmnInput": ("decision table input", "决策表输入"),
}


def helper_names() -> frozenset[str]:
    """Return every name an expression may use besides case data (helpers and safe builtins)."""
    from .bounded import BOUNDED_BUILTINS, RUNTIME_HELPERS  # noqa: PLC0415  (kept beside its only use)

    helpers = build_helpers(None)  # type: ignore[arg-type]  (only the names are read)
    return (
        frozenset(helpers)
        | frozenset(SAFE_BUILTINS)
        | frozenset(BOUNDED_BUILTINS)
        | frozenset(RUNTIME_HELPERS)
        | _CONSTANTS
    )


@dataclass
class _Process:
    process_id: str
    file_name: str
    element: etree._Element
    nodes: dict[str, etree._Element] = field(default_factory=dict)
    preds: dict[str, set[str]] = field(default_factory=dict)
    parent: dict[str, str | None] = field(default_factory=dict)


class _Analysis:
    def __init__(self, roots: Mapping[str, etree._Element], form_fields: FormFields) -> None:
        self.form_fields = form_fields
        self.processes: dict[str, _Process] = {}
        self.dmn_outputs: dict[str, set[str]] = {}
        self.dmn_inputs: dict[str, list[etree._Element]] = {}
        self.dmn_files: dict[str, str] = {}
        self.open = False  # set when some produced data cannot be known (an unknown form)
        for name, root in roots.items():
            if is_dmn(root):
                self._index_dmn(root, name)
            else:
                for element in root.iterfind("./bpmn:process", NS):
                    self.processes[element.get("id")] = self._index(element, name)
        self.messages = {
            m.get("id"): m.get("name") or ""
            for root in roots.values()
            for m in root.iterfind("./bpmn:message", NS)
        }
        self._produced: dict[str, frozenset[str]] = {}
        self._all: dict[str, frozenset[str]] = {}
        self._initial: dict[str, frozenset[str] | None] = {}

    def _index_dmn(self, root: etree._Element, file_name: str) -> None:
        for decision in root.iter(f"{{{etree.QName(root).namespace}}}decision"):
            decision_id = decision.get("id")
            self.dmn_files[decision_id] = file_name
            self.dmn_outputs[decision_id] = {
                o.get("name")
                for o in decision.iter(f"{{{etree.QName(root).namespace}}}output")
                if o.get("name")
            }
            self.dmn_inputs[decision_id] = list(
                decision.iter(f"{{{etree.QName(root).namespace}}}inputExpression")
            )

    def _index(self, element: etree._Element, file_name: str) -> _Process:
        process = _Process(element.get("id"), file_name, element)
        self._walk(process, element, None)
        for flow in element.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
            process.preds.setdefault(flow.get("targetRef", ""), set()).add(flow.get("sourceRef", ""))
        for boundary in element.iter(f"{{{NS['bpmn']}}}boundaryEvent"):
            process.preds.setdefault(boundary.get("id", ""), set()).add(boundary.get("attachedToRef", ""))
        return process

    def _walk(self, process: _Process, container: etree._Element, parent: str | None) -> None:
        for node in container:
            node_id = node.get("id") if isinstance(node.tag, str) else None
            tag = etree.QName(node).localname if node_id else ""
            if not node_id or tag in {"sequenceFlow", "laneSet", "extensionElements", "documentation"}:
                continue
            process.nodes[node_id] = node
            process.parent[node_id] = parent
            if tag in _CONTAINERS:
                self._walk(process, node, node_id)

    # What each element puts into the case data.
    def produced(self, process: _Process, node_id: str) -> frozenset[str]:
        key = f"{process.process_id}/{node_id}"
        if key not in self._produced:
            self._produced[key] = frozenset()  # guards recursion through loops of call activities
            self._produced[key] = frozenset(self._produce(process, process.nodes[node_id]))
        return self._produced[key]

    def _produce(self, process: _Process, node: etree._Element) -> set[str]:
        tag = etree.QName(node).localname
        names: set[str] = set()
        props = _properties(node)
        if "formKey" in props:
            fields = self.form_fields(props["formKey"])
            if fields is None:
                self.open = True
            names |= fields or set()
        names |= {
            pair.split("=", 1)[0].strip() for pair in props.get("assignNumbers", "").split(",") if "=" in pair
        }
        if tag == "scriptTask":
            names |= assigned_names(_text(node.find("bpmn:script", NS)))
        for script_tag in ("preScript", "postScript"):
            names |= assigned_names(
                _text(node.find(f"bpmn:extensionElements/{{{SPIFF_NS}}}{script_tag}", NS))
            )
        names |= {
            _text(v).strip() for v in node.findall(f".//{{{SPIFF_NS}}}messageVariable") if _text(v).strip()
        }
        if tag == "businessRuleTask":
            names |= self.dmn_outputs.get(
                _text(node.find(f".//{{{SPIFF_NS}}}calledDecisionId")).strip(), set()
            )
        if tag == "callActivity" and node.get("calledElement") in self.processes:
            names |= self.all_produced(node.get("calledElement", ""))
        if tag in _CONTAINERS:
            for child_id, parent in process.parent.items():
                if parent == node.get("id"):
                    names |= self.produced(process, child_id)
        return names

    def all_produced(self, process_id: str) -> frozenset[str]:
        if process_id not in self._all:
            self._all[process_id] = frozenset()
            process = self.processes[process_id]
            self._all[process_id] = frozenset().union(
                *(self.produced(process, n) for n, parent in process.parent.items() if parent is None)
            )
        return self._all[process_id]

    # What the case can hold when an element starts.
    def available(self, process: _Process, node_id: str) -> frozenset[str] | None:
        initial = self.initial(process.process_id)
        if initial is None:
            return None
        names = set(initial)
        current: str | None = node_id
        while current is not None:
            container = process.parent.get(current)
            if container is not None and process.nodes[container].get("triggeredByEvent") == "true":
                return frozenset(names | self.all_produced(process.process_id))
            for upstream in self._upstream(process, current):
                names |= self.produced(process, upstream)
            current = container
        return frozenset(names)

    def _upstream(self, process: _Process, node_id: str) -> set[str]:
        seen: set[str] = set()
        stack = list(process.preds.get(node_id, ()))
        while stack:
            current = stack.pop()
            if current in seen or current not in process.nodes:
                continue
            seen.add(current)
            stack.extend(process.preds.get(current, ()))
        return seen

    def initial(self, process_id: str) -> frozenset[str] | None:
        if process_id not in self._initial:
            self._initial[process_id] = None  # a cycle of callers: unknown
            self._initial[process_id] = self._compute_initial(process_id)
        return self._initial[process_id]

    def _compute_initial(self, process_id: str) -> frozenset[str] | None:
        process = self.processes[process_id]
        names: set[str] = set(ROUTER_NAMES)
        declared = False  # does anything say what data a case of this process starts with?
        for node_id, node in process.nodes.items():
            if process.parent[node_id] is None and etree.QName(node).localname == "startEvent":
                names |= self.produced(process, node_id)
                declared |= bool({"formKey", "starterRoles"} & set(_properties(node)))
        for caller in self.processes.values():
            for node_id, node in caller.nodes.items():
                called = (
                    etree.QName(node).localname == "callActivity" and node.get("calledElement") == process_id
                )
                payload_keys = self._start_payload_keys(node, process_id)
                if called or payload_keys is not None:
                    at_caller = self.available(caller, node_id) if called else frozenset()
                    if at_caller is None or payload_keys == {"?"}:
                        return None
                    names |= at_caller | (payload_keys or set())
                    declared = True
        # Without a start form, starter roles, callers or start messages, API clients may start it
        # with any plain data (docs/conventions.md): its names cannot be checked. With starter roles
        # but no start form, the start page sends no data.
        return frozenset(names) if declared else None

    def _start_payload_keys(self, node: etree._Element, process_id: str) -> set[str] | None:
        """Return the keys a throw event's `start.<process>` payload carries ({'?'} if not a literal dict)."""
        for definition in node.iterfind("bpmn:messageEventDefinition", NS):
            if self.messages.get(definition.get("messageRef", "")) != f"start.{process_id}":
                continue
            payload = _text(definition.find(f".//{{{SPIFF_NS}}}messagePayload")).strip()
            try:
                tree = ast.parse(payload, mode="eval").body
            except SyntaxError:
                return {"?"}
            if not isinstance(tree, ast.Dict) or not all(isinstance(k, ast.Constant) for k in tree.keys):
                return {"?"}
            return {str(k.value) for k in tree.keys if isinstance(k, ast.Constant)}
        return None


def check_names(
    roots: Mapping[str, etree._Element], process_ids: Iterable[str], form_fields: FormFields
) -> list[Problem]:
    """Return a problem for every name an expression of these processes reads that cannot be set yet."""
    analysis = _Analysis(roots, form_fields)
    known = helper_names()
    problems: list[Problem] = []
    for process_id in process_ids:
        process = analysis.processes.get(process_id)
        if process is None:
            continue
        for node_id, source_node, what, mode, extra in _expressions(analysis, process):
            available = analysis.available(process, node_id)
            if available is None or analysis.open:
                continue
            names = available | known | extra
            problems.extend(_unknown(source_node, what, mode, names, process.file_name, node_id))
    return _unique(problems)


def _expressions(analysis: _Analysis, process: _Process):  # type: ignore[no-untyped-def]
    """Yield (element whose start is the evaluation point, XML node, kind, mode, extra names)."""
    bpmn = NS["bpmn"]
    for node_id, node in process.nodes.items():
        tag = etree.QName(node).localname
        if tag == "scriptTask" and node.find("bpmn:script", NS) is not None:
            yield node_id, node.find("bpmn:script", NS), "script", "exec", frozenset()
        pre = node.find(f"bpmn:extensionElements/{{{SPIFF_NS}}}preScript", NS)
        if pre is not None:
            yield node_id, pre, "preScript", "exec", frozenset()
        post = node.find(f"bpmn:extensionElements/{{{SPIFF_NS}}}postScript", NS)
        if post is not None:
            yield node_id, post, "postScript", "exec", analysis.produced(process, node_id)
        for prop in node.iterfind(
            f"bpmn:extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property", NS
        ):
            if prop.get("name") == "dueDate":
                yield node_id, prop, "dueDate", "eval", frozenset()
        timer_at = node.get("attachedToRef", node_id) if tag == "boundaryEvent" else node_id
        for timer in node.iterfind("bpmn:timerEventDefinition/*", NS):
            yield timer_at, timer, "timer", "eval", frozenset()
        for payload in node.iterfind(f"bpmn:messageEventDefinition//{{{SPIFF_NS}}}messagePayload", NS):
            yield node_id, payload, "messagePayload", "eval", frozenset()
        if tag == "businessRuleTask":
            decision = _text(node.find(f".//{{{SPIFF_NS}}}calledDecisionId")).strip()
            for expression in analysis.dmn_inputs.get(decision, []):
                yield node_id, expression, "dmnInput", "eval", frozenset()
    for flow in process.element.iter(f"{{{bpmn}}}sequenceFlow"):
        condition = flow.find("bpmn:conditionExpression", NS)
        source = flow.get("sourceRef", "")
        if condition is not None and source in process.nodes:
            yield source, condition, "condition", "eval", analysis.produced(process, source)


def _unknown(  # noqa: PLR0917  (private; one call site passes what it found)
    node: etree._Element, what: str, mode: str, names: frozenset[str], file_name: str, node_id: str
) -> list[Problem]:
    source = _text(node) if etree.QName(node).localname != "property" else node.get("value", "")
    if etree.QName(node).localname == "inputExpression":
        source = _text(node.find("{*}text"))
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)  # type: ignore[call-overload]
    except SyntaxError:
        return []  # the sandbox lint reports syntax errors
    bound = assigned_names_of(tree)
    owner = _owner(node)
    problems = []
    for name_node in ast.walk(tree):
        if not (isinstance(name_node, ast.Name) and isinstance(name_node.ctx, ast.Load)):
            continue
        name = name_node.id
        if name in names or name in bound:
            continue
        en, zh = _WHAT[what]
        close = difflib.get_close_matches(name, sorted(names - helper_names()), n=1)
        hint_en = f"; did you mean '{close[0]}'?" if close else ""
        hint_zh = f"，是否应为“{close[0]}”？" if close else ""
        line = (node.sourceline or 0) + name_node.lineno - 1 if node.sourceline else None
        problems.append(
            Problem(
                f"{en} reads '{name}', which the case cannot hold here: no form, script, decision "
                f"table, message or called process before this point sets it{hint_en}",
                file_name if etree.QName(node).localname != "inputExpression" else None,
                line,
                owner.get("id") if owner is not None else node_id,
                owner.get("name") if owner is not None else None,
                message_zh=f"{zh}中的变量“{name}”在此处不存在：此前没有表单、脚本、决策表、消息或调用的流程产生它{hint_zh}",
            )
        )
    return problems


def assigned_names(source: str) -> set[str]:
    """Return the names a script assigns (empty for a script that does not parse)."""
    try:
        return assigned_names_of(ast.parse(source))
    except SyntaxError:
        return set()


def assigned_names_of(tree: ast.AST) -> set[str]:
    """Return the names a parsed expression or script binds (assignments, loop and lambda variables)."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    return names | {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}


def _owner(node: etree._Element) -> etree._Element | None:
    current = node.getparent()
    while current is not None and not current.get("id"):
        current = current.getparent()
    return current


def _properties(node: etree._Element) -> dict[str, str]:
    found = node.iterfind(f"bpmn:extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property", NS)
    return {p.get("name"): p.get("value", "") for p in found if p.get("name")}


def _text(node: etree._Element | None) -> str:
    return "".join(node.itertext()) if node is not None else ""


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
