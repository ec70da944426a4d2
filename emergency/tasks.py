"""Thin tasks: the services do the work; beat runs them (hunan_safety/settings.py CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from emergency import alerts, duty, reports, services


@shared_task(name="emergency.escalate_reports")
def escalate_reports() -> int:
    return reports.escalate_unacknowledged()


@shared_task(name="emergency.send_alerts")
def send_alerts() -> int:
    return alerts.send_alerts()


@shared_task(name="emergency.daily_reminders")
def daily_reminders() -> dict[str, int]:
    today = timezone.localdate()
    return {"roster_gaps": duty.remind_roster_gaps(today), "reserves": services.remind_reserves(today)}
