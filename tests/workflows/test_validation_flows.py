"""Deploy-time validation: flows that point nowhere and dead ends are named with file, line and element."""

from __future__ import annotations

from tests.workflows.small_diagrams import Diagram, end, start, user_task
from workflows import BpmnValidationError, load_definitions


def _problems(diagram: Diagram) -> list[dict[str, object]]:
    try:
        load_definitions({f"{diagram.pid}.bpmn": diagram.xml()}, form_fields={"note": {"remark"}}.get)
    except BpmnValidationError as exc:
        return [p.as_dict() for p in exc.problems]
    return []


def test_a_flow_to_a_missing_element_names_the_flow_and_the_missing_target() -> None:
    diagram = (
        Diagram("dangling")
        .add("start", start())
        .add("write", user_task("write", "note"))
        .add("end", end())
        .flow("start", "write")
        .flow("write", "ending")  # a typo: there is no element "ending"
    )
    problems = _problems(diagram)
    flow = next(p for p in problems if p["element_id"] == "flow_write_ending")
    assert flow["file"] == "dangling.bpmn"
    assert isinstance(flow["line"], int)
    assert "targetRef 'ending'" in str(flow["message"])
    assert "“ending”在本流程中不存在" in str(flow["message_zh"])
    # the end event now has no way in, and the engine's own (misleading) message is not shown
    assert {p["element_id"] for p in problems} == {"flow_write_ending", "end"}


def test_a_task_without_an_outgoing_flow_is_a_dead_end() -> None:
    diagram = (
        Diagram("dead").add("start", start()).add("write", user_task("write", "note")).flow("start", "write")
    )
    [problem] = _problems(diagram)
    assert problem["element_id"] == "write"
    assert "dead end" in str(problem["message"])


def test_a_well_connected_diagram_passes() -> None:
    diagram = (
        Diagram("fine")
        .add("start", start())
        .add("write", user_task("write", "note"))
        .add("end", end())
        .flow("start", "write")
        .flow("write", "end")
    )
    assert _problems(diagram) == []
