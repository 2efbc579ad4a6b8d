"""Chinese working-day calendar (调休 aware) for statutory deadlines.

The `chinesecalendar` package is the source of truth for the years it ships (2004-2026 in 1.11).
An override table extends it: an entry for a date wins over the package, and a year declared in
the overrides file is covered even when the package lacks it. Any other date raises
`CalendarCoverageError` instead of guessing, because a wrong deadline is worse than none.

Deadline rules (processes.md §0): the start day is not counted; a calendar-day period that ends on
a holiday moves to the next working day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from .errors import CalendarCoverageError

DEFAULT_OVERRIDES_PATH = Path(__file__).with_name("calendar_overrides.yaml")

_PACKAGE_FIRST_YEAR = min(chinese_calendar.holidays).year
_PACKAGE_LAST_YEAR = max(chinese_calendar.holidays).year
_SATURDAY = 5


class _Year:
    """Working days of one year, precomputed so lookups never call the library per day."""

    __slots__ = ("first_ordinal", "flags", "workdays")

    def __init__(self, year: int, is_workday: Mapping[int, bool]) -> None:
        self.first_ordinal = date(year, 1, 1).toordinal()
        last_ordinal = date(year, 12, 31).toordinal()
        ordinals = range(self.first_ordinal, last_ordinal + 1)
        self.flags = bytes(is_workday[o] for o in ordinals)
        # Sorted ordinals of working days: bisect turns "n-th working day" into index arithmetic.
        self.workdays = [o for o in ordinals if is_workday[o]]


class WorkCalendar:
    """Answer working-day questions for covered years; raise for anything else."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, extra_years: Iterable[int] = ()) -> None:
        """Build a calendar; `overrides` maps a date to True (working) or False (rest day).

        `extra_years` declares years outside the package as covered: weekdays work and weekends
        rest there unless `overrides` says otherwise.
        """
        self._overrides = {_day(d): bool(v) for d, v in (overrides or {}).items()}
        self._extra_years = frozenset(extra_years)
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> WorkCalendar:
        """Load overrides from a YAML file (None: the bundled `calendar_overrides.yaml`)."""
        source = Path(path) if path is not None else DEFAULT_OVERRIDES_PATH
        with source.open(encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
        overrides, years = parse_overrides(document, str(source))
        return cls(overrides, years)

    def covers(self, year: int) -> bool:
        """Return whether the calendar has data for every day of `year`."""
        return _PACKAGE_FIRST_YEAR <= year <= _PACKAGE_LAST_YEAR or year in self._extra_years

    def covered_until(self) -> date:
        """Return the last day of the unbroken run of covered years that starts with the package data."""
        year = _PACKAGE_LAST_YEAR
        while year + 1 in self._extra_years:
            year += 1
        return date(year, 12, 31)

    def is_workday(self, d: date) -> bool:
        """Return whether `d` is a working day."""
        d = _day(d)
        known = self._overrides.get(d)
        if known is not None:
            return known
        year = self._year(d.year)
        return bool(year.flags[d.toordinal() - year.first_ordinal])

    def add_workdays(self, d: date, n: int) -> date:
        """Return the n-th working day after `d` (`d` not counted); n < 0 counts backwards.

        n == 0 returns `d` when it is a working day, else the next working day, so that
        `workdays_between(d, add_workdays(d, n)) == n` holds for every n when `d` is a working day.
        """
        d = _day(d)
        if n == 0:
            return d if self.is_workday(d) else self.add_workdays(d, 1)
        if n > 0:
            return self._forward(d.toordinal(), n)
        return self._backward(d.toordinal(), -n)

    def workdays_between(self, a: date, b: date) -> int:
        """Count working days in (a, b]; the count is negative when b < a."""
        a, b = _day(a), _day(b)
        if b < a:
            return -self.workdays_between(b, a)
        total = self._count_through(b) - self._count_through(a)
        for year in range(a.year, b.year):
            total += len(self._year(year).workdays)
        return total

    def calendar_deadline(self, d: date, n: int) -> date:
        """Return `d` + n calendar days, moved forward to the next working day if that day is a rest day."""
        end = _day(d) + timedelta(days=n)
        return end if self.is_workday(end) else self.add_workdays(end, 1)

    def _forward(self, ordinal: int, n: int) -> date:
        year_number = date.fromordinal(ordinal).year
        year = self._year(year_number)
        index = bisect_right(year.workdays, ordinal)
        while index + n > len(year.workdays):
            n -= len(year.workdays) - index
            year_number += 1
            year, index = self._year(year_number), 0
        return date.fromordinal(year.workdays[index + n - 1])

    def _backward(self, ordinal: int, n: int) -> date:
        year_number = date.fromordinal(ordinal).year
        year = self._year(year_number)
        index = bisect_left(year.workdays, ordinal)
        while index - n < 0:
            n -= index
            year_number -= 1
            year = self._year(year_number)
            index = len(year.workdays)
        return date.fromordinal(year.workdays[index - n])

    def _count_through(self, d: date) -> int:
        """Count working days from 1 January of d's year through `d`."""
        return bisect_right(self._year(d.year).workdays, d.toordinal())

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = _Year(year, self._year_flags(year))
        return cached

    def _year_flags(self, year: int) -> dict[int, bool]:
        if not self.covers(year):
            raise CalendarCoverageError(
                f"{year} 年的节假日安排尚未录入 / calendar data for {year} not yet available "
                f"(covered: {_PACKAGE_FIRST_YEAR}-{self.covered_until().year}; "
                "enter the official schedule in the calendar overrides file)"
            )
        in_package = _PACKAGE_FIRST_YEAR <= year <= _PACKAGE_LAST_YEAR
        flags: dict[int, bool] = {}
        day = date(year, 1, 1)
        while day.year == year:
            flags[day.toordinal()] = self._overrides.get(day, _default_workday(day, in_package))
            day += timedelta(days=1)
        return flags


def _default_workday(day: date, in_package: bool) -> bool:
    """Return the package's answer, or the Monday-to-Friday rule in a year only the overrides declare."""
    weekday_rule = day.weekday() < _SATURDAY
    if not in_package:
        return weekday_rule
    return day in chinese_calendar.workdays or (weekday_rule and day not in chinese_calendar.holidays)


def parse_overrides(document: Any, source: str = "<overrides>") -> tuple[dict[date, bool], set[int]]:
    """Turn a parsed overrides document into (date -> is working day, declared years)."""
    if document is None:
        return {}, set()
    if not isinstance(document, dict) or set(document) - {"years"}:
        raise ValueError(f"{source}: expected a mapping with the single key 'years'")
    overrides: dict[date, bool] = {}
    years: set[int] = set()
    for year_key, entry in (document.get("years") or {}).items():
        year = _year_number(year_key, source)
        years.add(year)
        for day, working in _year_entries(year, entry, source):
            if overrides.setdefault(day, working) != working:
                raise ValueError(f"{source}: {day.isoformat()} is listed both as holiday and as workday")
    return overrides, years


def _year_entries(year: int, entry: Any, source: str) -> Iterable[tuple[date, bool]]:
    entry = entry or {}
    if not isinstance(entry, dict) or set(entry) - {"holidays", "workdays"}:
        raise ValueError(f"{source}: year {year} takes only the keys 'holidays' and 'workdays'")
    for key, working in (("holidays", False), ("workdays", True)):
        for value in entry.get(key) or []:
            day = _parse_date(value, source)
            if day.year != year:
                raise ValueError(f"{source}: {day.isoformat()} is listed under year {year}")
            yield day, working


def _year_number(value: Any, source: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"{source}: {value!r} is not a year")


def _parse_date(value: Any, source: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{source}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _day(d: date) -> date:
    """Refuse datetimes: which calendar day they mean depends on a time zone the caller must pick."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d
