"""Every validation message has Chinese: each check of the loader, linter, sandbox, timer checks,
XSD and XML parsing and deploy is triggered for real, and its problem carries a Chinese message made
by a rule (not the fallback that keeps unknown third-party English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms import FormDefinitionError, parse_form
from workflows import load_definitions
from workflows.errors import BpmnValidationError, Problem
from workflows.lint import _check, timer_value_problem
from workflows.messages_zh import FALLBACK, chinese, known

BPMN = Path(__file__).parents[2] / "bpmn"
COMPLAINT = (BPMN / "complaint_handling.bpmn").read_text(encoding="utf-8")
DMN = {p.name: p.read_text(encoding="utf-8") for p in BPMN.glob("*.dmn")}
HAN = re.compile(r"[\u4e00-\u9fff]")
TASK = '<bpmn:userTask id="register_work_order"'
TIMER = "deadline_iso(transfer_due)"
SCRIPT = '<bpmn:script>order_status = "archived"'


def _problems(text: str | bytes, **files: str) -> list[Problem]:
    with pytest.raises(BpmnValidationError) as caught:
        load_definitions(
            {"complaint_handling.bpmn": text, **DMN, **files},
            form_exists=lambda key: key != "complaint_register",
            role_exists=lambda role: role != "hotline_liaison",
        )
    return caught.value.problems


def _assert_chinese(problem: Problem) -> None:
    zh = problem.as_dict()["message_zh"]
    assert HAN.search(zh), problem
    assert known(problem.message) or problem.message_zh != chinese(problem.message), problem
    assert not zh.startswith(FALLBACK), problem


DIAGRAMS = {
    "xsd: element not expected": COMPLAINT.replace(TASK, "<bpmn:bogus />" + TASK, 1),
    "xsd: attribute not allowed": COMPLAINT.replace(TASK, TASK + ' bogus="1"', 1),
    "xsd: invalid value": COMPLAINT.replace('isExecutable="true"', 'isExecutable="yes"', 1),
    "xml syntax": COMPLAINT[:-40],
    "doctype": COMPLAINT.replace("?>", "?><!DOCTYPE x>", 1),
    "too large": COMPLAINT + "<!--" + "x" * 3_000_000 + "-->",
    "not utf-8": COMPLAINT.encode("utf-16"),
    "condition: forbidden call": COMPLAINT.replace("remit_decision == ", "open('x') == ", 1),
    "script: import": COMPLAINT.replace(SCRIPT, "<bpmn:script>import os", 1),
    "timer: not quoted": COMPLAINT.replace(TIMER, "P5D", 1),
    "timer: not iso": COMPLAINT.replace(TIMER, "'soon'", 1),
    "timer: bad duration": COMPLAINT.replace(TIMER, "'2026-13-45T00:00:00'", 1),
    "forms, roles, starter roles": COMPLAINT,  # complaint_register and hotline_liaison are unknown here
}


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_problem_of_a_broken_diagram_has_its_chinese(name: str) -> None:
    problems = _problems(DIAGRAMS[name])
    assert problems
    for problem in problems:
        _assert_chinese(problem)


def test_a_forbidden_decision_table_cell_has_its_chinese() -> None:
    table = DMN["complaint_time_limits.dmn"]
    cell = re.search(r"<outputEntry id=\"[^\"]+\">\s*<text>([^<]+)</text>", table)
    assert cell
    broken = table.replace(cell.group(0), cell.group(0).replace(cell.group(1), "__import__('os')"), 1)
    (problem,) = _problems(COMPLAINT, **{"complaint_time_limits.dmn": broken})
    _assert_chinese(problem)
    assert problem.message_zh.startswith("决策表输出值：")


SOURCES = {
    "import os": "exec",
    "global x": "exec",
    "def f():\n    yield 1": "exec",
    "class A:\n    pass": "exec",
    "async def f():\n    pass": "exec",
    "open('x')": "eval",
    "2 ** n": "eval",
    "a.b = 1": "exec",
    "x.append(1)": "eval",
    "_secret": "eval",
    "x.__class__": "eval",
    "'{}'.format(1)": "eval",
    "{'typename': 1}": "eval",
    "'a' * 10 ** 10": "eval",
    "range(10 ** 9)": "eval",
    "(1 +": "eval",
    "1 +": "eval",
    "return 1": "exec",
    "'abc": "eval",
    "": "exec",
}


@pytest.mark.parametrize("source", SOURCES)
def test_every_sandbox_refusal_has_its_chinese(source: str) -> None:
    what = "script" if SOURCES[source] == "exec" else "condition"
    problem = _check(source, SOURCES[source], what, None, 1)
    assert problem is not None, source
    _assert_chinese(problem)


@pytest.mark.parametrize(
    ("value", "tag"),
    [("R/2026-01-01T00:00:00/PT0S", "timeCycle"), ("P5X", "timeDuration"), ("2026-02-30", "timeDate")],
)
def test_timer_value_problems_have_their_chinese(value: str, tag: str) -> None:
    problem = timer_value_problem(value, tag)
    assert problem is not None
    _assert_chinese(Problem(f"timer value {value!r}: {problem}"))


RUNTIME_LIMITS = [
    "list would have 2,000,000 items, over the limit of 1,000,000",
    "'**' would be an integer of 70,000 bits, over the limit of 65,536",
    "%-format width or precision is '*' or over the limit of 200",
    "format width or precision 900 is over the limit of 200",
    "fixed-point text of 1E+400 would be too long",
    "converting 1e400 to an integer would take too long (over 4300 digits)",
    "text of 5,000 characters is too long for int()",
    "range of 2000000 items is over the limit of 1000000",
    "sum() of lists or texts is not allowed; use a comprehension or join",
    "script or expression needed more memory than allowed and was stopped",
    "task data field 'len' has the name of a helper or builtin; rename the field",
    "expression is nested too deeply",
    "cannot parse: source code string cannot contain null bytes",
    "'nonlocal' is not allowed",
    "number series 'case' is not configured in numbering.yaml",
    "only .bpmn, .dmn and .yaml form files can be deployed",
    "call activity calls process 'gone', which is not in this deployment or deployed",
    "external message 'case_closed': unknown sender role(s) nobody",
    "cannot read diagram: No start event found",
    "invalid YAML: mapping values are not allowed here",
    "key 'complaint_register' is also in complaint_register.yaml",
    "Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}process': Missing child element(s). "
    "Expected is ( {http://www.omg.org/spec/BPMN/20100524/MODEL}startEvent ).",
    "Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}task': "
    "The attribute 'id' is required but missing.",
]


@pytest.mark.parametrize("message", RUNTIME_LIMITS)
def test_messages_of_limits_and_deploy_checks_have_their_chinese(message: str) -> None:
    _assert_chinese(Problem(message))


def test_a_message_no_rule_knows_keeps_its_english_after_a_chinese_lead_in() -> None:
    problem = Problem("Something SpiffWorkflow says in a later release")
    assert problem.as_dict()["message_zh"] == FALLBACK + problem.message
    assert Problem("x", message_zh="自写的中文").as_dict()["message_zh"] == "自写的中文"


def test_xsd_messages_name_elements_by_prefix_not_namespace() -> None:
    (problem,) = _problems(DIAGRAMS["xsd: attribute not allowed"])
    assert problem.message_zh == "元素 bpmn:userTask 不允许有属性 bogus（不符合 BPMN/DMN 架构）"


FORM = """key: demo_form
title: {zh: 示例, en: Demo}
fields:
  - name: amount
    type: money
    label: {zh: 金额, en: Amount}
    required: true
"""
FIELD = "    label: {zh: 金额, en: Amount}\n"
BROKEN_FORMS = {
    "yaml": FORM.replace("fields:", "fields: [", 1),
    "unknown key": FORM.replace(FIELD, FIELD + "    colour: red\n"),
    "required key": FORM.replace(FIELD, ""),
    "boolean": FORM.replace("required: true", "required: maybe"),
    "key and file name": FORM.replace("key: demo_form", "key: other_form"),
    "snake case": FORM.replace("name: amount", "name: Amount"),
    "field type": FORM.replace("type: money", "type: moneyy"),
    "duplicate field": FORM + FORM.split("fields:\n")[1],
    "negative money": FORM.replace(FIELD, FIELD + "    min: -1\n"),
    "min over max": FORM.replace(FIELD, FIELD + "    min: 10\n    max: 5\n"),
    "required default": FORM.replace(FIELD, FIELD + "    default: 5\n"),
    "bad default": FORM.replace(FIELD, FIELD + "    default: abc\n").replace(
        "required: true", "required: false"
    ),
    "not a mapping": "key: demo_form\ntitle: [1]\nfields: []\n",
}


@pytest.mark.parametrize("name", BROKEN_FORMS)
def test_every_form_definition_problem_has_its_chinese(name: str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        parse_form(BROKEN_FORMS[name], "demo_form.yaml")
    _assert_chinese(Problem(caught.value.message, "demo_form.yaml", caught.value.line))
