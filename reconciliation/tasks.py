"""Celery task of the reconciliation: a thin wrapper around reminders.py, run daily by the beat."""

from celery import shared_task
from django.db import DatabaseError

from reconciliation.reminders import remind_unreconciled


@shared_task(name="reconciliation.remind_unreconciled", acks_late=True, autoretry_for=(DatabaseError,), max_retries=3)
def remind_unreconciled_task() -> int:
    """Remind the units that have not reconciled their last period; safe to repeat (one row per person)."""
    return remind_unreconciled()
