"""Drive a process through the engine alone, saving and restoring the instance at every step."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from workflows import (
    ProcessDefinition,
    UserTaskView,
    WorkCalendar,
    WorkflowEngine,
    WorkflowInstance,
    load_definitions,
)

_ENGINE = WorkflowEngine(WorkCalendar.from_file())


def load_files(*paths: Path) -> dict[str, str]:
    """Read diagrams and DMN tables from files or folders."""
    files: dict[str, str] = {}
    for path in paths:
        for file in sorted(path.glob("*")) if path.is_dir() else [path]:
            if file.suffix in {".bpmn", ".dmn"}:
                files[file.name] = file.read_text(encoding="utf-8")
    return files


class Scenario:
    """One instance under test; every step goes through dump → restore and checks nothing was lost."""

    def __init__(
        self,
        files: Mapping[str, str],
        process_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        now: datetime,
    ) -> None:
        self.definition: ProcessDefinition = load_definitions(files)[process_id]
        self.now = now
        self.instance: WorkflowInstance = _ENGINE.start(self.definition, data or {}, now)
        self.steps: list[str] = []

    def _round_trip(self) -> None:
        state = self.instance.dump()
        self.instance = _ENGINE.restore(self.definition, state)
        assert self.instance.dump() == state, "state changed across save and restore"

    def open(self) -> dict[str, UserTaskView]:
        """Return open tasks by BPMN id."""
        return {t.bpmn_id: t for t in self.instance.open_tasks()}

    def task(self, bpmn_id: str) -> UserTaskView:
        """Return the open task with this BPMN id (fails if it is not open)."""
        tasks = self.open()
        assert bpmn_id in tasks, f"{bpmn_id} is not open; open: {sorted(tasks)}"
        return tasks[bpmn_id]

    def complete(
        self, bpmn_id: str, data: Mapping[str, Any] | None = None, *, now: datetime | None = None
    ) -> None:
        """Save, restore, then complete the open task `bpmn_id` with `data`."""
        self._round_trip()
        if now is not None:
            self.now = now
        self.instance.complete_task(self.task(bpmn_id).id, dict(data or {}), self.now)
        self.steps.append(bpmn_id)

    def advance_to(self, now: datetime) -> list[str]:
        """Save, restore, move the clock to `now` and fire what is due; return the fired timer ids."""
        self._round_trip()
        self.now = now
        return [t.bpmn_id for t in self.instance.fire_timers(now)]

    @property
    def data(self) -> dict[str, Any]:
        """The case data after the latest step."""
        return self.instance.data()
