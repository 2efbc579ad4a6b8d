"""Per-process caches around the engine: parsed definitions and compiled forms, keyed by version."""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from forms import FormRegistry, parse_form
from workflows import ProcessDefinition, WorkCalendar, WorkflowEngine, WorkflowInstance, load_definitions

from .models import ProcessDefinitionRow
from .numbering import Numbering, load_numbering

CACHE_SIZE = 256
BUILTIN_FORMS_DIR = Path(__file__).resolve().parent.parent / "forms" / "definitions"


class InstanceCache:
    """Restored engine objects by (instance id, row version): a hit skips deserialising the state.

    An object is taken out while a request uses it and put back only after a commit that stored
    exactly its state (or, unchanged, after a read); the version check makes other processes'
    writes visible, since their commits bump the row version this cache is keyed by.
    """

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[tuple[int, int], WorkflowInstance] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, instance_id: int, version: int) -> WorkflowInstance | None:
        """Remove and return the object for this exact version, if cached."""
        with self._lock:
            return self._items.pop((instance_id, version), None)

    def rekey(self, instance_id: int, old: int, new: int) -> None:
        """The row went from `old` to `new` with its state unchanged (an upload, a claim): keep the object."""
        with self._lock:
            engine = self._items.pop((instance_id, old), None)
            if engine is not None:
                self._items[(instance_id, new)] = engine

    def put(self, instance_id: int, version: int, engine: WorkflowInstance) -> None:
        """Keep an object whose state equals the stored row at `version`.

        Objects of the instance's other versions are stale (no row will hold them again) and, like
        those pushed out by the size limit, released unless something else still holds them (a
        request rendering its answer): their memory comes back at once instead of at the garbage
        collector's next full pass.
        """
        dropped = []
        with self._lock:
            for key in [k for k in self._items if k[0] == instance_id and k[1] != version]:
                dropped.append(self._items.pop(key))
            previous = self._items.pop((instance_id, version), None)
            if previous is not None and previous is not engine:
                dropped.append(previous)
            self._items[(instance_id, version)] = engine
            while len(self._items) > self._size:
                dropped.append(self._items.popitem(last=False)[1])
        while dropped:
            old = dropped.pop()
            if sys.getrefcount(old) <= 2:  # `old` and the call's argument: nothing else holds it
                old.release()


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

    def __init__(self, calendar: WorkCalendar, forms_dir: Path, numbering: Numbering) -> None:
        self.engine = WorkflowEngine(calendar)
        self.numbering = numbering
        self.instances = InstanceCache()
        self.calendar_signature: tuple[object, ...] | None = None  # entered schedules loaded (calendar_sync)
        self._forms_dir = forms_dir
        self._cache: OrderedDict[int, LoadedDefinition] = OrderedDict()
        self._lock = threading.Lock()

    # Parsing the built-in form library takes seconds and only deployments need it: a timer worker
    # or a CLI command that never deploys never pays for it.
    @functools.cached_property
    def base_form_texts(self) -> dict[str, str]:
        """Map form key -> YAML source of the built-in library (read on first use)."""
        texts = {}
        for path in sorted(self._forms_dir.glob("*.y*ml")):
            text = path.read_text(encoding="utf-8")
            texts[parse_form(text, path.name).key] = text
        return texts

    @functools.cached_property
    def base_forms(self) -> FormRegistry:
        """The built-in form library as a registry (parsed on first use)."""
        return FormRegistry().with_overrides({f"{k}.yaml": t for k, t in self.base_form_texts.items()})

    def loaded(self, row: ProcessDefinitionRow) -> LoadedDefinition:
        """Return the parsed definition of a deployed version, parsing it once per process."""
        hit = self.cached(row.id)
        if hit is not None:
            return hit
        loaded = self._load(row)
        with self._lock:
            self._cache[row.id] = loaded
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return loaded

    def cached(self, definition_id: int) -> LoadedDefinition | None:
        """Return a definition version if it is already parsed (versions never change once stored)."""
        with self._lock:
            hit = self._cache.get(definition_id)
            if hit is not None:
                self._cache.move_to_end(definition_id)
            return hit

    def _load(self, row: ProcessDefinitionRow) -> LoadedDefinition:
        process = load_definitions(row.files)[row.key]
        forms = FormRegistry().with_overrides({f"{key}.yaml": text for key, text in row.forms.items()})
        return LoadedDefinition(row.id, row.key, row.version, process, forms)


def init_app(app: Flask) -> None:
    """Create the runtime for this app from its configuration."""
    overrides = app.config.get("CALENDAR_OVERRIDES")
    calendar = WorkCalendar.from_file(Path(overrides) if overrides else None)
    forms_dir = Path(app.config.get("FORMS_DIR") or BUILTIN_FORMS_DIR)
    numbering_file = app.config.get("NUMBERING_FILE") or Path(app.config["BPMN_DIR"]) / "numbering.yaml"
    app.extensions["zhifa.runtime"] = Runtime(calendar, forms_dir, load_numbering(Path(numbering_file)))


def get_runtime() -> Runtime:
    """Return the current app's runtime."""
    runtime: Runtime = current_app.extensions["zhifa.runtime"]
    return runtime
