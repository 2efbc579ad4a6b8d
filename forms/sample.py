"""Generate valid input for a form: demo data, API walk-throughs and property tests use it."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from forms.patterns import compile_pattern

from .fields import id_card_check_char, uscc_check_char
from .model import FieldDefinition, FieldType, FormDefinition
from .sample_text import sample_text

CHINA_OFFSET = "+08:00"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def sample_input(
    definition: FormDefinition,
    *,
    today: date,
    overrides: Mapping[str, Any] | None = None,
    attachment: Callable[[str], str] | None = None,
    rng: random.Random | None = None,
    vary: bool = False,
) -> dict[str, Any]:
    """Return JSON input that the form accepts; `overrides` win, `attachment(field)` yields upload ids.

    Choices take their first value (usually the ordinary path). Booleans are true, or with `vary`
    drawn from `rng`, so generated cases leave "again?" loops and spread over varied states.
    """
    rng = _Varying(rng or random.Random(0)) if vary else (rng or random.Random(0))  # noqa: S311
    values = {f.name: _value(f, today, attachment, rng) for f in definition.fields}
    values.update(overrides or {})
    return {k: v for k, v in values.items() if v is not None}


def _value(
    field: FieldDefinition, today: date, attachment: Callable[[str], str] | None, rng: random.Random
) -> Any:
    if field.default is not None:
        return _jsonable(field.default)
    maker = _MAKERS.get(field.type)
    if maker is None:
        return _group(field, today, attachment, rng)
    if field.type is FieldType.ATTACHMENT:
        return _attachments(field, attachment)
    return maker(field, today, rng)


def _jsonable(value: Any) -> Any:
    return (
        value.isoformat()
        if isinstance(value, date | datetime)
        else str(value)
        if isinstance(value, Decimal)
        else value
    )


def _text(field: FieldDefinition, _today: date, rng: random.Random) -> str:
    if field.pattern:
        return _from_pattern(field.pattern)
    return sample_text(field.name, field.min_length or 2, field.max_length or 200, rng)


_ATOM = re.compile(r"(\\d|\[[^\]]+\]|[^\\\[\]{}()*+?^$|.])(\{(\d+)(?:,(\d*))?\}|[*+?])?")


def _from_pattern(pattern: str) -> str:
    """Build the shortest text for simple patterns (classes, \\d, literals, quantifiers); else ''."""
    text, position = [], 0
    body = pattern.removeprefix("^").removesuffix("$")
    while position < len(body):
        match = _ATOM.match(body, position)
        if match is None:
            return ""  # beyond this small subset: callers override such fields
        atom, quantifier, low = match.group(1), match.group(2), match.group(3)
        count = int(low) if low else (1 if quantifier in (None, "+") else 0)
        text.append(_sample_char(atom) * count)
        position = match.end()
    result = "".join(text)
    return result if compile_pattern(pattern).fullmatch(result) else ""


def _sample_char(atom: str) -> str:
    if atom == "\\d":
        return "1"
    if atom.startswith("["):
        inner = atom[1:-1]
        return inner[0] if inner[0] not in "^\\" else "A"
    return atom


def _number(field: FieldDefinition, _today: date, rng: random.Random) -> Any:
    low = Decimal(str(field.min)) if field.min is not None else Decimal(0)
    high = Decimal(str(field.max)) if field.max is not None else low + 1000
    value = low + (high - low) * Decimal(rng.randint(0, 100)) / 100
    if field.type is FieldType.INTEGER:
        return int(value)
    places = 2 if field.type is FieldType.MONEY else (field.places if field.places is not None else 2)
    return str(value.quantize(Decimal(1).scaleb(-places)))


def _date(field: FieldDefinition, today: date, _rng: random.Random) -> str:
    day = today
    if isinstance(field.max, date) and day > field.max:
        day = field.max
    if isinstance(field.min, date) and day < field.min:
        day = field.min
    return day.isoformat()


def _datetime(field: FieldDefinition, today: date, _rng: random.Random) -> str:
    moment = datetime.combine(today - timedelta(days=1) if field.not_future else today, time(9, 30))
    return moment.isoformat() + CHINA_OFFSET


def _choice(field: FieldDefinition, _today: date, _rng: random.Random) -> Any:
    first = field.choices[0].value if field.choices else None
    return [first] if field.type is FieldType.MULTICHOICE and first is not None else first


def _boolean(_field: FieldDefinition, _today: date, rng: random.Random) -> bool:
    return rng.random() < 0.5 if isinstance(rng, _Varying) else True


class _Varying(random.Random):
    """A random source that also tells the makers to vary booleans."""

    def __init__(self, source: random.Random) -> None:
        super().__init__(source.random())


def _id_card(_field: FieldDefinition, _today: date, rng: random.Random) -> str:
    body = f"310114{rng.randint(1960, 2000)}0{rng.randint(1, 9)}1{rng.randint(0, 8)}{rng.randint(100, 999)}"
    return body + id_card_check_char(body)


def _uscc(_field: FieldDefinition, _today: date, rng: random.Random) -> str:
    body = "91310114" + "".join(rng.choice(_USCC_CHARS[:10]) for _ in range(9))
    return body + uscc_check_char(body)


def _phone(_field: FieldDefinition, _today: date, rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _attachments(field: FieldDefinition, attachment: Callable[[str], str] | None) -> list[str] | None:
    count = field.min_files or 1
    if attachment is None and not field.min_files:
        return None
    if attachment is None:
        raise ValueError(f"field {field.name} needs {count} attachment(s): pass an attachment provider")
    return [attachment(field.name) for _ in range(count)]


def _group(
    field: FieldDefinition, today: date, attachment: Callable[[str], str] | None, rng: random.Random
) -> Any:
    def one() -> dict[str, Any]:
        return {f.name: _value(f, today, attachment, rng) for f in field.fields if f.required or f.min_files}

    if field.repeat is None:
        return one()
    return [one() for _ in range(max(field.repeat.min, 1))]


_MAKERS: dict[FieldType, Callable[[FieldDefinition, date, random.Random], Any]] = {
    FieldType.STRING: _text,
    FieldType.TEXT: _text,
    FieldType.INTEGER: _number,
    FieldType.DECIMAL: _number,
    FieldType.MONEY: _number,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.CHOICE: _choice,
    FieldType.MULTICHOICE: _choice,
    FieldType.ID_CARD: _id_card,
    FieldType.USCC: _uscc,
    FieldType.PHONE: _phone,
    FieldType.ATTACHMENT: lambda _f, _t, _r: None,
}
