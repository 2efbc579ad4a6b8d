"""Expression helpers: the conventions table, ISO text in, China-time answers out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from workflows.clock import CHINA_TZ, frozen_at
from workflows.expressions import add_days, as_date, as_datetime, build_helpers, deadline_iso
from workflows.sandbox import SandboxEnvironment
from workflows.workcalendar import WorkCalendar

CONVENTIONS_HELPERS = {
    "today",
    "mask_record",
    "is_minor",
    "now",
    "as_date",
    "as_datetime",
    "add_days",
    "add_workdays",
    "workdays_between",
    "is_workday",
    "calendar_deadline",
    "deadline_iso",
    "Decimal",
    "date",
    "datetime",
    "timedelta",
}


@pytest.fixture(scope="module")
def helpers() -> dict[str, Any]:
    return build_helpers(WorkCalendar())


def test_helper_table_matches_the_conventions(helpers: dict[str, Any]) -> None:
    assert set(helpers) == CONVENTIONS_HELPERS
    assert helpers["Decimal"] is Decimal
    assert helpers["date"] is date
    assert helpers["datetime"] is datetime
    assert helpers["timedelta"] is timedelta


def test_today_and_now_read_the_engine_clock_in_china_time(helpers: dict[str, Any]) -> None:
    instant = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)  # 01:00 on 1 October in China
    with frozen_at(instant):
        assert helpers["today"]() == date(2025, 10, 1)
        current = helpers["now"]()
    assert current == instant
    assert current.utcoffset() == timedelta(hours=8)


def test_as_date_accepts_iso_text_dates_and_datetimes() -> None:
    assert as_date("2025-10-01") == date(2025, 10, 1)
    assert as_date(" 2025-10-01 ") == date(2025, 10, 1)
    assert as_date("2025-09-30T17:00:00+00:00") == date(2025, 10, 1)
    assert as_date("2025-09-30T17:00:00Z") == date(2025, 10, 1)
    assert as_date(datetime(2025, 9, 30, 23, 0)) == date(2025, 9, 30)  # naive means China time
    assert as_date(date(2025, 10, 1)) == date(2025, 10, 1)


def test_as_date_refuses_other_values() -> None:
    with pytest.raises(ValueError, match="not an ISO date"):
        as_date("1 October 2025")
    with pytest.raises(TypeError, match="ISO text"):
        as_date(20251001)  # type: ignore[arg-type]


def test_as_datetime_gives_aware_china_time() -> None:
    assert as_datetime("2025-10-01") == datetime(2025, 10, 1, tzinfo=CHINA_TZ)
    assert as_datetime(date(2025, 10, 1)).utcoffset() == timedelta(hours=8)
    moment = as_datetime("2025-09-30T17:00:00+00:00")
    assert moment == datetime(2025, 9, 30, 17, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=8)
    assert as_datetime(datetime(2025, 10, 1, 9, 30)) == datetime(2025, 10, 1, 9, 30, tzinfo=CHINA_TZ)


def test_add_days_counts_calendar_days() -> None:
    assert add_days("2025-09-28", 3) == date(2025, 10, 1)
    assert add_days(date(2025, 3, 1), -1) == date(2025, 2, 28)
    with pytest.raises(TypeError, match="whole number"):
        add_days("2025-09-28", 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="whole number"):
        add_days("2025-09-28", True)


def test_working_day_helpers_take_iso_text(helpers: dict[str, Any]) -> None:
    assert helpers["add_workdays"]("2025-09-28", 7) == date(2025, 10, 14)
    assert helpers["add_workdays"](datetime(2020, 9, 28, 10, tzinfo=CHINA_TZ), 7) == date(2020, 10, 14)
    assert helpers["workdays_between"]("2025-09-28", date(2025, 10, 14)) == 7
    assert helpers["is_workday"]("2024-02-04") is True
    assert helpers["is_workday"]("2025-10-08") is False
    assert helpers["calendar_deadline"]("2025-09-16", 15) == date(2025, 10, 9)


def test_deadline_iso_is_end_of_day_china_time() -> None:
    assert deadline_iso(date(2025, 10, 14)) == "2025-10-14T23:59:59+08:00"
    assert deadline_iso("2025-10-14") == "2025-10-14T23:59:59+08:00"
    parsed = datetime.fromisoformat(deadline_iso("2025-10-14"))
    assert parsed.astimezone(UTC) == datetime(2025, 10, 14, 15, 59, 59, tzinfo=UTC)


def test_deadline_iso_keeps_the_instant_of_a_datetime() -> None:
    assert deadline_iso(datetime(2025, 10, 14, 2, 0, tzinfo=UTC)) == "2025-10-14T10:00:00+08:00"
    eastern = timezone(timedelta(hours=-5))
    assert deadline_iso(datetime(2025, 10, 14, 9, 0, tzinfo=eastern)) == "2025-10-14T22:00:00+08:00"


def test_helpers_work_inside_the_sandbox(helpers: dict[str, Any]) -> None:
    environment = SandboxEnvironment(helpers)
    data = {"received_on": "2025-09-28", "fine": "2000.00"}
    expression = "deadline_iso(add_workdays(received_on, 7))"
    assert environment.evaluate(expression, data) == "2025-10-14T23:59:59+08:00"
    assert environment.evaluate("Decimal(fine) * Decimal('0.5')", data) == Decimal("1000.000")
    assert environment.evaluate("is_workday(as_date('2025-10-11'))", data) is True
