"""Studio: the working-day calendar — which years it covers and from where, and entering a year's
official holiday/调休 schedule, with its effect on running deadlines shown before it is saved."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import render_template, request
from flask.typing import ResponseReturnValue

from workflows import CHINA_TZ

from ..db import get_session
from ..errors import Invalid
from ..operations import calendar as calendar_ops
from ..operations.audit import Actor
from .common import pick, request_now
from .session import page_user, signin_required

EDITORS = ("process_owner", "admin")
MAX_DAYS = 366
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:~|\.\.|至)(\d{4}-\d{2}-\d{2})$")


def parse_days(text: str, field: str) -> list[date]:
    """Read dates (YYYY-MM-DD) and ranges (A~B) separated by spaces, commas or new lines."""
    days: list[date] = []
    for token in (t for t in _SEPARATORS.split(text.strip()) if t):
        match = _RANGE.match(token)
        try:
            if match:
                first, last = (date.fromisoformat(g) for g in match.groups())
                if last < first or (last - first).days >= MAX_DAYS:
                    raise ValueError
                days += [first + timedelta(days=n) for n in range((last - first).days + 1)]
            else:
                days.append(date.fromisoformat(token))
        except ValueError:
            raise Invalid(
                f"「{token[:40]}」不是日期（YYYY-MM-DD）或日期区间 / '{token[:40]}' is not a date or a range",
                {field: [token[:40]]},
            ) from None
    if len(days) > MAX_DAYS:
        raise Invalid("日期过多 / too many dates", {field: [f"at most {MAX_DAYS}"]})
    return days


def _year() -> int:
    text = request.form.get("year", "").strip()
    if not text.isdigit() or len(text) != 4:
        raise Invalid("请填写四位年份 / enter a four-digit year", {"year": [text[:10] or "required"]})
    return int(text)


@signin_required(*EDITORS)
def calendar_page() -> ResponseReturnValue:
    """Show the years covered and the form to enter a year's schedule."""
    return _render({})


@signin_required(*EDITORS)
def calendar_enter() -> ResponseReturnValue:
    """Preview (dry run) or save a year's schedule; the preview lists every deadline it would move."""
    session, form = get_session(), request.form
    values = {k: form.get(k, "") for k in ("year", "holidays", "workdays", "source")}
    save = form.get("action") == "save"
    try:
        year = _year()
        holidays, workdays = (
            parse_days(values["holidays"], "holidays"),
            parse_days(values["workdays"], "workdays"),
        )
        effect = calendar_ops.set_year_schedule(
            session,
            year,
            holidays,
            workdays,
            Actor.of(page_user()),
            source=values["source"].strip()[:300],
            dry_run=not save,
            now=request_now(),
        )
    except Invalid as exc:
        session.rollback()
        fields = list(exc.details) if isinstance(exc.details, dict) else []
        return _render(values, error=pick(exc.message), problems=_problems(exc), fields=fields), 422
    if save:
        session.commit()
    else:
        session.rollback()
    return _render(values, effect=effect, saved=save)


def _problems(exc: Invalid) -> list[str]:
    details = exc.details if isinstance(exc.details, dict) else {}
    return [pick(str(p)) for problems in details.values() for p in problems] if "schedule" in details else []


def _render(values: dict[str, str], **context: object) -> ResponseReturnValue:
    return render_template(
        "web/studio/calendar.html",
        years=calendar_ops.calendar_overview(get_session()),
        values=values,
        pick=pick,
        china_tz=CHINA_TZ,
        **context,
    )
