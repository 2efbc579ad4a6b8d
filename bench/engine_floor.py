"""The raw-engine floor: SpiffWorkflow alone, one full serialise + restore per completed task.

This is the one place outside workflows/ that imports SpiffWorkflow: it measures the library
itself, as the baseline the service is compared against.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from forms import FormRegistry
from workflows.expressions import build_helpers
from workflows.sandbox import make_script_engine
from workflows.workcalendar import WorkCalendar


def _serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    registry.register(date, lambda d: {"v": d.isoformat()}, lambda d: date.fromisoformat(d["v"]))
    registry.register(Decimal, lambda d: {"v": str(d)}, lambda d: Decimal(d["v"]))
    return BpmnWorkflowSerializer(registry)


def engine_floor_ms(
    folder: Path,
    process_id: str,
    instances: int,
    task_data: Callable[[str, str], dict[str, Any]],
    forms: FormRegistry,
) -> list[float]:
    """Run `instances` cases on the raw engine; return milliseconds per completion (restore+run+save)."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(p) for p in folder.glob("*.bpmn")])
    parser.add_dmn_files([str(p) for p in folder.glob("*.dmn")])
    spec, subprocesses = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    # The diagrams call our helpers (add_workdays ...), so the floor gets the same script environment.
    script_engine = make_script_engine(build_helpers(WorkCalendar.from_file()))
    serializer = _serializer()
    timings: list[float] = []
    for _ in range(instances):
        workflow = BpmnWorkflow(spec, subprocesses, script_engine=script_engine)
        workflow.do_engine_steps()
        blob = serializer.serialize_json(workflow)
        while True:
            t0 = time.perf_counter()
            workflow = serializer.deserialize_json(blob)
            workflow.script_engine = script_engine
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            form_key = task.task_spec.extensions["properties"]["formKey"]
            data = forms.get(form_key).validate(task_data(form_key, task.task_spec.bpmn_id))
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            blob = serializer.serialize_json(workflow)
            timings.append((time.perf_counter() - t0) * 1000)
        assert workflow.is_completed()
    return timings
