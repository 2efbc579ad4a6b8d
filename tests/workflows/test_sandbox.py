"""Sandbox: escapes are refused before anything runs; ordinary expressions and scripts work."""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows import sandbox
from workflows.errors import SandboxViolation
from workflows.expressions import build_helpers
from workflows.sandbox import SAFE_BUILTINS, SandboxEnvironment, make_script_engine
from workflows.sandbox_check import check_source
from workflows.workcalendar import WorkCalendar

ESCAPES = [
    "().__class__.__mro__[1].__subclasses__()",
    "__import__('os')",
    "open('/etc/passwd')",
    "(lambda: 0).__globals__",
    "'{0.__class__}'.format(1)",
    "'{x.__class__}'.format_map({'x': 1})",
    "(x for x in []).gi_frame.f_globals",
    "[x for x in []].__class__",
    "getattr(1, '__class__')",
    "type(1)",
    "eval('1')",
    "exec('x = 1')",
    "compile('1', 'x', 'eval')",
    "vars()",
    "globals()",
    "dir()",
    "object()",
    "breakpoint()",
    "str.mro()",
    "9**9**9",
    "2 ** 65",
    "n ** 2 ** 3 ** 4",
    "f'{len.__self__}'",
    "dict(__builtins__=1)",
    "_",
]
SCRIPT_ESCAPES = [
    "import os",
    "from os import path",
    "class A:\n    pass",
    "def f():\n    yield 1",
    "async def f():\n    pass",
    "def f():\n    global x",
    "def f(_hidden):\n    return 1",
    "for _ in range(3):\n    pass",
    "try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    frame = err.with_traceback(None).tb_frame",
    "match 1:\n    case int(__class__=c):\n        pass",
    "n = 2\nn **= n",
    "x = 1\nreturn x",
    "x = (",
]


@pytest.fixture(scope="module")
def helpers() -> dict[str, Any]:
    return build_helpers(WorkCalendar())


@pytest.fixture
def environment(helpers: dict[str, Any]) -> SandboxEnvironment:
    return SandboxEnvironment(helpers)


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_expression_is_refused(source: str) -> None:
    with pytest.raises(SandboxViolation):
        check_source(source, "eval")


@pytest.mark.parametrize("source", ESCAPES + SCRIPT_ESCAPES)
def test_escape_script_is_refused_before_anything_runs(helpers: dict[str, Any], source: str) -> None:
    calls: list[int] = []
    environment = SandboxEnvironment({**helpers, "record": lambda: calls.append(1)})
    data = {"n": 2}
    with pytest.raises(SandboxViolation):
        environment.execute(f"record()\nstarted = True\n{source}", data)
    assert calls == []
    assert data == {"n": 2}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("().__class__", "attribute '__class__' is not allowed"),
        ("'{}'.format(1)", "attribute 'format' is not allowed"),
        ("open('x')", "calling 'open' is not allowed"),
        ("9**9**9", "'**' needs a number literal"),
        ("x.gi_code", "attribute 'gi_code' is not allowed"),
    ],
)
def test_violation_messages_say_what_is_wrong(source: str, message: str) -> None:
    with pytest.raises(SandboxViolation, match=re.escape(message)):
        check_source(source, "eval")


def test_violation_carries_the_line_number() -> None:
    with pytest.raises(SandboxViolation) as excinfo:
        check_source("a = 1\nb = 2\nc = ().__class__", "exec")
    assert excinfo.value.line_number == 3
    with pytest.raises(SandboxViolation) as excinfo:
        check_source("a = 1\nb = (", "exec")
    assert excinfo.value.line_number == 2


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("status in ('filed', 'closed')", True),
        ("amount > 1000 and not closed", True),
        ("f'案件{case_no}：{amount:.2f}'", "案件JD-7：1500.00"),
        ("[i * 2 for i in items if i > 1]", [4, 6]),
        ("{str(i): i for i in items}", {"1": 1, "2": 2, "3": 3}),
        ("sum(i for i in items)", 6),
        ("sorted(people, key=lambda p: p['age'])[0]['name']", "李四"),
        ("list(reversed(items))", [3, 2, 1]),
        ("max(items) + min(items) + abs(-1) + len(items)", 8),
        ("Decimal(fine) * Decimal('0.5')", Decimal("1000.000")),
        ("round(Decimal('2.675'), 2)", Decimal("2.68")),
        ("2 ** 10 + 4 ** 0.5", 1026.0),
        ("add_workdays(received_on, 7)", date(2025, 10, 14)),
        ("date(2025, 1, 1) + timedelta(days=3)", date(2025, 1, 4)),
        ("name.strip().upper()", "ZHANG"),
        ("'P15D'", "P15D"),
        ("f'{as_date(received_on):%Y年%m月%d日}'", "2025年09月28日"),
        ("datetime.strptime('2025-10-01 09:30', '%Y-%m-%d %H:%M').hour", 9),
        ("\n  amount > 10\n", True),
    ],
)
def test_allowed_expression_evaluates(
    environment: SandboxEnvironment, expression: str, expected: Any
) -> None:
    data = {
        "status": "filed",
        "amount": 1500,
        "closed": False,
        "case_no": "JD-7",
        "items": [1, 2, 3],
        "people": [{"name": "张三", "age": 40}, {"name": "李四", "age": 30}],
        "fine": "2000.00",
        "received_on": "2025-09-28",
        "name": " zhang ",
    }
    assert environment.evaluate(expression, data) == expected


def test_safe_builtins_are_exactly_the_documented_ones() -> None:
    expected = (
        "len min max sum abs round int float str bool list dict set tuple sorted any all range enumerate zip"
    )
    assert set(SAFE_BUILTINS) == {*expected.split(), "reversed"}


def test_other_builtins_are_not_there(environment: SandboxEnvironment) -> None:
    with pytest.raises(NameError):
        environment.evaluate("print", {})
    with pytest.raises(NameError):
        environment.evaluate("ValueError", {})


def test_task_data_cannot_replace_the_builtins(environment: SandboxEnvironment) -> None:
    data = {"__builtins__": {"len": lambda _: 42}}
    assert environment.evaluate("len([1])", data) == 1


def test_expression_cannot_change_task_data(environment: SandboxEnvironment) -> None:
    with pytest.raises(SandboxViolation, match="'append' changes data"):
        environment.evaluate("items.append(4)", {"items": [1]})


def test_field_named_like_a_helper_is_refused_only_where_used(environment: SandboxEnvironment) -> None:
    data = {"date": "2025-10-01", "x": 1}
    assert environment.evaluate("x + 1", data) == 2
    with pytest.raises(SandboxViolation, match="task data field 'date'"):
        environment.evaluate("date == '2025-10-01'", data)
    environment.execute("y = x + 1", data)
    assert data == {"date": "2025-10-01", "x": 1, "y": 2}


@pytest.mark.parametrize("script", ["today = 1", "len = 2", "def add_days():\n    return 1", "del now"])
def test_script_cannot_overwrite_a_helper(environment: SandboxEnvironment, script: str) -> None:
    with pytest.raises(SandboxViolation, match="cannot be assigned"):
        environment.execute(script, {})


def test_script_results_become_plain_task_data(environment: SandboxEnvironment) -> None:
    data: dict[str, Any] = {"fine": "2000.00", "received_on": "2025-09-28", "gone": 1}
    script = (
        "half = Decimal(fine) / 2\n"
        "due = add_workdays(received_on, 7)\n"
        "pair = (1, (2, 3))\n"
        "helper = lambda x: x\n"
        "def local():\n"
        "    return 1\n"
        "del gone\n"
        "note = f'罚款{half}元'\n"
    )
    environment.execute(script, data)
    assert data == {
        "fine": "2000.00",
        "received_on": "2025-09-28",
        "half": Decimal("1000.00"),
        "due": date(2025, 10, 14),
        "pair": [1, [2, 3]],
        "note": "罚款1000.00元",
    }


def test_script_does_not_change_values_shared_with_earlier_tasks(environment: SandboxEnvironment) -> None:
    evidence = [{"note": "old"}]
    data = {"evidence": evidence}
    environment.execute("evidence[0]['note'] = 'new'", data)
    assert data["evidence"] == [{"note": "new"}]
    assert evidence == [{"note": "old"}]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("s = {1, 2}", "'s' holds a set"),
        ("r = range(3)", "'r' holds a range"),
        ("g = (i for i in [1])", "'g' holds a generator"),
        ("x = float('nan')", "JSON cannot store"),
        ("d = {1: 'a'}", "keys must be str"),
        ("items = [1, len]", r"'items\[1\]' holds a builtin_function_or_method"),
        ("a = []\na.append(a)", "contains itself"),
    ],
)
def test_script_result_that_is_not_plain_data_is_refused(
    environment: SandboxEnvironment, script: str, message: str
) -> None:
    data = {"kept": 1}
    with pytest.raises(SandboxViolation, match=message):
        environment.execute(script, data)
    assert data == {"kept": 1}


def test_helper_names_are_checked(helpers: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="hide the builtin"):
        SandboxEnvironment({"len": len})
    with pytest.raises(ValueError, match="cannot be used"):
        SandboxEnvironment({"_secret": len})


def test_make_script_engine_returns_a_spiff_engine(helpers: dict[str, Any]) -> None:
    engine = make_script_engine(helpers)
    assert isinstance(engine, PythonScriptEngine)
    assert isinstance(engine.environment, SandboxEnvironment)


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="sandbox_demo" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to_compute" sourceRef="start" targetRef="compute" />
    <bpmn:scriptTask id="compute" name="计算">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="to_gateway" sourceRef="compute" targetRef="check_total" />
    <bpmn:exclusiveGateway id="check_total" default="to_small" />
    <bpmn:sequenceFlow id="to_big" sourceRef="check_total" targetRef="big_end">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="check_total" targetRef="small_end" />
    <bpmn:endEvent id="big_end" />
    <bpmn:endEvent id="small_end" />
  </bpmn:process>
</bpmn:definitions>
"""
GOOD_SCRIPT = "total = Decimal(amount) * 2\ndue = deadline_iso(add_workdays(received_on, 7))"


def run_diagram(tmp_path: Path, helpers: dict[str, Any], script: str, condition: str) -> BpmnWorkflow:
    path = tmp_path / "sandbox_demo.bpmn"
    path.write_text(BPMN.format(script=escape(script), condition=escape(condition)), encoding="utf-8")
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(path)])
    workflow = BpmnWorkflow(parser.get_spec("sandbox_demo"), script_engine=make_script_engine(helpers))
    workflow.get_tasks(spec_name="start")[0].data.update({"amount": "60.00", "received_on": "2025-09-28"})
    workflow.do_engine_steps()
    return workflow


def test_diagram_runs_script_and_condition_in_the_sandbox(tmp_path: Path, helpers: dict[str, Any]) -> None:
    workflow = run_diagram(tmp_path, helpers, GOOD_SCRIPT, "total > 100")
    assert workflow.is_completed()
    assert workflow.data["total"] == Decimal("120.00")
    assert workflow.data["due"] == "2025-10-14T23:59:59+08:00"
    finished = {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)}
    assert "big_end" in finished
    assert "small_end" not in finished


def test_diagram_with_forbidden_script_fails_before_running_it(
    tmp_path: Path, helpers: dict[str, Any]
) -> None:
    marker = tmp_path / "escaped"
    script = f"started = True\nopen({str(marker)!r}, 'w')"
    with pytest.raises(WorkflowTaskException) as excinfo:
        run_diagram(tmp_path, helpers, script, "True")
    assert excinfo.value.error_type == "SandboxViolation"
    assert isinstance(excinfo.value.__context__, SandboxViolation)
    assert excinfo.value.line_number == 2
    assert "calling 'open' is not allowed" in str(excinfo.value)
    task = excinfo.value.task
    assert task.state == TaskState.ERROR
    assert "started" not in task.data
    assert not marker.exists()


def test_diagram_with_forbidden_condition_fails(tmp_path: Path, helpers: dict[str, Any]) -> None:
    condition = "().__class__.__mro__[1].__subclasses__() and True"
    with pytest.raises(WorkflowTaskException) as excinfo:
        run_diagram(tmp_path, helpers, GOOD_SCRIPT, condition)
    assert isinstance(excinfo.value.__context__, SandboxViolation)
    assert "attribute '__class__' is not allowed" in str(excinfo.value.__context__)


def test_import_hook_for_c_code_only_serves_time_modules() -> None:
    # `date.strftime` imports `time` through the sandbox's builtins; nothing else may come through.
    assert sandbox._c_level_import("time").__name__ == "time"
    for name in ("os", "sys", "builtins", "importlib"):
        with pytest.raises(ImportError, match="not allowed"):
            sandbox._c_level_import(name)


def test_endless_script_is_stopped_by_the_time_limit() -> None:
    from workflows.time_limit import time_limit

    env = SandboxEnvironment({})
    with time_limit(0.2), pytest.raises(SandboxViolation, match="longer than"):
        env.execute("x = 0\nwhile True:\n    x = x + 1\n", {})
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match="longer than 2 s"):
        env.execute("while True:\n    pass\n", {})
    assert time.monotonic() - started < 5


def test_huge_ranges_are_refused() -> None:
    env = SandboxEnvironment({})
    with pytest.raises(SandboxViolation, match="range"):
        env.evaluate("sum(range(10**9))", {})
    assert env.evaluate("sum(range(100))", {}) == 4950
