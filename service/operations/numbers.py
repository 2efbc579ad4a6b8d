"""Allocate the next number of a series inside the current transaction: no gaps, no duplicates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows import CHINA_TZ

from ..errors import Invalid
from ..models import NumberCounter
from ..numbering import Numbering


def allocate(session: Session, numbering: Numbering, series_key: str, now: datetime) -> str:
    """Take the next number of `series_key` for the current year (China time) and render it."""
    series = numbering.series.get(series_key)
    if series is None:
        raise Invalid("未配置的编号序列 / unknown number series", {"series": [series_key]})
    year = now.astimezone(CHINA_TZ).year
    return series.render(numbering.organ, year, _next_value(session, series_key, year))


def _next_value(session: Session, series: str, year: int) -> int:
    # The UPDATE takes the counter row's lock until commit: a concurrent step waits, then reads on.
    bumped = session.execute(
        update(NumberCounter)
        .where(NumberCounter.series == series, NumberCounter.year == year)
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value)
    ).scalar_one_or_none()
    if bumped is not None:
        return int(bumped)
    try:
        with session.begin_nested():
            session.add(NumberCounter(series=series, year=year, last_value=1))
        return 1
    except IntegrityError:
        # Another transaction created this year's counter first: take the next value from it.
        return _next_value(session, series, year)


def current_value(session: Session, series: str, year: int) -> int:
    """Return the last number issued in a series and year (0 when none)."""
    value = session.scalar(
        select(NumberCounter.last_value).where(NumberCounter.series == series, NumberCounter.year == year)
    )
    return int(value or 0)
