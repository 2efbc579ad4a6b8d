"""`zhifa bpmn lanes`: one lane per role, external parties as pools, and a drawing that stays put."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import DATA
from workflows.bpmn_xml import NS
from workflows.graph import build_graph, render_svg
from workflows.lanes_model import PARTIES, ROLE_LANES, LanesError
from workflows.lanes_xml import relane
from workflows.loader import load_definitions

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
DIAGRAMS = sorted(BPMN_DIR.glob("*.bpmn"))
DI = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI", "dc": "http://www.omg.org/spec/DD/20100524/DC"}
_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}


def _bundle() -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8") for p in BPMN_DIR.iterdir() if p.suffix in {".bpmn", ".dmn"}
    }


def _bounds(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", DI):
        b = shape.find("dc:Bounds", DI)
        found[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    return found


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and x + w <= ox + ow and oy <= y and y + h <= oy + oh


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_diagram_is_up_to_date_with_the_lanes_tool(path: Path) -> None:
    # A diagram edited without re-running `zhifa bpmn lanes FILE` fails here (what --check reports).
    text = path.read_text(encoding="utf-8")
    assert relane(text, path.name) == text, f"run: zhifa bpmn lanes bpmn/{path.name}"


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_node_lies_in_the_band_of_its_lane_and_no_shapes_overlap(path: Path) -> None:
    root = etree.fromstring(path.read_bytes())
    bounds = _bounds(root)
    lanes = {
        ref.text: lane.get("id")
        for lane in root.iterfind(".//bpmn:lane", NS)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS)
    }
    plain = []
    for node in root.iterfind("./bpmn:process//*[@id]", NS):
        tag = etree.QName(node).localname
        if tag in {"sequenceFlow", "laneSet", "lane"} or node.getparent().tag.endswith("extensionElements"):
            continue
        if not tag.endswith(("Event", "Task", "Gateway", "Process", "Activity")):
            continue
        assert node.get("id") in lanes, f"{node.get('id')} is in no lane"
        lane_box = bounds[lanes[node.get("id")]]
        box = bounds[node.get("id")]
        if tag in _CONTAINERS:
            continue
        centre = (box[0] + box[2] / 2, box[1] + box[3] / 2, 0, 0)
        assert _inside(centre, lane_box), f"{node.get('id')} is drawn outside {lanes[node.get('id')]}"
        if tag != "boundaryEvent":
            assert _inside(box, lane_box), f"{node.get('id')} sticks out of {lanes[node.get('id')]}"
            plain.append((node.get("id"), box))
    for (a, box_a), (b, box_b) in combinations(plain, 2):
        assert not _overlap(box_a, box_b), f"{a} and {b} overlap"
    for sub in root.xpath("./bpmn:process//bpmn:subProcess", namespaces=NS):
        inside = {n.get("id") for n in sub.iter() if n.get("id")}
        for node_id, box in plain:
            if node_id not in inside:
                assert not _overlap(box, bounds[sub.get("id")]), f"{node_id} overlaps {sub.get('id')}"


def test_every_user_task_lies_in_the_lane_of_its_role_and_roles_did_not_change() -> None:
    definitions = load_definitions(_bundle())
    before = json.loads((DATA / "lanes" / "roles_before.json").read_text(encoding="utf-8"))
    checked = 0
    for path in DIAGRAMS:
        root = etree.fromstring(path.read_bytes())
        lane_of = {
            ref.text: lane.get("id")
            for lane in root.iterfind(".//bpmn:lane", NS)
            for ref in lane.iterfind("bpmn:flowNodeRef", NS)
        }
        definition = definitions[path.stem]
        for (_scope, task_id), task in definition.user_tasks.items():
            if task.file_name != path.name:
                continue
            assert lane_of[task_id] == f"lane_{task.role}", task_id
            if f"{path.stem}:{task_id}" in before:
                assert before[f"{path.stem}:{task_id}"] == task.role, task_id
                checked += 1
    assert checked >= 140  # every user task of the five diagrams


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_pool_has_a_message_flow_and_every_message_flow_joins_a_pool_and_a_node(path: Path) -> None:
    root = etree.fromstring(path.read_bytes())
    pools = {
        p.get("id"): p.get("name")
        for p in root.iterfind(".//bpmn:participant", NS)
        if not p.get("processRef")
    }
    nodes = {n.get("id") for n in root.iterfind("./bpmn:process//*[@id]", NS)}
    used = set()
    for flow in root.iterfind(".//bpmn:messageFlow", NS):
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        assert len(ends & pools.keys()) == 1, flow.get("id")
        assert len(ends & nodes) == 1, flow.get("id")
        used |= ends & pools.keys()
    assert used == pools.keys()
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in pools.values())


def test_external_parties_of_the_bureau_are_drawn() -> None:
    parties = set()
    for path in DIAGRAMS:
        root = etree.fromstring(path.read_bytes())
        parties |= {p.get("id") for p in root.iterfind(".//bpmn:participant", NS) if not p.get("processRef")}
    expected = {
        "party",
        "appraisal_agency",
        "real_estate_registry",
        "credit_center",
        "hotline_platform",
        "court",
    }
    assert {f"pool_{p}" for p in expected} <= parties


def _complaint() -> str:
    return (BPMN_DIR / "complaint_handling.bpmn").read_text(encoding="utf-8")


def test_a_changed_role_moves_the_task_to_its_lane_and_a_second_run_changes_nothing() -> None:
    head, task = _complaint().split('id="reply_work_order"', 1)
    officer = '<spiffworkflow:property name="role" value="officer" />'
    text = head + 'id="reply_work_order"' + task.replace(officer, officer.replace("officer", "clerk"), 1)
    assert text != _complaint()
    once = relane(text)
    assert relane(once) == once
    root = etree.fromstring(once.encode())
    clerk = root.find(".//bpmn:lane[@id='lane_clerk']", NS)
    assert clerk is not None
    assert clerk.get("name") == ROLE_LANES["clerk"]
    assert "reply_work_order" in [r.text for r in clerk.iterfind("bpmn:flowNodeRef", NS)]
    bounds = _bounds(root)
    assert _inside(bounds["reply_work_order"], bounds["lane_clerk"])
    definitions = load_definitions(_bundle() | {"complaint_handling.bpmn": once})
    assert definitions["complaint_handling"].user_tasks[("handle_order", "reply_work_order")].role == "clerk"


def root_of(text: str) -> etree._Element:
    return etree.fromstring(text.encode())


def test_a_new_task_without_di_is_placed_in_its_lane_and_a_declared_party_gets_a_pool() -> None:
    text = _complaint()
    root = etree.fromstring(text.encode())
    # Drop every DI shape and edge: the tool must not need the old drawing.
    plane = root.find(".//bpmndi:BPMNPlane", DI)
    for child in list(plane):
        plane.remove(child)
    bare = etree.tostring(root, encoding="unicode")
    assert _bounds(etree.fromstring(relane(bare).encode())) == _bounds(root_of(relane(text)))
    court = text.replace(
        '<spiffworkflow:property name="formKey" value="complaint_transfer" />',
        '<spiffworkflow:property name="formKey" value="complaint_transfer" />\n'
        '          <spiffworkflow:property name="messageFrom" value="court" />',
    )
    drawn = etree.fromstring(relane(court).encode())
    flow = drawn.find(".//bpmn:messageFlow[@id='message_court_to_transfer_order']", NS)
    assert flow is not None
    assert flow.get("sourceRef") == "pool_court"
    assert drawn.find(".//bpmn:participant[@id='pool_court']", NS).get("name") == PARTIES["court"]


def test_an_unknown_party_or_role_is_refused() -> None:
    with pytest.raises(LanesError, match="unknown party 'press'"):
        relane(_complaint().replace('value="hotline_platform"', 'value="press"', 1))
    with pytest.raises(LanesError, match="role 'janitor' has no lane"):
        relane(_complaint().replace('name="role" value="officer"', 'name="role" value="janitor"', 1))


def test_message_flows_do_not_change_what_runs() -> None:
    text = _complaint()
    root = etree.fromstring(text.encode())
    collaboration = root.find("bpmn:collaboration", NS)
    for element in collaboration.xpath(
        "./bpmn:messageFlow | ./bpmn:participant[not(@processRef)]", namespaces=NS
    ):
        collaboration.remove(element)
    without = etree.tostring(root, encoding="unicode")
    with_pools = load_definitions(_bundle())["complaint_handling"]
    plain = load_definitions(_bundle() | {"complaint_handling.bpmn": without})["complaint_handling"]
    assert sorted(with_pools.spec.task_specs) == sorted(plain.spec.task_specs)
    assert {k: v.role for k, v in with_pools.user_tasks.items()} == {
        k: v.role for k, v in plain.user_tasks.items()
    }


@pytest.mark.parametrize("layout", ["bpmn", "auto"])
def test_status_diagrams_draw_the_pools_and_dashed_message_flows(layout: str) -> None:
    svg = render_svg(build_graph(_bundle(), "penalty_procedure", layout=layout))  # type: ignore[arg-type]
    assert "当事人" in svg
    assert "人民法院" in svg
    edge = re.search(r'<g id="message&#45;message_serve_decision_to_party".*?</g>', svg, re.DOTALL)
    assert edge is not None
    assert "stroke-dasharray" in edge.group(0)


def test_the_loader_reads_a_nested_tasks_role_from_the_process_lanes_and_a_role_property_wins() -> None:
    head, task = _complaint().split('id="reply_work_order"', 1)
    officer = '<spiffworkflow:property name="role" value="officer" />'
    without_role = head + 'id="reply_work_order"' + task.replace(officer, "", 1)
    other_role = (
        head + 'id="reply_work_order"' + task.replace(officer, officer.replace("officer", "squad_leader"), 1)
    )
    key = ("handle_order", "reply_work_order")
    lanes = load_definitions(_bundle() | {"complaint_handling.bpmn": without_role})
    assert lanes["complaint_handling"].user_tasks[key].role == "officer"  # listed in lane_officer
    relaned = relane(without_role)  # the tool keeps a role that only its lane gives
    assert (
        load_definitions(_bundle() | {"complaint_handling.bpmn": relaned})["complaint_handling"]
        .user_tasks[key]
        .role
        == "officer"
    )
    override = load_definitions(_bundle() | {"complaint_handling.bpmn": other_role})
    assert override["complaint_handling"].user_tasks[key].role == "squad_leader"


def test_the_declared_external_parties_are_still_there() -> None:
    # Merging someone's copy of a diagram must keep these `messageTo` / `messageFrom` properties
    # (tests/data/lanes/parties.json lists them); re-add any that are lost, then run the tool.
    declared = json.loads((DATA / "lanes" / "parties.json").read_text(encoding="utf-8"))
    for process_id, nodes in declared.items():
        root = etree.fromstring((BPMN_DIR / f"{process_id}.bpmn").read_bytes())
        for node_id, properties in nodes.items():
            (node,) = root.xpath(".//*[@id=$i]", i=node_id)
            found = {
                p.get("name"): p.get("value")
                for p in node.iterfind(
                    "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
                )
            }
            for name, value in properties.items():
                assert found.get(name) == value, f"{process_id}: {node_id} lost {name}={value}"
