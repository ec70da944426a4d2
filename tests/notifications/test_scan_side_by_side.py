"""The deadline scan's batches side by side (settings.REMINDER_SCAN_WORKERS): what one by one would write.

The batches hold disjoint hazards and each commits on its own, so on PostgreSQL a scan started outside
any transaction runs them on several threads, each with its own connection. These tests commit for
real (threads cannot see a test's open transaction).
"""

import threading
from datetime import timedelta

import pytest
from django.db import transaction

from notifications import reminders
from notifications.models import Notification, Reminder
from tests.notifications.reminder_helpers import assigned_hazard, everyone_opens_their_notifications

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "frozen_today"),
]


@pytest.fixture
def threads(monkeypatch) -> list[str]:
    """The name of the thread each batch ran in, in order."""
    names: list[str] = []
    insert_batch = reminders._Scan.insert_batch

    def recorded(self, *args, **kwargs):
        names.append(threading.current_thread().name)
        return insert_batch(self, *args, **kwargs)

    monkeypatch.setattr(reminders._Scan, "insert_batch", recorded)
    return names


def _rows() -> set[tuple]:
    return set(Reminder.objects.values_list("hazard_id", "stage", "deadline", "sequence", "recipient_id"))


def test_batches_side_by_side_write_every_reminder_once_as_one_by_one_would(scene, threads, monkeypatch):
    hazards = [assigned_hazard(scene, days=5 + index % 3, major=index % 2 == 0) for index in range(7)]
    day = max(hazard.deadline for hazard in hazards) + timedelta(days=8)
    monkeypatch.setattr(reminders, "SCAN_BATCH", 2)  # four batches
    with transaction.atomic():
        # Inside a transaction the batches run in it, one by one: the answer to compare with.
        reminders.scan_deadlines(today=day, relay=False)
        expected = _rows()
        transaction.set_rollback(True)
    assert expected and not Reminder.objects.exists()

    threads.clear()
    created = reminders.scan_deadlines(today=day, relay=False, workers=3)

    assert len(threads) == 4 and all(name.startswith("scan-batch-") for name in threads)
    assert _rows() == expected
    assert sum(created.values()) == len(expected)
    # Each in its recipient's notifications once (the in-app channel), whichever thread planned it.
    assert everyone_opens_their_notifications() == len(expected)
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == len(expected)
    assert sum(reminders.scan_deadlines(today=day, relay=False, workers=3).values()) == 0


def test_one_worker_runs_the_batches_in_the_calling_thread(scene, threads):
    hazard = assigned_hazard(scene, days=5)
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1), relay=False, workers=1)
    assert threads == [threading.current_thread().name]
    assert Reminder.objects.exists()


def test_a_failing_batch_is_raised_and_stops_the_drawing():
    done: list[int] = []
    lock = threading.Lock()

    def work(number: int) -> None:
        if number == 3:
            raise ValueError("batch 3 failed")
        with lock:
            done.append(number)

    with pytest.raises(ValueError, match="batch 3 failed"):
        reminders.side_by_side(work, ((number,) for number in range(1000)), workers=2)
    # The other thread finishes the batch it holds and draws no more.
    assert 3 not in done and len(done) < 10
