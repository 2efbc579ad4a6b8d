"""One clock for the engine: real time by default, a fixed instant inside `frozen_at`.

SpiffWorkflow's timer module reads `datetime.now(timezone.utc)` directly. We replace that module's
`datetime` name with a subclass whose `now()` consults our clock, so timers are computed and fired
against the instant the caller passes in (a worker's poll time, or a simulated `--now`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

_frozen_now: ContextVar[datetime | None] = ContextVar("zhifa_frozen_now", default=None)


def now() -> datetime:
    """Return the current instant (timezone-aware, UTC) on the engine clock."""
    frozen = _frozen_now.get()
    return frozen if frozen is not None else datetime.now(UTC)


def today() -> date:
    """Return today's date in China Standard Time on the engine clock."""
    return now().astimezone(CHINA_TZ).date()


@contextlib.contextmanager
def frozen_at(instant: datetime | None) -> Iterator[None]:
    """Run the block with the engine clock fixed at `instant` (None keeps real time)."""
    if instant is None:
        yield
        return
    if instant.tzinfo is None:
        raise ValueError("the engine clock needs a timezone-aware instant")
    token = _frozen_now.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _frozen_now.reset(token)


class _ClockedDatetime(datetime):
    """`datetime` whose `now()` reads the engine clock; used only inside SpiffWorkflow's timer module."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        instant = now()
        return instant.astimezone(tz) if tz is not None else instant.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]
