"""The deadline scan done by the database (issue 19.3): what a scan and its rerun write, and how.

The scene is tests/notifications/reminder_helpers.py's: a fireworks hazard in 浏阳市 whose chain
names the unit's manager, the department's chief, two territorial leaders and a portfolio leader.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.models import HazardState
from notifications import reminders
from notifications.models import Delivery, Notification, Reminder
from tests.factories import HazardFactory
from tests.notifications.reminder_helpers import assigned_hazard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Stage = Reminder.Stage


def _writes(queries) -> list[str]:
    """The statements that wrote something (an INSERT anywhere in them, an UPDATE, a DELETE)."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if "INSERT INTO" in query["sql"].upper() or query["sql"].lstrip().upper().startswith(("UPDATE", "DELETE"))
    ]


def test_a_rerun_on_the_same_day_writes_nothing_at_all(scene, hazard):
    day = hazard.deadline + timedelta(days=7)
    first = reminders.scan_deadlines(today=day)
    assert first[Stage.OVERDUE] == 5 and first[Stage.ESCALATION] == 3
    with CaptureQueriesContext(connection) as rerun:
        assert sum(reminders.scan_deadlines(today=day).values()) == 0
    # No INSERT of reminders (nor of notifications or deliveries), no claim: it found nothing to do.
    assert _writes(rerun) == []
    assert Reminder.objects.count() == 8


@pytest.mark.postgres  # SQLite has no asynchronous commit to ask for
def test_a_batch_that_inserts_commits_asynchronously_and_a_rerun_sets_nothing(scene, hazard):
    """The scan's rows are recomputable: a batch that writes may commit without waiting for its WAL."""
    day = hazard.deadline + timedelta(days=1)
    with CaptureQueriesContext(connection) as first:
        reminders.scan_deadlines(today=day)
    settings = [query["sql"] for query in first.captured_queries if query["sql"].startswith("SET LOCAL")]
    assert "SET LOCAL synchronous_commit = off" in settings
    with CaptureQueriesContext(connection) as rerun:
        reminders.scan_deadlines(today=day)
    assert not [query["sql"] for query in rerun.captured_queries if query["sql"].startswith("SET LOCAL")]


def test_the_rerun_reads_no_hazard_into_python(scene, hazard):
    """A rerun asks the database a batch's bound and a yes/no: it never reads a hazard's chain."""
    day = hazard.deadline + timedelta(days=1)
    reminders.scan_deadlines(today=day)
    with CaptureQueriesContext(connection) as rerun:
        reminders.scan_deadlines(today=day)
    assert any(query["sql"].lstrip().upper().startswith("SELECT EXISTS") for query in rerun.captured_queries)
    assert not [query["sql"] for query in rerun.captured_queries if "responsibility_chain" in query["sql"]]


def test_the_next_rung_on_a_later_day_is_inserted_and_planned_by_the_database(scene, hazard):
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1), relay=False)
    with CaptureQueriesContext(connection) as later:
        created = reminders.scan_deadlines(today=hazard.deadline + timedelta(days=4), relay=False)
    assert created[Stage.OVERDUE] == 5  # the first repeat, sequence 1
    assert set(Reminder.objects.filter(stage=Stage.OVERDUE).values_list("sequence", flat=True)) == {0, 1}
    # One statement inserts the reminders and one per other channel the deliveries. The in-app
    # channel writes nothing: planned, the reminders are in their recipients' bells.
    inserts = [query["sql"] for query in later.captured_queries if "INSERT INTO" in query["sql"].upper()]
    assert len(inserts) == 1 + 2, inserts
    repeat = Reminder.objects.filter(sequence=1)
    assert repeat.count() == 5 and not repeat.filter(claimed_at__isnull=True).exists()
    assert not Notification.objects.filter(reminder__in=repeat).exists()
    assert not Delivery.objects.filter(reminder__in=repeat, channel=Delivery.Channel.IN_APP).exists()
    email = Delivery.objects.get(reminder__in=repeat, channel=Delivery.Channel.EMAIL)
    assert email.address == "rectifier@example.gov.cn" and email.status == Delivery.Status.PENDING


def test_the_ladder_is_matched_by_deadline_for_each_level(scene):
    """A general and a major hazard with the same deadline reach different rungs on the same day."""
    general = assigned_hazard(scene, days=5)
    major = assigned_hazard(scene, days=5, major=True)
    reminders.scan_deadlines(today=general.deadline + timedelta(days=2))
    assert set(Reminder.objects.filter(hazard=general).values_list("stage", flat=True)) == {Stage.OVERDUE}
    assert set(Reminder.objects.filter(hazard=major).values_list("stage", flat=True)) == {
        Stage.OVERDUE,
        Stage.ESCALATION,
    }


def test_hazards_of_other_states_with_the_same_deadline_are_not_reminded(scene, hazard):
    """The partial index holds open work only; a finished hazard sharing the deadline gets nothing."""
    finished = HazardFactory(
        found_by=scene.inspector,
        unit=scene.unit,
        found_on=hazard.found_on,
        state=HazardState.VERIFIED,
        deadline=hazard.deadline,
        rectifying_unit=scene.unit,
        responsibility_chain=scene.chain,
    )
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=7))
    assert not Reminder.objects.filter(hazard=finished).exists()
    assert Reminder.objects.filter(hazard=hazard).count() == 8


def test_the_rung_table_is_the_ladder_evaluated_per_date(settings):
    settings.REMINDER_DAY_COUNT = "working"
    ladder = reminders.Ladder.from_settings()
    day = date(2026, 10, 15)
    rows = ladder.rungs_by_deadline(today=day, first=date(2026, 9, 1), last=ladder.due_soon_horizon(day))
    for row in rows:
        deadline = date.fromisoformat(row["deadline"])
        for major in (False, True):
            reached = (row["stage"], row["sequence"]) in ladder.rungs(deadline=deadline, today=day, major=major)
            assert reached == (row["major"] is None or row["major"] is major)
    # Each date's rungs appear: escalation for the deadlines seven working days back and more.
    assert {"deadline": "2026-09-30", "stage": Stage.ESCALATION, "sequence": 0, "major": None} in rows


def test_a_reminders_notification_names_its_hazard_through_the_reminder(scene, hazard, rectifier, client):
    """The rectifier's in-app notice of a reminder does not repeat the hazard (a foreign-key check on
    the largest table, per reminder); the list, the link and the API still say which hazard."""
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1))
    client.force_login(rectifier)
    listed = client.get("/notifications/").content.decode()
    assert 'data-testid="open-hazard"' in listed and hazard.number in listed
    notice = Notification.objects.get(recipient=rectifier, kind=Notification.Kind.REMINDER)
    assert notice.hazard_id is None and notice.about == hazard and notice.about_id == hazard.pk

    api = client.get("/api/v1/me/notifications/").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert {row["hazard"] for row in rows if row["kind"] == "reminder"} == {hazard.pk}
    opened = client.post(f"/notifications/{notice.pk}/read/")
    assert opened.status_code == 302 and opened["Location"] == f"/hazards/{hazard.pk}/"
