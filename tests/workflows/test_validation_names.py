"""Deploy-time validation: names in conditions and scripts must be data the case can hold there."""

from __future__ import annotations

import pytest

from tests.workflows.small_diagrams import Diagram, end, gateway, script_task, start, user_task
from workflows import BpmnValidationError, load_definitions

FORMS = {"start_form": {"received_on"}, "decide": {"decision"}, "note": {"remark"}}


def _load(diagram: Diagram) -> list[dict[str, object]]:
    try:
        load_definitions({f"{diagram.pid}.bpmn": diagram.xml()}, form_fields=FORMS.get)
    except BpmnValidationError as exc:
        return [p.as_dict() for p in exc.problems]
    return []


def _decision_flow(condition: str) -> Diagram:
    return (
        Diagram("names")
        .add("start", start(form="start_form"))
        .add("decide", user_task("decide", "decide"))
        .add("gw", gateway("gw", default="flow_gw_end_no"))
        .add("end_yes", end("end_yes"))
        .add("end_no", end("end_no"))
        .flow("start", "decide")
        .flow("decide", "gw")
        .flow("gw", "end_yes", condition)
        .flow("gw", "end_no")
    )


def test_a_condition_reading_form_data_of_an_earlier_task_is_valid() -> None:
    assert _load(_decision_flow('decision == "yes" and received_on != ""')) == []


def test_a_misspelt_variable_in_a_condition_is_reported_on_its_flow_with_a_suggestion() -> None:
    [problem] = _load(_decision_flow('decison == "yes"'))
    assert problem["element_id"] == "flow_gw_end_yes"
    assert problem["file"] == "names.bpmn"
    assert isinstance(problem["line"], int)
    assert "'decison'" in str(problem["message"])
    assert "did you mean 'decision'" in str(problem["message"])
    assert "“decison”" in str(problem["message_zh"])


def test_data_a_later_task_produces_is_unknown_before_it() -> None:
    diagram = (
        Diagram("later")
        .add("start", start(form="start_form"))
        .add("calc", script_task("calc", "due = remark + received_on"))
        .add("write", user_task("write", "note"))
        .add("end", end())
        .flow("start", "calc")
        .flow("calc", "write")
        .flow("write", "end")
    )
    [problem] = _load(diagram)
    assert (problem["element_id"], "'remark'" in str(problem["message"])) == ("calc", True)


@pytest.mark.parametrize(
    "script",
    [
        "total = 1\ndoubled = total * 2",  # assigned earlier in the same script
        "items = [x for x in range(3)]",  # comprehension variable
        "def f(day):\n    return day\nresult = f(today())",  # local function, helper
        "limit = add_workdays(received_on, 5, binds='party')",  # helper and start form data
    ],
)
def test_names_a_script_binds_itself_and_helpers_are_known(script: str) -> None:
    diagram = (
        Diagram("local")
        .add("start", start(form="start_form"))
        .add("calc", script_task("calc", script))
        .add("end", end())
        .flow("start", "calc")
        .flow("calc", "end")
    )
    assert _load(diagram) == []


def test_data_set_inside_a_loop_is_known_when_the_loop_comes_back() -> None:
    diagram = (
        Diagram("loop")
        .add("start", start(form="start_form"))
        .add("gw", gateway("gw", default="flow_gw_decide"))
        .add("decide", user_task("decide", "decide"))
        .add("end", end())
        .flow("start", "gw")
        .flow("gw", "decide")
        .flow("decide", "gw")
        .flow("gw", "end", 'decision == "done"')
    )
    assert _load(diagram) == []


def _call_activity(node_id: str, called: str) -> str:
    return f'<bpmn:callActivity id="{node_id}" name="调用" calledElement="{called}" />'


def test_data_a_called_process_produces_is_known_after_the_call_and_caller_data_inside_it() -> None:
    callee = (
        Diagram("callee")
        .add("start", start())
        .add("calc", script_task("calc", "outcome = received_on"))  # the caller's start form data
        .add("end", end())
        .flow("start", "calc")
        .flow("calc", "end")
    )
    caller = (
        Diagram("caller")
        .add("start", start(form="start_form"))
        .add("call", _call_activity("call", "callee"))
        .add("use", script_task("use", "summary = outcome + missing_name"))
        .add("end", end())
        .flow("start", "call")
        .flow("call", "use")
        .flow("use", "end")
    )
    try:
        load_definitions({"callee.bpmn": callee.xml(), "caller.bpmn": caller.xml()}, form_fields=FORMS.get)
    except BpmnValidationError as exc:
        problems = [p.as_dict() for p in exc.problems]
    else:
        problems = []
    assert [(p["element_id"], "'missing_name'" in str(p["message"])) for p in problems] == [("use", True)]
