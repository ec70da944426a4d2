"""Migration 0012 (reminders in the bell): a database upgraded with reminders already in it shows
nothing twice, and one downgraded again gives each reminder still in a bell its notification."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications import services
from notifications.models import Notification, Reminder
from tests.factories import HazardFactory, UserFactory

BEFORE = ("notifications", "0011_notifications_of_reminders_name_no_hazard")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader, which sees what is applied now


@pytest.fixture
def latest():
    """Migrated to the latest again, whatever the test did."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_reminder(old_apps, hazard, person, *, sequence: int, planned: bool):
    return old_apps.get_model("notifications", "Reminder").objects.create(
        hazard_id=hazard.pk,
        stage="overdue",
        deadline=date(2026, 6, 1),
        sequence=sequence,
        recipient_id=person.pk,
        due_on=date(2026, 6, 2),
        scan=uuid.uuid4(),
        claimed_at=timezone.now() if planned else None,
    )


def test_an_upgraded_database_shows_nothing_twice_and_an_unplanned_reminder_once_planned(latest):
    hazard, person = HazardFactory(), UserFactory()
    old_apps = migrate([BEFORE]).loader.project_state([BEFORE]).apps
    with_notice = _old_reminder(old_apps, hazard, person, sequence=0, planned=True)
    old_apps.get_model("notifications", "Notification").objects.create(
        recipient_id=person.pk, kind="reminder", reminder_id=with_notice.pk
    )
    from_before_notices = _old_reminder(old_apps, hazard, person, sequence=1, planned=True)
    unplanned = _old_reminder(old_apps, hazard, person, sequence=2, planned=False)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    noticed = dict(Reminder.objects.values_list("pk", "noticed_at"))
    assert noticed[with_notice.pk] and noticed[from_before_notices.pk] and noticed[unplanned.pk] is None
    assert services.unread_count(person) == 1  # the notification it had, nothing more
    assert services.notice_reminders(person) == 0
    Reminder.objects.filter(pk=unplanned.pk).update(claimed_at=timezone.now())
    assert services.unread_count(person) == 2
    assert services.notice_reminders(person) == 1


def test_a_downgraded_database_gives_the_reminders_in_the_bells_their_notifications(latest):
    hazard, person = HazardFactory(), UserFactory()
    in_bell = Reminder.objects.create(
        hazard=hazard,
        stage=Reminder.Stage.OVERDUE,
        deadline=date(2026, 6, 1),
        recipient=person,
        due_on=date(2026, 6, 2),
        scan=uuid.uuid4(),
        claimed_at=timezone.now(),
    )
    assert services.unread_count(person) == 1 and not Notification.objects.exists()

    old_apps = migrate([BEFORE]).loader.project_state([BEFORE]).apps

    [notice] = old_apps.get_model("notifications", "Notification").objects.all()
    assert (notice.recipient_id, notice.reminder_id, notice.kind) == (person.pk, in_bell.pk, "reminder")
    assert notice.created_at == in_bell.created_at and notice.read_at is None
