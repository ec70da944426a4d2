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

    # The rectifier's opening wrote only their own: the colleague's reminder of the same rung waits
    # in the colleague's bell, and the inspector, whom the ladder does not remind, has nothing.
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {scene.rectifier.pk}
    colleagues = services.unread_count(scene.colleague)
    assert Reminder.objects.filter(recipient=scene.colleague, noticed_at__isnull=True).count() == 1
    client.force_login(scene.inspector)
    assert hazard.number not in client.get("/notifications/").content.decode()
    assert _reminder_notices(scene.inspector) == []
    client.force_login(scene.colleague)
    assert hazard.number in client.get("/notifications/").content.decode()
    assert [notice.reminder.recipient for notice in _reminder_notices(scene.colleague)] == [scene.colleague]
    assert services.unread_count(scene.colleague) == colleagues


def test_opening_again_or_through_the_api_writes_nothing_twice(scene, hazard, client):
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    client.force_login(scene.rectifier)
    rows = client.get("/api/v1/me/notifications/").json()["results"]
    assert [row["hazard"] for row in rows if row["kind"] == "reminder"] == [hazard.pk]
    assert client.get("/notifications/").status_code == 200
    assert client.get("/api/v1/me/notifications/").status_code == 200
    assert services.notice_reminders(scene.rectifier) == 0
    assert len(_reminder_notices(scene.rectifier)) == 1


def test_the_list_shows_when_things_happened_and_the_api_when_they_reached_the_list(scene, hazard, client):
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    later = NotificationFactory(recipient=scene.rectifier)  # an action after the morning scan
    client.force_login(scene.rectifier)
    page = client.get("/notifications/").content.decode()
    [notice] = _reminder_notices(scene.rectifier)
    # The page, by date: the action after the scan above the morning's reminder.
    assert page.index(later.hazard.number) < page.index(hazard.number)
    # The API pages by id, the order of arrival: the reminder reached the list when it was opened,
    # so a client that syncs by id finds it on its next read rather than behind its cursor.
    rows = client.get("/api/v1/me/notifications/").json()["results"]
    assert [row["id"] for row in rows][:2] == [notice.pk, later.pk]
    assert rows[0]["created_at"] < rows[1]["created_at"]


def test_a_notification_written_by_the_earlier_code_is_not_written_twice(scene, hazard):
    """During a rolling upgrade a planner still running the earlier code writes the notification itself."""
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    reminder = Reminder.objects.get(recipient=scene.rectifier)
    Notification.objects.create(recipient=scene.rectifier, kind=Notification.Kind.REMINDER, reminder=reminder)
    assert services.notice_reminders(scene.rectifier) == 1
    assert len(_reminder_notices(scene.rectifier)) == 1
    assert services.notice_reminders(scene.rectifier) == 0


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

    monkeypatch.setattr(services, "NOTICE_BATCH", 1)  # mark all read goes batch after batch
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
