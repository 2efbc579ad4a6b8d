"""The bureau's own diagrams draw in both layouts, and a dot ranking failure never stops a diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz
import pytest

from workflows.graph import DOT_RETRIES, build_graph, render_svg

BPMN = Path(__file__).parents[2] / "bpmn"
SOURCES = {p.name: p.read_text(encoding="utf-8") for p in [*BPMN.glob("*.bpmn"), *BPMN.glob("*.dmn")]}
PROCESSES = sorted(p.stem for p in BPMN.glob("*.bpmn"))


@pytest.mark.parametrize("layout", ["auto", "bpmn"])
@pytest.mark.parametrize("process", PROCESSES)
def test_every_bureau_process_draws(process: str, layout: str) -> None:
    svg = render_svg(build_graph(SOURCES, process, layout=layout))  # type: ignore[arg-type]
    assert "<svg" in svg
    assert svg.rstrip().endswith("</svg>")


def test_a_ranking_failure_is_retried_with_another_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    real_pipe = graphviz.Digraph.pipe
    tried: list[dict[str, str]] = []

    def flaky_pipe(self: graphviz.Digraph, *args: Any, **kwargs: Any) -> Any:
        tried.append(dict(self.graph_attr))
        if "newrank" not in self.graph_attr:
            raise graphviz.CalledProcessError(1, ["dot"], stderr="Error: trouble in init_rank")
        return real_pipe(self, *args, **kwargs)

    monkeypatch.setattr(graphviz.Digraph, "pipe", flaky_pipe)
    svg = render_svg(build_graph(SOURCES, "complaint_handling"))
    assert "<svg" in svg
    assert len(tried) == 2
    assert tried[1]["newrank"] == DOT_RETRIES[0]["newrank"]


def test_a_graph_no_ranking_can_draw_still_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_pipe(self: graphviz.Digraph, *args: Any, **kwargs: Any) -> Any:
        raise graphviz.CalledProcessError(1, ["dot"], stderr="Error: trouble in init_rank")

    monkeypatch.setattr(graphviz.Digraph, "pipe", broken_pipe)
    with pytest.raises(graphviz.CalledProcessError):
        render_svg(build_graph(SOURCES, "complaint_handling"))
