"""The engine: start and restore instances of loaded definitions with one restricted script engine."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from . import precompile, serializer
from .deadlines import make_deadline_script_engine
from .expressions import build_helpers
from .instance import WorkflowInstance
from .loader import ProcessDefinition
from .workcalendar import WorkCalendar


class WorkflowEngine:
    """Start and restore instances; holds the calendar and the sandboxed script engine."""

    def __init__(self, calendar: WorkCalendar | None = None) -> None:
        self.calendar = calendar or WorkCalendar()
        self.helpers = build_helpers(self.calendar)
        self._script_engine = make_deadline_script_engine(self.helpers)

    def start(
        self,
        definition: ProcessDefinition,
        data: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> WorkflowInstance:
        """Create an instance with start data and advance it to its first wait."""
        workflow = BpmnWorkflow(
            definition.spec, definition.subprocess_specs, script_engine=self._script_engine
        )
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None and data:
            start.data.update(dict(data))
        instance = WorkflowInstance(definition, workflow, self.calendar)
        instance.advance(now)
        return instance

    def precompile(self, definition: ProcessDefinition) -> int:
        """Compile the definition's scripts and expressions now, not in the first case that runs each."""
        compiled: int = self._script_engine.environment.precompile(precompile.sources(definition))
        return compiled

    def restore(self, definition: ProcessDefinition, state: str) -> WorkflowInstance:
        """Rebuild an instance from `WorkflowInstance.dump()` output against its definition."""
        workflow = serializer.load_state(state, definition.spec, definition.subprocess_specs)
        workflow.script_engine = self._script_engine
        return WorkflowInstance(definition, workflow, self.calendar)
