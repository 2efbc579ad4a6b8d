"""Chinese working-day calendar (调休 aware) for statutory deadlines, exact where published.

Where each year's days come from, first match wins:

1. a schedule entered in the service (`zhifa calendar set-year`, kept in the database and handed
   to `set_entered`);
2. the overrides file: an entry for a date wins over the package, and a year declared in the file is
   covered even when the package lacks it;
3. the `chinesecalendar` package (2004-2026 in 1.11);
4. past the last covered year and up to a horizon (`horizon_years`, default five), a provisional
   year: weekends and the statutory holidays (`statutory.py`), no 调休. Who a deadline binds decides
   which days off are assumed there: a duty of the bureau (`Binding.BUREAU`, the default) assumes
   only the statutory days off, so it ends at the earliest plausible date; a right of the party
   (`Binding.PARTY`) also assumes the bridging days schedules usually add, so it ends at the latest
   plausible date. In published years both give the same answer.

Any other date raises `CalendarCoverageError` instead of guessing. A computation that consulted a
provisional year is reported to every `record_provisional()` block around it, so the engine can mark
the deadline it produced as provisional and recompute it once the schedule is entered.

Deadline rules (processes.md §0): the start day is not counted; a calendar-day period that ends on
a holiday moves to the next working day.
"""

from __future__ import annotations

import contextlib
import enum
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import yaml

from .calendar_schedule import YearSchedule, parse_overrides
from .errors import CalendarCoverageError
from .statutory import party_days_off, statutory_days_off

__all__ = ["Binding", "WorkCalendar", "YearSource", "parse_overrides", "record_provisional"]

DEFAULT_OVERRIDES_PATH = Path(__file__).with_name("calendar_overrides.yaml")
DEFAULT_HORIZON_YEARS = 5

_PACKAGE_FIRST_YEAR = min(chinese_calendar.holidays).year
_PACKAGE_LAST_YEAR = max(chinese_calendar.holidays).year
_SATURDAY = 5


class Binding(enum.StrEnum):
    """Whom a deadline binds, which decides the days off assumed in a provisional year."""

    BUREAU = "bureau"  # a duty of the bureau: assume only statutory days off (earliest plausible end)
    PARTY = "party"  # a right of the party: assume the usual bridging days too (latest plausible end)


class YearSource(enum.StrEnum):
    """Where a year's working days come from."""

    ENTERED = "entered"  # official schedule entered in the service
    FILE = "file"  # official schedule in the overrides file
    PACKAGE = "package"  # the chinesecalendar package
    PROVISIONAL = "provisional"  # weekends and statutory holidays only, until the schedule is entered


_recorders: ContextVar[tuple[set[int], ...]] = ContextVar("zhifa_calendar_recorders", default=())


@contextlib.contextmanager
def record_provisional() -> Iterator[set[int]]:
    """Collect the provisional years that computations inside the block consulted."""
    years: set[int] = set()
    token = _recorders.set((*_recorders.get(), years))
    try:
        yield years
    finally:
        _recorders.reset(token)


def _note_provisional(year: int) -> None:
    for years in _recorders.get():
        years.add(year)


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


class _State:
    """The entered schedules and the years built from them; replaced whole, so readers never see a mix."""

    __slots__ = ("entered", "years")

    def __init__(self, entered: Mapping[int, YearSchedule]) -> None:
        self.entered = dict(entered)
        self.years: dict[tuple[int, Binding | None], _Year] = {}


# A dry run (`WorkCalendar.trial`) swaps in other schedules for the current context only.
_trial: ContextVar[tuple[WorkCalendar, _State] | None] = ContextVar("zhifa_calendar_trial", default=None)


class WorkCalendar:
    """Answer working-day questions: exactly for published years, provisionally up to a horizon."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        extra_years: Iterable[int] = (),
        *,
        horizon_years: int = DEFAULT_HORIZON_YEARS,
    ) -> None:
        """Build a calendar; `overrides` maps a date to True (working) or False (rest day).

        `extra_years` declares years outside the package as covered: weekdays work and weekends
        rest there unless `overrides` says otherwise. `horizon_years` is how many years past the
        last covered one the calendar answers provisionally.
        """
        self._overrides = {_day(d): bool(v) for d, v in (overrides or {}).items()}
        self._extra_years = frozenset(extra_years)
        self._horizon_years = horizon_years
        self._state = _State({})

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> WorkCalendar:
        """Load overrides from a YAML file (None: the bundled `calendar_overrides.yaml`)."""
        source = Path(path) if path is not None else DEFAULT_OVERRIDES_PATH
        with source.open(encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
        overrides, years = parse_overrides(document, str(source))
        return cls(overrides, years)

    # -- which years -----------------------------------------------------------------------------

    def set_entered(self, schedules: Mapping[int, YearSchedule]) -> None:
        """Replace the schedules entered in the service (they win over the file and the package)."""
        self._state = _State(schedules)

    def entered(self) -> dict[int, YearSchedule]:
        """Return the entered schedules in force (in a trial: the trial's)."""
        return dict(self._current().entered)

    @contextlib.contextmanager
    def trial(self, schedules: Mapping[int, YearSchedule]) -> Iterator[None]:
        """Answer as if `schedules` were entered too, inside the block and for this context only."""
        state = _State({**self._current().entered, **schedules})
        token = _trial.set((self, state))
        try:
            yield
        finally:
            _trial.reset(token)

    def source(self, year: int) -> YearSource | None:
        """Return where `year`'s days come from, or None when the calendar cannot answer for it."""
        return self._source(year, self._current())

    def covers(self, year: int) -> bool:
        """Return whether the calendar has published data for every day of `year`."""
        return self.source(year) not in (None, YearSource.PROVISIONAL)

    def covered_until(self) -> date:
        """Return the last day of the unbroken run of published years that starts with the package data."""
        return date(self._covered_year(self._current()), 12, 31)

    def provisional_until(self) -> date:
        """Return the last day the calendar answers for (provisionally past `covered_until`)."""
        return date(self._covered_year(self._current()) + self._horizon_years, 12, 31)

    # -- questions ---------------------------------------------------------------------------------

    def is_workday(self, d: date, binds: Binding | str = Binding.BUREAU) -> bool:
        """Return whether `d` is a working day."""
        d = _day(d)
        year = self._year(d.year, Binding(binds))
        return bool(year.flags[d.toordinal() - year.first_ordinal])

    def add_workdays(self, d: date, n: int, binds: Binding | str = Binding.BUREAU) -> date:
        """Return the n-th working day after `d` (`d` not counted); n < 0 counts backwards.

        n == 0 returns `d` when it is a working day, else the next working day, so that
        `workdays_between(d, add_workdays(d, n)) == n` holds for every n when `d` is a working day.
        """
        d, binding = _day(d), Binding(binds)
        if n == 0:
            return d if self.is_workday(d, binding) else self.add_workdays(d, 1, binding)
        if n > 0:
            return self._forward(d.toordinal(), n, binding)
        return self._backward(d.toordinal(), -n, binding)

    def workdays_between(self, a: date, b: date, binds: Binding | str = Binding.BUREAU) -> int:
        """Count working days in (a, b]; the count is negative when b < a."""
        a, b, binding = _day(a), _day(b), Binding(binds)
        if b < a:
            return -self.workdays_between(b, a, binding)
        total = self._count_through(b, binding) - self._count_through(a, binding)
        for year in range(a.year, b.year):
            total += len(self._year(year, binding).workdays)
        return total

    def calendar_deadline(self, d: date, n: int, binds: Binding | str = Binding.BUREAU) -> date:
        """Return `d` + n calendar days, moved forward to the next working day if that day is a rest day."""
        end, binding = _day(d) + timedelta(days=n), Binding(binds)
        return end if self.is_workday(end, binding) else self.add_workdays(end, 1, binding)

    # -- internals ---------------------------------------------------------------------------------

    def _forward(self, ordinal: int, n: int, binding: Binding) -> date:
        year_number = date.fromordinal(ordinal).year
        year = self._year(year_number, binding)
        index = bisect_right(year.workdays, ordinal)
        while index + n > len(year.workdays):
            n -= len(year.workdays) - index
            year_number += 1
            year, index = self._year(year_number, binding), 0
        return date.fromordinal(year.workdays[index + n - 1])

    def _backward(self, ordinal: int, n: int, binding: Binding) -> date:
        year_number = date.fromordinal(ordinal).year
        year = self._year(year_number, binding)
        index = bisect_left(year.workdays, ordinal)
        while index - n < 0:
            n -= index
            year_number -= 1
            year = self._year(year_number, binding)
            index = len(year.workdays)
        return date.fromordinal(year.workdays[index - n])

    def _count_through(self, d: date, binding: Binding) -> int:
        """Count working days from 1 January of d's year through `d`."""
        return bisect_right(self._year(d.year, binding).workdays, d.toordinal())

    def _current(self) -> _State:
        trial = _trial.get()
        return trial[1] if trial is not None and trial[0] is self else self._state

    def _covered_year(self, state: _State) -> int:
        year = _PACKAGE_LAST_YEAR
        while year + 1 in self._extra_years or year + 1 in state.entered:
            year += 1
        return year

    def _source(self, year: int, state: _State) -> YearSource | None:
        if year in state.entered:
            return YearSource.ENTERED
        if _PACKAGE_FIRST_YEAR <= year <= _PACKAGE_LAST_YEAR:
            return YearSource.PACKAGE
        if year in self._extra_years:
            return YearSource.FILE
        covered = self._covered_year(state)
        if covered < year <= covered + self._horizon_years:
            return YearSource.PROVISIONAL
        return None

    def _year(self, year: int, binding: Binding) -> _Year:
        state = self._current()
        source = self._source(year, state)
        if source is None:
            raise self._not_covered(year, state)
        if source is YearSource.PROVISIONAL:
            _note_provisional(year)
        key = (year, binding if source is YearSource.PROVISIONAL else None)
        cached = state.years.get(key)
        if cached is None:
            cached = state.years[key] = _Year(year, self._year_flags(year, source, binding, state))
        return cached

    def _not_covered(self, year: int, state: _State) -> CalendarCoverageError:
        covered = self._covered_year(state)
        horizon = covered + self._horizon_years
        return CalendarCoverageError(
            f"{year} 年的节假日安排尚未录入 / calendar data for {year} not yet available "
            f"(covered: {_PACKAGE_FIRST_YEAR}-{covered}, provisionally until {horizon}; "
            "enter the official schedule with `zhifa calendar set-year` or in the calendar overrides file)"
        )

    def _year_flags(self, year: int, source: YearSource, binding: Binding, state: _State) -> dict[int, bool]:
        if source is YearSource.ENTERED:
            schedule = state.entered[year]
            return {day.toordinal(): schedule.is_workday(day) for day in _days_of(year)}
        if source is YearSource.PROVISIONAL:
            off = party_days_off(year) if binding is Binding.PARTY else statutory_days_off(year)
            return {day.toordinal(): day.weekday() < _SATURDAY and day not in off for day in _days_of(year)}
        in_package, overrides = source is YearSource.PACKAGE, self._overrides
        return {d.toordinal(): overrides.get(d, _default_workday(d, in_package)) for d in _days_of(year)}


def _days_of(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def _default_workday(day: date, in_package: bool) -> bool:
    """Return the package's answer, or the Monday-to-Friday rule in a year only the overrides declare."""
    weekday_rule = day.weekday() < _SATURDAY
    if not in_package:
        return weekday_rule
    return day in chinese_calendar.workdays or (weekday_rule and day not in chinese_calendar.holidays)


def _day(d: date) -> date:
    """Refuse datetimes: which calendar day they mean depends on a time zone the caller must pick."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d
