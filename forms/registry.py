"""Forms by key: shipped definitions, overridden by the ones a process owner deploys beside the diagrams."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any, Final

from marshmallow import Schema

from forms.clock import pinned_clock
from forms.definition import parse_form
from forms.errors import FormDefinitionError, FormRegistryError, UnknownForm
from forms.jsonschema import field_specs, json_schema
from forms.messages import Locale, normalize_locale
from forms.model import FieldDefinition, FieldType, FormDefinition
from forms.schema import build_schema

DEFINITIONS_DIR: Final = Path(__file__).parent / "definitions"
DEFINITION_SUFFIXES: Final = (".yaml", ".yml")


class Form:
    """One form: its definition, and its validation schemas, compiled on first use per locale."""

    __slots__ = ("_schemas", "content_hash", "definition")

    def __init__(self, definition: FormDefinition) -> None:
        self.definition = definition
        self.content_hash = hashlib.sha256(definition.canonical_text().encode()).hexdigest()
        self._schemas: dict[Locale, Schema] = {}

    def __repr__(self) -> str:
        return f"<Form {self.key} {self.content_hash[:12]}>"

    @property
    def key(self) -> str:
        """Return the form key that user tasks name in their `formKey` property."""
        return self.definition.key

    def title(self, locale: str = "zh") -> str:
        """Return the form's title in `locale`."""
        return self.definition.title.get(normalize_locale(locale))

    def validate(
        self, data: Mapping[str, Any], *, now: datetime | None = None, locale: str = "zh"
    ) -> dict[str, Any]:
        """Return `data` checked and converted to Python values (every field present).

        `now` pins the clock for `not_future` and birth-date checks (naive means China time).

        Raises:
            marshmallow.ValidationError: `.messages` keyed by field name, in `locale`'s language.
        """
        schema = self.schema(locale)
        result: dict[str, Any]
        if now is None:
            result = schema.load(data)
            return result
        with pinned_clock(now):
            result = schema.load(data)
        return result

    def schema(self, locale: str = "zh") -> Schema:
        """Return the (cached) marshmallow schema validating this form with messages in `locale`."""
        normalized = normalize_locale(locale)
        schema = self._schemas.get(normalized)
        if schema is None:
            schema = self._schemas[normalized] = build_schema(self.definition, normalized)
        return schema

    def json_schema(self, locale: str = "zh") -> dict[str, Any]:
        """Return the JSON Schema (draft 2020-12) of this form's data, titled in `locale`."""
        return json_schema(self.definition, normalize_locale(locale))

    def field_specs(self, locale: str = "zh") -> list[dict[str, Any]]:
        """Return one plain dict per field for rendering the form in an HTML page."""
        return field_specs(self.definition, normalize_locale(locale))

    def attachment_fields(self) -> list[str]:
        """Return the paths of attachment fields: "photos", "damages[].photos" inside a repeated group."""
        return list(_attachment_paths(self.definition.fields, ""))

    def attachment_ids(self, data: Mapping[str, Any]) -> list[str]:
        """Return every attachment id in validated `data`, for the service to check they exist."""
        return list(_attachment_ids(self.definition.fields, data))


def _attachment_paths(items: Sequence[FieldDefinition], prefix: str) -> Iterator[str]:
    for item in items:
        if item.type is FieldType.ATTACHMENT:
            yield f"{prefix}{item.name}"
        elif item.type is FieldType.GROUP:
            rows = "[]" if item.repeat is not None else ""
            yield from _attachment_paths(item.fields, f"{prefix}{item.name}{rows}.")


def _attachment_ids(items: Sequence[FieldDefinition], data: Mapping[str, Any]) -> Iterator[str]:
    for item in items:
        value = data.get(item.name)
        if not value:
            continue
        if item.type is FieldType.ATTACHMENT:
            yield from value
        elif item.type is FieldType.GROUP:
            for row in value if item.repeat is not None else [value]:
                yield from _attachment_ids(item.fields, row)


class FormRegistry:
    """An immutable set of forms by key; `with_overrides` returns a new registry."""

    def __init__(self, forms: Mapping[str, Form] | None = None) -> None:
        self._forms: dict[str, Form] = dict(forms or {})

    @classmethod
    def from_directory(cls, path: str | PathLike[str]) -> FormRegistry:
        """Load every `*.yaml` definition in `path`.

        Raises:
            FormRegistryError: listing every file that failed, with its line.
        """
        directory = Path(path)
        if not directory.is_dir():
            raise FileNotFoundError(f"form definitions directory not found: {directory}")
        files = sorted(file for file in directory.iterdir() if file.suffix in DEFINITION_SUFFIXES)
        return cls().with_overrides({file.name: file.read_bytes() for file in files})

    def with_overrides(self, texts: Mapping[str, str | bytes]) -> FormRegistry:
        """Return a new registry where the definitions in `texts` (file name -> text) win by key.

        Raises:
            FormRegistryError: listing every definition that failed; this registry is unchanged.
        """
        forms = dict(self._forms)
        loaded_from: dict[str, str] = {}
        errors: list[FormDefinitionError] = []
        for file_name, text in texts.items():
            try:
                definition = parse_form(_decode(text, file_name), file_name)
            except FormDefinitionError as exc:
                errors.append(exc)
                continue
            if definition.key in loaded_from:
                other = loaded_from[definition.key]
                errors.append(
                    FormDefinitionError(file_name, None, f"key {definition.key!r} is also in {other}")
                )
                continue
            loaded_from[definition.key] = file_name
            forms[definition.key] = _reuse_if_unchanged(Form(definition), self._forms.get(definition.key))
        if errors:
            raise FormRegistryError(errors)
        return FormRegistry(forms)

    def get(self, key: str) -> Form:
        """Return the form registered under `key`.

        Raises:
            UnknownForm: (a KeyError) when there is none.
        """
        try:
            return self._forms[key]
        except KeyError:
            raise UnknownForm(key) from None

    def keys(self) -> list[str]:
        """Return the registered form keys, sorted."""
        return sorted(self._forms)

    def content_hash(self, key: str) -> str:
        """Return the SHA-256 (hex) of the form's canonical definition text."""
        return self.get(key).content_hash

    def __contains__(self, key: object) -> bool:
        return key in self._forms

    def __len__(self) -> int:
        return len(self._forms)


def _decode(text: str | bytes, file_name: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormDefinitionError(file_name, None, f"not UTF-8 text: {exc.reason}") from None


def _reuse_if_unchanged(form: Form, existing: Form | None) -> Form:
    """Keep the existing form (and its compiled schemas) when a deployment re-sends the same definition."""
    return existing if existing is not None and existing.content_hash == form.content_hash else form


@functools.cache
def default_registry() -> FormRegistry:
    """Return the registry of the definitions shipped in `forms/definitions/` (loaded once)."""
    return FormRegistry.from_directory(DEFINITIONS_DIR)
