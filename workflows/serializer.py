"""Serialise an instance's state without its definition, and restore it against a cached spec.

The default SpiffWorkflow blob embeds the whole process spec (over half its size, pitfall P7). We
write only the spec's name; the service pins the definition version by content hash and hands the
parsed spec back on restore, so one spec object is shared by every loaded instance.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import deep_workflow  # noqa: F401  (lifts the iterator depth limit before any workflow runs)
from .compaction import HISTORY_ATTR

SERIALIZER_VERSION = "1.5"

_restore_context = threading.local()
_DONE = TaskState.COMPLETED | TaskState.CANCELLED
_ABSENT = object()


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Workflow converter that writes spec names instead of specs and re-attaches them on load."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        spec, subprocess_specs = workflow.spec, workflow.subprocess_specs
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["spec"] = spec.name
        dct["subprocess_specs"] = sorted(subprocess_specs)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        history = getattr(workflow, HISTORY_ATTR, None)
        if history:  # only cases whose history was compacted carry it
            dct["history"] = history
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec: BpmnProcessSpec = _restore_context.spec
        subprocess_specs: Mapping[str, BpmnProcessSpec] = _restore_context.subprocess_specs
        if dct.pop("spec") != spec.name:
            raise ValueError("stored state belongs to another process definition")
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(spec, dict(subprocess_specs), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        stored_order = {key: n for n, key in enumerate(dct["subprocesses"])}
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        # Restore walks the task tree, which may differ from the order the sub-processes started in
        # (parallel branches each starting one): keep the stored order so a dump repeats exactly.
        workflow.subprocesses = dict(
            sorted(workflow.subprocesses.items(), key=lambda item: stored_order.get(str(item[0]), 0))
        )
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        setattr(workflow, HISTORY_ATTR, dct.pop("history", None))
        return workflow


class _TaskConverter(TaskConverter):
    """SpiffWorkflow's task converter, with smaller saves and a faster restore of the data delta.

    Save: SpiffWorkflow stores every task's data as a delta against its parent's, whose `deletions`
    list every parent key the task lacks. A task predicted but not yet reached holds no data, so its
    delta named all of the case's fields (300 in a late load-bearing case: a third of its stored
    state). A task whose data has no more keys than that list is stored whole instead.

    Restore: rebuilding a task's data starts from its parent's, copied the way `DeepMerge.merge({},
    parent)` copies it (a new dict; dict, list and set values copied one level), without its per-key
    checks (half of a restore's time). A completed or cancelled task's data is history that no step
    changes in place (forms, scripts and shared fields replace top-level values; merges write into
    the task that runs), so its values are shared with its parent's rather than copied: the copying
    was over half of restoring a 200-task case.
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        data, delta = task.data, {}
        parent = task.parent
        if parent is not None:
            before = parent.data
            deletions = [key for key in before if key not in data]
            if len(deletions) < len(data):
                # A value that is the parent's own object (restored history) needs no comparison.
                updates = {
                    k: v for k, v in data.items() if (old := before.get(k, _ABSENT)) is not v and old != v
                }
                data, delta = {}, {"updates": updates, "deletions": deletions}
        return {
            "id": str(task.id),
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_uuid(dct["id"]))
        task._parent = _uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta, parent = dct.get("delta"), task.parent
        if delta and parent is not None:
            if task.state & _DONE:  # history: nothing changes its values in place, so they are shared
                data = dict(parent.data)
            else:
                data = {
                    k: v.copy() if isinstance(v, dict | list | set) else v for k, v in parent.data.items()
                }
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyConverter
    config[Task] = _TaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda d: {"value": d.isoformat()}, lambda d: date.fromisoformat(d["value"]))
    registry.register(Decimal, lambda d: {"value": str(d)}, lambda d: Decimal(d["value"]))
    return BpmnWorkflowSerializer(registry, version=SERIALIZER_VERSION)


def _serializer() -> BpmnWorkflowSerializer:
    # The registry toggles a mutable encoder flag while dumping (pitfall P11): one per thread.
    serializer = getattr(_restore_context, "serializer", None)
    if serializer is None:
        serializer = _restore_context.serializer = _build_serializer()
    return serializer


_SURROGATE = re.compile("[\ud800-\udfff]")


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialise the workflow's state (not its spec) to compact JSON text.

    Chinese text is written as characters, not `\\uXXXX` escapes (six characters each), unless the
    data holds a lone surrogate (possible from JSON input), which no database encoding accepts: then
    the text is escaped as SpiffWorkflow writes it.
    """
    serializer = _serializer()
    serializer.registry._encoder_mode = True
    try:
        dct = serializer.to_dict(workflow)
        dct[serializer.VERSION_KEY] = serializer.VERSION
        text = json.dumps(dct, cls=serializer._encoder_cls, ensure_ascii=False, separators=(",", ":"))
        if not text.isascii() and _SURROGATE.search(text):
            text = json.dumps(dct, cls=serializer._encoder_cls, separators=(",", ":"))
    finally:
        serializer.registry._encoder_mode = False
    return text


def load_state(
    state: str, spec: BpmnProcessSpec, subprocess_specs: Mapping[str, BpmnProcessSpec]
) -> BpmnWorkflow:
    """Restore a workflow from `dump_state` output, re-attaching the given (cached) specs."""
    _restore_context.spec, _restore_context.subprocess_specs = spec, subprocess_specs
    try:
        workflow = _serializer().deserialize_json(state)
    finally:
        _restore_context.spec = _restore_context.subprocess_specs = None
    return workflow
