"""Duty alerts leave by e-mail in the reader's language, once; a failure is kept and tried again."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from emergency import alerts, reports
from emergency.models import Alert, QuickReport
from notifications.models import ChannelPreference
from tests.emergency.scene import city_on_duty_today
from tests.factories import region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def filed(inspector, head):
    _shift, officer = city_on_duty_today(head)
    head.email, officer.email = "head@example.gov.cn", "officer@example.gov.cn"
    head.save()
    officer.save()
    ChannelPreference.objects.update_or_create(user=officer, defaults={"language": "en"})
    report = QuickReport(
        category="fire",
        occurred_at=timezone.now() - timedelta(minutes=10),
        region=region("430181"),
        place="集里街道仓库",
        summary="仓库起火",
        measures="扑救中",
    )
    return reports.file_report(actor=inspector, report=report)


def test_each_alert_is_mailed_once_in_the_recipients_language(filed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.send_alerts() == 2
    assert alerts.send_alerts() == 0
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"head@example.gov.cn", "officer@example.gov.cn"}
    assert "集里街道仓库" in by_address["head@example.gov.cn"].subject
    assert "火灾" in by_address["head@example.gov.cn"].subject  # Chinese by default
    assert "Fire" in by_address["officer@example.gov.cn"].subject  # the officer chose English
    assert f"/emergency/reports/{filed.pk}/" in by_address["officer@example.gov.cn"].body


def test_a_failed_send_keeps_the_error_and_is_tried_again(filed, settings):
    settings.EMAIL_BACKEND = "tests.emergency.test_alerts.BrokenBackend"
    assert alerts.send_alerts() == 0
    failed = Alert.objects.filter(report=filed)
    assert all(alert.sent_at is None and alert.attempts == 1 and "refused" in alert.last_error for alert in failed)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.send_alerts() == 2


def test_the_in_app_list_shows_unread_alerts_until_read(filed, head):
    unread = alerts.for_recipient(head)
    assert [alert.report_id for alert in unread] == [filed.pk]
    assert alerts.mark_read(head, [alert.pk for alert in unread]) == 1
    assert alerts.for_recipient(head) == []


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPException("connection refused")
