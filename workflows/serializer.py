"""Serialise an instance's state without its definition, and restore it against a cached spec.

The default SpiffWorkflow blob embeds the whole process spec (over half its size, pitfall P7). We
write only the spec's name; the service pins the definition version by content hash and hands the
parsed spec back on restore, so one spec object is shared by every loaded instance.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import deep_workflow  # noqa: F401  (lifts the iterator depth limit before any workflow runs)
from .compaction import HISTORY_ATTR

SERIALIZER_VERSION = "1.5"

_restore_context = threading.local()


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


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyConverter
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


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialise the workflow's state (not its spec) to JSON text."""
    return _serializer().serialize_json(workflow)


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
