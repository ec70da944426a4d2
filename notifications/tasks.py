"""Celery tasks of the notifications: thin wrappers around notifications/delivery.py."""

from collections import Counter
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from notifications import delivery

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


@shared_task(name="notifications.deliver", **DELIVERY_TASK)
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send these e-mail and webhook deliveries; return how many ended in each status."""
    return dict(Counter(delivery.deliver(delivery_id) for delivery_id in delivery_ids))


@shared_task(name="notifications.relay_deliveries", **DELIVERY_TASK)
def relay_deliveries() -> int:
    """Hand the due deliveries of the outbox to the workers (beat, every minute)."""
    return delivery.relay_deliveries()
