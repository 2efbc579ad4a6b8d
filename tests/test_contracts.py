"""Contracts between the data folders and the code: diagrams, forms and roles fit together."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from forms import FormRegistry
from service.config import DefaultConfig
from workflows import load_definitions

ROOT = Path(__file__).resolve().parent.parent
BPMN = ROOT / "bpmn"
FORMS = FormRegistry.from_directory(ROOT / "forms" / "definitions")
MODEL = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
FLOW_NODES = {
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
}
DIAGRAMS = sorted(BPMN.glob("*.bpmn"))


def _files() -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8") for p in sorted(BPMN.glob("*")) if p.suffix in {".bpmn", ".dmn"}
    }


def test_every_diagram_loads_with_known_roles_and_forms() -> None:
    definitions = load_definitions(
        _files(), form_exists=lambda key: key in FORMS, role_exists=lambda role: role in DefaultConfig.ROLES
    )
    assert {p.stem for p in DIAGRAMS} <= set(definitions)


def test_every_shipped_form_is_used_by_a_diagram() -> None:
    definitions = load_definitions(_files())
    used = {key for definition in definitions.values() for key in definition.form_keys()}
    assert sorted(set(FORMS.keys()) - used) == []


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_diagram_draws_every_flow_node_and_flow(path: Path) -> None:
    root = ET.parse(path).getroot()  # noqa: S314  (our own repository file)
    drawn = {shape.get("bpmnElement") for shape in root.iter(f"{DI}BPMNShape")}
    edges = {edge.get("bpmnElement") for edge in root.iter(f"{DI}BPMNEdge")}
    nodes = [
        e.get("id") for e in root.iter() if e.tag.startswith(MODEL) and e.tag[len(MODEL) :] in FLOW_NODES
    ]
    flows = [e.get("id") for e in root.iter(f"{MODEL}sequenceFlow")]
    assert [n for n in nodes if n not in drawn] == []
    assert [f for f in flows if f not in edges] == []


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_element_ids_are_meaningful_snake_case_and_names_chinese(path: Path) -> None:
    root = ET.parse(path).getroot()  # noqa: S314  (our own repository file)
    generated = [
        e.get("id")
        for e in root.iter()
        if e.tag.startswith(MODEL)
        and (e.get("id") or "").split("_")[0]
        in {"Activity", "Gateway", "Event", "Flow", "StartEvent", "EndEvent", "Task"}
    ]
    assert generated == []
    tasks = [
        e
        for e in root.iter()
        if e.tag.startswith(MODEL) and e.tag[len(MODEL) :] in {"userTask", "scriptTask"}
    ]
    for task in tasks:
        assert task.get("id", "").islower() or "_" in task.get("id", ""), task.get("id")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in task.get("name") or ""), task.get("id")
