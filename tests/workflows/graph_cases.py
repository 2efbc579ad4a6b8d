"""Run the small diagrams under tests/data/graph on raw SpiffWorkflow, for the trace and graph tests."""

from __future__ import annotations

from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

GRAPH_DATA = Path(__file__).parents[1] / "data" / "graph"
PAST = "2000-01-01T00:00:00+00:00"


def graph_sources() -> dict[str, str]:
    """Return file name -> XML text of every diagram in tests/data/graph."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(GRAPH_DATA.glob("*.bpmn"))}


def start_workflow(process_id: str = "graph_demo", sources: dict[str, str] | None = None) -> BpmnWorkflow:
    """Parse the sources, start the process and run its first engine steps."""
    parser = SpiffBpmnParser()
    for name, text in (sources or graph_sources()).items():
        parser.add_bpmn_str(text.encode("utf-8"), filename=name)
    wf = BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
    wf.do_engine_steps()
    return wf


def complete(wf: BpmnWorkflow, bpmn_id: str, **data: object) -> None:
    """Complete the one READY user task with this BPMN id, then run engine steps."""
    ready = [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
    assert len(ready) == 1, f"expected one READY {bpmn_id}, found {len(ready)}"
    ready[0].data.update(data)
    ready[0].run()
    wf.do_engine_steps()


def fire_timer(wf: BpmnWorkflow, bpmn_id: str) -> None:
    """Make a waiting timer due, then let the engine fire it."""
    for task in wf.get_tasks(state=TaskState.WAITING):
        if task.task_spec.bpmn_id == bpmn_id:
            task.internal_data["event_value"] = PAST
    wf.refresh_timers()
    wf.do_engine_steps()


def run_to_first_return(wf: BpmnWorkflow) -> None:
    """File the case, let the timer escalate, review, and send the first draft back."""
    complete(wf, "register", accept=True)
    fire_timer(wf, "remind_timer")
    complete(wf, "escalate")
    complete(wf, "legal_review")
    complete(wf, "draft")
    complete(wf, "approve", approved=False)


def run_to_end(wf: BpmnWorkflow) -> None:
    """Continue from the first return: redraft and approve."""
    complete(wf, "draft")
    complete(wf, "approve", approved=True)
