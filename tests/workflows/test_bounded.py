"""Single operations that would hang or balloon a worker are refused quickly; ordinary ones are unchanged."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from tests.workflows.scenario import Scenario, load_files
from workflows import BpmnValidationError, InstanceStatus, ScriptError, load_definitions
from workflows.errors import SandboxViolation
from workflows.expressions import build_helpers
from workflows.sandbox import SandboxEnvironment
from workflows.sandbox_check import check_source
from workflows.workcalendar import WorkCalendar

HOSTILE_EXPRESSIONS = [
    "int(Decimal('1e30000000')) > 0",
    "round(Decimal('1e30000000'))",
    "'%d' % Decimal('1e30000000')",
    "'%(n)i' % {'n': Decimal('1e30000000')}",
    "f'{Decimal(\"1e30000000\"):f}'",
    "f'{Decimal(\"1e-30000000\"):.2%}'",
    "'a' * 10**10",
    "10**10 * 'a'",
    "[0] * 10**9",
    "(0,) * 10**9",
    "b'x' * 10**9",
    "'x'.ljust(10**10)",
    "'x'.rjust(10**10)",
    "'x'.center(10**10)",
    "'1'.zfill(10**10)",
    "('\\t' * 1000).expandtabs(10**7)",
    "('a' * 1000).replace('a', 'b' * 10**4)",
    "('a' * 1000).replace('', 'b' * 10**4)",
    "('x' * 10**4).join(['y'] * 10**4)",
    "('a' * 10**4).translate({97: 'b' * 10**4})",
    "(1).to_bytes(10**10, 'big')",
    "f'{1:>10000000000}'",
    "f'{1:>{10**10}}'",
    "f'{\"x\"!r:^10000000000}'",
    "'%10000000000d' % 1",
    "'%.10000000000f' % 1.5",
    "'%*d' % (10**10, 1)",
    "((10**64) ** 64) ** 64",
    "1 << 10**9",
    "(2**64) ** 64 * (2**64) ** 64 * (2**64) ** 64",
    "sum([[0] * 1000] * 1000, [])",
    "int('9' * 100000)",
]
HOSTILE_SCRIPTS = [
    "s = 'ab'\nfor i in range(40):\n    s = s + s",
    "s = 'ab'\nfor i in range(40):\n    s += s",
    "s = [0]\nfor i in range(40):\n    s *= 2",
    "n = 3\nfor i in range(40):\n    n = n * n",
    "n = 3\nfor i in range(40):\n    n **= 2",
    "n = 1\nfor i in range(40):\n    n <<= 1000",
    "items = [[0]]\nfor i in range(40):\n    items[0] += items[0]",
    "items = [0]\nfor i in range(40):\n    items.extend(items)",
    "big = [0 for i in range(100000) for j in range(100000)]",
]


@pytest.fixture(scope="module")
def env() -> SandboxEnvironment:
    return SandboxEnvironment(build_helpers(WorkCalendar.from_file(None)))


def _refused_quickly(run: Any, seconds: float = 1.0) -> str:
    started = time.perf_counter()
    with pytest.raises(SandboxViolation) as refused:
        run()
    assert time.perf_counter() - started < seconds
    message = str(refused.value)
    assert any(word in message for word in ("limit", "memory", "longer than", "too long", "sum()"))
    return message


@pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS)
def test_expressions_that_would_hang_or_balloon_a_worker_are_refused(
    env: SandboxEnvironment, expression: str
) -> None:
    message = _refused_quickly(lambda: env.evaluate(expression, {}))
    assert "is not allowed" not in message or "sum()" in message  # refused for its size, not its syntax


@pytest.mark.parametrize("script", HOSTILE_SCRIPTS)
def test_scripts_that_grow_values_without_bound_are_stopped(env: SandboxEnvironment, script: str) -> None:
    # The size checks act at once; the wall limit (2 s) and the memory ceiling end the loops.
    _refused_quickly(lambda: env.execute(script, {}), seconds=6.0)


def test_the_memory_ceiling_stops_what_the_size_checks_do_not_foresee(env: SandboxEnvironment) -> None:
    if threading.active_count() != 1:
        pytest.skip("the ceiling is process-wide, so it applies only while the evaluation is the only thread")
    # Each list is small enough for the size checks; together they would take 8 GB.
    message = _refused_quickly(lambda: env.execute("x = [[0] * 1000000 for i in range(1000)]", {}), 6.0)
    assert "needed more memory than allowed" in message


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("a * 3 + b", {"a": 2, "b": 1}, 7),
        ("'ab' * 3", {}, "ababab"),
        ("[1] * 3 + [2]", {}, [1, 1, 1, 2]),
        ("2 ** 10 + (1 << 4)", {}, 1040),
        ("'%05.1f|%d|%s' % (3.14159, 42, 'x')", {}, "003.1|42|x"),
        ("'%(a)s-%(b)d' % {'a': 'x', 'b': 2}", {}, "x-2"),
        (
            "f'{amount:,.2f} 元 {code!r:>6}'",
            {"amount": Decimal("12345.6"), "code": "A"},
            "12,345.60 元    'A'",
        ),
        ("'x'.ljust(4, '.') + '1'.zfill(3) + 'a\\tb'.expandtabs(4)", {}, "x...001a   b"),
        ("', '.join(names).replace('李', '王')", {"names": ["李一", "张二"]}, "王一, 张二"),
        ("int(Decimal('12.7')) + round(Decimal('2.5')) + round(2.567, 2)", {}, 16.57),
        ("sum([1, 2, 3]) + sum([Decimal('0.5')], Decimal(1))", {}, Decimal("7.5")),
        ("(10).to_bytes(2, 'big')", {}, b"\x00\n"),
        ("d.replace(day=1)", {"d": date(2026, 12, 3)}, date(2026, 12, 1)),
        ("fine % 7", {"fine": 100}, 2),
    ],
)
def test_ordinary_expressions_keep_their_meaning(
    env: SandboxEnvironment, expression: str, data: dict[str, Any], expected: Any
) -> None:
    assert env.evaluate(expression, data) == expected


def test_in_place_list_operations_keep_their_meaning(env: SandboxEnvironment) -> None:
    context: dict[str, Any] = {"rows": [[1]]}
    env.execute("alias = rows[0]\nalias += [2]\nrows[0] *= 2\ncount = 1\ncount += 2\ncount **= 2", context)
    assert context["rows"] == [[1, 2, 1, 2]]
    assert context["alias"] == [1, 2, 1, 2]
    assert context["count"] == 9


@pytest.mark.parametrize(
    "source",
    ["as_date.shared = 1", "today.cache = {}", "del mask_record.x", "for add_days.y in [1]: pass"],
)
def test_no_script_can_leave_data_on_a_shared_helper(source: str) -> None:
    with pytest.raises(SandboxViolation, match="attribute"):
        check_source(source, "exec", reserved={"as_date", "today", "mask_record", "add_days"})


def test_a_value_one_case_computes_is_not_seen_by_the_next(env: SandboxEnvironment) -> None:
    first: dict[str, Any] = {}
    env.execute("def remember(x, seen=[]):\n    seen.append(x)\n    return len(seen)\nn = remember(1)", first)
    second: dict[str, Any] = {}
    env.execute(
        "def remember(x, seen=[]):\n    seen.append(x)\n    return len(seen)\nn = remember(1)", second
    )
    assert first["n"] == second["n"] == 1


def test_ordinary_expressions_stay_fast(env: SandboxEnvironment) -> None:
    # The bureau's diagrams run thousands of conditions per walk: the checks must cost microseconds.
    data = {"fine_amount": Decimal("20000.00"), "party_type": "individual", "days": 3, "name": "张三"}
    expressions = [
        "party_type == 'individual' and fine_amount > Decimal('10000')",
        "add_workdays('2026-09-28', days * 2 + 1)",
        "f'{name}（{fine_amount:,.2f} 元）'",
        "days * 3 + 1",
    ]
    for expression in expressions:
        env.evaluate(expression, data)  # compiled once, cached
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        for expression in expressions:
            env.evaluate(expression, data)
    per_evaluation = (time.perf_counter() - started) / (rounds * len(expressions))
    assert per_evaluation < 200e-6, f"{per_evaluation * 1e6:.1f} µs per evaluation"


TIMER_DIAGRAM = (Path(__file__).parents[1] / "data" / "bad" / "unquoted_timer.bpmn").read_text()


def _diagram(timer_tag: str, timer_text: str, condition: str | None = None) -> str:
    text = TIMER_DIAGRAM.replace(
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P15D</bpmn:timeDuration>',
        f'<bpmn:{timer_tag} xsi:type="bpmn:tFormalExpression">{escape(timer_text)}</bpmn:{timer_tag}>',
    )
    if condition is not None:
        text = text.replace(
            '<bpmn:sequenceFlow id="flow_timer_overdue" name="超期" sourceRef="timer_rectify" '
            'targetRef="end_overdue" />',
            '<bpmn:sequenceFlow id="flow_timer_overdue" name="超期" sourceRef="timer_rectify" '
            f'targetRef="end_overdue"><bpmn:conditionExpression>{escape(condition)}'
            "</bpmn:conditionExpression></bpmn:sequenceFlow>",
        )
    return text


def _problems(text: str) -> list[str]:
    try:
        load_definitions({"unquoted_timer.bpmn": text})
    except BpmnValidationError as exc:
        return [p.message for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("tag", "text", "words"),
    [
        ("timeDate", '"2026-13-45"', "month must be in 1..12"),
        ("timeDate", '"0001-01-01T00:00:00+14:00"', "out of range"),
        ("timeCycle", '"R/PT0S"', "longer than zero"),
        ("timeCycle", '"R5/PT0S"', "longer than zero"),
        ("timeDuration", '"P1X"', "not a valid ISO 8601 duration"),
    ],
)
def test_invalid_timer_values_are_refused_at_deploy(tag: str, text: str, words: str) -> None:
    problems = _problems(_diagram(tag, text))
    assert any(words in p and "timer value" in p for p in problems), problems


@pytest.mark.parametrize(
    ("tag", "text"), [("timeDate", '"2026-12-03T10:00:00+08:00"'), ("timeCycle", '"R3/PT1H"')]
)
def test_valid_timer_values_deploy(tag: str, text: str) -> None:
    assert _problems(_diagram(tag, text)) == []


@pytest.mark.parametrize(
    "condition",
    [
        "'a' * 10**10 == ''",
        "len([0] * 10**9) > 0",
        "'x'.ljust(10**10) == ''",
        "f'{1:>10000000000}' == ''",
        "int(Decimal('1e30000000')) > 0",
        "len(range(10**9)) > 0",
    ],
)
def test_oversized_constant_expressions_are_refused_at_deploy(condition: str) -> None:
    problems = _problems(_diagram("timeDuration", '"P15D"', condition))
    assert any("limit" in p or "too long" in p for p in problems), problems


def test_ordinary_constant_expressions_deploy() -> None:
    assert _problems(_diagram("timeDuration", '"P15D"', "'ab' * 3 == 'ababab' and int('12') == 12")) == []


def _case_flow(script: str | None = None, due: str | None = None) -> Scenario:
    files = load_files(Path(__file__).parents[1] / "data" / "acceptance")
    if script is not None:
        files["case_flow.bpmn"] = files["case_flow.bpmn"].replace(
            "investigation_due = str(add_workdays(as_date(received_on), 5))", escape(script)
        )
    if due is not None:
        files["case_flow.bpmn"] = files["case_flow.bpmn"].replace(
            'value="add_workdays(as_date(received_on), 3)"', f'value="{escape(due)}"'
        )
    return Scenario(files, "case_flow", None, now=datetime(2025, 9, 26, 1, 0, tzinfo=UTC))


@pytest.mark.parametrize("script", ["x = {}[1]", "x = {}[(1, 2)]", "x = [][5]", "x = int('x')"])
def test_script_errors_with_non_text_arguments_become_incidents_naming_the_step(script: str) -> None:
    scenario = _case_flow(script=script)
    scenario.complete("register_case", {"received_on": date(2025, 9, 26)})
    assert scenario.instance.status() is InstanceStatus.RUNNING
    (incident,) = scenario.instance.incidents()
    assert (incident.bpmn_id, incident.kind) == ("compute_deadlines", "script")
    assert isinstance(incident.message, str)
    assert incident.message.strip()


@pytest.mark.parametrize("due", ["5", "'not a date'", "[1]", "'0001-01-01T00:00:00+14:00'"])
def test_a_due_date_that_is_no_date_is_a_script_error_naming_the_task(due: str) -> None:
    scenario = _case_flow(due=due)
    with pytest.raises(ScriptError) as failed:
        scenario.complete("register_case", {"received_on": date(2025, 9, 26)})
    assert failed.value.element_id == "approve_filing"
    assert "dueDate" in failed.value.message
