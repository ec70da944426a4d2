"""The working-day calendar: the official 2026 schedule with its make-up days, the administrators'
table that wins over the package, and Monday–Friday for a year nobody covers (said by /healthz)."""

from datetime import date

import pytest
import time_machine

from rules.calendar import working_calendar
from rules.models import HolidaySchedule, ScheduleDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule_2027():
    """2027 as an administrator enters it: the package's data stops at 2026."""
    schedule = HolidaySchedule.objects.create(year=2027, source="国办发明电〔2026〕N号 (test)")
    # A made-up week off in the middle of a week, and a Sunday made a working day.
    for day in range(4, 9):
        ScheduleDay.objects.create(schedule=schedule, day=date(2027, 10, day), kind="holiday", name="国庆节")
    ScheduleDay.objects.create(schedule=schedule, day=date(2027, 10, 10), kind="working_day", name="国庆节")
    return schedule


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 30), True),  # Wednesday before the holiday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),  # last day of the holiday, a Wednesday
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, make-up working day (调休)
        (date(2026, 10, 11), False),  # Sunday
        (date(2026, 9, 20), True),  # Sunday, make-up day for National Day
        (date(2026, 2, 14), True),  # Saturday, make-up day for the Spring Festival
        (date(2026, 2, 17), False),  # Spring Festival
    ],
)
def test_the_2026_schedule_with_its_make_up_days(day, working):
    assert working_calendar().is_working_day(day) is working


def test_adding_working_days_jumps_the_national_day_week_and_counts_the_make_up_saturday():
    calendar = working_calendar()
    # From Wednesday 30 September: 8 October (Thu), 9 October (Fri), 10 October (the make-up Saturday).
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    # And back.
    assert calendar.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert calendar.add_working_days(date(2026, 10, 8), 0) == date(2026, 10, 8)


def test_working_days_between_counts_the_days_after_the_first_up_to_the_last():
    calendar = working_calendar()
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert calendar.working_days_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    assert calendar.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    # A whole year: 261 weekdays, less 19 weekday holidays, plus the 6 make-up weekend days.
    assert calendar.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 261 - 19 + 6


def test_a_year_supplied_only_by_the_admin_table(schedule_2027):
    calendar = working_calendar()
    assert calendar.source(2027) == "admin"
    assert calendar.is_working_day(date(2027, 10, 5)) is False  # Tuesday, holiday in the table
    assert calendar.is_working_day(date(2027, 10, 10)) is True  # Sunday, make-up day in the table
    assert calendar.is_working_day(date(2027, 10, 11)) is True  # an ordinary Monday
    assert calendar.add_working_days(date(2027, 10, 1), 1) == date(2027, 10, 10)
    assert calendar.missing_years([2026, 2027]) == []


def test_the_admin_table_wins_over_the_package_for_the_same_date():
    schedule = HolidaySchedule.objects.create(year=2026)
    # Say a local decision moved 2 October back to work (the package has it as National Day).
    ScheduleDay.objects.create(schedule=schedule, day=date(2026, 10, 2), kind="working_day")
    calendar = working_calendar()
    assert calendar.is_working_day(date(2026, 10, 2)) is True
    # Dates the table does not list still follow the package.
    assert calendar.is_working_day(date(2026, 10, 10)) is True
    assert calendar.is_working_day(date(2026, 10, 3)) is False


def test_a_year_neither_covers_falls_back_to_monday_to_friday():
    calendar = working_calendar()
    assert calendar.source(2028) is None
    assert calendar.missing_years([2026, 2028]) == [2028]
    # 1 October 2028 is a Sunday, 2 October a Monday: no holiday known, so Monday is a working day.
    assert calendar.is_working_day(date(2028, 10, 1)) is False
    assert calendar.is_working_day(date(2028, 10, 2)) is True
    assert calendar.add_working_days(date(2028, 9, 29), 1) == date(2028, 10, 2)


def test_healthz_says_when_next_years_schedule_is_missing_in_november(client):
    with time_machine.travel(date(2026, 11, 20)):
        answer = client.get("/healthz").json()
    assert answer["status"] == "ok"
    assert "2027" in answer["calendar"]


def test_healthz_calendar_is_ok_once_the_admin_enters_the_year(client, schedule_2027):
    with time_machine.travel(date(2026, 11, 20)):
        assert client.get("/healthz").json()["calendar"] == "ok"


def test_the_admin_warns_about_a_missing_year(client, administrator):
    client.force_login(administrator)
    with time_machine.travel(date(2026, 12, 1)):
        page = client.get("/admin/rules/holidayschedule/", follow=True)
    assert page.status_code == 200
    assert "2027" in page.content.decode()
