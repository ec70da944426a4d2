"""Celery tasks of the notifications: thin wrappers around reminders.py and delivery.py.

The reminder tasks moved here from hazards/tasks.py with the ladder; they keep their names
("hazards.scan_deadlines", "hazards.send_digests") because the beat schedule and any message
already queued refer to tasks by name.
"""

from collections import Counter
from datetime import date
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from notifications import delivery, extensions, reminders

# The scan and the digest are safe to repeat (unique keys make reruns insert nothing), so a task
# lost with its worker is redelivered (acks_late) and a database hiccup is retried with back-off.
REMINDER_TASK: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 15 * 60,
    "time_limit": 20 * 60,
}

# Each delivery is claimed with a conditional UPDATE before it is sent, so running a task twice
# (acks_late after a lost worker, a relay racing a retry) sends nothing twice. The per-delivery
# back-off lives in the rows (next_attempt_at); Celery's own retry covers the database going away.
DELIVERY_TASK: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "max_retries": 5,
    "soft_time_limit": 150,
    "time_limit": 180,
}


@shared_task(name="hazards.scan_deadlines", **REMINDER_TASK)
def scan_deadlines(today: str | None = None) -> dict[str, int]:
    """The daily deadline scan (beat, 08:30): the reminders due today, exactly once each, then their delivery."""
    return reminders.scan_deadlines(today=date.fromisoformat(today) if today else None)


@shared_task(name="hazards.send_digests", **REMINDER_TASK)
def send_digests(today: str | None = None) -> int:
    """The department heads' daily digest (beat, 09:00)."""
    return reminders.create_digests(today=date.fromisoformat(today) if today else None)


@shared_task(name="notifications.remind_extension_decisions", **REMINDER_TASK)
def remind_extension_decisions(today: str | None = None) -> int:
    """Pending extension requests past their decision date: the assigning head is told once (beat, with the scan)."""
    return extensions.remind_extension_decisions(today=date.fromisoformat(today) if today else None)


@shared_task(name=delivery.DELIVER_TASK_NAME, **DELIVERY_TASK)
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send these e-mail and webhook deliveries; return how many ended in each status."""
    return dict(Counter(delivery.deliver(delivery_id) for delivery_id in delivery_ids))


@shared_task(name="notifications.relay_deliveries", **DELIVERY_TASK)
def relay_deliveries() -> int:
    """Hand the due deliveries of the outbox to the workers (beat, every minute)."""
    return delivery.relay_deliveries()
