"""The KPI page for leaders and auditors: rates, overdue tasks and stage durations, charted as SVG."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from workflows import CHINA_TZ

from ..db import get_session
from ..operations import kpi as kpi_ops
from ..runtime import get_runtime
from .common import request_now
from .nav import KPI_READERS
from .present import role_name
from .session import signin_required

DEFAULT_DAYS = 90


def _day(name: str, default: date) -> date:
    try:
        return date.fromisoformat((request.args.get(name) or "").strip())
    except ValueError:
        return default


def date_range(now: datetime) -> tuple[date, date]:
    """Read the chosen range of local days (default: the last 90 days, today included)."""
    today = now.astimezone(CHINA_TZ).date()
    first = _day("from", today - timedelta(days=DEFAULT_DAYS - 1))
    last = _day("to", today)
    return (first, last) if first <= last else (last, first)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TZ)


@signin_required(*KPI_READERS)
def kpi_page() -> ResponseReturnValue:
    """Show the indicators for the chosen range of days."""
    now = request_now()
    first, last = date_range(now)
    kpis = kpi_ops.compute(
        get_session(), _instant(first), _instant(last + timedelta(days=1)), now, get_runtime().engine.calendar
    )
    return render_template(
        "web/kpi.html",
        kpis=kpis,
        first=first,
        last=last,
        by_role=[(role_name(role, "zh") or role, n) for role, n in kpis.overdue_by_role],
        by_officer=[(name or _("Not taken"), n) for name, n in kpis.overdue_by_officer],
    )
