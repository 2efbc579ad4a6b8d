"""Validators with messages rendered once per locale at schema build time (marshmallow 4: they raise)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sized
from datetime import date, datetime, timedelta
from typing import Any, Final, Protocol

from marshmallow import ValidationError

from forms.clock import current_date, current_time
from forms.messages import Locale, join, message
from forms.patterns import compile_pattern

# Clerks type "now" from PCs whose clocks drift; a few minutes ahead is not "in the future".
NOT_FUTURE_GRACE: Final = timedelta(minutes=5)

Validator = Callable[[Any], None]


class _Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...
    def __gt__(self, other: Any, /) -> bool: ...


def value_bounds(low: _Comparable | None, high: _Comparable | None, kind: str, locale: Locale) -> Validator:
    """Refuse values below `low` or above `high`; `kind` is "range" (numbers) or "time" (dates)."""
    low_error = message(f"{kind}_min", locale, min=low)
    high_error = message(f"{kind}_max", locale, max=high)

    def check(value: _Comparable) -> None:
        if low is not None and value < low:
            raise ValidationError(low_error)
        if high is not None and value > high:
            raise ValidationError(high_error)

    return check


def size_bounds(low: int | None, high: int | None, kind: str, locale: Locale) -> Validator:
    """Refuse texts or lists shorter than `low` or longer than `high` ("length", "rows", "files", "items")."""
    low_error = message(f"{kind}_min", locale, min=low)
    high_error = message(f"{kind}_max", locale, max=high)

    def check(value: Sized) -> None:
        if low is not None and len(value) < low:
            raise ValidationError(low_error)
        if high is not None and len(value) > high:
            raise ValidationError(high_error)

    return check


def full_match(pattern: str, locale: Locale, max_length: int | None = None) -> Validator:
    """Refuse text that does not match `pattern` as a whole (matched in linear time, RE2).

    Text over `max_length` is not matched at all: the length check reports it, and no regular
    expression should ever see a megabyte someone posted.
    """
    regex = compile_pattern(pattern)
    error = message("pattern", locale)

    def check(value: str) -> None:
        if max_length is not None and len(value) > max_length:
            return
        if regex.fullmatch(value) is None:
            raise ValidationError(error)

    return check


def one_of(values: Collection[str], labels: Collection[str], locale: Locale) -> Validator:
    """Refuse values outside `values`, listing the choices by label."""
    allowed = frozenset(values)
    error = message("choice", locale, choices=join(labels, locale))

    def check(value: str) -> None:
        if value not in allowed:
            raise ValidationError(error)

    return check


def unique(locale: Locale) -> Validator:
    """Refuse lists with repeated items."""
    error = message("unique", locale)

    def check(value: list[Any]) -> None:
        if len(set(value)) != len(value):
            raise ValidationError(error)

    return check


def not_future(kind: str, locale: Locale) -> Validator:
    """Refuse dates after today (China time) or datetimes after now, on the pinnable clock."""
    if kind == "date":
        date_error = message("not_future_date", locale)

        def check_date(value: date) -> None:
            if value > current_date():
                raise ValidationError(date_error)

        return check_date
    time_error = message("not_future_datetime", locale)

    def check_time(value: datetime) -> None:
        if value > current_time() + NOT_FUTURE_GRACE:
            raise ValidationError(time_error)

    return check_time
