"""Duty alerts: created at most once each, shown in-app, sent by e-mail and robot by a relay.

The sentence of an alert is composed when it is read or sent, in the reader's language, from the
values on the row (the report, the body and day, the reserve item).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from emergency.models import Alert
from notifications import robots
from notifications.channels import DeliveryFailure, RobotBusy, post_robot, send_email, webhook_payload
from notifications.messages import Message, absolute
from notifications.models import ChannelPreference

SEND_ATTEMPTS = 8


def create_alerts(alerts: list[Alert]) -> int:
    """Insert the alerts that do not exist yet (the unique constraints decide); how many were new.

    The batch shares one creation time, so the new rows are counted by it (through the index of
    unsent alerts) rather than by counting the whole table before and after.
    """
    if not alerts:
        return 0
    stamp = timezone.now()
    for alert in alerts:
        alert.created_at = stamp
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    return Alert.objects.filter(created_at=stamp, sent_at__isnull=True).count()


def headline(alert: Alert) -> str:
    """The alert's sentence in the active language."""
    report = alert.report
    if report is not None:
        values = {
            "category": report.get_category_display(),
            "place": report.place,
            "county": report.region.name,
            "at": date_format(timezone.localtime(report.occurred_at), "Y-m-d H:i"),
        }
        if alert.reason == Alert.Reason.REPORT_ESCALATED:
            return gettext("Not acknowledged in time: %(category)s at %(place)s, %(county)s (%(at)s)") % values
        stage = report.get_stage_display()
        return gettext("%(stage)s: %(category)s at %(place)s, %(county)s (%(at)s)") % {**values, "stage": stage}
    if alert.reason == Alert.Reason.ROSTER_GAP and alert.organization is not None and alert.on_date is not None:
        return gettext("%(body)s has no leading cadre on duty on %(day)s") % {
            "body": alert.organization.name,
            "day": date_format(alert.on_date, "Y-m-d"),
        }
    if alert.item is not None:
        item = alert.item
        return gettext("%(item)s at %(depot)s: expires %(day)s, %(quantity)s %(unit)s held (minimum %(minimum)s)") % {
            "item": item.name,
            "depot": item.depot.name,
            "day": date_format(item.expires_on, "Y-m-d") if item.expires_on else "—",
            "quantity": item.quantity,
            "unit": item.unit,
            "minimum": item.minimum,
        }
    return alert.get_reason_display()


def link(alert: Alert) -> str:
    if alert.report is not None:
        return reverse("emergency:report_detail", args=[alert.report.first_id or alert.report.pk])
    if alert.reason == Alert.Reason.ROSTER_GAP and alert.organization_id:
        return f"{reverse('emergency:duty')}?body={alert.organization_id}&month={alert.on_date:%Y-%m}"
    return reverse("emergency:reserves")


def message(alert: Alert) -> Message:
    title = headline(alert)
    url = absolute(link(alert))
    return Message(
        subject=f"[{gettext('Hunan Safety')}] {title}", body=f"{title}\n\n{url}\n", chat=f"{title}\n{url}", url=url
    )


def for_recipient(user) -> "list[Alert]":
    """The user's unread alerts, newest first (for the duty pages' banner)."""
    return list(
        Alert.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("report__region", "organization", "item__depot")
        .order_by("-created_at")[:20]
    )


def mark_read(user, alert_ids: list[int]) -> int:
    return Alert.objects.filter(recipient=user, pk__in=alert_ids, read_at__isnull=True).update(read_at=timezone.now())


def _claim(alert_id: int, now: datetime) -> Alert | None:
    """Take one unsent alert for sending; another worker that got there first wins."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient__organization", "report__region", "organization", "item__depot")
            .filter(pk=alert_id, sent_at__isnull=True)
            .first()
        )
        if alert is None:
            return None
        Alert.objects.filter(pk=alert.pk).update(sent_at=now, attempts=F("attempts") + 1)
    return alert


def send_alerts(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send unsent alerts by e-mail and robot, as the recipient's preferences say; retried on failure."""
    now = now or timezone.now()
    pending = Alert.objects.filter(sent_at__isnull=True, attempts__lt=SEND_ATTEMPTS).filter(
        Q(recipient__email__gt="") | Q(recipient__organization__webhook_url__gt="")
    )
    sent = 0
    for alert_id in pending.order_by("created_at").values_list("pk", flat=True)[:limit]:
        alert = _claim(alert_id, now)
        if alert is None:
            continue
        preference = ChannelPreference.for_user(alert.recipient)
        organization = alert.recipient.organization
        robot = organization.webhook_url if organization and preference.webhook else ""
        # The robot's minute is shared with the reminders (notifications.robots): take a slot first,
        # and when none is free the alert waits for the next run without spending an attempt.
        slot = robots.reserve(robot, now=timezone.now()) if robot else None
        if slot is not None and slot.at is None:
            Alert.objects.filter(pk=alert.pk).update(
                sent_at=None, attempts=F("attempts") - 1, last_error="waiting for the chat robot's next minute"
            )
            continue
        try:
            with translation.override(preference.language):
                text = message(alert)
                if preference.email and alert.recipient.email:
                    send_email(address=alert.recipient.email, message=text)
                if slot is not None:
                    _post_to_robot(robot, organization.robot_secret if organization else "", slot, text, alert.pk)
            sent += 1
        except DeliveryFailure as failure:
            # Back to the queue for the next run; the row keeps what went wrong.
            Alert.objects.filter(pk=alert.pk).update(sent_at=None, last_error=str(failure)[:500])
    return sent


def _post_to_robot(address: str, secret: str, slot: robots.Slot, text: Message, alert_id: int) -> None:
    """Post in the slot taken, signed when the robot has a DingTalk secret; "too many requests" closes its window."""
    try:
        post_robot(
            url=robots.signed_address(address, secret=secret, now=timezone.now()),
            payload=webhook_payload(text),
            delivery_ids=[alert_id],
            rate_limit_codes=robots.RATE_LIMIT_CODES,
        )
    except RobotBusy as busy:
        robots.close(address, until=timezone.now() + robots.closed_for(busy.code))
        raise
    finally:
        robots.settle(address, slot, answered_at=timezone.now())


def stale_unsent(now: datetime) -> int:
    """Alerts that gave up after every attempt (the admin page lists them): for the health check."""
    return Alert.objects.filter(
        sent_at__isnull=True, attempts__gte=SEND_ATTEMPTS, created_at__gte=now - timedelta(days=7)
    ).count()
