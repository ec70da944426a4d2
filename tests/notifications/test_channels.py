"""Channels of reminders and digests: in-app always, e-mail and a chat webhook as people choose.

Deliveries are planned by the scan and sent by `delivery.deliver` (what the Celery task calls);
the chat robot is a local HTTP server on 127.0.0.1 answering from a script.
"""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from notifications import channels, delivery, reminders, services
from notifications.models import ChannelPreference, Delivery, Notification, Reminder
from tests.factories import UserFactory
from tests.hazards.workflow_helpers import text
from tests.notifications.reminder_helpers import ChatRobot, celery_eager

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Status = Delivery.Status
Channel = Delivery.Channel


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://safety.example.gov.cn"


def with_webhook(scene, url: str):
    scene.unit.webhook_url = url
    scene.unit.save()


def plan(hazard, days: int = 0):
    """Scan the day `days` after the deadline without relaying: deliveries wait for `deliver`."""
    return reminders.scan_deadlines(today=hazard.deadline + timedelta(days=days), relay=False)


def webhook_deliveries():
    return Delivery.objects.filter(channel=Channel.WEBHOOK)


# --- Webhook ------------------------------------------------------------------------------------


def test_the_webhook_posts_a_chat_robot_markdown_message_with_title_and_link(scene, hazard):
    with ChatRobot() as robot:
        with_webhook(scene, robot.url)
        plan(hazard, days=4)
        (webhook,) = webhook_deliveries()
        assert delivery.deliver(webhook.pk) == Status.SENT
    (header, payload) = robot.requests[0]
    assert header == str(webhook.pk)
    # A WeCom robot (the address is not DingTalk's): markdown, the way both vendors recommend.
    assert set(payload) == {"msgtype", "markdown"} and payload["msgtype"] == "markdown"
    content = payload["markdown"]["content"]
    assert hazard.number in content and hazard.title in content
    assert f"https://safety.example.gov.cn/hazards/{hazard.pk}/" in content
    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts) == (Status.SENT, 1)
    assert webhook.response.startswith("HTTP 200:") and '"errcode": 0' in webhook.response


def test_one_chat_message_per_organisation_and_rung(scene, hazard):
    """The rectifier, a colleague and the manager are all of the unit: its chat group hears it once."""
    with_webhook(scene, "http://127.0.0.1:9/unused")
    plan(hazard)
    assert Reminder.objects.filter(recipient__organization=scene.unit).count() == 3
    assert webhook_deliveries().count() == 1
    plan(hazard, days=1)  # the next rung is a new message
    assert webhook_deliveries().count() == 2


def test_a_500_is_retried_with_back_off_and_the_responses_recorded(scene, hazard, settings):
    settings.DELIVERY_RETRY_SECONDS = 60
    answers = [(500, {"error": "busy"}), (200, {"errcode": 0, "errmsg": "ok"})]
    with ChatRobot(answers) as robot:
        with_webhook(scene, robot.url)
        plan(hazard)
        webhook = webhook_deliveries().get()
        before = timezone.now()
        assert delivery.deliver(webhook.pk) == Status.RETRYING
        webhook.refresh_from_db()
        assert (webhook.status, webhook.attempts, webhook.last_error) == (Status.RETRYING, 1, "HTTP 500")
        assert webhook.response == 'HTTP 500: {"error": "busy"}'
        assert before + timedelta(seconds=59) < webhook.next_attempt_at < timezone.now() + timedelta(seconds=61)

        # Not due yet: a second task for it (a relay racing the retry) does nothing.
        assert delivery.deliver(webhook.pk) == "skipped"
        assert len(robot.requests) == 1

        Delivery.objects.filter(pk=webhook.pk).update(next_attempt_at=timezone.now())
        assert delivery.deliver(webhook.pk) == Status.SENT
    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts, webhook.last_error) == (Status.SENT, 2, "")
    assert webhook.response.startswith("HTTP 200")
    assert robot.received() == [str(webhook.pk)] * 2


def test_the_back_off_doubles_up_to_an_hour(settings):
    settings.DELIVERY_RETRY_SECONDS = 60
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 20)] == [60, 120, 240, 480, 3600, 3600]


def test_a_robot_error_code_in_a_200_is_retried(scene, hazard):
    with ChatRobot([(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]) as robot:
        with_webhook(scene, robot.url)
        plan(hazard)
        assert delivery.deliver(webhook_deliveries().get().pk) == Status.RETRYING
    assert webhook_deliveries().get().last_error == "robot error 45009: api freq out of limit"


def test_a_client_error_fails_at_once(scene, hazard):
    with ChatRobot([(404, {"errcode": 93000, "errmsg": "invalid webhook url"})]) as robot:
        with_webhook(scene, robot.url)
        plan(hazard)
        webhook = webhook_deliveries().get()
        assert delivery.deliver(webhook.pk) == Status.FAILED
        assert delivery.deliver(webhook.pk) == "skipped"
    assert len(robot.requests) == 1


def test_the_last_attempt_fails_for_good(scene, hazard, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    with ChatRobot([(503, {})]) as robot:
        with_webhook(scene, robot.url)
        plan(hazard)
        webhook = webhook_deliveries().get()
        assert delivery.deliver(webhook.pk) == Status.RETRYING
        Delivery.objects.filter(pk=webhook.pk).update(next_attempt_at=timezone.now())
        assert delivery.deliver(webhook.pk) == Status.FAILED
    assert len(robot.requests) == 2


def test_an_unreachable_robot_is_a_transient_failure(scene, hazard, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with_webhook(scene, "http://127.0.0.1:9/nobody-listens")
    plan(hazard)
    webhook = webhook_deliveries().get()
    assert delivery.deliver(webhook.pk) == Status.RETRYING
    webhook.refresh_from_db()
    assert "URLError" in webhook.last_error or "Connection" in webhook.last_error


# --- E-mail -------------------------------------------------------------------------------------


def test_the_email_is_in_chinese_with_a_link_unless_the_reader_chose_english(scene, hazard, mailoutbox):
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    scene.colleague.email = "colleague@example.gov.cn"
    scene.colleague.save()
    ChannelPreference.objects.create(user=scene.colleague, language="en")
    plan(hazard, days=4)
    for email in Delivery.objects.filter(channel=Channel.EMAIL):
        assert delivery.deliver(email.pk) == Status.SENT
    by_address = {message.to[0]: message for message in mailoutbox}
    chinese, english = by_address["rectifier@example.gov.cn"], by_address["colleague@example.gov.cn"]
    link = f"https://safety.example.gov.cn/hazards/{hazard.pk}/"
    assert link in chinese.body and link in english.body
    assert hazard.number in chinese.subject and hazard.number in english.subject
    # Words the catalogue already translates: the product's name and the deadline's label.
    assert "湖南安全生产隐患治理" in chinese.body and "整改期限" in chinese.body
    assert "Hunan Safety" in english.body and "Deadline: " in english.body and "整改期限" not in english.body
    assert (
        english.subject
        == f"[Hunan Safety] {hazard.number} “{hazard.title}” is 4 days overdue (deadline {hazard.deadline})"
    )
    assert "https://safety.example.gov.cn/accounts/profile/" in english.body


def test_a_refused_address_fails_at_once(scene, hazard):
    scene.rectifier.email = "nobody@example.gov.cn"
    scene.rectifier.save()
    plan(hazard)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    import smtplib

    refused = smtplib.SMTPRecipientsRefused({"nobody@example.gov.cn": (550, b"no such user")})
    with mock.patch("notifications.channels.EmailMessage.send", side_effect=refused):
        assert delivery.deliver(email.pk) == Status.FAILED


def test_one_channel_failing_does_not_stop_the_others(scene, hazard, mailoutbox):
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    with ChatRobot() as robot:
        with_webhook(scene, robot.url)
        plan(hazard)
        with mock.patch("notifications.channels.EmailMessage.send", side_effect=OSError("SMTP server down")):
            outcomes = delivery.send_due()
    assert outcomes == {Status.RETRYING: 1, Status.SENT: 1}
    assert Delivery.objects.get(channel=Channel.EMAIL).last_error == "OSError: SMTP server down"
    assert webhook_deliveries().get().status == Status.SENT and len(robot.requests) == 1
    services.notice_reminders(scene.rectifier)  # the rectifier opens their notifications
    assert Notification.objects.filter(recipient=scene.rectifier, kind=Notification.Kind.REMINDER).count() == 1


# --- Preferences --------------------------------------------------------------------------------


def test_channels_follow_each_persons_choice_and_in_app_is_always_on(scene, hazard):
    with_webhook(scene, "http://127.0.0.1:9/unused")
    for person in (scene.rectifier, scene.colleague, scene.manager):
        person.email = f"{person.username}@example.gov.cn"
        person.save()
    ChannelPreference.objects.create(user=scene.rectifier, email=False, webhook=False)
    ChannelPreference.objects.create(user=scene.colleague, email=True, webhook=False)
    ChannelPreference.objects.create(user=scene.manager, email=False, webhook=False)
    plan(hazard)
    channels_of = {
        person.username: set(Delivery.objects.filter(reminder__recipient=person).values_list("channel", flat=True))
        for person in (scene.rectifier, scene.colleague, scene.manager)
    }
    # In-app is each one's bell, then notification (always); the other channels are outbox rows, as each chose.
    assert channels_of == {"rectifier": set(), "unit_colleague": {Channel.EMAIL}, "manager": set()}
    for person in (scene.rectifier, scene.colleague, scene.manager):
        services.notice_reminders(person)
        assert Notification.objects.filter(recipient=person, reminder__hazard=hazard).count() == 1


def test_the_profile_page_saves_the_choices(client, rectifier):
    client.force_login(rectifier)
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/profile/").content.decode()
    assert "In the application (always on)" in text(page)
    # No webhook on the organisation: the choice is shown but cannot be ticked.
    assert 'name="webhook"' in page and "disabled" in page[page.index('name="webhook"') - 200 :][:400]
    response = client.post(
        "/accounts/profile/", {"email_address": "me@example.gov.cn", "email": "on", "language": "en"}
    )
    assert response.status_code == 302
    rectifier.refresh_from_db()
    preference = ChannelPreference.objects.get(user=rectifier)
    assert (rectifier.email, preference.email, preference.webhook, preference.language) == (
        "me@example.gov.cn",
        True,
        True,  # disabled field: keeps its value
        "en",
    )


def test_email_without_an_address_is_refused_on_the_profile_page(client, rectifier):
    client.force_login(rectifier)
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/profile/", {"email_address": "", "email": "on", "language": "zh-hans"})
    assert response.status_code == 200
    assert "Enter an e-mail address to receive reminders by e-mail." in response.content.decode()


def test_the_user_menu_links_to_the_profile_page(client, rectifier):
    client.force_login(rectifier)
    assert 'href="/accounts/profile/"' in client.get("/").content.decode()


# --- The outbox and the admin -------------------------------------------------------------------


def test_the_relay_queues_due_deliveries_after_commit_and_the_task_sends_them(
    scene, hazard, mailoutbox, django_capture_on_commit_callbacks
):
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    plan(hazard)
    with celery_eager(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert delivery.relay_deliveries() == 1
    assert len(callbacks) == 1
    assert Delivery.objects.get(channel=Channel.EMAIL).status == Status.SENT and len(mailoutbox) == 1
    # Nothing is due any more.
    assert delivery.relay_deliveries() == 0


def test_a_broker_failure_is_logged_and_leaves_the_rows_for_the_next_relay(
    scene, hazard, caplog, django_capture_on_commit_callbacks
):
    from notifications.tasks import deliver as deliver_task

    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    plan(hazard)
    with (
        mock.patch.object(deliver_task, "apply_async", side_effect=ConnectionRefusedError("broker down")),
        caplog.at_level(logging.WARNING, logger="notifications.delivery"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert delivery.relay_deliveries() == 1
    assert "Broker unavailable" in caplog.text
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert (email.status, email.queued_at) == (Status.PENDING, None)
    assert delivery.relay_deliveries() == 1  # handed out again at once


def test_a_delivery_stuck_with_a_dead_worker_is_handed_out_again_after_the_lease(scene, hazard, settings):
    settings.DELIVERY_LEASE_SECONDS = 300
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    plan(hazard)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    long_ago = timezone.now() - timedelta(seconds=301)
    Delivery.objects.filter(pk=email.pk).update(status=Status.SENDING, claimed_at=long_ago, queued_at=long_ago)
    assert delivery.relay_deliveries() == 1
    Delivery.objects.filter(pk=email.pk).update(claimed_at=timezone.now(), queued_at=None)
    assert delivery.relay_deliveries() == 0  # a live claim is left alone


def test_the_admin_lists_deliveries_and_retries_a_failed_one(client, administrator, scene, hazard):
    with ChatRobot([(404, {})]) as robot:
        with_webhook(scene, robot.url)
        plan(hazard)
        webhook = webhook_deliveries().get()
        delivery.deliver(webhook.pk)
    client.force_login(administrator)
    client.cookies["django_language"] = "en"
    page = client.get("/admin/notifications/delivery/?status__exact=failed").content.decode()
    assert hazard.number in page and "HTTP 404" in page
    response = client.post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [webhook.pk]},
        follow=True,
    )
    assert "1 delivery will be sent again within a minute." in response.content.decode()
    webhook.refresh_from_db()
    assert (webhook.status, webhook.queued_at) == (Status.PENDING, None)
    assert delivery.relay_deliveries() == 1


def test_the_administrator_role_may_see_and_retry_deliveries_but_a_head_may_not(client, head, scene, hazard):
    from accounts.roles import Role

    admin_role = UserFactory(username="ops", roles=[Role.ADMINISTRATOR], is_staff=True)
    client.force_login(admin_role)
    assert client.get("/admin/notifications/delivery/").status_code == 200
    head.is_staff = True
    head.save()
    client.force_login(head)
    assert client.get("/admin/notifications/delivery/").status_code == 403


def test_the_chat_text_of_a_long_digest_fits_a_robot_message(scene, head, hazard):
    from hazards.models import HazardState
    from notifications.messages import CHAT_MAX_BYTES, compose
    from tests.factories import HazardFactory

    day = hazard.deadline + timedelta(days=1)
    for _ in range(60):
        HazardFactory(
            found_by=scene.inspector,
            unit=scene.unit,
            found_on=day - timedelta(days=30),
            state=HazardState.RECTIFYING,
            deadline=day - timedelta(days=2),
            rectifying_unit=scene.unit,
        )
    head.organization.webhook_url = "http://127.0.0.1:9/unused"
    head.organization.save()
    reminders.create_digests(today=day, relay=False)
    webhook = Delivery.objects.get(channel=Channel.WEBHOOK, digest__recipient=head)
    message = compose(webhook)
    assert len(message.chat.encode()) <= CHAT_MAX_BYTES
    assert message.chat.endswith(f"/notifications/digests/{webhook.digest_id}/") and "…" in message.chat
    assert channels.webhook_payload(message)["text"]["content"] == message.chat
