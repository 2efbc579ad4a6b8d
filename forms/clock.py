"""The instant that `not_future` and birth-date checks compare against, pinnable per validation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime

from forms.messages import CHINA_TZ

_pinned: ContextVar[datetime | None] = ContextVar("forms_pinned_now", default=None)


def current_time() -> datetime:
    """Return the pinned instant, else the real time (timezone-aware)."""
    pinned = _pinned.get()
    return pinned if pinned is not None else datetime.now(UTC)


def current_date() -> date:
    """Return today's date in China time on the same clock."""
    return current_time().astimezone(CHINA_TZ).date()


@contextlib.contextmanager
def pinned_clock(now: datetime | None) -> Iterator[None]:
    """Run the block with the clock fixed at `now` (naive means China time; None keeps real time)."""
    if now is None:
        yield
        return
    token = _pinned.set(now if now.tzinfo is not None else now.replace(tzinfo=CHINA_TZ))
    try:
        yield
    finally:
        _pinned.reset(token)
