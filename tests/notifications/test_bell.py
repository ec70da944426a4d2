"""A planned reminder is in its recipient's bell at once; its notification is written when they open it.

The deadline scan writes no notification per reminder (issue 19.3): the bell counts the planned
reminders not yet in the recipient's notifications, and opening the list, the API or "mark all read"
writes them, once each, dated when the reminder was made. The scene is reminder_helpers.py's.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connections

from accounts.models import User
from notifications import reminders, services
from notifications.models import Notification, Reminder
from tests.notifications.factories import NotificationFactory
from tests.notifications.reminder_helpers import assigned_hazard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def _reminder_notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.REMINDER))


def test_the_bell_counts_a_planned_reminder_before_its_notification_is_written(scene, hazard, client):
    before = services.unread_count(scene.rectifier)
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    assert _reminder_notices(scene.rectifier) == []
    assert services.unread_count(scene.rectifier) == before + 1
    # The inspector is told nothing by the ladder: their bell does not move.
    assert services.unread_count(scene.inspector) == 0

    client.force_login(scene.rectifier)
    page = client.get("/notifications/").content.decode()
    assert hazard.number in page
    [notice] = _reminder_notices(scene.rectifier)
    reminder = Reminder.objects.get(recipient=scene.rectifier)
    assert notice.reminder == reminder and notice.about == hazard and notice.read_at is None
    assert notice.created_at == reminder.created_at  # listed when it was made, not when it was opened
    # Written, still unread: the bell says the same as before the list was opened.
    assert services.unread_count(scene.rectifier) == before + 1

    client.force_login(scene.inspector)
    assert hazard.number not in client.get("/notifications/").content.decode()
    assert _reminder_notices(scene.inspector) == []


def test_opening_again_or_through_the_api_writes_nothing_twice(scene, hazard, client):
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    client.force_login(scene.rectifier)
    rows = client.get("/api/v1/me/notifications/").json()["results"]
    assert [row["hazard"] for row in rows if row["kind"] == "reminder"] == [hazard.pk]
    assert client.get("/notifications/").status_code == 200
    assert client.get("/api/v1/me/notifications/").status_code == 200
    assert services.notice_reminders(scene.rectifier) == 0
    assert len(_reminder_notices(scene.rectifier)) == 1


def test_the_list_keeps_the_order_in_which_things_happened(scene, hazard, client):
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    later = NotificationFactory(recipient=scene.rectifier)  # an action after the morning scan
    client.force_login(scene.rectifier)
    rows = client.get("/api/v1/me/notifications/").json()["results"]
    kinds = [row["kind"] for row in rows]
    # By id, newest first: the reminder was written into the list when it was opened, after `later`.
    assert kinds.index("reminder") < kinds.index("event")
    listed = list(Notification.objects.for_recipient(scene.rectifier).values_list("pk", flat=True))
    assert listed.index(later.pk) < listed.index(_reminder_notices(scene.rectifier)[0].pk)


def test_mark_all_read_reads_the_reminders_in_the_bell_too(scene, hazard, client):
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    client.force_login(scene.rectifier)
    assert client.post("/notifications/read-all/").status_code == 302
    assert services.unread_count(scene.rectifier) == 0
    [notice] = _reminder_notices(scene.rectifier)
    assert notice.read_at is not None


def test_someone_back_after_months_gets_the_newest_first_and_mark_all_read_reads_every_one(scene, hazard, monkeypatch):
    for _ in range(2):
        assigned_hazard(scene)
    monkeypatch.setattr(services, "NOTICE_BATCH", 2)
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    mine = Reminder.objects.filter(recipient=scene.rectifier).order_by("pk")
    assert mine.count() == 3
    before = services.unread_count(scene.rectifier)
    assert services.notice_reminders(scene.rectifier) == 2
    assert {notice.reminder_id for notice in _reminder_notices(scene.rectifier)} == {mine[1].pk, mine[2].pk}
    assert services.unread_count(scene.rectifier) == before  # the third is still counted, still unread

    services.mark_all_read(user=scene.rectifier)
    assert services.unread_count(scene.rectifier) == 0
    notices = _reminder_notices(scene.rectifier)
    assert len(notices) == 3 and all(notice.read_at for notice in notices)


def test_an_unplanned_reminder_is_in_nobodys_bell_until_planned(scene, hazard):
    import uuid

    reminders.insert_due_reminders(today=hazard.deadline + timedelta(days=1), scan=uuid.uuid4())
    before = services.unread_count(scene.rectifier)
    assert services.notice_reminders(scene.rectifier) == 0
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))  # plans what the crash left
    assert services.unread_count(scene.rectifier) == before + 1
    assert services.notice_reminders(scene.rectifier) == 1


@pytest.mark.postgres  # SQLite runs one writer at a time: nothing to race
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_tabs_opening_at_the_same_moment_write_each_notice_once(scene, hazard):
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1), relay=False)
    people = list(Reminder.objects.values_list("recipient_id", flat=True))
    barrier, written, errors = threading.Barrier(4), [], []

    def open_notifications(person_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            written.append(services.notice_reminders(User.objects.get(pk=person_id)))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    for person_id in people:
        threads = [threading.Thread(target=open_notifications, args=(person_id,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        barrier.reset()
    assert errors == []
    assert sum(written) == len(people) == Notification.objects.filter(kind=Notification.Kind.REMINDER).count()
