"""The history of a hazard is append-only: the database refuses to change or remove an event, and the
detail page shows every event of a journey in order, with who did it and from which state to which."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.db.utils import Error as DatabaseLayerError

from hazards import workflow
from hazards.models import HazardEvent
from tests.hazards.workflow_helpers import (
    element,
    in_days,
    list_items,
    move_to,
    report,
    second_head,
    submit,
    verify,
)

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hazard(inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    workflow.assign(
        actor=head,
        hazard_id=hazard.pk,
        deadline=in_days(60),
        rectifying_unit=rectifier.organization,
    )
    hazard.refresh_from_db()
    return hazard


def event_row(event_id: int) -> tuple:
    event = HazardEvent.objects.get(pk=event_id)
    return event.action, event.from_state, event.to_state, event.reason, event.actor_id, event.at


def refused_by_the_database(change) -> DatabaseLayerError:
    """Run `change` in its own savepoint; the database must refuse it, saying the history is append-only."""
    with pytest.raises(DatabaseLayerError) as refusal, transaction.atomic():
        change()
    assert "append-only" in str(refusal.value)
    return refusal.value


# --- The database refuses (PostgreSQL trigger) ---------------------------------------------------


@pytest.mark.postgres
def test_an_event_cannot_be_updated_through_the_orm(hazard):
    event = hazard.events.get(action="assign")
    before = event_row(event.pk)

    refused_by_the_database(lambda: HazardEvent.objects.filter(pk=event.pk).update(reason="x"))
    refused_by_the_database(lambda: HazardEvent.objects.filter(hazard=hazard).update(to_state="closed"))

    event.reason = "改写历史"
    refused_by_the_database(event.save)
    assert event_row(event.pk) == before


@pytest.mark.postgres
def test_an_event_cannot_be_deleted_through_the_orm(hazard):
    events = list(hazard.events.order_by("id").values_list("pk", flat=True))
    event = HazardEvent.objects.get(pk=events[-1])
    before = event_row(event.pk)

    refused_by_the_database(lambda: HazardEvent.objects.filter(pk=event.pk).delete())
    refused_by_the_database(event.delete)

    assert event_row(event.pk) == before
    assert list(hazard.events.order_by("id").values_list("pk", flat=True)) == events


@pytest.mark.postgres
def test_an_event_cannot_be_changed_or_removed_with_raw_sql(hazard):
    event = hazard.events.get(action="report")
    before = event_row(event.pk)
    table = HazardEvent._meta.db_table

    def execute(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    refused_by_the_database(lambda: execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["x", event.pk]))
    refused_by_the_database(lambda: execute(f"DELETE FROM {table} WHERE id = %s", [event.pk]))
    refused_by_the_database(lambda: execute(f"DELETE FROM {table}", []))

    assert event_row(event.pk) == before
    assert hazard.events.count() == 2


@pytest.mark.postgres
def test_the_workflow_still_appends_events(hazard, head, rectifier):
    # The trigger refuses changes, not new rows: the workflow goes on writing its history.
    move_to(hazard, "submitted", head=head, rectifier=rectifier)
    assert list(hazard.events.values_list("action", flat=True)) == ["report", "assign", "start", "submit"]


def test_a_hazard_with_a_history_is_never_hard_deleted(hazard):
    with pytest.raises(ProtectedError):
        hazard.delete()
    assert HazardEvent.objects.filter(hazard=hazard).count() == 2


# --- The timeline on the detail page (any database) ------------------------------------------------


def test_the_timeline_lists_every_event_of_a_journey_in_order(client, inspector, head, rectifier):
    accepting_head = second_head(head)
    hazard = report(inspector, unit=rectifier.organization)
    move_to(hazard, "submitted", head=head, rectifier=rectifier)
    workflow.reject(actor=head, hazard_id=hazard.pk, reason="二号工房仍超量存药。")
    submit(hazard, rectifier)
    verify(hazard, accepting_head)
    workflow.close(actor=head, hazard_id=hazard.pk, note="对账销号。")

    client.cookies["django_language"] = "en"
    client.force_login(head)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    items = list_items(element(page, 'data-testid="timeline"', "</ol>"))

    journey = [
        ("Reported", None, inspector),
        ("Assigned", "Reported → Assigned", head),
        ("Started rectification", "Assigned → Rectifying", rectifier),
        ("Submitted for acceptance", "Rectifying → Submitted for acceptance", rectifier),
        ("Rejected", "Submitted for acceptance → Rectifying", head),
        ("Submitted for acceptance", "Rectifying → Submitted for acceptance", rectifier),
        ("Accepted", "Submitted for acceptance → Accepted", accepting_head),
        ("Closed (ledger entry cancelled)", "Accepted → Closed (ledger entry cancelled)", head),
    ]
    assert len(items) == len(journey) == hazard.events.count()
    for item, (label, states, actor) in zip(items, journey, strict=True):
        assert item.startswith(label), item
        if states:
            assert f"({states})" in item, item
        else:
            assert "→" not in item, item
        assert actor.get_full_name() in item, item
    assert "二号工房仍超量存药。" in items[4]
    assert "对账销号。" in items[7]


def test_actions_that_keep_the_state_show_no_arrow_but_their_changes(client, inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    hazard = move_to(hazard, "rectifying", head=head, rectifier=rectifier)
    workflow.request_extension(
        actor=rectifier,
        hazard_id=hazard.pk,
        new_deadline=hazard.deadline + timedelta(days=30),
        reason="设备到货延迟。",
    )

    client.cookies["django_language"] = "en"
    client.force_login(head)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    items = list_items(element(page, 'data-testid="timeline"', "</ol>"))

    assert items[-1].startswith("Asked for an extension")
    assert "(Rectifying → Rectifying)" not in items[-1]
    later = hazard.deadline + timedelta(days=30)
    assert f"{hazard.deadline.isoformat()} → {later.isoformat()}" in items[-1]
    assert rectifier.get_full_name() in items[-1]
