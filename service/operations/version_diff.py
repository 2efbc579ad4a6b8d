"""Compare two deployed versions of a process: diagram elements, flows, decision tables and forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import FormDefinitionError, parse_form
from workflows import DefinitionDiff, diff_files
from workflows.diff import PropertyChange

from ..errors import Invalid, NotFound
from ..models import ProcessDefinitionRow


@dataclass(frozen=True)
class FormChange:
    """A form key a version pins, added, removed or with other text (then: which fields changed)."""

    key: str
    kind: str  # added, removed, changed
    fields: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    """Two versions of one process and what differs between them."""

    key: str
    old: ProcessDefinitionRow
    new: ProcessDefinitionRow
    diff: DefinitionDiff
    forms: tuple[FormChange, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return the plain structure the API and the CLI print."""
        elements = [*self.diff.added, *self.diff.removed, *self.diff.changed]
        return {
            "key": self.key,
            "from_version": self.old.version,
            "to_version": self.new.version,
            "elements": [
                {
                    "element_id": e.element_id,
                    "scope": e.scope,
                    "type": e.tag,
                    "name": e.name,
                    "change": e.kind,
                    "properties": [{"name": c.name, "old": c.old, "new": c.new} for c in e.changes],
                }
                for e in elements
            ],
            "flows_rewired": [
                {"flow_id": r.flow_id, "scope": r.scope, "old": list(r.old), "new": list(r.new)}
                for r in self.diff.rewired
            ],
            "forms": [
                {
                    "key": f.key,
                    "change": f.kind,
                    "fields": [{"name": c.name, "old": c.old, "new": c.new} for c in f.fields],
                }
                for f in self.forms
            ],
            "files_added": list(self.diff.files_added),
            "files_removed": list(self.diff.files_removed),
        }


def versions(session: Session, key: str) -> list[ProcessDefinitionRow]:
    """Return every deployed version of a process, oldest first (NotFound when none)."""
    rows = list(
        session.scalars(
            select(ProcessDefinitionRow)
            .where(ProcessDefinitionRow.key == key)
            .order_by(ProcessDefinitionRow.version)
        )
    )
    if not rows:
        raise NotFound(f"流程 {key} 未部署 / process '{key}' is not deployed")
    return rows


def version_row(session: Session, key: str, version: int, field: str = "version") -> ProcessDefinitionRow:
    """Return one deployed version; 422 naming `field` when the process has no such version."""
    for row in versions(session, key):
        if row.version == version:
            return row
    raise Invalid(
        f"流程 {key} 没有第 {version} 版 / process '{key}' has no version {version}",
        {field: [f"no version {version}"]},
    )


def version_diff(session: Session, key: str, from_version: int, to_version: int) -> VersionDiff:
    """Compare version `from_version` of a process with `to_version`."""
    old = version_row(session, key, from_version, "from")
    new = version_row(session, key, to_version, "to")
    return VersionDiff(key, old, new, diff_files(old.files, new.files), _form_changes(old.forms, new.forms))


def _form_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[FormChange, ...]:
    changes = [FormChange(k, "added") for k in sorted(new.keys() - old.keys())]
    changes += [FormChange(k, "removed") for k in sorted(old.keys() - new.keys())]
    changes += [
        FormChange(k, "changed", _field_changes(k, old[k], new[k]))
        for k in sorted(old.keys() & new.keys())
        if old[k] != new[k]
    ]
    return tuple(changes)


def _field_changes(key: str, old: str, new: str) -> tuple[PropertyChange, ...]:
    """Compare two texts of one form field by field: type, required, choices (top level)."""
    before, after = _fields(key, old), _fields(key, new)
    names = sorted(before.keys() | after.keys())
    return tuple(
        PropertyChange(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    )


def _fields(key: str, text: str) -> dict[str, str]:
    try:
        definition = parse_form(text, f"{key}.yaml")
    except FormDefinitionError:
        return {}
    return {
        f.name: " ".join(
            [str(f.type.value if hasattr(f.type, "value") else f.type)]
            + (["required"] if f.required else [])
            + ([f"[{'|'.join(str(c.value) for c in f.choices)}]"] if f.choices else [])
        )
        for f in definition.fields
    }
