"""Duty alerts to a chat robot share the robot's minute with the reminders and are signed like them."""

import pytest
from django.utils import timezone

from emergency import alerts
from emergency.models import Alert
from notifications import robots
from notifications.models import RobotWindow
from tests.emergency.test_alerts import filed  # noqa: F401
from tests.notifications.robot_helpers import VendorRobot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

SECRET = "SEC0123456789abcdef"


def test_a_duty_alert_waits_for_a_full_robot_and_then_goes_signed(filed, head, settings):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROBOT_MESSAGES_PER_MINUTE = 20
    with VendorRobot("dingtalk", secret=SECRET) as robot:
        organization = head.organization
        organization.webhook_url, organization.robot_secret = robot.url, SECRET
        organization.save()
        # This minute's twenty messages have gone to the robot already (the morning's reminders).
        for _ in range(20):
            assert robots.reserve(robot.url, now=timezone.now()).at is not None

        assert alerts.send_alerts() == 0
        waiting = Alert.objects.filter(report=filed)
        assert robot.accepted == [] and robot.refused == []
        assert all(alert.sent_at is None and alert.attempts == 0 for alert in waiting), "waiting spends no attempt"

        RobotWindow.objects.filter(address=robot.url).update(recent_sends=[])  # the next minute
        assert alerts.send_alerts() == waiting.count()
        assert sorted(robot.delivered_ids()) == sorted(alert.pk for alert in waiting)
        assert all(received.query.get("sign") for received in robot.accepted), "DingTalk calls carry the signature"
        assert robot.refused == []
