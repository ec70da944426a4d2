"""A broker outage (DESIGN.md section 6): the web keeps working, reminders wait in the outbox.

The broker here is a socket that accepts connections and never answers, the worst case: a Redis
client waits for its socket timeout instead of failing at once. Web requests never publish (the
deliveries are rows, relayed by the scan and the beat's relay), so a workflow action answers at once
and never even connects; the scan itself gives up after one socket timeout, logs it, and the next
scan, once the broker is back, delivers what waited.
"""

import logging
import time
from datetime import timedelta

import pytest

from hazards.models import HazardState
from notifications import reminders
from notifications.models import Delivery, Notification, Reminder
from tests.notifications.reminder_helpers import (
    REDIS_TRANSPORT_OPTIONS,
    BlackHole,
    assigned_hazard,
    build_scene,
    celery_broker,
    celery_eager,
    everyone_opens_their_notifications,
)

pytestmark = pytest.mark.django_db

Status = Delivery.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scene(inspector, head, rectifier):
    scene = build_scene(inspector=inspector, head=head, rectifier=rectifier)
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    return scene


def test_with_the_broker_unreachable_the_web_answers_and_the_next_scan_delivers(
    scene, client, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    hazard = assigned_hazard(scene, days=3)
    with BlackHole() as hole, celery_broker(hole.url, REDIS_TRANSPORT_OPTIONS):
        # A workflow action through the web, with everything it does after commit.
        client.force_login(scene.rectifier)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/hazards/{hazard.pk}/act/start/",
                {"start-version": hazard.version, "start-measures": "拆除违规工房。"},
            )
        elapsed = time.monotonic() - started
        assert response.status_code == 302 and elapsed < 2, elapsed
        hazard.refresh_from_db()
        assert hazard.state == HazardState.RECTIFYING
        assert client.get(f"/hazards/{hazard.pk}/").status_code == 200
        assert client.get("/notifications/").status_code == 200

        # The morning scan while the broker is down: reminders and in-app delivery happen, the
        # e-mail stays in the outbox; publishing gives up after one socket timeout and says so.
        started = time.monotonic()
        with (
            caplog.at_level(logging.WARNING, logger="notifications.delivery"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert reminders.scan_deadlines(today=hazard.deadline)[Reminder.Stage.DUE_TODAY] == 3
        scan_seconds = time.monotonic() - started
        assert "Broker unavailable" in caplog.text
        assert scan_seconds < REDIS_TRANSPORT_OPTIONS["socket_timeout"] * 3, scan_seconds
        connections_during_the_scan = len(hole.connections)
    # The web request never connected; the scan did (and gave up).
    assert connections_during_the_scan >= 1
    assert everyone_opens_their_notifications() == 3
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == 3
    email = Delivery.objects.get(channel=Delivery.Channel.EMAIL)
    assert (email.status, email.queued_at, email.attempts) == (Status.PENDING, None, 0)
    assert mailoutbox == []

    # The broker is back: the next scan creates nothing new and delivers what waited.
    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        assert sum(reminders.scan_deadlines(today=hazard.deadline).values()) == 0
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [message.to for message in mailoutbox] == [["rectifier@example.gov.cn"]]


def test_the_web_never_connects_to_the_broker(scene, client, administrator, django_capture_on_commit_callbacks):
    """Pages, workflow actions and the admin's retry all answer without publishing anything."""
    hazard = assigned_hazard(scene, days=3)
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=7), relay=False)
    Delivery.objects.filter(channel=Delivery.Channel.EMAIL).update(status=Status.FAILED)
    with BlackHole() as hole, celery_broker(hole.url, REDIS_TRANSPORT_OPTIONS):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            client.force_login(scene.head)
            assert client.get(f"/hazards/{hazard.pk}/").status_code == 200
            assert client.get("/hazards/?escalated=true").status_code == 200
            client.force_login(administrator)
            response = client.post(
                "/admin/notifications/delivery/",
                {"action": "retry", "_selected_action": list(Delivery.objects.values_list("pk", flat=True))},
            )
            assert response.status_code == 302
        assert time.monotonic() - started < 2
        assert hole.connections == []
    assert Delivery.objects.filter(channel=Delivery.Channel.EMAIL, status=Status.PENDING).count() == 1
