"""The lean engine floor: SpiffWorkflow alone replaying the walked cases, restore + run + save per task.

Per completed task the floor restores the same state-only blob the service stores (spec kept out,
`workflows.serializer`; finished history compacted the same way, `workflows.compaction`, outside
the timing), runs the task with the same (already validated) data on the same diagram, runs the
engine steps and saves the blob again. Form validation, numbers, compaction and everything else
the service does happen outside the timed region, and the garbage collector is off inside it (a
full pass of the benchmark process's heap once put 178 ms into the floor's p95, which flattered the
service). This is the least any persistent engine must do.

This is, with `workflows/`, the one place that imports SpiffWorkflow: it measures the library itself.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from bench.walks import Case
from forms import FormRegistry
from workflows import ProcessDefinition, WorkCalendar, frozen_at
from workflows.compaction import compact
from workflows.deadlines import make_deadline_script_engine
from workflows.expressions import build_helpers
from workflows.serializer import dump_state, load_state


def replay_ms(
    cases: Iterable[Case],
    definitions: dict[str, ProcessDefinition],
    forms: FormRegistry,
    now: datetime,
    owners: dict[str, str],
) -> tuple[dict[str, list[float]], int]:
    """Replay every case on the raw engine; return milliseconds per completion by process, and misses."""
    engine = make_deadline_script_engine(build_helpers(WorkCalendar.from_file()))
    timings: dict[str, list[float]] = {}
    missed = 0
    for case in cases:
        with frozen_at(case.walked_at or now), _collector_off():  # frozen: the walk's deadlines
            replayed = _replay(case, definitions[case.process], forms, engine)
            missed += len(case.steps) - len(replayed)
            for step, ms in zip(case.steps, replayed, strict=False):
                timings.setdefault(owners.get(step.scope, step.scope), []).append(ms)
    return timings, missed


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    """The cheapest honest floor: no collector pause lands inside a case's replay; collect after it."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def _replay(case: Case, definition: ProcessDefinition, forms: FormRegistry, engine: Any) -> list[float]:
    spec, subprocesses = definition.spec, definition.subprocess_specs
    start_form = None if case.by_message else definition.start_form_key
    start_data = (
        forms.get(start_form).validate(dict(case.start_data)) if start_form else dict(case.start_data)
    )
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=engine)
    first = workflow.get_next_task(state=TaskState.READY)
    if first is not None:
        first.data.update(start_data)
    workflow.do_engine_steps()
    blob = dump_state(workflow)
    out: list[float] = []
    for index, step in enumerate(case.steps):
        if index in case.wakes:  # the walk fired the case's timers here (the timer worker): untimed
            workflow, blob = _fire_timers(blob, spec, subprocesses, engine, case.wakes[index])
        data = _cleaned(definition, forms, workflow, step.bpmn_id, step.data)
        if data is None:
            return out  # the raw engine went elsewhere (a start data value lost its type in JSON)
        t0 = time.perf_counter()
        workflow = load_state(blob, spec, subprocesses)
        workflow.script_engine = engine
        task = next(
            t
            for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == step.bpmn_id
        )
        task.data.update(data)
        try:
            task.run()
            workflow.do_engine_steps()
        except Exception:  # noqa: BLE001  (the service keeps such a step as an incident; the floor stops)
            return out
        ran = time.perf_counter() - t0
        compact(workflow)  # the blob the service stores is compacted (long cases): same blob, untimed
        t1 = time.perf_counter()
        blob = dump_state(workflow)
        out.append((ran + time.perf_counter() - t1) * 1000)
    return out


def _fire_timers(
    blob: Any, spec: Any, subprocesses: Any, engine: Any, due: datetime
) -> tuple[BpmnWorkflow, Any]:
    workflow = load_state(blob, spec, subprocesses)
    workflow.script_engine = engine
    with frozen_at(due + timedelta(microseconds=1)):  # like the service: a timer due at the instant fires
        workflow.refresh_waiting_tasks()
        workflow.do_engine_steps()
    compact(workflow)
    return workflow, dump_state(workflow)


def _cleaned(
    definition: ProcessDefinition,
    forms: FormRegistry,
    workflow: BpmnWorkflow,
    bpmn_id: str,
    sent: dict[str, Any],
) -> dict[str, Any] | None:
    """The validated data the service would hand the engine (numbers filled with stand-ins)."""
    task = next(
        (t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id),
        None,
    )
    if task is None:
        return None
    meta = definition.user_tasks.get((task.workflow.spec.name, bpmn_id))
    data = forms.get(meta.form_key).validate(dict(sent)) if meta and meta.form_key else {}
    for name in meta.assign_numbers if meta else ():
        data.setdefault(name, f"BENCH-{name}")
    return data
