"""Diagram templates: laid out once per definition, recoloured per instance; BPMN layout on DI waypoints."""

from __future__ import annotations

import re
import shutil

import pytest
from lxml import etree

from tests.workflows.graph_cases import complete, graph_sources, run_to_first_return, start_workflow
from workflows.graph_reader import load_deployment
from workflows.graph_template import diagram_template, template_cache_stats
from workflows.trace import trace_workflow

pytestmark = pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def _groups(svg: str) -> dict[str, etree._Element]:
    root = etree.fromstring(svg.encode())
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}


def _variant(marker: str) -> dict[str, str]:
    """The demo sources with a harmless change, so the template cache has not seen them."""
    sources = graph_sources()
    end = "</bpmn:definitions>"
    sources["graph_demo.bpmn"] = sources["graph_demo.bpmn"].replace(end, f"<!-- {marker} -->\n{end}")
    return sources


@pytest.mark.parametrize("layout", ["auto", "bpmn"])
def test_a_definition_is_laid_out_once_and_recoloured_for_each_instance(layout: str) -> None:
    sources = _variant(f"once-{layout}")
    early = start_workflow()
    late = start_workflow()
    run_to_first_return(late)
    before = template_cache_stats()

    first = diagram_template(sources, "graph_demo", layout=layout).render(trace_workflow(early))
    second = diagram_template(sources, "graph_demo", layout=layout).render(trace_workflow(late))

    after = template_cache_stats()
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] == 1
    assert 'class="node zf-ready"' in _tag(first, "register")
    assert 'class="node zf-completed"' in _tag(second, "register")
    assert 'class="node zf-ready"' in _tag(second, "draft")
    assert 'fill="#ffcf5c"' in _group_text(second, "draft")  # the builder's "open" look


def _tag(svg: str, bpmn_id: str) -> str:
    match = re.search(rf'<g id="node-{bpmn_id}"[^>]*>', svg)
    assert match, f"no group for {bpmn_id}"
    return match.group(0)


def _group_text(svg: str, bpmn_id: str) -> str:
    return etree.tostring(_groups(svg)[f"node-{bpmn_id}"], encoding="unicode")


def test_every_flow_node_carries_the_contract_id_class_and_data_attribute() -> None:
    wf = start_workflow()
    run_to_first_return(wf)
    svg = diagram_template(graph_sources(), "graph_demo").render(trace_workflow(wf))

    groups = _groups(svg)
    process = load_deployment(graph_sources()).processes["graph_demo"]
    drawn = [n for n in process.nodes if f"node-{n.id}" in groups]
    assert len(drawn) >= 5
    for node in drawn:
        group = groups[f"node-{node.id}"]
        assert group.get("data-bpmn-id") == node.id
        assert re.fullmatch(r"node zf-(completed|ready|waiting|error|cancelled|future)", group.get("class"))
    taken = [g for g in groups.values() if g.get("class") == "edge zf-taken"]
    untaken = [g for g in groups.values() if g.get("class") == "edge zf-untaken"]
    assert taken
    assert untaken
    assert "图例" in "".join(etree.fromstring(svg.encode()).itertext())


def test_a_node_that_ran_twice_shows_its_count() -> None:
    wf = start_workflow()
    run_to_first_return(wf)
    complete(wf, "draft")
    trace = trace_workflow(wf)
    svg = diagram_template(graph_sources(), "graph_demo").render(trace)
    counted = [key for key, n in trace.counts.items() if n > 1]
    assert counted
    groups = _groups(svg)
    for scope, bpmn_id in counted:
        assert f"×{trace.counts[(scope, bpmn_id)]}" in "".join(groups[f"node-{bpmn_id}"].itertext())


def test_a_definition_diagram_is_plain_and_has_no_legend() -> None:
    svg = diagram_template(graph_sources(), "graph_demo", legend=False).render(None)
    assert "图例" not in "".join(etree.fromstring(svg.encode()).itertext())
    assert 'class="node zf-plain"' in _tag(svg, "register")
    assert "#fefefd" not in svg  # no sentinel colour survives
    assert "#010102" not in svg


def test_the_bpmn_layout_draws_flows_along_their_di_waypoints() -> None:
    sources = graph_sources()
    process = load_deployment(sources).processes["graph_demo"]
    bent = next(f for f in process.flows if len(f.waypoints) >= 3)
    svg = diagram_template(sources, "graph_demo", layout="bpmn").render(None)

    path = _groups(svg)[f"flow-{bent.id}"].find(f".//{SVG}path")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
    points = list(zip(numbers[0::2], numbers[1::2], strict=False))
    # Graphviz shifts the whole drawing; the path starts at the first DI waypoint.
    dx, dy = points[0][0] - bent.waypoints[0][0], points[0][1] - bent.waypoints[0][1]
    for x, y in bent.waypoints[1:-1]:  # every bend of the DI route is a corner of the drawn path
        assert (round(x + dx, 1), round(y + dy, 1)) in {(round(a, 1), round(b, 1)) for a, b in points}
