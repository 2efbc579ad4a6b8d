"""Build the marshmallow schema that validates a form's data, with messages in one locale."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from marshmallow import RAISE, Schema, fields, pre_load

from forms.fields import (
    AttachmentIdField,
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    GroupField,
    IdCardField,
    IntegerField,
    ListField,
    PhoneField,
    TextField,
    UsccField,
)
from forms.messages import Locale, messages
from forms.model import FieldDefinition, FieldType, FormDefinition
from forms.validators import Validator, full_match, not_future, one_of, size_bounds, unique, value_bounds

_LIST_TYPES: Final = frozenset({FieldType.MULTICHOICE, FieldType.ATTACHMENT})


class FormSchema(Schema):
    """Base of generated form schemas: unknown fields are refused, classes stay out of the registry."""

    class Meta:
        unknown = RAISE
        register = False

    @pre_load
    def drop_blank_values(self, data: Any, **kwargs: Any) -> Any:
        """Treat null and blank text as absent: optional fields get their default, required ones complain."""
        if not isinstance(data, Mapping):
            return data  # let marshmallow report the wrong type
        return {key: value for key, value in data.items() if key not in self.fields or not _is_blank(value)}


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def build_schema(definition: FormDefinition, locale: Locale) -> Schema:
    """Return a schema instance validating the data of `definition`, with messages in `locale`."""
    schema_class = _schema_class(
        definition.fields, locale, name=f"{definition.key}_{locale}", type_key="form_type"
    )
    return schema_class()


def _schema_class(
    items: Sequence[FieldDefinition], locale: Locale, *, name: str, type_key: str
) -> type[Schema]:
    schema_class = FormSchema.from_dict({item.name: build_field(item, locale) for item in items}, name=name)
    # Set after creation: a form field may itself be called "error_messages".
    schema_class.error_messages = messages({"type": type_key, "unknown": "unknown_field"}, locale)
    return schema_class


def build_field(item: FieldDefinition, locale: Locale) -> fields.Field[Any]:
    """Return the marshmallow field validating one form field."""
    common: dict[str, Any] = {"required": item.required, "locale": locale}
    if not item.required:
        common["load_default"] = _load_default(item)
    return _BUILDERS[item.type](item, locale, common)


def _load_default(item: FieldDefinition) -> Any:
    """Give every optional field a value: its default, else [] for lists, else None."""
    if isinstance(item.default, tuple):
        default = item.default
        return lambda: list(default)
    if item.default is not None:
        return item.default
    return list if item.type in _LIST_TYPES or item.repeat is not None else None


def _bounds(item: FieldDefinition, locale: Locale, kind: str) -> list[Validator]:
    if item.min is None and item.max is None:
        return []
    return [value_bounds(item.min, item.max, kind, locale)]


def _sizes(low: int | None, high: int | None, kind: str, locale: Locale) -> list[Validator]:
    low = low or None  # zero needs no check and no "at least 0" message
    return [size_bounds(low, high, kind, locale)] if low is not None or high is not None else []


def _text(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
    checks = _sizes(item.min_length, item.max_length, "length", locale)
    if item.pattern is not None:
        checks.append(full_match(item.pattern, locale, item.max_length))
    return TextField(validate=checks, **common)


def _number(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
    checks = _bounds(item, locale, "range")
    if item.type is FieldType.INTEGER:
        return IntegerField(validate=checks, **common)
    return DecimalField(places=item.places, validate=checks, **common)


def _time(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
    checks = _bounds(item, locale, "time")
    if item.not_future:
        checks.append(not_future(item.type.value, locale))
    field_class = DateField if item.type is FieldType.DATE else DateTimeField
    return field_class(validate=checks, **common)


def _choice(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
    values = [choice.value for choice in item.choices]
    check = one_of(values, [choice.label.get(locale) for choice in item.choices], locale)
    if item.type is FieldType.CHOICE:
        return TextField(validate=[check], **common)
    inner = TextField(validate=[check], required=True, locale=locale)
    checks = [unique(locale), *_sizes(1 if item.required else None, None, "items", locale)]
    return ListField(inner, validate=checks, **common)


def _attachment(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
    checks = [unique(locale), *_sizes(item.min_files, item.max_files, "files", locale)]
    return ListField(AttachmentIdField(required=True, locale=locale), validate=checks, **common)


def _group(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
    nested = _schema_class(item.fields, locale, name=f"{item.name}_{locale}", type_key="group_type")
    if item.repeat is None:
        return GroupField(nested, **common)
    checks = _sizes(item.repeat.min, item.repeat.max, "rows", locale)
    return GroupField(nested, many=True, validate=checks, **common)


def _simple(field_class: type[fields.Field[Any]]) -> _Builder:
    def build(item: FieldDefinition, locale: Locale, common: dict[str, Any]) -> fields.Field[Any]:
        return field_class(**common)

    return build


_Builder = Callable[[FieldDefinition, Locale, dict[str, Any]], fields.Field[Any]]
_BUILDERS: Final[Mapping[FieldType, _Builder]] = {
    FieldType.STRING: _text,
    FieldType.TEXT: _text,
    FieldType.INTEGER: _number,
    FieldType.DECIMAL: _number,
    FieldType.MONEY: _number,
    FieldType.BOOLEAN: _simple(BooleanField),
    FieldType.DATE: _time,
    FieldType.DATETIME: _time,
    FieldType.CHOICE: _choice,
    FieldType.MULTICHOICE: _choice,
    FieldType.ID_CARD: _simple(IdCardField),
    FieldType.USCC: _simple(UsccField),
    FieldType.PHONE: _simple(PhoneField),
    FieldType.ATTACHMENT: _attachment,
    FieldType.GROUP: _group,
}
