"""Parse and validate a bundle of BPMN and DMN files into executable process definitions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import bpmn_xml
from .bpmn_xml import ElementInfo, XmlProblem
from .dataflow import FormFields, check_names
from .errors import BpmnValidationError, Problem
from .external_messages import ExternalMessage, declared_external
from .flow_check import check_flows
from .lint import lint_bpmn, lint_dmn

LANE_PREFIX = "lane_"


@dataclass(frozen=True)
class UserTaskMeta:
    """What the service needs to know about a user task, read from the diagram."""

    scope: str
    bpmn_id: str
    name: str
    role: str | None
    form_key: str | None
    due_expression: str | None
    warn_before_workdays: int | None
    file_name: str
    line: int | None
    assign_numbers: dict[str, str] = field(default_factory=dict)
    legal_basis: str | None = None


@dataclass(frozen=True)
class ProcessDefinition:
    """One executable process with everything it needs to run: its spec, called specs and files."""

    process_id: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    files: dict[str, str]
    user_tasks: dict[tuple[str, str], UserTaskMeta]
    element_names: dict[tuple[str, str], str]
    content_hash: str
    start_form_key: str | None = None
    # The `legalBasis` property of user tasks and timer events, by (scope, element id).
    legal_bases: dict[tuple[str, str], str] = field(default_factory=dict)
    # Role keys allowed to start the process by hand (`starterRoles` on its start event); () = not declared.
    starter_roles: tuple[str, ...] = ()
    external_messages: dict[str, ExternalMessage] = field(default_factory=dict)  # by message name

    def form_keys(self) -> set[str]:
        """Return every form key its user tasks (and its start event) name."""
        keys = {t.form_key for t in self.user_tasks.values() if t.form_key}
        return keys | {self.start_form_key} if self.start_form_key else keys


@dataclass
class _Bundle:
    roots: dict[str, etree._Element] = field(default_factory=dict)
    elements: dict[str, dict[str, ElementInfo]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def bundle_hash(files: Mapping[str, str]) -> str:
    """Return the SHA-256 over file names and contents, independent of order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def load_definitions(
    files: Mapping[str, str | bytes],
    *,
    form_exists: Callable[[str], bool] | None = None,
    role_exists: Callable[[str], bool] | None = None,
    form_fields: FormFields | None = None,
    check_names_of: Callable[[ProcessDefinition], bool] | None = None,
) -> dict[str, ProcessDefinition]:
    """Parse, validate and lint the files; return every executable process by id.

    With `form_fields` (form key -> field names), the names expressions read are checked against
    the data each process can hold there, for the processes `check_names_of` selects (None: all).

    Raises:
        BpmnValidationError: listing every problem found, each with file, line and element.
    """
    texts = {name: _text(name, content) for name, content in files.items()}
    bundle = _read(texts)
    bundle.problems.extend(_missing_called_processes(bundle))
    parser = _parse(bundle, texts) if not bundle.problems else None
    definitions = {} if parser is None else _definitions(parser, bundle, texts)
    for definition in definitions.values():
        bundle.problems.extend(_check_tasks(definition, form_exists, role_exists))
    if form_fields is not None and not bundle.problems:
        checked = [d.process_id for d in definitions.values() if check_names_of is None or check_names_of(d)]
        bundle.problems.extend(check_names(bundle.roots, checked, form_fields))
    if bundle.problems:
        raise BpmnValidationError(bundle.problems)
    return definitions


def _text(name: str, content: str | bytes) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BpmnValidationError([Problem("file is not UTF-8 text", name)]) from exc


def _read(texts: Mapping[str, str]) -> _Bundle:
    bundle = _Bundle()
    for name, text in texts.items():
        try:
            root = bpmn_xml.parse_xml(text, name)
        except XmlProblem as exc:
            bundle.problems.append(exc.problem)
            continue
        bundle.roots[name] = root
        if bpmn_xml.is_dmn(root):
            bundle.problems.extend(lint_dmn(root, name))
            continue
        index = {e.element_id: e for e in bpmn_xml.index_elements(root, name)}
        bundle.elements[name] = index
        bundle.problems.extend(lint_bpmn(root, index))
        bundle.problems.extend(check_flows(root, name))
    return bundle


def _missing_called_processes(bundle: _Bundle) -> list[Problem]:
    known = {pid for root in bundle.roots.values() for pid in bpmn_xml.process_names(root)}
    problems = []
    for name, root in bundle.roots.items():
        for node in root.iterfind(".//bpmn:callActivity", bpmn_xml.NS):
            called = node.get("calledElement")
            if called not in known:
                element = bundle.elements.get(name, {}).get(node.get("id", ""))
                message = (
                    f"call activity calls process '{called}', which is not in this deployment or deployed"
                )
                problems.append(
                    element.problem(message) if element else Problem(message, name, node.sourceline)
                )
    return problems


def _parse(bundle: _Bundle, texts: Mapping[str, str]) -> SpiffBpmnParser | None:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, root in bundle.roots.items():
        try:
            if bpmn_xml.is_dmn(root):
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
        except ValidationException as exc:
            bundle.problems.append(_from_validation(exc, name))
        except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError) as exc:
            bundle.problems.append(Problem(f"cannot read diagram: {exc}", name))
    return None if bundle.problems else parser


def _definitions(
    parser: SpiffBpmnParser, bundle: _Bundle, texts: Mapping[str, str]
) -> dict[str, ProcessDefinition]:
    definitions: dict[str, ProcessDefinition] = {}
    for name, root in bundle.roots.items():
        if bpmn_xml.is_dmn(root):
            continue
        process_names = bpmn_xml.process_names(root)
        for process_id in bpmn_xml.executable_process_ids(root):
            try:
                definitions[process_id] = _definition(
                    parser, bundle, texts, process_id, process_names[process_id]
                )
            except ValidationException as exc:
                bundle.problems.append(_from_validation(exc, name))
            except SpiffWorkflowException as exc:
                bundle.problems.append(Problem(str(exc), name, None, process_id))
    return definitions


def _definition(
    parser: SpiffBpmnParser, bundle: _Bundle, texts: Mapping[str, str], process_id: str, name: str
) -> ProcessDefinition:
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    used_files = _closure_files(parser, process_id, subprocess_specs)
    files = {f: texts[f] for f in sorted(used_files)}
    elements = [e for f in files if f in bundle.elements for e in bundle.elements[f].values()]
    scopes = {process_id, *subprocess_specs}
    in_scope = [e for e in elements if e.scope in scopes]
    external, problems = declared_external({f: bundle.roots[f] for f in files if f in bundle.roots}, in_scope)
    bundle.problems.extend(p for p in problems if p not in bundle.problems)
    return ProcessDefinition(
        process_id=process_id,
        name=name,
        spec=spec,
        subprocess_specs=subprocess_specs,
        files=files,
        user_tasks={(e.scope, e.element_id): _user_task(e) for e in in_scope if e.tag == "userTask"},
        element_names={(e.scope, e.element_id): e.name or e.element_id for e in in_scope},
        content_hash=bundle_hash(files),
        start_form_key=_start_property(in_scope, process_id, "formKey"),
        starter_roles=_role_list(_start_property(in_scope, process_id, "starterRoles") or ""),
        legal_bases=_legal_bases(in_scope),
        external_messages=external,
    )


def _legal_bases(elements: list[ElementInfo]) -> dict[tuple[str, str], str]:
    """`legalBasis` by (scope, element id); a boundary event without one states its activity's.

    An escalation timer on a task runs out when the task's own time limit does, so the task's
    basis is the timer's.
    """
    own = {
        (e.scope, e.element_id): e.properties["legalBasis"] for e in elements if "legalBasis" in e.properties
    }
    inherited = {
        (e.scope, e.element_id): own[(e.scope, e.attached_to)]
        for e in elements
        if e.attached_to and (e.scope, e.element_id) not in own and (e.scope, e.attached_to) in own
    }
    return own | inherited


def _start_property(elements: list[ElementInfo], process_id: str, name: str) -> str | None:
    """Return a Spiff property of the process's own start event(s), if one declares it."""
    return next(
        (
            e.properties[name]
            for e in elements
            if e.scope == process_id and e.tag == "startEvent" and name in e.properties
        ),
        None,
    )


def _role_list(text: str) -> tuple[str, ...]:
    """Parse `officer, squad_leader` into role keys, in order, without repeats."""
    return tuple(dict.fromkeys(role.strip() for role in text.split(",") if role.strip()))


def _closure_files(parser: SpiffBpmnParser, process_id: str, subprocess_specs: Mapping[str, Any]) -> set[str]:
    """Return the files a process runs with: its own, those of processes it calls, the DMN they use.

    Decisions are collected from every process in those files, so the files load again on their own.
    """
    files: set[str] = set()
    for pid in (process_id, *subprocess_specs):
        process_parser = parser.get_process_parser(pid)
        if process_parser is not None and process_parser.filename:
            files.add(process_parser.filename)
    decisions = {
        (node.text or "").strip()
        for process_parser in parser.process_parsers.values()
        if process_parser.filename in files
        for node in process_parser.node.iter(f"{{{bpmn_xml.SPIFF_NS}}}calledDecisionId")
    }
    for decision_id in decisions:
        dmn_parser = parser.dmn_parsers.get(decision_id)
        if dmn_parser is not None and dmn_parser.filename:
            files.add(dmn_parser.filename)
    return files


def _user_task(element: ElementInfo) -> UserTaskMeta:
    props = element.properties
    lane_role = (
        element.lane_id[len(LANE_PREFIX) :]
        if element.lane_id and element.lane_id.startswith(LANE_PREFIX)
        else None
    )
    warn = props.get("warnBefore")
    return UserTaskMeta(
        scope=element.scope,
        bpmn_id=element.element_id,
        name=element.name or element.element_id,
        role=props.get("role") or lane_role,
        form_key=props.get("formKey"),
        due_expression=props.get("dueDate"),
        warn_before_workdays=int(warn) if warn and warn.isdigit() else None,
        file_name=element.file_name,
        line=element.line,
        assign_numbers=_number_fields(props.get("assignNumbers", "")),
        legal_basis=props.get("legalBasis") or None,
    )


def _number_fields(text: str) -> dict[str, str]:
    """Parse `case_no=case, decision_no=penalty_decision` into {field: series}."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name.strip(): series.strip() for name, series in pairs}


def _check_tasks(
    definition: ProcessDefinition,
    form_exists: Callable[[str], bool] | None,
    role_exists: Callable[[str], bool] | None,
) -> list[Problem]:
    problems = []
    if definition.start_form_key and form_exists is not None and not form_exists(definition.start_form_key):
        problems.append(
            Problem(
                f"start form key '{definition.start_form_key}' does not resolve to a form",
                None,
                None,
                definition.process_id,
            )
        )
    for role in definition.starter_roles:
        if role_exists is not None and not role_exists(role):
            problems.append(
                Problem(
                    f"starterRoles names '{role}', which is not a known role",
                    None,
                    None,
                    definition.process_id,
                )
            )
    for message in definition.external_messages.values():
        unknown = [r for r in message.sender_roles if role_exists is not None and not role_exists(r)]
        if unknown:
            problems.append(
                Problem(
                    f"external message '{message.name}': unknown sender role(s) {', '.join(unknown)}",
                    None,
                    None,
                    message.elements[0],
                )
            )
    for task in definition.user_tasks.values():
        where = Problem("", task.file_name, task.line, task.bpmn_id, task.name)
        if not task.form_key:
            problems.append(
                _at(where, "user task has no formKey property", "用户任务没有设置表单（formKey）")
            )
        elif form_exists is not None and not form_exists(task.form_key):
            problems.append(
                _at(
                    where,
                    f"form key '{task.form_key}' does not resolve to a form",
                    f"表单“{task.form_key}”不存在",
                )
            )
        if not task.role:
            problems.append(
                _at(
                    where,
                    "user task has no role: put it in a lane_<role> lane or give it a role property",
                    "用户任务没有办理角色：请放入 lane_<角色> 泳道或设置 role 属性",
                )
            )
        elif role_exists is not None and not role_exists(task.role):
            problems.append(_at(where, f"role '{task.role}' is not a known role", f"角色“{task.role}”不存在"))
    return problems


def _at(where: Problem, message: str, message_zh: str | None = None) -> Problem:
    return Problem(
        message, where.file_name, where.line_number, where.element_id, where.element_name, message_zh
    )


def _from_validation(exc: ValidationException, default_file: str) -> Problem:
    line = exc.line_number if isinstance(exc.line_number, int) else None
    return Problem(
        str(exc.args[0]) if exc.args else str(exc),
        exc.file_name or default_file,
        line,
        exc.id or None,
        exc.name or None,
    )
