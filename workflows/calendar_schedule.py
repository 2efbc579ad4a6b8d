"""Published holiday schedules: the overrides file, one year's schedule, and its validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .statutory import statutory_days_off

_SATURDAY = 5


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: weekdays off (放假) and weekend days worked (调休上班)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        """Return whether `day` (in this year) is a working day under this schedule."""
        if day in self.holidays:
            return False
        return day in self.workdays or day.weekday() < _SATURDAY


def schedule_problems(schedule: YearSchedule) -> list[str]:
    """List what is wrong with a year's schedule (empty: it may be entered).

    Every date must lie in the year, no date may be both off and worked, and every statutory
    holiday of the year must be a day off (a weekday listed under holidays, a weekend day not
    listed under workdays).
    """
    problems = [
        f"{day.isoformat()} 不属于 {schedule.year} 年 / is not in {schedule.year}"
        for day in sorted(schedule.holidays | schedule.workdays)
        if day.year != schedule.year
    ]
    problems += [
        f"{day.isoformat()} 既是放假日又是上班日 / is listed both as holiday and as workday"
        for day in sorted(schedule.holidays & schedule.workdays)
    ]
    for day, festival in sorted(statutory_days_off(schedule.year).items()):
        if schedule.is_workday(day):
            problems.append(
                f"{day.isoformat()}（{festival}）是法定节假日，必须放假 / "
                "is a statutory holiday and must be a day off"
            )
    return problems


def parse_year_document(document: Any, year: int, source: str = "<schedule>") -> YearSchedule:
    """Read one year's schedule: `{holidays: [...], workdays: [...]}` or an overrides file listing it."""
    if isinstance(document, dict) and "years" in document:
        overrides, years = parse_overrides(document, source)
        if year not in years:
            raise ValueError(f"{source}: the file does not list year {year}")
        return schedule_from_overrides(year, overrides)
    entry = document or {}
    if not isinstance(entry, dict) or set(entry) - {"holidays", "workdays"}:
        raise ValueError(f"{source}: a year's schedule takes only the keys 'holidays' and 'workdays'")
    # Dates in another year or listed twice are reported by schedule_problems, all at once.
    holidays = frozenset(_parse_date(v, source) for v in entry.get("holidays") or [])
    workdays = frozenset(_parse_date(v, source) for v in entry.get("workdays") or [])
    return YearSchedule(year, holidays, workdays)


def schedule_from_overrides(year: int, overrides: dict[date, bool]) -> YearSchedule:
    """Return the overrides of one year as a schedule."""
    mine = {d: working for d, working in overrides.items() if d.year == year}
    return YearSchedule(
        year,
        frozenset(d for d, working in mine.items() if not working),
        frozenset(d for d, working in mine.items() if working),
    )


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
