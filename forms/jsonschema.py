"""Describe a form to clients: JSON Schema (draft 2020-12) for the API, field specs for HTML pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from forms.fields import ATTACHMENT_ID_PATTERN, ID_CARD_PATTERN, MAX_SAFE_INTEGER, PHONE_PATTERN, USCC_PATTERN
from forms.messages import Locale
from forms.model import FieldDefinition, FieldType, FormDefinition

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
# What an HTML page would typically render for each type.
WIDGETS: Final[Mapping[FieldType, str]] = {
    FieldType.STRING: "text",
    FieldType.TEXT: "textarea",
    FieldType.INTEGER: "number",
    FieldType.DECIMAL: "number",
    FieldType.MONEY: "number",
    FieldType.BOOLEAN: "checkbox",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime-local",
    FieldType.CHOICE: "select",
    FieldType.MULTICHOICE: "checkboxes",
    FieldType.ID_CARD: "text",
    FieldType.USCC: "text",
    FieldType.PHONE: "tel",
    FieldType.ATTACHMENT: "file",
    FieldType.GROUP: "group",
}


def json_schema(definition: FormDefinition, locale: Locale) -> dict[str, Any]:
    """Return a JSON Schema for the form's data, titled in `locale`, with both languages under `x-label`."""
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:zhifa:form:{definition.key}",
        "title": definition.title.get(locale),
        "x-label": definition.title.as_dict(),
        "x-form-key": definition.key,
    }
    if definition.help is not None:
        schema["description"] = definition.help.get(locale)
    schema.update(_object(definition.fields, locale))
    return schema


def _object(items: Sequence[FieldDefinition], locale: Locale) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {item.name: _property(item, locale) for item in items},
        "required": [item.name for item in items if item.required],
        "additionalProperties": False,
    }


def _property(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "title": item.label.get(locale),
        "x-label": item.label.as_dict(),
        "x-field-type": item.type.value,
    }
    if item.help is not None:
        schema["description"] = item.help.get(locale)
    schema.update(
        {key: value for key, value in _TYPE_SCHEMAS[item.type](item, locale).items() if value is not None}
    )
    if item.default is not None:
        schema["default"] = json_value(item.default)
    if item.prefill is not None:
        schema["x-prefill"] = item.prefill  # the case data field a client should start the input with
    if not item.required:
        _allow_null(schema)
    return schema


def _allow_null(schema: dict[str, Any]) -> None:
    """Optional fields also accept null, which (like blank text) means "no value"."""
    kinds = schema["type"]
    schema["type"] = [*kinds, "null"] if isinstance(kinds, list) else [kinds, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]


def _anchored(pattern: str | None) -> str | None:
    """JSON Schema patterns search; ours must match the whole value."""
    return None if pattern is None else f"^(?:{pattern})$"


def _text(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    min_length = item.min_length or (1 if item.required else None)
    return {
        "type": "string",
        "minLength": min_length,
        "maxLength": item.max_length,
        "pattern": _anchored(item.pattern),
    }


def _number(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    if item.type is FieldType.INTEGER:
        low = -MAX_SAFE_INTEGER if item.min is None else item.min
        high = MAX_SAFE_INTEGER if item.max is None else item.max
        return {"type": "integer", "minimum": low, "maximum": high}
    fraction = r"(?:\.[0-9]+)?" if item.places is None else rf"(?:\.[0-9]{{1,{item.places}}})?"
    return {
        # Decimals may come as JSON numbers or, exactly, as text; minimum/maximum apply to numbers only.
        "type": ["number", "string"],
        "pattern": rf"^[+-]?[0-9]+{fraction}$",
        "minimum": json_value(item.min),
        "maximum": json_value(item.max),
        "x-decimal-places": item.places,
    }


def _time(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "date" if item.type is FieldType.DATE else "date-time",
        "x-minimum": json_value(item.min),
        "x-maximum": json_value(item.max),
        "x-not-future": item.not_future or None,
    }


def _choice(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    values = [choice.value for choice in item.choices]
    labels = {choice.value: choice.label.get(locale) for choice in item.choices}
    if item.type is FieldType.CHOICE:
        return {"type": "string", "enum": values, "x-enum-labels": labels}
    return {
        "type": "array",
        "items": {"type": "string", "enum": values},
        "uniqueItems": True,
        "minItems": 1 if item.required else None,
        "x-enum-labels": labels,
    }


def _identity(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    pattern = {
        FieldType.ID_CARD: ID_CARD_PATTERN,
        FieldType.USCC: USCC_PATTERN,
        FieldType.PHONE: PHONE_PATTERN,
    }
    return {"type": "string", "pattern": _anchored(pattern[item.type]), "x-format": item.type.value}


def _attachment(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "pattern": _anchored(ATTACHMENT_ID_PATTERN)},
        "uniqueItems": True,
        "minItems": item.min_files,
        "maxItems": item.max_files,
        "x-attachment": True,
    }


def _group(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    if item.repeat is None:
        return _object(item.fields, locale)
    rows = {"type": "array", "items": _object(item.fields, locale)}
    return {**rows, "minItems": item.repeat.min, "maxItems": item.repeat.max, "x-repeat": True}


_TYPE_SCHEMAS: Final[Mapping[FieldType, Callable[[FieldDefinition, Locale], dict[str, Any]]]] = {
    FieldType.STRING: _text,
    FieldType.TEXT: _text,
    FieldType.INTEGER: _number,
    FieldType.DECIMAL: _number,
    FieldType.MONEY: _number,
    FieldType.BOOLEAN: lambda item, locale: {"type": "boolean"},
    FieldType.DATE: _time,
    FieldType.DATETIME: _time,
    FieldType.CHOICE: _choice,
    FieldType.MULTICHOICE: _choice,
    FieldType.ID_CARD: _identity,
    FieldType.USCC: _identity,
    FieldType.PHONE: _identity,
    FieldType.ATTACHMENT: _attachment,
    FieldType.GROUP: _group,
}


def json_value(value: Any) -> Any:
    """Return `value` as JSON data: ISO text for dates, numbers for Decimals, lists for tuples."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, tuple):
        return [json_value(item) for item in value]
    return value


def field_specs(definition: FormDefinition, locale: Locale) -> list[dict[str, Any]]:
    """Return plain dicts, one per field, that a Jinja page can render (every key always present)."""
    return [_spec(item, locale) for item in definition.fields]


def _spec(item: FieldDefinition, locale: Locale) -> dict[str, Any]:
    return {
        "name": item.name,
        "type": item.type.value,
        "widget": WIDGETS[item.type],
        "label": item.label.get(locale),
        "help": item.help.get(locale) if item.help is not None else None,
        "required": item.required,
        "default": list(item.default) if isinstance(item.default, tuple) else item.default,
        "choices": [(choice.value, choice.label.get(locale)) for choice in item.choices],
        "min": item.min,
        "max": item.max,
        "places": item.places,
        "min_length": item.min_length,
        "max_length": item.max_length,
        "pattern": item.pattern,
        "not_future": item.not_future,
        "min_files": item.min_files,
        "max_files": item.max_files,
        "repeat": {"min": item.repeat.min, "max": item.repeat.max} if item.repeat is not None else None,
        "fields": [_spec(child, locale) for child in item.fields],
        "prefill": item.prefill,
    }
