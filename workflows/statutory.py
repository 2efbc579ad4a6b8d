"""Statutory holidays of a year, and the days off a published schedule usually adds around them.

《全国年节及纪念日放假办法》 (as amended in 2024, in force from 2025) fixes the holidays all citizens
have off: 元旦 (1 January), 春节 (除夕 and 正月初一 to 初三), 清明 (the day of the solar term), 劳动节
(1 and 2 May), 端午 (五月初五), 中秋 (八月十五) and 国庆 (1 to 3 October). Each year the State Council
then publishes a schedule that adds 补假 and 调休 days. Until it does, a deadline in that year can only
be bounded:

- `statutory_days_off`: the days the law itself gives. A working-day period that assumes only these
  days off ends as early as the published schedule could plausibly make it end, apart from a 调休
  working weekend (which no rule can predict); the recomputation flags a deadline that then moves.
- `party_days_off`: those days plus the bridging days the schedules of 2014-2026 added around them.
  A period that assumes these ends as late as a schedule could plausibly make it end. The rule
  (tested against every published year since 2014):
  * 春节: from the day before 除夕 through 正月初八;
  * 劳动节: 1 to 5 May;
  * 国庆: 1 to 7 October, through 8 October when 中秋 falls between 28 September and 8 October;
  * a one-day holiday (元旦, 清明, 端午, 中秋) on a Tuesday takes the Monday before, on a Wednesday the
    Monday and Tuesday before, on a Thursday the Friday after, and on a Saturday or Sunday the Monday
    after (the 补假 the law requires);
  * a longer block that starts on a Tuesday takes the Monday before; one that ends on a Thursday
    takes the Friday after.

Lunar dates come from `lunardate`, the 清明 solar term from `chinese_calendar`; nothing is tabled here.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from lunardate import LunarDate

_DAY = timedelta(days=1)
_TUESDAY, _WEDNESDAY, _THURSDAY, _SATURDAY = 1, 2, 3, 5
_QINGMING = "清明"


def lunar_new_year(year: int) -> date:
    """Return 正月初一 of the lunar year that begins in `year`."""
    return _solar(year, 1, 1)


def qingming(year: int) -> date:
    """Return the day of the 清明 solar term in `year` (4, 5 or 6 April)."""
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    return next(day for day, name in terms if name == _QINGMING)


def statutory_days_off(year: int) -> dict[date, str]:
    """Return the statutory holidays of `year` (each day with its festival's name)."""
    new_year = lunar_new_year(year)
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    days.update(dict.fromkeys(_span(new_year - _DAY, new_year + 2 * _DAY), "春节"))
    days[qingming(year)] = "清明"
    days.update(dict.fromkeys(_span(date(year, 5, 1), date(year, 5, 2)), "劳动节"))
    days[_solar(year, 5, 5)] = "端午"
    days[_solar(year, 8, 15)] = "中秋"
    days.update(dict.fromkeys(_span(date(year, 10, 1), date(year, 10, 3)), "国庆节"))
    return days


def party_days_off(year: int) -> dict[date, str]:
    """Return the statutory holidays of `year` plus the bridging days schedules usually add."""
    new_year = lunar_new_year(year)
    mid_autumn = _solar(year, 8, 15)
    joined = date(year, 9, 28) <= mid_autumn <= date(year, 10, 8)  # 中秋 joins the National Day week
    national_end = date(year, 10, 8 if joined else 7)
    days: dict[date, str] = {}
    for name, first, last in (
        ("春节", new_year - 2 * _DAY, new_year + 7 * _DAY),
        ("劳动节", date(year, 5, 1), date(year, 5, 5)),
        ("国庆节", date(year, 10, 1), national_end),
    ):
        days.update(dict.fromkeys(_bridged(first, last), name))
    for name, day in (
        ("元旦", date(year, 1, 1)),
        ("元旦", date(year + 1, 1, 1)),  # its bridge may start on 30 or 31 December
        ("清明", qingming(year)),
        ("端午", _solar(year, 5, 5)),
        ("中秋", mid_autumn),
    ):
        for extra in _one_day_bridge(day):
            days.setdefault(extra, name)
    days.update({d: n for d, n in statutory_days_off(year).items() if d not in days})
    return {d: n for d, n in days.items() if d.year == year}


def _one_day_bridge(day: date) -> list[date]:
    """The holiday and the days a schedule usually joins to it to make a long weekend."""
    weekday = day.weekday()
    if weekday == _TUESDAY:
        return [day - _DAY, day]
    if weekday == _WEDNESDAY:
        return [day - 2 * _DAY, day - _DAY, day]
    if weekday == _THURSDAY:
        return [day, day + _DAY]
    if weekday >= _SATURDAY:
        return [day, day + timedelta(days=7 - weekday)]  # 补假 on the Monday after
    return [day]


def _bridged(first: date, last: date) -> list[date]:
    """A block of days off, joined to the weekend when it would leave a single working day between."""
    if first.weekday() == _TUESDAY:
        first -= _DAY
    if last.weekday() == _THURSDAY:
        last += _DAY
    return _span(first, last)


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _solar(year: int, month: int, day: int) -> date:
    """Return the Gregorian date of lunar `month`/`day` in the lunar year starting in `year`."""
    solar: date = LunarDate(year, month, day).to_solar_date()
    return solar
