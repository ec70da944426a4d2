"""The duty roster: rest days and holidays need a leading cadre; gaps are shown and reminded once."""

from datetime import date

import pytest

from emergency import duty
from emergency.models import Alert
from tests.emergency.scene import county_government, duty_officer, principal_of, shift
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

NATIONAL_DAY = [date(2026, 10, day) for day in range(1, 12)]


def test_the_national_day_holiday_needs_a_leading_cadre_every_day_but_not_its_make_up_working_saturday():
    body = county_government()
    needs = {day: duty.needs_leading_cadre(day) for day in NATIONAL_DAY}
    assert [day.day for day, needed in needs.items() if needed] == [1, 2, 3, 4, 5, 6, 7, 11]
    # Saturday 10 October is a make-up working day (调休); Sunday 20 September too.
    assert not duty.needs_leading_cadre(date(2026, 10, 10))
    assert not duty.needs_leading_cadre(date(2026, 9, 20))
    assert duty.gaps(body, NATIONAL_DAY) == [date(2026, 10, day) for day in (1, 2, 3, 4, 5, 6, 7, 11)]


def test_a_shift_with_a_leading_cadre_fills_the_gap_and_one_without_does_not():
    body = county_government()
    leader = UserFactory(organization=body)
    officer = duty_officer(body, "officer-a")
    shift(body, date(2026, 10, 1), leader=leader, officers=[officer])
    shift(body, date(2026, 10, 2), officers=[officer])  # officers alone: still a gap
    gaps = duty.gaps(body, NATIONAL_DAY)
    assert date(2026, 10, 1) not in gaps
    assert date(2026, 10, 2) in gaps


def test_a_year_past_the_published_schedules_falls_back_to_monday_to_friday():
    assert duty.is_working_day(date(2027, 1, 4))  # a Monday
    assert not duty.is_working_day(date(2027, 1, 2))  # a Saturday


def test_the_head_is_told_once_of_a_gap_within_the_notice_period(settings):
    settings.EMERGENCY_GAP_NOTICE_DAYS = 3
    body = county_government()
    principal = principal_of(body)
    officer = duty_officer(body, "officer-b")
    # The body keeps a roster (a shift this week); Saturday 20 June has nobody to lead.
    shift(body, date(2026, 6, 15), officers=[officer])
    created = duty.remind_roster_gaps(date(2026, 6, 17))
    alerts = Alert.objects.filter(reason=Alert.Reason.ROSTER_GAP, recipient=principal)
    # Friday 19 June is the Dragon Boat Festival holiday, Saturday 20 a rest day; 17, 18 are working days.
    assert created == 2
    assert sorted(alerts.values_list("on_date", flat=True)) == [date(2026, 6, 19), date(2026, 6, 20)]
    assert duty.remind_roster_gaps(date(2026, 6, 17)) == 0  # the rerun tells nobody again
