"""Each deadline of the penalty procedure, the legal review and publicity names the rule behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from workflows import load_definitions

BPMN = Path(__file__).parents[2] / "bpmn"
PROCESSES = ("penalty_procedure", "major_decision_review", "enforcement_publicity")
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


@pytest.mark.parametrize("process", PROCESSES)
def test_every_deadline_timer_names_its_legal_basis(process: str) -> None:
    root = etree.parse(str(BPMN / f"{process}.bpmn")).getroot()
    timers = root.xpath("//bpmn:*[bpmn:timerEventDefinition/bpmn:timeDate]", namespaces=NS)
    assert timers
    missing = [
        t.get("id")
        for t in timers
        if not t.xpath(
            "bpmn:extensionElements/s:properties/s:property[@name='legalBasis']/@value", namespaces=NS
        )
        and "PT" not in "".join(t.xpath("bpmn:timerEventDefinition/bpmn:timeDate/text()", namespaces=NS))
    ]
    assert missing == []
