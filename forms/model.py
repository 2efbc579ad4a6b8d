"""The data model of a form definition: frozen dataclasses, free of YAML and marshmallow."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

Bound = int | Decimal | date | datetime


class FieldType(StrEnum):
    """The kinds of field a form can hold (docs/conventions.md, "Forms")."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    ID_CARD = "id_card"
    USCC = "uscc"
    PHONE = "phone"
    ATTACHMENT = "attachment"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """Text shown to people, in Chinese and English (English falls back to Chinese)."""

    zh: str
    en: str

    def get(self, locale: str) -> str:
        """Return the text for "zh" or "en"."""
        return self.en if locale == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        """Return {"zh": ..., "en": ...}."""
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a `choice` or `multichoice` field."""

    value: str
    label: LocalizedText


@dataclass(frozen=True, slots=True)
class Repeat:
    """How many entries a repeatable group takes."""

    min: int
    max: int


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """One field of a form, with type-specific settings (unused ones stay None or empty)."""

    name: str
    type: FieldType
    label: LocalizedText
    line: int | None = field(default=None, compare=False)
    required: bool = False
    help: LocalizedText | None = None
    default: Any = None
    min: Bound | None = None
    max: Bound | None = None
    places: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    not_future: bool = False
    choices: tuple[Choice, ...] = ()
    min_files: int | None = None
    max_files: int | None = None
    repeat: Repeat | None = None
    fields: tuple[FieldDefinition, ...] = ()
    # Case data field whose current value the form starts with (top-level fields; e.g. the proposed fine).
    prefill: str | None = None


@dataclass(frozen=True, slots=True)
class FormDefinition:
    """A whole form: its key, title and fields."""

    key: str
    title: LocalizedText
    fields: tuple[FieldDefinition, ...]
    help: LocalizedText | None = None
    # Case data (by field name, from earlier tasks) the page shows read-only beside the inputs.
    shows: tuple[str, ...] = ()
    file_name: str = field(default="", compare=False)

    def canonical_text(self) -> str:
        """Return the definition as canonical JSON (sorted keys, no lines), the basis of its hash."""
        body = {
            "key": self.key,
            "title": self.title.as_dict(),
            "help": _text_dict(self.help),
            "fields": [_field_dict(item) for item in self.fields],
        }
        if self.shows:  # only when used, so the hashes of forms without it stay as they were
            body["shows"] = list(self.shows)
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _text_dict(text: LocalizedText | None) -> dict[str, str] | None:
    return text.as_dict() if text is not None else None


def _field_dict(item: FieldDefinition) -> dict[str, Any]:
    body: dict[str, Any] = {
        f.name: getattr(item, f.name)
        for f in dataclass_fields(item)
        if f.name not in ("line", "fields", "prefill")
    }
    if item.prefill is not None:  # only when used, so the hashes of forms without it stay as they were
        body["prefill"] = item.prefill
    body.update(
        label=item.label.as_dict(), help=_text_dict(item.help), fields=[_field_dict(f) for f in item.fields]
    )
    body["choices"] = [{"value": c.value, "label": c.label.as_dict()} for c in item.choices]
    body["repeat"] = [item.repeat.min, item.repeat.max] if item.repeat else None
    return body
