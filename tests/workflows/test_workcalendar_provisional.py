"""Provisional calendar years (issue 6): statutory holidays only, whom a deadline binds, the horizon."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from workflows.calendar_schedule import YearSchedule, parse_year_document, schedule_problems
from workflows.errors import CalendarCoverageError
from workflows.expressions import build_helpers
from workflows.statutory import party_days_off, statutory_days_off
from workflows.workcalendar import Binding, WorkCalendar, YearSource, record_provisional

PUBLISHED_UNDER_THE_2024_LAW = (2025, 2026)


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_bureau_duty_over_new_year_2027_skips_only_the_statutory_day(calendar: WorkCalendar) -> None:
    helpers = build_helpers(calendar)
    with record_provisional() as years:
        assert helpers["add_workdays"](date(2026, 12, 30), 3) == date(2027, 1, 5)  # 元旦 (Friday) off
    assert years == {2027}


def test_bureau_duty_over_spring_festival_2027_skips_chuxi_to_chusan(calendar: WorkCalendar) -> None:
    # 除夕 Friday 02-05, 初一-初三 02-06..08: the first working day after Thursday 02-04 is Tuesday 02-09.
    helpers = build_helpers(calendar)
    with record_provisional() as years:
        assert helpers["add_workdays"](date(2027, 2, 4), 1) == date(2027, 2, 9)
    assert years == {2027}


def test_plain_add_workdays_keeps_its_signature_and_binds_the_bureau(calendar: WorkCalendar) -> None:
    assert calendar.add_workdays(date(2027, 2, 4), 1) == calendar.add_workdays(date(2027, 2, 4), 1, "bureau")


def test_party_right_and_bureau_duty_over_one_provisional_holiday_land_on_either_side(
    calendar: WorkCalendar,
) -> None:
    helpers = build_helpers(calendar)
    duty = helpers["add_workdays"]("2027-02-03", 1, binds="bureau")
    right = helpers["add_workdays"]("2027-02-03", 1, binds="party")
    spring_festival = sorted(d for d, name in statutory_days_off(2027).items() if name == "春节")
    assert duty == date(2027, 2, 4) < spring_festival[0]
    assert right == date(2027, 2, 15) > spring_festival[-1]  # the usual week off, through 初八 (02-13)


def test_the_other_helpers_take_the_same_binding(calendar: WorkCalendar) -> None:
    helpers = build_helpers(calendar)
    assert helpers["is_workday"]("2027-02-04")
    assert not helpers["is_workday"]("2027-02-04", binds="party")
    assert helpers["workdays_between"]("2027-02-03", "2027-02-15") == 6
    assert helpers["workdays_between"]("2027-02-03", "2027-02-15", binds="party") == 1
    # 15 days after 2027-09-16 is Friday 10-01 (国庆): the duty reads Monday 10-04; the right assumes
    # the week 10-01..07 bridged to the weekend through Friday 10-08, so Monday 10-11.
    assert helpers["calendar_deadline"]("2027-09-16", 15) == date(2027, 10, 4)
    assert helpers["calendar_deadline"]("2027-09-16", 15, binds="party") == date(2027, 10, 11)
    with pytest.raises(ValueError, match='"bureau".*"party"'):
        helpers["add_workdays"]("2027-02-03", 1, binds="applicant")


def test_published_years_answer_the_same_for_both_bindings_and_record_nothing(calendar: WorkCalendar) -> None:
    with record_provisional() as years:
        for day in (date(2025, 9, 28), date(2026, 2, 13), date(2026, 11, 20)):  # working days
            for n in (1, 5, 20, -3):
                assert calendar.add_workdays(day, n, Binding.PARTY) == calendar.add_workdays(day, n)
                assert calendar.add_workdays(day, n) == chinese_calendar.find_workday(n, day)
    assert years == set()


@pytest.mark.parametrize("year", PUBLISHED_UNDER_THE_2024_LAW)
def test_statutory_days_are_days_off_in_every_schedule_published_under_the_2024_law(year: int) -> None:
    worked = [d for d in statutory_days_off(year) if chinese_calendar.is_workday(d)]
    assert worked == []
    assert len(statutory_days_off(year)) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3


@pytest.mark.parametrize("year", range(2016, 2027))
def test_the_party_rule_assumes_every_weekday_a_published_schedule_gave_off(year: int) -> None:
    one_offs = {date(2015, 9, 3), date(2015, 9, 4)}  # the 2015 parade days, declared once
    day, missed = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and not chinese_calendar.is_workday(day) and day not in one_offs:
            missed += [] if day in party_days_off(year) else [day]
        day += timedelta(days=1)
    assert missed == []


def test_each_statutory_holiday_of_2027_is_found_from_the_lunar_and_solar_term_libraries() -> None:
    days = statutory_days_off(2027)
    assert days[date(2027, 2, 5)] == "春节"  # 除夕
    assert days[date(2027, 4, 5)] == "清明"
    assert days[date(2027, 6, 9)] == "端午"
    assert days[date(2027, 9, 15)] == "中秋"
    assert {d for d, n in days.items() if n == "国庆节"} == {date(2027, 10, d) for d in (1, 2, 3)}


def test_the_horizon_is_five_years_past_the_last_published_year(calendar: WorkCalendar) -> None:
    assert calendar.covered_until() == date(2026, 12, 31)
    assert calendar.provisional_until() == date(2031, 12, 31)
    assert [calendar.source(y) for y in (2026, 2027, 2031, 2032)] == [
        YearSource.PACKAGE,
        YearSource.PROVISIONAL,
        YearSource.PROVISIONAL,
        None,
    ]
    with pytest.raises(CalendarCoverageError, match="provisionally until 2031"):
        calendar.add_workdays(date(2031, 12, 1), 30)


def test_an_entered_schedule_replaces_the_provisional_year_and_moves_the_horizon(
    calendar: WorkCalendar,
) -> None:
    schedule = YearSchedule(
        2027, frozenset({date(2027, 1, 1), date(2027, 2, 4)}), frozenset({date(2027, 2, 20)})
    )
    calendar.set_entered({2027: schedule})
    assert calendar.source(2027) is YearSource.ENTERED
    assert calendar.provisional_until() == date(2032, 12, 31)
    with record_provisional() as years:
        assert not calendar.is_workday(date(2027, 2, 4), Binding.BUREAU)
        assert calendar.is_workday(date(2027, 2, 20), Binding.PARTY)  # a 调休 Saturday
    assert years == set()


def test_a_trial_schedule_is_seen_only_inside_the_block(calendar: WorkCalendar) -> None:
    schedule = YearSchedule(2027, frozenset({date(2027, 2, 4)}), frozenset())
    with calendar.trial({2027: schedule}):
        assert calendar.source(2027) is YearSource.ENTERED
        assert not calendar.is_workday(date(2027, 2, 4))
    assert calendar.source(2027) is YearSource.PROVISIONAL
    assert calendar.is_workday(date(2027, 2, 4))


def test_a_schedule_must_list_every_statutory_holiday_and_stay_in_its_year() -> None:
    document = {"holidays": ["2027-01-01", "2026-12-31", "2027-02-09"], "workdays": ["2027-02-09"]}
    problems = schedule_problems(parse_year_document(document, 2027))
    assert any("2026-12-31" in p and "2027" in p for p in problems)
    assert any("2027-02-09" in p and "both" in p for p in problems)
    assert any("2027-02-05（春节）" in p for p in problems)  # 除夕, a Friday, not listed
    assert not any("2027-02-06" in p for p in problems)  # 初一 is a Saturday: off unless listed as worked
