"""Parse YAML form definitions into the frozen dataclasses of `forms.model`, errors located by line."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Final

from forms._yaml import LineMap, Reader, load_yaml
from forms.fields import MONEY_MAX, InvalidValueError, to_date, to_datetime, to_decimal, to_integer, to_text
from forms.messages import message
from forms.model import Bound, Choice, FieldDefinition, FieldType, FormDefinition, LocalizedText, Repeat
from forms.patterns import PatternError, compile_pattern

__all__ = [
    "Choice",
    "FieldDefinition",
    "FieldType",
    "FormDefinition",
    "LocalizedText",
    "Repeat",
    "parse_form",
]

DEFAULT_MAX_LENGTH: Final = {FieldType.STRING: 200, FieldType.TEXT: 5000}
DEFAULT_MAX_FILES: Final = 50
DEFAULT_MAX_ROWS: Final = 100
MAX_PLACES: Final = 10
MAX_GROUP_DEPTH: Final = 3
_SNAKE_CASE: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_FORM_KEYS: Final = frozenset({"key", "title", "help", "shows", "fields"})
_COMMON_KEYS: Final = frozenset({"name", "type", "label", "help", "required", "prefill"})
_TEXT_KEYS: Final = frozenset({"default", "min_length", "max_length", "pattern"})
_TIME_KEYS: Final = frozenset({"default", "min", "max", "not_future"})
_TYPE_KEYS: Final[Mapping[FieldType, frozenset[str]]] = {
    FieldType.STRING: _TEXT_KEYS,
    FieldType.TEXT: _TEXT_KEYS,
    FieldType.INTEGER: frozenset({"default", "min", "max"}),
    FieldType.DECIMAL: frozenset({"default", "min", "max", "places"}),
    FieldType.MONEY: frozenset({"default", "min", "max"}),
    FieldType.BOOLEAN: frozenset({"default"}),
    FieldType.DATE: _TIME_KEYS,
    FieldType.DATETIME: _TIME_KEYS,
    FieldType.CHOICE: frozenset({"default", "choices"}),
    FieldType.MULTICHOICE: frozenset({"default", "choices"}),
    FieldType.ID_CARD: frozenset(),
    FieldType.USCC: frozenset(),
    FieldType.PHONE: frozenset(),
    FieldType.ATTACHMENT: frozenset({"min_files", "max_files"}),
    FieldType.GROUP: frozenset({"fields", "repeat"}),
}
_BOUND_CONVERTERS: Final[Mapping[FieldType, Callable[[object], Bound]]] = {
    FieldType.INTEGER: to_integer,
    FieldType.MONEY: lambda value: to_decimal(value, 2),
    FieldType.DATE: to_date,
    FieldType.DATETIME: to_datetime,
}


# The result is deeply frozen, so the same text is parsed once: a deploy reads each form three times
# and the line-tracking YAML composer is pure Python. 256 entries of at most 200,000 characters.
@functools.lru_cache(maxsize=256)
def parse_form(text: str, file_name: str) -> FormDefinition:
    """Parse a YAML form definition; a file named `<stem>.yaml` must define key `<stem>`.

    Raises:
        FormDefinitionError: with the line of the offending key or field.
    """
    reader = Reader(file_name)
    root = reader.mapping(load_yaml(text, file_name), 1, "a form definition")
    reader.check_keys(root, _FORM_KEYS, "the form")
    key = _snake_case(reader, root, "key")
    path = PurePath(file_name)
    if path.suffix in (".yaml", ".yml") and path.stem != key:
        raise reader.error(root.line_of("key"), f"key {key!r} must match the file name {path.name!r}")
    return FormDefinition(
        key=key,
        title=_required_localized(reader, root, "title"),
        fields=_parse_fields(reader, root, depth=1),
        help=_localized(reader, root, "help"),
        shows=_shows(reader, root),
        file_name=file_name,
    )


def _shows(reader: Reader, root: LineMap) -> tuple[str, ...]:
    """Read `shows`: case data fields (snake_case names) the form displays read-only above its inputs."""
    if root.get("shows") is None:
        return ()
    names: list[str] = []
    for line, item in reader.items(root, "shows"):
        if not isinstance(item, str) or not _SNAKE_CASE.fullmatch(item):
            raise reader.error(line, f"shows: {item!r} must be a snake_case field name")
        if item in names:
            raise reader.error(line, f"shows: {item!r} is listed twice")
        names.append(item)
    return tuple(names)


def _snake_case(reader: Reader, node: LineMap, key: str) -> str:
    value = reader.required_text(node, key)
    if not _SNAKE_CASE.fullmatch(value):
        raise reader.error(node.line_of(key), f"{key} {value!r} must be snake_case (a-z, 0-9, _)")
    return value


def _localized(reader: Reader, node: LineMap, key: str) -> LocalizedText | None:
    return _required_localized(reader, node, key) if node.get(key) is not None else None


def _required_localized(reader: Reader, node: LineMap, key: str) -> LocalizedText:
    if node.get(key) is None:
        raise reader.error(node.line_of(key), f"{key!r} is required, as {{zh: ..., en: ...}}")
    text = reader.mapping(node[key], node.line_of(key), f"{key!r}")
    reader.check_keys(text, ("zh", "en"), f"{key!r}")
    zh = reader.required_text(text, "zh")
    return LocalizedText(zh=zh, en=reader.text(text, "en") or zh)


def _parse_fields(reader: Reader, node: LineMap, depth: int) -> tuple[FieldDefinition, ...]:
    parsed: dict[str, FieldDefinition] = {}
    for line, item in reader.items(node, "fields"):
        definition = _parse_field(reader, reader.mapping(item, line, "a field"), depth)
        first = parsed.get(definition.name)
        if first is not None:
            raise reader.error(
                definition.line, f"duplicate field name {first.name!r} (first on line {first.line})"
            )
        parsed[definition.name] = definition
    return tuple(parsed.values())


def _parse_field(reader: Reader, node: LineMap, depth: int) -> FieldDefinition:
    name = _snake_case(reader, node, "name")
    type_name = reader.required_text(node, "type")
    if type_name not in FieldType.__members__.values():
        known = ", ".join(FieldType)
        raise reader.error(node.line_of("type"), f"unknown field type {type_name!r} (known: {known})")
    field_type = FieldType(type_name)
    reader.check_keys(node, _COMMON_KEYS | _TYPE_KEYS[field_type], f"field {name!r} of type {field_type}")
    spec = _SPEC_PARSERS[field_type](reader, node, reader.flag(node, "required"), depth)
    definition = FieldDefinition(
        name=name,
        type=field_type,
        label=_required_localized(reader, node, "label"),
        line=node.line,
        help=_localized(reader, node, "help"),
        prefill=_snake_case(reader, node, "prefill") if node.get("prefill") is not None else None,
        **spec,
    )
    if definition.prefill is not None and depth > 1:
        raise reader.error(node.line_of("prefill"), "prefill is only allowed on top-level fields")
    if node.get("default") is None:
        return definition
    return replace(definition, default=_parse_default(reader, node, definition))


def _text_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    field_type = FieldType(node["type"])
    low, high = reader.count(node, "min_length"), reader.count(node, "max_length")
    high = DEFAULT_MAX_LENGTH[field_type] if high is None else high
    if high < 1:
        raise reader.error(node.line_of("max_length"), "max_length must be at least 1")
    _check_order(reader, node, low, high, keys=("min_length", "max_length"))
    pattern = reader.text(node, "pattern")
    if pattern is not None:
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            raise reader.error(node.line_of("pattern"), str(exc)) from None
    return {"min_length": low, "max_length": high, "pattern": pattern, "required": required}


def _number_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    field_type = FieldType(node["type"])
    places = reader.count(node, "places") if field_type is FieldType.DECIMAL else None
    if places is not None and places > MAX_PLACES:
        raise reader.error(node.line_of("places"), f"places must be at most {MAX_PLACES}")
    if field_type is FieldType.MONEY:
        places = 2
    convert = _BOUND_CONVERTERS.get(field_type) or (lambda value: to_decimal(value, places))
    low, high = (_bound(reader, node, key, convert) for key in ("min", "max"))
    if field_type is FieldType.MONEY:
        low, high = _money_bounds(reader, node, low, high)
    _check_order(reader, node, low, high, keys=("min", "max"))
    return {"min": low, "max": high, "places": places, "required": required}


def _money_bounds(reader: Reader, node: LineMap, low: Any, high: Any) -> tuple[Decimal, Decimal]:
    if low is not None and low < 0:
        raise reader.error(node.line_of("min"), "money cannot be negative: min must be >= 0")
    if high is not None and high > MONEY_MAX:
        raise reader.error(node.line_of("max"), f"money max must be at most {MONEY_MAX}")
    return (Decimal("0.00") if low is None else low), (MONEY_MAX if high is None else high)


def _time_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    convert = _BOUND_CONVERTERS[FieldType(node["type"])]
    low, high = (_bound(reader, node, key, convert) for key in ("min", "max"))
    _check_order(reader, node, low, high, keys=("min", "max"))
    return {"min": low, "max": high, "not_future": reader.flag(node, "not_future"), "required": required}


def _choice_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    choices: dict[str, Choice] = {}
    for line, item in reader.items(node, "choices"):
        option = reader.mapping(item, line, "a choice")
        reader.check_keys(option, ("value", "label"), "a choice")
        value = reader.required_text(option, "value")
        if value in choices:
            raise reader.error(option.line_of("value"), f"duplicate choice value {value!r}")
        choices[value] = Choice(value=value, label=_required_localized(reader, option, "label"))
    return {"choices": tuple(choices.values()), "required": required}


def _attachment_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    low, high = reader.count(node, "min_files"), reader.count(node, "max_files")
    low = (1 if required else 0) if low is None else low
    high = DEFAULT_MAX_FILES if high is None else high
    if high < 1:
        raise reader.error(node.line_of("max_files"), "max_files must be at least 1")
    _check_order(reader, node, low, high, keys=("min_files", "max_files"))
    # At least one file needed means the slot must be filled: `min_files: 1` alone implies required.
    return {"min_files": low, "max_files": high, "required": required or low > 0}


def _group_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    if depth >= MAX_GROUP_DEPTH:
        raise reader.error(node.line, f"groups may be nested at most {MAX_GROUP_DEPTH - 1} deep")
    fields = _parse_fields(reader, node, depth + 1)
    if node.get("repeat") is None:
        return {"fields": fields, "required": required}
    repeat = reader.mapping(node["repeat"], node.line_of("repeat"), "'repeat'")
    reader.check_keys(repeat, ("min", "max"), "'repeat'")
    low, high = reader.count(repeat, "min"), reader.count(repeat, "max")
    low = (1 if required else 0) if low is None else low
    high = DEFAULT_MAX_ROWS if high is None else high
    if high < 1:
        raise reader.error(repeat.line_of("max"), "repeat max must be at least 1")
    _check_order(reader, repeat, low, high, keys=("min", "max"))
    return {"fields": fields, "repeat": Repeat(min=low, max=high), "required": required or low > 0}


def _plain_spec(reader: Reader, node: LineMap, required: bool, depth: int) -> dict[str, Any]:
    return {"required": required}


_SpecParser = Callable[[Reader, LineMap, bool, int], dict[str, Any]]
_SPEC_PARSERS: Final[Mapping[FieldType, _SpecParser]] = {
    FieldType.STRING: _text_spec,
    FieldType.TEXT: _text_spec,
    FieldType.INTEGER: _number_spec,
    FieldType.DECIMAL: _number_spec,
    FieldType.MONEY: _number_spec,
    FieldType.BOOLEAN: _plain_spec,
    FieldType.DATE: _time_spec,
    FieldType.DATETIME: _time_spec,
    FieldType.CHOICE: _choice_spec,
    FieldType.MULTICHOICE: _choice_spec,
    FieldType.ID_CARD: _plain_spec,
    FieldType.USCC: _plain_spec,
    FieldType.PHONE: _plain_spec,
    FieldType.ATTACHMENT: _attachment_spec,
    FieldType.GROUP: _group_spec,
}


def _bound(reader: Reader, node: LineMap, key: str, convert: Callable[[object], Bound]) -> Bound | None:
    raw = node.get(key)
    if raw is None:
        return None
    try:
        return convert(raw)
    except InvalidValueError as exc:
        raise reader.error(
            node.line_of(key), f"{key} {raw!r}: {message(exc.code, 'en', **exc.values)}"
        ) from None


def _check_order(reader: Reader, node: LineMap, low: Any, high: Any, *, keys: tuple[str, str]) -> None:
    low_key, high_key = keys
    if low is not None and high is not None and low > high:
        raise reader.error(node.line_of(low_key), f"{low_key} ({low}) is greater than {high_key} ({high})")


def _parse_default(reader: Reader, node: LineMap, definition: FieldDefinition) -> Any:
    line, raw = node.line_of("default"), node["default"]
    if definition.required:
        raise reader.error(line, "a required field cannot have a default")
    try:
        value = _convert_default(definition, raw)
    except InvalidValueError as exc:
        raise reader.error(line, f"default {raw!r}: {message(exc.code, 'en', **exc.values)}") from None
    problem = _default_problem(definition, value)
    if problem:
        raise reader.error(line, f"default {raw!r} {problem}")
    return value


def _convert_default(definition: FieldDefinition, raw: object) -> Any:
    match definition.type:
        case FieldType.BOOLEAN if isinstance(raw, bool):
            return raw
        case FieldType.BOOLEAN:
            raise InvalidValueError("boolean")
        case FieldType.MULTICHOICE if isinstance(raw, list):
            return tuple(to_text(item) for item in raw)
        case FieldType.MULTICHOICE:
            raise InvalidValueError("list")
        case FieldType.DECIMAL:
            return to_decimal(raw, definition.places)
        case field_type if field_type in _BOUND_CONVERTERS:
            return _BOUND_CONVERTERS[field_type](raw)
    return to_text(raw)


def _default_problem(definition: FieldDefinition, value: Any) -> str | None:
    values = value if isinstance(value, tuple) else (value,)
    if definition.choices and not set(values) <= {choice.value for choice in definition.choices}:
        return "is not one of the choices"
    if len(set(values)) != len(values):
        return "repeats an item"
    low, high = definition.min, definition.max
    if (low is not None and value < low) or (high is not None and value > high):
        return "is outside min/max"
    if isinstance(value, str):
        low_length, high_length = definition.min_length or 0, definition.max_length or len(value)
        if not low_length <= len(value) <= high_length:
            return "is outside min_length/max_length"
        if definition.pattern and not compile_pattern(definition.pattern).fullmatch(value):
            return "does not match the pattern"
    return None
