"""Terminate end events: a case that ends early (移送公安, 终止) ends done, and its terminate event is
no message for the router."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.simple import TerminateEventDefinition
from SpiffWorkflow.util.task import TaskState


def ended_by_terminate(workflow: BpmnWorkflow) -> bool:
    """Tell whether a completed terminate end event ended the workflow (done, not cancelled)."""
    return any(
        isinstance(getattr(t.task_spec, "event_definition", None), TerminateEventDefinition)
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
    )


def is_terminate(event: BpmnEvent) -> bool:
    """Tell whether a pending workflow event is a terminate end event (not a thrown message)."""
    return isinstance(event.event_definition, TerminateEventDefinition)
