"""Status diagrams: DOT text for definitions and instances, both layouts, escaping, and real renders."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from lxml import etree

from tests.workflows.graph_cases import graph_sources, run_to_end, run_to_first_return, start_workflow
from workflows.graph import build_graph
from workflows.graph_reader import load_deployment
from workflows.graph_text import wrap
from workflows.trace import Trace, trace_workflow

F = TypeVar("F", bound=Callable[..., Any])

OPEN_FILL = 'fillcolor="#ffcf5c"'
DONE_FILL = 'fillcolor="#dce6d6"'
CANCELLED_FILL = 'fillcolor="#e6e6e6"'
HEAVY = "penwidth=2.5"
LIGHT = 'color="#c8c8c8"'


def needs(binary: str) -> Callable[[F], F]:
    """Mark a test as a real Graphviz render and skip it when the binary is missing."""

    def decorate(func: F) -> F:
        skip = pytest.mark.skipif(shutil.which(binary) is None, reason=f"Graphviz {binary} is not installed")
        return pytest.mark.needs_dot(skip(func))  # type: ignore[no-any-return]

    return decorate


def dot_id(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f'"{name}"'


def node_line(source: str, name: str) -> str:
    """Return the attribute list of the node statement that carries the node's attributes."""
    match = re.search(rf"^\s*{re.escape(dot_id(name))} \[(.*)\]$", source, re.MULTILINE)
    assert match, f"no node statement for {name}"
    return match.group(1)


def edge_line(source: str, tail: str, head: str) -> str:
    match = re.search(rf"^\s*{re.escape(dot_id(tail))} -> {re.escape(dot_id(head))} \[(.*)\]$", source, re.M)
    assert match, f"no edge {tail} -> {head}"
    return match.group(1)


def block(source: str, opening: str) -> str:
    """Return the text of a `{ ... }` block that starts at `opening`."""
    start = source.index(opening)
    depth = 0
    for index in range(source.index("{", start), len(source)):
        depth += {"{": 1, "}": -1}.get(source[index], 0)
        if depth == 0:
            return source[start : index + 1]
    raise AssertionError(f"unbalanced block {opening}")


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return graph_sources()


@pytest.fixture(scope="module")
def mid_trace() -> Trace:
    wf = start_workflow()
    run_to_first_return(wf)
    return trace_workflow(wf)


@pytest.fixture(scope="module")
def end_trace() -> Trace:
    wf = start_workflow()
    run_to_first_return(wf)
    run_to_end(wf)
    return trace_workflow(wf)


def test_definition_diagram_draws_lanes_and_subprocess_as_clusters_without_legend(
    sources: dict[str, str],
) -> None:
    source = build_graph(sources, "graph_demo").source

    officer = block(source, "subgraph cluster_lane_lane_officer")
    leader = block(source, "subgraph cluster_lane_lane_squad_leader")
    assert "label=<执法队员>" in officer
    assert "register [" in officer
    decide = block(leader, "subgraph cluster_sp_decide")  # the sub-process sits inside its lane
    assert "label=<作出处理决定>" in decide
    assert all(f"{n} [" in decide for n in ("sp_start", "draft", "approve", "gw_approved", "sp_end"))
    assert "end_ok [" in leader
    assert "end_ok [" not in decide
    assert "cluster_legend" not in source
    assert "label=<演示案件处置>" in source


def test_font_is_set_on_graph_nodes_and_edges(sources: dict[str, str]) -> None:
    source = build_graph(sources, "graph_demo").source

    for kind in ("graph", "node", "edge"):
        assert re.search(rf'^\s*{kind} \[.*fontname="Noto Sans CJK SC"', source, re.M), kind


def test_shapes_markers_and_roles(sources: dict[str, str]) -> None:
    source = build_graph(sources, "graph_demo").source

    assert "shape=circle" in node_line(source, "start")
    assert "penwidth=3" in node_line(source, "end_ok")
    assert "xlabel=<结案>" in node_line(source, "end_ok")
    assert "shape=diamond" in node_line(source, "gw_check")
    assert "×" in node_line(source, "gw_check")
    assert "shape=diamond" in node_line(source, "split")
    assert ">+<" in node_line(source, "split")
    timer = node_line(source, "remind_timer")
    assert "◷" in timer
    assert "peripheries=2" in timer
    assert "xlabel=<超过15日>" in timer
    register = node_line(source, "register")
    assert 'style="filled,rounded"' in register
    assert "shape=box" in register
    assert 'POINT-SIZE="8">执法队员<' in register  # lane shown small under the name
    assert 'POINT-SIZE="8">中队长<' in node_line(source, "approve")  # role property, named by its lane
    assert "<BR/>" in register  # 登记案件信息并初步核查 is wrapped


def test_call_activity_has_a_thick_border_and_links_to_the_called_process(sources: dict[str, str]) -> None:
    plain = node_line(build_graph(sources, "graph_demo").source, "call_review")
    assert "penwidth=3.2" in plain
    assert "URL" not in plain
    assert "⊞ 调用" in plain

    linked = build_graph(sources, "graph_demo", link=lambda pid: f'/defs/{pid}?v=1&x="<y>"')
    line = node_line(linked.source, "call_review")

    assert 'URL="/defs/graph_review?v=1%26x=%22%3Cy%3E%22"' in line  # nothing SVG-breaking survives


def test_boundary_event_shares_its_activity_rank_with_a_dotted_stub(sources: dict[str, str]) -> None:
    source = build_graph(sources, "graph_demo").source

    same_rank = block(source, "{\n\t\t\trank=same")
    assert "investigate" in same_rank
    assert "remind_timer [" in same_rank
    assert "style=dotted" in edge_line(source, "investigate", "remind_timer")
    assert edge_line(source, "remind_timer", "escalate")


def test_flows_into_and_out_of_a_subprocess_are_clipped_at_its_cluster(sources: dict[str, str]) -> None:
    source = build_graph(sources, "graph_demo").source

    assert "lhead=cluster_sp_decide" in edge_line(source, "join", "sp_start")
    assert "ltail=cluster_sp_decide" in edge_line(source, "sp_end", "end_ok")
    assert "compound=true" in source


def test_instance_diagram_colours_nodes_by_state(sources: dict[str, str], mid_trace: Trace) -> None:
    source = build_graph(sources, "graph_demo", trace=mid_trace).source

    draft = node_line(source, "draft")
    assert OPEN_FILL in draft
    assert "penwidth=2.8" in draft
    assert DONE_FILL in node_line(source, "register")
    investigate = node_line(source, "investigate")
    assert CANCELLED_FILL in investigate
    assert "<S>调查取证</S>" in investigate
    assert "dashed" in node_line(source, "end_ok")
    assert "（未到达）" in node_line(source, "end_ok")
    assert DONE_FILL in node_line(source, "remind_timer")
    decide = block(source, "subgraph cluster_sp_decide")
    assert 'color="#d46b08"' in decide
    assert 'fillcolor="#fff4d6"' in decide


def test_only_travelled_flows_are_heavy(sources: dict[str, str], mid_trace: Trace) -> None:
    source = build_graph(sources, "graph_demo", trace=mid_trace).source

    for tail, head in [
        ("register", "gw_check"),
        ("remind_timer", "escalate"),
        ("call_review", "join"),
        ("gw_approved", "draft"),
        ("split", "investigate"),
    ]:
        assert HEAVY in edge_line(source, tail, head), (tail, head)
    for tail, head in [("gw_check", "end_rejected"), ("investigate", "merge_inv"), ("gw_approved", "sp_end")]:
        line = edge_line(source, tail, head)
        assert LIGHT in line, (tail, head)
        assert HEAVY not in line, (tail, head)
    assert HEAVY in edge_line(source, "join", "sp_start")  # into the sub-process
    assert LIGHT in edge_line(source, "sp_end", "end_ok")


def test_loop_nodes_show_how_often_they_ran(sources: dict[str, str], end_trace: Trace) -> None:
    source = build_graph(sources, "graph_demo", trace=end_trace).source

    assert ">×2</FONT>" in node_line(source, "draft")
    assert ">×2</FONT>" in node_line(source, "approve")
    assert "×2" in node_line(source, "gw_approved")  # in the gateway's outside label
    assert "×" not in node_line(source, "register").replace("（", "")
    assert DONE_FILL in node_line(source, "draft")


def test_legend_explains_every_state_in_chinese(sources: dict[str, str], mid_trace: Trace) -> None:
    legend = block(build_graph(sources, "graph_demo", trace=mid_trace).source, "subgraph cluster_legend")

    for text in (
        "图例",
        "已完成",
        "进行中/待办",
        "等待定时器或消息",
        "未到达",
        "已取消",
        "出错",
        "已走过的路径",
    ):
        assert f"{text}" in legend, text
    assert "<S>已取消</S>" in legend


def test_called_process_is_coloured_by_the_same_trace(sources: dict[str, str], mid_trace: Trace) -> None:
    source = build_graph(sources, "graph_review", trace=mid_trace).source

    assert DONE_FILL in node_line(source, "legal_review")
    assert HEAVY in edge_line(source, "review_start", "legal_review")


def test_names_with_quotes_brackets_and_ampersands_are_escaped(
    sources: dict[str, str], mid_trace: Trace
) -> None:
    line = node_line(build_graph(sources, "graph_demo", trace=mid_trace).source, "approve")

    assert 'label=<审批 "A" &lt;b&gt;&amp;<BR/>' in line
    assert 'tooltip="审批 \\"A\\" <b>&（已完成）"' in line


NO_DI = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="bare" name="无布局">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_bpmn_layout_needs_di_for_every_node() -> None:
    with pytest.raises(ValueError, match="no BPMN-DI bounds for: e, s"):
        build_graph({"bare.bpmn": NO_DI}, "bare", layout="bpmn")
    assert "s -> e" in build_graph({"bare.bpmn": NO_DI}, "bare").source  # auto layout still works


def test_bpmn_layout_pins_nodes_at_their_di_positions(sources: dict[str, str], mid_trace: Trace) -> None:
    graph = build_graph(sources, "graph_demo", trace=mid_trace, layout="bpmn")
    source = graph.source

    assert graph.engine == "neato"
    assert "inputscale=72" in source
    assert "splines=true" in source
    register = node_line(source, "register")
    assert 'pos="310.0,-190.0!"' in register
    assert "width=1.389" in register
    assert "fixedsize=true" in register
    assert 'pos="-203.0' not in source
    assert 'pos="640.0,-203.0!"' in node_line(source, "remind_timer")
    officer = block(source, "subgraph cluster_lane_lane_officer")
    assert '"#corner/cluster_lane_lane_officer/a" [' in officer
    assert 'pos="158.0,-88.0!"' in officer
    decide = block(source, "subgraph cluster_sp_decide")
    assert "draft [" in decide
    assert "cluster_sp_decide" not in block(source, "subgraph cluster_lane_lane_squad_leader")
    assert 'pos="940.0,-565.0!"' in node_line(source, "#border/f_join_decide/head")
    assert HEAVY in edge_line(source, "join", "#border/f_join_decide/head")
    assert "cluster_legend" in source


def test_bpmn_layout_draws_a_subprocess_on_its_own_plane_as_one_node(sources: dict[str, str]) -> None:
    root = etree.fromstring(sources["graph_demo.bpmn"].encode())
    ns = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    inner = {"sp_start", "draft", "approve", "gw_approved", "sp_end"}
    main_plane = root.find(".//bpmndi:BPMNPlane", ns)
    own_plane = etree.SubElement(
        etree.SubElement(root, f"{{{ns['bpmndi']}}}BPMNDiagram", id="diagram_decide"),
        f"{{{ns['bpmndi']}}}BPMNPlane",
        id="plane_decide",
        bpmnElement="decide",
    )
    for shape in list(main_plane.findall("bpmndi:BPMNShape", ns)):
        if shape.get("bpmnElement") in inner:
            own_plane.append(shape)
    collapsed = {**sources, "graph_demo.bpmn": etree.tostring(root, encoding="unicode")}

    source = build_graph(collapsed, "graph_demo", layout="bpmn").source

    assert "cluster_sp_decide" not in source
    assert "draft [" not in source
    assert "⊞ 子流程" in node_line(source, "decide")
    assert edge_line(source, "join", "decide")


def test_unknown_process_is_a_lookup_error(sources: dict[str, str]) -> None:
    with pytest.raises(LookupError, match="nope"):
        build_graph(sources, "nope")


def test_parsed_model_is_cached_per_content_hash(sources: dict[str, str]) -> None:
    first = load_deployment(sources)

    assert load_deployment(dict(reversed(list(sources.items())))) is first
    changed = {
        **sources,
        "graph_review.bpmn": sources["graph_review.bpmn"].replace("法制审核意见", "审核意见"),
    }
    assert load_deployment(changed) is not first


def test_long_names_wrap_into_balanced_lines() -> None:
    assert wrap("登记案件信息并初步核查") == ["登记案件信息", "并初步核查"]
    assert wrap("调查取证") == ["调查取证"]
    assert wrap("Collect evidence and photos at the site") == ["Collect evidence and", "photos at the site"]
    assert all(len(line) <= 10 for line in wrap("房屋承重结构损坏认定及整改通知书送达签收并归档"))


HOSTILE = r"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="hostile" name="流程 &lt;x&gt; &amp; &quot;q&quot;">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane_x" name="&lt;/td&gt; 岗位 \N">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>t</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s" name="&lt;b&gt;"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="t" name="审批 &quot;A&quot; &lt;b&gt;&amp; \G \&quot; x&amp;amp;y">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:callActivity id="c" name="}{ ] [ ;" calledElement="hostile">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="e" name="结束\"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" name="&gt;" sourceRef="s" targetRef="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="c">
      <bpmn:conditionExpression>a &lt; b and c &gt; "d"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="c" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


@needs("dot")
def test_hostile_names_render_to_well_formed_svg() -> None:
    graph = build_graph({"hostile.bpmn": HOSTILE}, "hostile", link=lambda pid: f'/d/{pid}?a=1&b="<2>"\\N')

    svg = etree.fromstring(graph.pipe(format="svg"))  # raises if the SVG is not well-formed
    text = "".join(svg.itertext())

    assert '审批 "A" <b>&\n＼G ＼" x&amp;y' in text  # exact, apart from the full-width backslash
    assert "</td> 岗位 ＼N" in text
    assert "结束＼" in text
    assert "}{ ] [ ;" in text
    assert "<b>" in text
    assert 'a < b and\nc > "d"' in text


@needs("dot")
def test_instance_diagram_renders_to_svg_with_chinese_text(sources: dict[str, str], mid_trace: Trace) -> None:
    graph = build_graph(sources, "graph_demo", trace=mid_trace, link=lambda pid: f"/defs/{pid}")

    svg = etree.fromstring(graph.pipe(format="svg"))
    text = "".join(svg.itertext())

    for expected in ("演示案件处置", "起草决定书", "执法队员", "进行中/待办", '审批 "A" <b>&'):
        assert expected in text
    links = svg.findall(".//{http://www.w3.org/2000/svg}a")
    assert any(a.get("{http://www.w3.org/1999/xlink}href") == "/defs/graph_review" for a in links)


@needs("neato")
def test_bpmn_layout_renders_with_neato(sources: dict[str, str], mid_trace: Trace) -> None:
    graph = build_graph(sources, "graph_demo", trace=mid_trace, layout="bpmn")

    svg = etree.fromstring(graph.pipe(format="svg"))

    assert "起草决定书" in "".join(svg.itertext())
