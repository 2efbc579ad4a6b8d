"""Per-process caches around the engine: parsed definitions and compiled forms, keyed by version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from forms import FormRegistry
from workflows import ProcessDefinition, WorkCalendar, WorkflowEngine, load_definitions

from .models import ProcessDefinitionRow

CACHE_SIZE = 256


@dataclass(frozen=True)
class LoadedDefinition:
    """A deployed definition version, parsed, with the exact forms it was deployed with."""

    row_id: int
    key: str
    version: int
    process: ProcessDefinition
    forms: FormRegistry


class Runtime:
    """Holds the engine and LRU caches of parsed definitions (parsing costs ms; restoring must not)."""

    def __init__(self, calendar: WorkCalendar, base_forms: FormRegistry) -> None:
        self.engine = WorkflowEngine(calendar)
        self.base_forms = base_forms
        self._cache: OrderedDict[int, LoadedDefinition] = OrderedDict()
        self._lock = threading.Lock()

    def loaded(self, row: ProcessDefinitionRow) -> LoadedDefinition:
        """Return the parsed definition of a deployed version, parsing it once per process."""
        with self._lock:
            hit = self._cache.get(row.id)
            if hit is not None:
                self._cache.move_to_end(row.id)
                return hit
        loaded = self._load(row)
        with self._lock:
            self._cache[row.id] = loaded
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return loaded

    def _load(self, row: ProcessDefinitionRow) -> LoadedDefinition:
        process = load_definitions(row.files)[row.key]
        forms = self.base_forms.with_overrides({f"{key}.yaml": text for key, text in row.forms.items()})
        return LoadedDefinition(row.id, row.key, row.version, process, forms)


def init_app(app: Flask) -> None:
    """Create the runtime for this app from its configuration."""
    overrides = app.config.get("CALENDAR_OVERRIDES")
    calendar = WorkCalendar.from_file(Path(overrides) if overrides else None)
    forms_dir = app.config.get("FORMS_DIR")
    base = FormRegistry.from_directory(Path(forms_dir)) if forms_dir else FormRegistry.default()
    app.extensions["zhifa.runtime"] = Runtime(calendar, base)


def get_runtime() -> Runtime:
    """Return the current app's runtime."""
    runtime: Runtime = current_app.extensions["zhifa.runtime"]
    return runtime
