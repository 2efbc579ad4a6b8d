"""Each deadline names its rule: the user tasks of penalty, review and publicity; every timer."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from workflows import load_definitions

BPMN = Path(__file__).parents[2] / "bpmn"
PROCESSES = ("penalty_procedure", "major_decision_review", "enforcement_publicity")
ALL_PROCESSES = (*PROCESSES, "load_bearing_case", "complaint_handling")
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "s": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def definitions() -> dict[str, object]:
    files = {p.name: p.read_bytes() for p in [*BPMN.glob("*.bpmn"), *BPMN.glob("*.dmn")]}
    return load_definitions(files)


@pytest.mark.parametrize("process", PROCESSES)
def test_every_user_task_with_a_due_date_names_its_legal_basis(process: str) -> None:
    tasks = definitions()[process].user_tasks.values()  # type: ignore[attr-defined]
    missing = [
        t.bpmn_id
        for t in tasks
        if t.file_name == f"{process}.bpmn" and t.due_expression and not t.legal_basis
    ]
    assert missing == []


@pytest.mark.parametrize("process", ALL_PROCESSES)
def test_every_deadline_timer_names_its_legal_basis(process: str) -> None:
    """The case page shows each running timer's basis; an escalation timer states its task's."""
    definition = definitions()[process]
    root = etree.parse(str(BPMN / f"{process}.bpmn")).getroot()
    timers = root.xpath("//bpmn:*[bpmn:timerEventDefinition/bpmn:timeDate]", namespaces=NS)
    assert timers
    missing = [
        t.get("id")
        for t in timers
        if not any(element == t.get("id") for _scope, element in definition.legal_bases)  # type: ignore[attr-defined]
        and "PT" not in "".join(t.xpath("bpmn:timerEventDefinition/bpmn:timeDate/text()", namespaces=NS))
    ]
    assert missing == []


def test_an_escalation_timer_without_its_own_basis_states_its_tasks() -> None:
    bases = definitions()["complaint_handling"].legal_bases  # type: ignore[attr-defined]
    by_element = {element: basis for (_scope, element), basis in bases.items()}
    assert by_element["timer_contact_overdue"] == by_element["first_contact"]
