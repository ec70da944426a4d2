"""Deadlines in working days: the assignment form takes N working days and shows the date; extension
rules counted in working days (asked early enough, decided within M days, at most a year in all)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from hazards import workflow
from hazards.models import HazardState
from hazards.workflow import HazardError
from tests.hazards.workflow_helpers import move_to, report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date):
    """The clock on `day`, 10:00 in Shanghai."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=True)


@pytest.fixture
def reported(inspector, rectifier):
    with at(date(2026, 9, 28)):
        return report(inspector, unit=rectifier.organization)


def test_the_head_gives_five_working_days_across_the_national_day_holiday(client, head, rectifier, reported):
    client.force_login(head)
    with at(date(2026, 9, 29)):
        response = client.post(
            f"/hazards/{reported.pk}/act/assign/",
            {
                "assign-version": reported.version,
                "assign-rectifying_unit": rectifier.organization.pk,
                "assign-working_days": "5",
                "assign-deadline": "",
            },
        )
    assert response.status_code == 302
    reported.refresh_from_db()
    # 30 September, then 8, 9, 10 (the make-up Saturday) and 12 October.
    assert reported.deadline == date(2026, 10, 12)
    assert reported.state == HazardState.ASSIGNED


def test_the_form_shows_the_resulting_date_as_the_head_types(client, head):
    client.force_login(head)
    with at(date(2026, 9, 29)), translation.override("en"):
        answer = client.get("/rules/working-days/", {"assign-working_days": "5"}).content.decode()
    assert 'data-deadline="2026-10-12"' in answer


def test_the_form_wants_a_deadline_or_working_days(client, head, rectifier, reported):
    client.force_login(head)
    with at(date(2026, 9, 29)):
        response = client.post(
            f"/hazards/{reported.pk}/act/assign/",
            {"assign-version": reported.version, "assign-rectifying_unit": rectifier.organization.pk},
        )
    assert response.status_code == 400
    reported.refresh_from_db()
    assert reported.state == HazardState.REPORTED


@pytest.fixture
def assigned(head, rectifier, reported):
    """Assigned on 28 September, due Monday 12 October."""
    with at(date(2026, 9, 28)):
        return move_to(reported, HazardState.RECTIFYING, head=head, rectifier=rectifier, deadline=date(2026, 10, 12))


def refusal(call) -> str:
    with translation.override("en"), pytest.raises(HazardError) as refused:
        call()
    return str(refused.value)


def ask(rectifier, hazard, new_deadline):
    return workflow.request_extension(actor=rectifier, hazard_id=hazard.pk, new_deadline=new_deadline, reason="雨季。")


def test_an_extension_is_asked_at_least_three_working_days_before_the_deadline(rectifier, assigned):
    # On 8 October three working days are left (9, 10 and 12 October): still in time.
    with at(date(2026, 10, 8)):
        request = ask(rectifier, assigned, date(2026, 10, 30))
    assert request.pk


def test_a_request_two_working_days_before_is_refused_even_if_calendar_days_remain(rectifier, assigned):
    # On 9 October, three calendar days before, only two working days are left.
    with at(date(2026, 10, 9)):
        message = refusal(lambda: ask(rectifier, assigned, date(2026, 10, 30)))
    assert "at least 3 working days" in message
    assert "2026-10-08" in message


def test_the_decision_is_due_five_working_days_after_the_request(rectifier, assigned):
    with at(date(2026, 9, 29)):
        request = ask(rectifier, assigned, date(2026, 10, 30))
    # 30 September, 8, 9, 10 and 12 October.
    assert request.decision_due == date(2026, 10, 12)


def test_the_notice_and_decision_periods_come_from_settings(settings, rectifier, assigned):
    settings.EXTENSION_REQUEST_MIN_WORKING_DAYS = 1
    settings.EXTENSION_DECISION_WORKING_DAYS = 2
    with at(date(2026, 10, 9)):
        request = ask(rectifier, assigned, date(2026, 10, 30))
    assert request.decision_due == date(2026, 10, 12)


def test_extensions_add_at_most_a_year_to_the_first_deadline(head, rectifier, assigned):
    with at(date(2026, 9, 29)):
        message = refusal(lambda: ask(rectifier, assigned, date(2027, 10, 13)))
        assert "2027-10-12" in message
        ask(rectifier, assigned, date(2027, 6, 1))
        workflow.decide_extension(actor=head, hazard_id=assigned.pk, approve=True)
        # A second extension counts from the first deadline, not the extended one.
        assigned.refresh_from_db()
        message = refusal(lambda: ask(rectifier, assigned, date(2027, 10, 13)))
        assert "2027-10-12" in message
        assert ask(rectifier, assigned, date(2027, 10, 12)).pk


def test_the_limit_comes_from_settings(settings, rectifier, assigned):
    settings.EXTENSION_MAX_TOTAL_DAYS = 30
    with at(date(2026, 9, 29)):
        assert "2026-11-11" in refusal(lambda: ask(rectifier, assigned, date(2026, 11, 12)))
