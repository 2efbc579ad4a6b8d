"""Helpers that expressions and scripts may call (docs/conventions.md, "Expressions and scripts").

Every date argument accepts a `date`, a `datetime` (its China calendar day is used) or ISO text,
because task data from forms and timers arrives as text as often as as objects. Naive datetimes
are read as China time.

The working-day helpers take `binds="bureau"` (the default: a duty of the bureau) or
`binds="party"` (a right of the party). It matters only in a year whose holiday schedule is not
published yet (workcalendar.py): a duty assumes only the statutory days off there, a right also the
usual bridging days, so neither side loses time to a guess.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from . import clock
from .clock import CHINA_TZ
from .masking import is_minor, mask_record
from .workcalendar import Binding, WorkCalendar

DateLike = date | datetime | str

_END_OF_DAY = time(23, 59, 59)


def build_helpers(calendar: WorkCalendar) -> dict[str, object]:
    """Return the helper table for the sandbox, with working-day helpers bound to `calendar`."""
    days = _CalendarHelpers(calendar)
    return {
        "today": clock.today,
        "now": now,
        "as_date": as_date,
        "as_datetime": as_datetime,
        "add_days": add_days,
        "add_workdays": days.add_workdays,
        "workdays_between": days.workdays_between,
        "is_workday": days.is_workday,
        "calendar_deadline": days.calendar_deadline,
        "deadline_iso": deadline_iso,
        "mask_record": mask_record,
        "is_minor": is_minor,
        "Decimal": Decimal,
        "date": date,
        "datetime": datetime,
        "timedelta": timedelta,
    }


class _CalendarHelpers:
    """Working-day helpers over one calendar (bound methods: the calendar is not reachable from scripts)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self._calendar = calendar

    def add_workdays(self, d: DateLike, n: int, binds: str = Binding.BUREAU) -> date:
        """Return the n-th working day after `d` (`d` not counted)."""
        return self._calendar.add_workdays(as_date(d), _whole(n), _binding(binds))

    def workdays_between(self, a: DateLike, b: DateLike, binds: str = Binding.BUREAU) -> int:
        """Count working days after `a` up to and including `b`."""
        return self._calendar.workdays_between(as_date(a), as_date(b), _binding(binds))

    def is_workday(self, d: DateLike, binds: str = Binding.BUREAU) -> bool:
        """Return whether `d` is a working day."""
        return self._calendar.is_workday(as_date(d), _binding(binds))

    def calendar_deadline(self, d: DateLike, n: int, binds: str = Binding.BUREAU) -> date:
        """Return `d` + n calendar days, moved to the next working day if that is a rest day."""
        return self._calendar.calendar_deadline(as_date(d), _whole(n), _binding(binds))


def now() -> datetime:
    """Return the engine clock's current instant in China time."""
    return clock.now().astimezone(CHINA_TZ)


def as_date(value: DateLike) -> date:
    """Return the China calendar date of ISO text, a date or a datetime."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return _in_china(parsed).date()
    return parsed


def as_datetime(value: DateLike) -> datetime:
    """Return ISO text, a date (its midnight) or a datetime as an aware China-time datetime."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return _in_china(parsed)
    return datetime.combine(parsed, time(), CHINA_TZ)


def add_days(d: DateLike, n: int) -> date:
    """Return the date n calendar days after `d` (before it when n < 0)."""
    return as_date(d) + timedelta(days=_whole(n))


def deadline_iso(d: DateLike) -> str:
    """Return a deadline as ISO text: a date's end of day (23:59:59 China time), or a datetime's instant."""
    parsed = _parse(d)
    if isinstance(parsed, datetime):
        return _in_china(parsed).isoformat()
    return datetime.combine(parsed, _END_OF_DAY, CHINA_TZ).isoformat()


def _parse(value: DateLike) -> date:
    """Return a date or datetime for `value`, parsing ISO text (date-only text stays a date)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a date, datetime or ISO text, got {type(value).__name__}")
    text = value.strip()
    with contextlib.suppress(ValueError):
        return date.fromisoformat(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date or datetime") from None


def _in_china(moment: datetime) -> datetime:
    """Return `moment` in China time; a naive datetime is taken to be China time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


def _binding(binds: object) -> Binding:
    """Refuse anything but "bureau" or "party", naming both, so a typo cannot pick a side silently."""
    if isinstance(binds, str) and binds in tuple(Binding):
        return Binding(binds)
    raise ValueError(
        f'binds must be "bureau" (a duty of the bureau) or "party" (a right of the party), got {binds!r}'
    )


def _whole(n: int) -> int:
    """Refuse day counts that are not whole numbers (a bool or 2.5 days is a modelling error)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"a day count must be a whole number, got {n!r}")
    return n
