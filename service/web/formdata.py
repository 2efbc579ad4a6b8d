"""Between HTML form posts and form data: nested values from flat input names, and errors back to names.

Input names follow the field specs: `name`, `group.field`, `rows[0].field` (a repeatable group's
rows each carry a hidden `rows[i]._row` so an all-empty row still counts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from workflows import CHINA_TZ

Specs = list[dict[str, Any]]
_ROW = re.compile(r"^\[(\d+)\]\._row$")


def parse_post(specs: Specs, form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """Return the form data a post holds, shaped by the field specs (empty inputs left out)."""
    data: dict[str, Any] = {}
    for spec in specs:
        path = prefix + spec["name"]
        value = _value(spec, path, form)
        if value is not None:
            data[spec["name"]] = value
    return data


def _value(spec: dict[str, Any], path: str, form: MultiDict[str, str]) -> Any:
    kind = spec["type"]
    if kind == "group":
        if spec["repeat"] is None:
            return parse_post(spec["fields"], form, path + ".")
        return [parse_post(spec["fields"], form, f"{path}[{i}].") for i in row_indexes(form, path)]
    if kind == "boolean":
        return form.get(path) in ("true", "on", "1")
    if kind in ("multichoice", "attachment"):
        values = [v for v in form.getlist(path) if v]
        return values if values or kind == "multichoice" else None
    text = (form.get(path) or "").strip()
    # An empty input is left out, so the form reports "required" rather than "not a number".
    return (text.upper() if kind in ("id_card", "uscc") else text) or None


def row_indexes(form: Mapping[str, Any], path: str) -> list[int]:
    """Return the row numbers of a repeatable group present in a post, in order."""
    found = set()
    for key in form:
        if key.startswith(path):
            match = _ROW.match(key[len(path) :])
            if match:
                found.add(int(match.group(1)))
    return sorted(found)


def error_paths(messages: Any, specs: Specs, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages into {input name: [messages]} matching the page's inputs."""
    flat: dict[str, list[str]] = {}
    if not isinstance(messages, Mapping):
        return {prefix.rstrip(".") or "_form": [str(m) for m in _as_list(messages)]}
    by_name = {spec["name"]: spec for spec in specs}
    for name, value in messages.items():
        spec = by_name.get(str(name))
        path = prefix + str(name)
        if spec is None or spec["type"] != "group" or not isinstance(value, Mapping):
            flat[path if spec is not None else "_form"] = [str(m) for m in _as_list(value)]
            continue
        if spec["repeat"] is None:
            flat.update(error_paths(value, spec["fields"], path + "."))
            continue
        for index, row_messages in value.items():
            if str(index).isdigit():
                flat.update(error_paths(row_messages, spec["fields"], f"{path}[{row_position(index)}]."))
            else:
                flat.setdefault(path, []).extend(str(m) for m in _as_list(row_messages))
    return flat


def row_position(index: Any) -> int:
    """Return a row index as an int (marshmallow keys rows by position)."""
    return int(index)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [
            m for item in value for m in (_as_list(item) if isinstance(item, list | tuple | dict) else [item])
        ]
    if isinstance(value, Mapping):
        return [m for item in value.values() for m in _as_list(item)]
    return [value]


def labels_by_path(specs: Specs, data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Return {input name: label} for every input the page shows (rows as many as `data` holds)."""
    labels: dict[str, str] = {}
    for spec in specs:
        path = prefix + spec["name"]
        labels[path] = spec["label"]
        if spec["type"] != "group":
            continue
        if spec["repeat"] is None:
            labels.update(labels_by_path(spec["fields"], data.get(spec["name"]) or {}, path + "."))
            continue
        rows = data.get(spec["name"]) or [{}]
        for i, row in enumerate(rows):
            row_labels = labels_by_path(
                spec["fields"], row if isinstance(row, Mapping) else {}, f"{path}[{i}]."
            )
            labels.update({k: f"{spec['label']} {i + 1} · {v}" for k, v in row_labels.items()})
    return labels


def display_values(specs: Specs, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return stored data as the strings the inputs show (datetimes as China local time)."""
    shown: dict[str, Any] = {}
    for spec in specs:
        if spec["name"] not in data or data[spec["name"]] is None:
            continue
        shown[spec["name"]] = _shown(spec, data[spec["name"]])
    return shown


def _shown(spec: dict[str, Any], value: Any) -> Any:
    kind = spec["type"]
    if kind == "group":
        if spec["repeat"] is None:
            return display_values(spec["fields"], value if isinstance(value, Mapping) else {})
        return [display_values(spec["fields"], row) for row in value if isinstance(row, Mapping)]
    if kind == "datetime":
        return _local_datetime(value)
    if kind in ("multichoice", "attachment"):
        return [str(v) for v in value] if isinstance(value, list | tuple) else []
    if kind == "boolean":
        return bool(value)
    return str(value)


def _local_datetime(value: Any) -> str:
    moment = value if isinstance(value, datetime) else _parse(str(value))
    if moment is None:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def defaults(specs: Specs) -> dict[str, Any]:
    """Return the specs' defaults as the inputs show them; repeatable groups start with their minimum rows."""
    shown = display_values(specs, {s["name"]: s["default"] for s in specs if s["default"] is not None})
    for spec in specs:
        if spec["type"] == "group" and spec["repeat"] is not None:
            shown[spec["name"]] = [defaults(spec["fields"]) for _ in range(spec["repeat"]["min"])]
        elif spec["type"] == "group":
            shown[spec["name"]] = defaults(spec["fields"])
    return shown


def prefilled(specs: Specs, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values of top-level fields that start from case data (`prefill`), where it holds one."""
    return {
        spec["name"]: data[spec["prefill"]]
        for spec in specs
        if spec.get("prefill") and data.get(spec["prefill"]) is not None
    }


def draft_values(specs: Specs, stored: Mapping[str, list[str]]) -> dict[str, Any]:
    """Return a saved draft (the raw post, name -> values) as the inputs show it."""
    return parse_post(specs, MultiDict([(k, v) for k, values in stored.items() for v in values]))


def attachment_ids(specs: Specs, data: Mapping[str, Any]) -> list[str]:
    """Return every attachment id the values hold (to show their thumbnails and hashes)."""
    found: list[str] = []
    for spec in specs:
        value = data.get(spec["name"])
        if not value:
            continue
        if spec["type"] == "attachment":
            found.extend(str(v) for v in value)
        elif spec["type"] == "group":
            for row in value if spec["repeat"] is not None else [value]:
                if isinstance(row, Mapping):
                    found.extend(attachment_ids(spec["fields"], row))
    return found
