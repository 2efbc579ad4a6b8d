"""Working-day calendar: real 调休 schedules, coverage limits and the overrides file."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from workflows.errors import CalendarCoverageError
from workflows.workcalendar import WorkCalendar

# A made-up 2027 schedule for tests only; the real one is not published yet.
FAKE_2027 = """\
years:
  2027:
    holidays: [2027-01-01, "2027-02-08"]
    workdays: [2027-02-06]
"""


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_add_workdays_crosses_2020_national_day(calendar: WorkCalendar) -> None:
    assert calendar.add_workdays(date(2020, 9, 28), 7) == date(2020, 10, 14)


def test_add_workdays_crosses_2025_national_day_with_tiaoxiu(calendar: WorkCalendar) -> None:
    # 09-28 (Sunday, working) is the start and not counted: 09-29 (1), 09-30 (2), 10-01..08 off,
    # 10-09 (3), 10-10 (4), 10-11 (Saturday, working: 5), 10-12 off, 10-13 (6), 10-14 (7).
    assert calendar.is_workday(date(2025, 9, 28))
    assert not calendar.is_workday(date(2025, 10, 8))
    assert calendar.is_workday(date(2025, 10, 11))
    assert calendar.add_workdays(date(2025, 9, 28), 5) == date(2025, 10, 11)
    assert calendar.add_workdays(date(2025, 9, 28), 7) == date(2025, 10, 14)


def test_2024_02_04_is_a_working_sunday(calendar: WorkCalendar) -> None:
    assert date(2024, 2, 4).weekday() == 6
    assert calendar.is_workday(date(2024, 2, 4))
    assert not calendar.is_workday(date(2024, 2, 11))


def test_add_workdays_from_a_rest_day_counts_the_first_working_day_as_one(calendar: WorkCalendar) -> None:
    assert calendar.add_workdays(date(2025, 10, 1), 1) == date(2025, 10, 9)
    assert calendar.add_workdays(date(2025, 10, 1), 3) == date(2025, 10, 11)


def test_add_zero_workdays_rolls_forward_to_a_working_day(calendar: WorkCalendar) -> None:
    assert calendar.add_workdays(date(2025, 9, 30), 0) == date(2025, 9, 30)
    assert calendar.add_workdays(date(2025, 10, 1), 0) == date(2025, 10, 9)


def test_add_negative_workdays_counts_backwards(calendar: WorkCalendar) -> None:
    assert calendar.add_workdays(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert calendar.add_workdays(date(2025, 10, 14), -7) == date(2025, 9, 28)
    assert calendar.add_workdays(date(2026, 1, 5), -3) == date(2025, 12, 30)


def test_add_workdays_crosses_new_year(calendar: WorkCalendar) -> None:
    # 2026-01-01..03 off, Sunday 2026-01-04 is a 调休 working day.
    assert calendar.add_workdays(date(2025, 12, 31), 1) == date(2026, 1, 4)


def test_add_workdays_agrees_with_the_library_from_working_days(calendar: WorkCalendar) -> None:
    start = date(2023, 12, 1)
    for offset in range(0, 800, 7):
        day = start + timedelta(days=offset)
        if not chinese_calendar.is_workday(day):
            continue
        for n in (1, 2, 5, 10, 30, -1, -5, -20):
            assert calendar.add_workdays(day, n) == chinese_calendar.find_workday(n, day), (day, n)


def test_workdays_between_counts_after_start_through_end(calendar: WorkCalendar) -> None:
    assert calendar.workdays_between(date(2025, 9, 28), date(2025, 10, 14)) == 7
    assert calendar.workdays_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert calendar.workdays_between(date(2025, 10, 8), date(2025, 10, 9)) == 1
    assert calendar.workdays_between(date(2025, 10, 14), date(2025, 9, 28)) == -7


def test_workdays_between_is_antisymmetric_and_additive(calendar: WorkCalendar) -> None:
    days = [date(2023, 1, 1) + timedelta(days=k * 53) for k in range(14)]
    for a in days:
        assert calendar.workdays_between(a, a) == 0
        for b in days:
            assert calendar.workdays_between(a, b) == -calendar.workdays_between(b, a)
            for c in days[::4]:
                total = calendar.workdays_between(a, b) + calendar.workdays_between(b, c)
                assert total == calendar.workdays_between(a, c)


def test_workdays_between_matches_a_day_by_day_count(calendar: WorkCalendar) -> None:
    a, b = date(2023, 11, 20), date(2026, 2, 3)
    expected = sum(calendar.is_workday(a + timedelta(days=k)) for k in range(1, (b - a).days + 1))
    assert calendar.workdays_between(a, b) == expected


def test_workdays_between_inverts_add_workdays_from_a_working_day(calendar: WorkCalendar) -> None:
    for day in (date(2025, 9, 28), date(2024, 2, 4), date(2025, 12, 31)):
        for n in range(-40, 41):
            assert calendar.workdays_between(day, calendar.add_workdays(day, n)) == n


def test_calendar_deadline_moves_off_rest_days_only(calendar: WorkCalendar) -> None:
    assert calendar.calendar_deadline(date(2025, 9, 1), 15) == date(2025, 9, 16)
    assert calendar.calendar_deadline(date(2025, 9, 16), 15) == date(2025, 10, 9)  # lands on 10-01
    assert calendar.calendar_deadline(date(2025, 8, 22), 15) == date(2025, 9, 8)  # lands on Saturday 09-06
    assert calendar.calendar_deadline(date(2025, 9, 26), 15) == date(2025, 10, 11)  # working Saturday


def test_date_past_the_provisional_horizon_raises_in_both_languages(calendar: WorkCalendar) -> None:
    # Issue 6: 2027-2031 are answered provisionally (tests/workflows/test_workcalendar_provisional.py);
    # only a year past the five-year horizon, or before the package, is still refused.
    with pytest.raises(CalendarCoverageError) as excinfo:
        calendar.is_workday(date(2032, 3, 1))
    message = str(excinfo.value)
    assert "2032 年的节假日安排尚未录入" in message
    assert "calendar data for 2032 not yet available" in message
    with pytest.raises(CalendarCoverageError, match="2032"):
        calendar.add_workdays(date(2031, 12, 29), 5)
    with pytest.raises(CalendarCoverageError, match="2003"):
        calendar.add_workdays(date(2004, 1, 2), -5)
    assert calendar.covered_until() == date(2026, 12, 31)


def test_overrides_file_covers_a_new_year(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(FAKE_2027, encoding="utf-8")
    calendar = WorkCalendar.from_file(path)
    assert calendar.covered_until() == date(2027, 12, 31)
    assert not calendar.is_workday(date(2027, 1, 1))  # Friday, listed holiday
    assert calendar.is_workday(date(2027, 2, 6))  # Saturday, listed workday
    assert not calendar.is_workday(date(2027, 2, 7))  # Sunday, not listed
    assert calendar.is_workday(date(2027, 3, 1))  # Monday, not listed
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.add_workdays(date(2027, 2, 5), 2) == date(2027, 2, 9)
    assert calendar.workdays_between(date(2026, 12, 31), date(2027, 1, 4)) == 1
    assert not calendar.covers(2028)  # provisional: the horizon now runs five years past 2027
    with pytest.raises(CalendarCoverageError, match="2033"):
        calendar.is_workday(date(2033, 1, 3))


def test_override_table_wins_over_the_package() -> None:
    calendar = WorkCalendar({date(2025, 10, 13): False})
    assert calendar.add_workdays(date(2025, 9, 28), 7) == date(2025, 10, 15)


def test_bundled_overrides_file_loads_and_invents_nothing() -> None:
    assert WorkCalendar.from_file(None).covered_until() == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-01-01]\n", "both"),
        ("years:\n  2027:\n    holidays: [2026-12-31]\n", "under year 2027"),
        ("years:\n  2027:\n    rest: [2027-01-01]\n", "only the keys"),
        ("years:\n  2027:\n    holidays: [not-a-date]\n", "ISO date"),
        ("calendar: {}\n", "single key"),
    ],
)
def test_malformed_overrides_file_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        WorkCalendar.from_file(path)


def test_datetime_is_refused_because_its_day_depends_on_the_time_zone(calendar: WorkCalendar) -> None:
    with pytest.raises(TypeError, match="expected a date"):
        calendar.is_workday(datetime(2025, 10, 1, 12, 0))


def test_add_200_workdays_takes_well_under_a_millisecond(calendar: WorkCalendar) -> None:
    calendar.add_workdays(date(2025, 1, 2), 200)  # warm the per-year cache
    rounds = 1000
    started = time.perf_counter()
    for _ in range(rounds):
        calendar.add_workdays(date(2025, 1, 2), 200)
    assert (time.perf_counter() - started) / rounds < 0.0002
