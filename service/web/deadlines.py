"""Working-day countdowns for due times: overdue red, inside the warning window amber, else green."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from workflows import CHINA_TZ, CalendarCoverageError

from ..db import as_utc
from ..runtime import get_runtime


@dataclass(frozen=True)
class Countdown:
    """How a due time reads to a person now: a css state, a short text and the due time itself."""

    state: str  # "overdue" | "warning" | "ontime"
    text: str
    due_local: str
    workdays: int | None
    provisional: bool = False  # counted over a year whose holiday schedule is not published yet


def countdown(
    due: datetime | None, now: datetime, warn: datetime | None = None, *, provisional: bool = False
) -> Countdown | None:
    """Return the countdown of a due time (None without one), counted in Chinese working days."""
    if due is None:
        return None
    due, now = as_utc(due), as_utc(now)
    local_due, today = due.astimezone(CHINA_TZ), now.astimezone(CHINA_TZ).date()
    due_text = local_due.strftime("%Y-%m-%d %H:%M")
    try:
        days: int | None = get_runtime().engine.calendar.workdays_between(today, local_due.date())
    except CalendarCoverageError:
        days = None  # beyond the calendar data: say so rather than guess
    if due < now:
        text = (
            _("Overdue")
            if not days
            else ngettext("Overdue by %(num)s working day", "Overdue by %(num)s working days", -days)
        )
        return Countdown("overdue", text, due_text, days, provisional)
    state = "warning" if warn is not None and as_utc(warn) <= now else "ontime"
    if days is None:
        text = _("Due %(date)s (working days not yet known)", date=local_due.strftime("%Y-%m-%d"))
    elif days == 0:
        text = _("Due today")
    else:
        text = ngettext("%(num)s working day left", "%(num)s working days left", days)
    return Countdown(state, text, due_text, days, provisional)


def local_time(moment: datetime | None) -> str:
    """Return a moment as China time text ("" for none)."""
    return as_utc(moment).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""
