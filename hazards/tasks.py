"""Celery tasks of the ledger: thin wrappers that take ids (or nothing) and call services."""

from datetime import date

from celery import shared_task
from django.db import DatabaseError

from hazards import reminders

# The scan and the digest are safe to repeat (unique keys make reruns insert nothing), so a task
# lost with its worker is redelivered (acks_late) and a database hiccup is retried with back-off.
REMINDER_TASK = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 15 * 60,
    "time_limit": 20 * 60,
}


@shared_task(name="hazards.scan_deadlines", **REMINDER_TASK)
def scan_deadlines(today: str | None = None) -> dict[str, int]:
    """The daily deadline scan (beat, 08:30): the reminders due today, exactly once each, then their delivery."""
    return reminders.scan_deadlines(today=date.fromisoformat(today) if today else None)


@shared_task(name="hazards.send_digests", **REMINDER_TASK)
def send_digests(today: str | None = None) -> int:
    """The department heads' daily digest (beat, 09:00)."""
    return reminders.create_digests(today=date.fromisoformat(today) if today else None)
