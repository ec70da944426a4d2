"""Webhook events of the deadline scan (issue 17.2): `overdue` and `escalated`, signed, scoped, once.

A system registers an endpoint for the events it wants and a scope; the scan queues one event per
rung reached (the day after the deadline, each overdue repeat, the escalation) for every endpoint
whose scope holds the hazard, through the same outbox and relay as the workflow's events.
"""

import json
from datetime import timedelta

import pytest

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from notifications import reminders
from tests.api.test_webhooks import SECRET, receiver  # noqa: F401 - the local receiving system
from tests.factories import region
from tests.notifications.reminder_helpers import assigned_hazard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def _endpoint(url="http://127.0.0.1:9/", *, events=("overdue", "escalated"), code=None, industries=()):
    endpoint = WebhookEndpoint.objects.create(
        name="长沙市一张图平台", url=url, secret=SECRET, events=list(events), region=region(code) if code else None
    )
    endpoint.industries.set(industries)
    return endpoint


def _events(endpoint) -> list[tuple[str, int]]:
    return sorted(
        (delivery.event, delivery.body["reminder"]["sequence"])
        for delivery in WebhookDelivery.objects.filter(endpoint=endpoint)
    )


def test_the_overdue_event_is_posted_signed_with_the_hazard_and_its_rung(receiver, hazard):  # noqa: F811
    system = receiver(200)
    _endpoint(system.url, code="430100")  # 长沙市 holds 浏阳市
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    assert webhooks.send_due() == 1
    headers, body = system.calls[0]
    assert webhooks.verify(SECRET, body, headers["X-Signature"])
    assert headers["X-Hunan-Safety-Event"] == "overdue"
    sent = json.loads(body)
    assert sent["event"] == "overdue" and sent["actor"] is None
    assert sent["reminder"] == {
        "stage": "overdue",
        "sequence": 0,
        "deadline": hazard.deadline.isoformat(),
        "due_on": (hazard.deadline + timedelta(days=1)).isoformat(),
    }
    # The hazard as the workflow's events describe it, field for field.
    hazard.refresh_from_db()
    assert sent["hazard"] == webhooks.body_for(hazard, "overdue", None, hazard.assigned_at)["hazard"]


def test_each_rung_is_an_event_once_and_a_rerun_queues_nothing(hazard):
    endpoint = _endpoint()
    for days in (1, 1, 4, 7, 7, 8):
        reminders.scan_deadlines(today=hazard.deadline + timedelta(days=days))
    # Overdue the day after, its repeats on days 4 and 7, escalated on day 7: never twice.
    assert _events(endpoint) == [("escalated", 0), ("overdue", 0), ("overdue", 1), ("overdue", 2)]


def test_before_the_deadline_there_is_no_event(hazard):
    endpoint = _endpoint()
    reminders.scan_deadlines(today=hazard.deadline - timedelta(days=1))
    reminders.scan_deadlines(today=hazard.deadline)
    assert _events(endpoint) == []


def test_endpoints_outside_the_hazards_scope_or_events_get_nothing(hazard):
    zhuzhou = _endpoint(code="430200")  # 株洲市: not the hazard's city
    other_industry = _endpoint(industries=[_other_industry(hazard)])
    only_escalated = _endpoint(events=("escalated",))
    workflow_only = _endpoint(events=("assign", "close"))
    fireworks = _endpoint(industries=[hazard.industry.parent or hazard.industry])
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    assert _events(zhuzhou) == _events(other_industry) == _events(only_escalated) == _events(workflow_only) == []
    assert _events(fireworks) == [("overdue", 0)]


def _other_industry(hazard):
    from accounts.models import Industry

    family = {hazard.industry_id, hazard.industry.parent_id}
    return Industry.objects.exclude(pk__in=family).exclude(parent_id__in=family).first()


def test_a_major_hazard_escalated_the_first_day_gives_both_events_in_one_scan(scene):
    major = assigned_hazard(scene, major=True)
    endpoint = _endpoint()
    reminders.scan_deadlines(today=major.deadline + timedelta(days=1))
    assert _events(endpoint) == [("escalated", 0), ("overdue", 0)]
