"""The reminder ladder counted in working days (the default), across the 2026 National Day holiday
(1–7 October, with Saturday 10 October a make-up working day)."""

from datetime import date

import pytest

from notifications import reminders
from notifications.models import Reminder
from tests.notifications.reminder_helpers import assigned_hazard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Stage = Reminder.Stage
FROZEN = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _working_days(settings, _calendar_days):
    settings.REMINDER_DAY_COUNT = "working"


def due_on(scene, deadline: date, **kwargs):
    return assigned_hazard(scene, days=(deadline - FROZEN).days, **kwargs)


def stages(day: date) -> set[str]:
    reminders.scan_deadlines(today=day)
    return set(Reminder.objects.filter(due_on=day).values_list("stage", flat=True))


def test_a_deadline_after_the_holiday_is_due_soon_before_it_not_during_it(scene):
    # Friday 9 October. Counted in calendar days "3 days before" is 6 October, in the holiday; in
    # working days it is 29 September, when 30 September, 8 and 9 October are left.
    due_on(scene, date(2026, 10, 9))
    assert stages(date(2026, 9, 28)) == set()
    assert stages(date(2026, 9, 29)) == {Stage.DUE_SOON}


def test_the_make_up_saturday_counts_as_a_working_day(scene):
    due_on(scene, date(2026, 10, 12))  # Monday after the make-up Saturday
    # On 7 October (holiday) 8, 9, 10 and 12 October remain: four working days, not yet due soon.
    assert stages(date(2026, 10, 7)) == set()
    # On 8 October three remain (9, 10, 12): due soon — with calendar days it would have been the 9th.
    assert stages(date(2026, 10, 8)) == {Stage.DUE_SOON}


def test_a_general_hazard_is_escalated_after_seven_working_days_not_seven_calendar_days(scene):
    due_on(scene, date(2026, 9, 30))
    assert stages(date(2026, 10, 1)) == {Stage.OVERDUE}  # overdue the day after, holiday or not
    # Seven calendar days later is still the holiday; the seventh working day after is 15 October.
    assert Stage.ESCALATION not in stages(date(2026, 10, 14))
    assert Stage.ESCALATION in stages(date(2026, 10, 15))


def test_overdue_repeats_every_three_working_days(scene):
    due_on(scene, date(2026, 9, 30))
    days = [date(2026, 10, day) for day in range(1, 17)]
    repeats = [day.day for day in days if Stage.OVERDUE in stages(day)]
    # 1 October starts; then the 4th working day overdue (12 October) and the 7th (15 October).
    assert repeats == [1, 12, 15]


def test_the_scans_date_bounds_come_from_the_calendar():
    ladder = reminders.Ladder.from_settings()
    # Due soon on 30 September: deadlines up to Sunday 11 October (three working days: 8, 9, 10).
    assert ladder.due_soon_horizon(date(2026, 9, 30)) == date(2026, 10, 11)
    # Seven working days overdue on 15 October: deadlines up to 30 September (and the holiday after it).
    assert ladder.overdue_cutoff(date(2026, 10, 15), 7) == date(2026, 10, 7)
    assert ladder.days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0


def test_settings_can_count_calendar_days(settings):
    settings.REMINDER_DAY_COUNT = "calendar"
    ladder = reminders.Ladder.from_settings()
    assert ladder.due_soon_horizon(date(2026, 9, 30)) == date(2026, 10, 3)
    assert ladder.overdue_cutoff(date(2026, 10, 15), 7) == date(2026, 10, 8)
