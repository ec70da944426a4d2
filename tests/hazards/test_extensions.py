"""Extensions (延期): the unit asks before the deadline, the head decides, the history keeps every deadline."""

from datetime import timedelta

import pytest
from django.utils import translation

from hazards import workflow
from hazards.models import ExtensionRequest, Hazard, HazardEvent, HazardState
from hazards.workflow import HazardError, allowed_actions
from notifications.models import Notification
from tests.hazards.workflow_helpers import (
    ask_extension,
    element,
    in_days,
    list_items,
    move_to,
    report,
    snapshot,
)

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hazard(inspector, head, rectifier):
    """Being rectified by the rectifier's unit, due in ten days."""
    hazard = report(inspector, unit=rectifier.organization)
    return move_to(hazard, HazardState.RECTIFYING, head=head, rectifier=rectifier, deadline=in_days(10))


def refusal_of(call) -> str:
    with translation.override("en"), pytest.raises(HazardError) as refusal:
        call()
    return str(refusal.value)


def request(hazard, rectifier, new_deadline, reason="汛期无法施工。"):
    return workflow.request_extension(actor=rectifier, hazard_id=hazard.pk, new_deadline=new_deadline, reason=reason)


# --- Asking ----------------------------------------------------------------------------------


def test_the_unit_asks_before_the_deadline_for_a_later_one(hazard, rectifier):
    before = snapshot(hazard)

    extension = request(hazard, rectifier, in_days(25))

    assert extension.decision == ExtensionRequest.Decision.PENDING
    assert (extension.current_deadline, extension.new_deadline) == (in_days(10), in_days(25))
    assert (extension.requested_by, extension.reason) == (rectifier, "汛期无法施工。")
    hazard.refresh_from_db()
    # Asking moves nothing yet.
    assert (hazard.deadline, hazard.extension_count, hazard.state) == (in_days(10), 0, HazardState.RECTIFYING)
    assert hazard.version == before[1] + 1
    event = hazard.events.get(action=HazardEvent.Action.REQUEST_EXTENSION)
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        rectifier,
        "rectifying",
        "rectifying",
        "汛期无法施工。",
    )
    assert event.changes == {"deadline": [in_days(10).isoformat(), in_days(25).isoformat()]}


def test_the_unit_may_ask_while_the_hazard_is_assigned(inspector, head, rectifier):
    hazard = move_to(report(inspector, unit=rectifier.organization), "assigned", head=head, rectifier=rectifier)
    request(hazard, rectifier, hazard.deadline + timedelta(days=7))
    assert hazard.extension_requests.get().decision == "pending"


def test_a_second_request_while_one_is_pending_is_refused(hazard, rectifier):
    request(hazard, rectifier, in_days(25))
    before = snapshot(hazard)

    message = refusal_of(lambda: request(hazard, rectifier, in_days(40)))

    assert "already waiting" in message
    assert snapshot(hazard) == before
    assert hazard.extension_requests.count() == 1
    assert "request_extension" not in allowed_actions(hazard, rectifier)


def test_after_the_deadline_has_passed_the_request_is_refused(hazard, rectifier):
    Hazard.objects.filter(pk=hazard.pk).update(found_on=in_days(-20), deadline=in_days(-1))
    hazard.refresh_from_db()
    before = snapshot(hazard)

    message = refusal_of(lambda: request(hazard, rectifier, in_days(20)))

    assert "deadline has passed" in message
    assert snapshot(hazard) == before
    assert not hazard.extension_requests.exists()
    assert "request_extension" not in allowed_actions(hazard, rectifier)


@pytest.mark.parametrize("days", [10, 9, -3])
def test_the_new_deadline_must_be_later_than_the_current_one(hazard, rectifier, days):
    before = snapshot(hazard)
    message = refusal_of(lambda: request(hazard, rectifier, in_days(days)))
    assert "later than the current one" in message
    assert snapshot(hazard) == before
    assert not hazard.extension_requests.exists()


def test_a_request_needs_a_reason(hazard, rectifier):
    before = snapshot(hazard)
    message = refusal_of(lambda: request(hazard, rectifier, in_days(25), reason="  "))
    assert "Say why" in message
    assert snapshot(hazard) == before


def test_only_the_rectifying_unit_asks(hazard, head, inspector):
    for person in (head, inspector):
        before = snapshot(hazard)
        message = refusal_of(lambda person=person: request(hazard, person, in_days(25)))
        assert "rectifying unit" in message
        assert snapshot(hazard) == before


def test_asking_tells_the_head_who_assigned_it(hazard, rectifier, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request(hazard, rectifier, in_days(25), reason="设备到货延迟。")
    notification = Notification.objects.get(action="request_extension")
    assert (notification.recipient, notification.note) == (head, "设备到货延迟。")


# --- Deciding --------------------------------------------------------------------------------


def test_the_head_approves_and_the_deadline_moves(hazard, rectifier, head, django_capture_on_commit_callbacks):
    request(hazard, rectifier, in_days(25))
    before = snapshot(hazard)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)

    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.extension_count, hazard.state) == (in_days(25), 1, HazardState.RECTIFYING)
    assert hazard.version == before[1] + 1
    extension = hazard.extension_requests.get()
    assert (extension.decision, extension.decided_by) == (ExtensionRequest.Decision.APPROVED, head)
    assert extension.decided_at is not None
    event = hazard.events.get(action=HazardEvent.Action.DECIDE_EXTENSION)
    assert (event.actor, event.from_state, event.to_state) == (head, "rectifying", "rectifying")
    assert event.changes == {
        "decision": ["pending", "approved"],
        "deadline": [in_days(10).isoformat(), in_days(25).isoformat()],
    }
    # The unit that asked is told.
    assert Notification.objects.filter(recipient=rectifier, action="decide_extension").exists()


def test_denying_needs_a_note(hazard, rectifier, head):
    request(hazard, rectifier, in_days(25))
    before = snapshot(hazard)

    message = refusal_of(lambda: workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=False, note=" "))

    assert "denied" in message
    assert snapshot(hazard) == before
    assert hazard.extension_requests.get().decision == ExtensionRequest.Decision.PENDING


def test_denying_leaves_the_deadline(hazard, rectifier, head):
    request(hazard, rectifier, in_days(25))

    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=False, note="理由不充分，按期完成。")

    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.extension_count) == (in_days(10), 0)
    extension = hazard.extension_requests.get()
    assert (extension.decision, extension.decision_note) == (ExtensionRequest.Decision.DENIED, "理由不充分，按期完成。")
    event = hazard.events.get(action=HazardEvent.Action.DECIDE_EXTENSION)
    assert event.reason == "理由不充分，按期完成。"
    assert event.changes == {"decision": ["pending", "denied"]}
    # Denied, the unit may ask again.
    assert "request_extension" in allowed_actions(hazard, rectifier)


def test_only_a_head_decides(hazard, rectifier, inspector):
    request(hazard, rectifier, in_days(25))
    for person in (rectifier, inspector):
        before = snapshot(hazard)
        message = refusal_of(
            lambda person=person: workflow.decide_extension(actor=person, hazard_id=hazard.pk, approve=True)
        )
        assert "department head" in message
        assert snapshot(hazard) == before


def test_nothing_to_decide_without_a_pending_request(hazard, head):
    before = snapshot(hazard)
    message = refusal_of(lambda: workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True))
    assert "No extension request" in message
    assert snapshot(hazard) == before
    assert "decide_extension" not in allowed_actions(hazard, head)


def test_a_voided_hazards_extension_can_no_longer_be_approved(inspector, head, rectifier):
    """Voided (a duplicate, say) while a request waited: its deadline and extension count mean nothing now."""
    hazard = move_to(report(inspector, unit=rectifier.organization), "assigned", head=head, rectifier=rectifier)
    ask_extension(hazard, rectifier)
    workflow.void(actor=head, hazard_id=hazard.pk, reason="与另一条重复。")
    hazard.refresh_from_db()
    before = snapshot(hazard)

    assert "decide_extension" not in allowed_actions(hazard, head)
    with pytest.raises(HazardError):
        workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)
    assert snapshot(hazard) == before
    hazard.refresh_from_db()
    assert hazard.extension_count == 0


# --- The history and the ledger ---------------------------------------------------------------


def test_the_history_keeps_every_deadline_and_the_ledger_counts_extensions(hazard, rectifier, head, client):
    request(hazard, rectifier, in_days(20))
    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)
    request(hazard, rectifier, in_days(30))
    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=False, note="不再延期。")
    request(hazard, rectifier, in_days(27))
    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)

    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.extension_count) == (in_days(27), 2)
    moves = [
        tuple(event.changes["deadline"])
        for event in hazard.events.filter(action=HazardEvent.Action.DECIDE_EXTENSION).order_by("at", "id")
        if "deadline" in event.changes
    ]
    assert moves == [
        (in_days(10).isoformat(), in_days(20).isoformat()),
        (in_days(20).isoformat(), in_days(27).isoformat()),
    ]
    asked = [
        tuple(event.changes["deadline"])
        for event in hazard.events.filter(action=HazardEvent.Action.REQUEST_EXTENSION).order_by("at", "id")
    ]
    assert asked == [
        (in_days(10).isoformat(), in_days(20).isoformat()),
        (in_days(20).isoformat(), in_days(30).isoformat()),
        (in_days(20).isoformat(), in_days(27).isoformat()),
    ]
    assert list(hazard.extension_requests.order_by("requested_at", "id").values_list("decision", flat=True)) == [
        "approved",
        "denied",
        "approved",
    ]

    client.cookies["django_language"] = "en"
    client.force_login(head)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert f"{in_days(27):%Y-%m-%d}" in page
    assert "(extended 2 times)" in page
    timeline = " ".join(list_items(element(page, 'data-testid="timeline"', "</ol>")))
    for day in (10, 20, 27):
        assert f"{in_days(day).isoformat()}" in timeline


def test_one_extension_is_counted_in_the_singular(hazard, rectifier, head, client):
    request(hazard, rectifier, in_days(20))
    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)
    client.cookies["django_language"] = "en"
    client.force_login(rectifier)
    assert "(extended 1 time)" in client.get(f"/hazards/{hazard.pk}/").content.decode()


# --- Through the forms ------------------------------------------------------------------------


def test_asking_and_deciding_through_the_forms(hazard, rectifier, head, client):
    client.force_login(rectifier)
    response = client.post(
        f"/hazards/{hazard.pk}/act/request_extension/",
        {
            "request_extension-version": hazard.version,
            "request_extension-new_deadline": in_days(18).isoformat(),
            "request_extension-reason": "材料短缺。",
        },
    )
    assert response.status_code == 302
    hazard.refresh_from_db()

    client.force_login(head)
    response = client.post(
        f"/hazards/{hazard.pk}/act/decide_extension/",
        {"decide_extension-version": hazard.version, "decide_extension-decision": "approve"},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.extension_count) == (in_days(18), 1)


def test_a_refused_request_through_the_form_is_a_400_with_the_reason(hazard, rectifier, client):
    client.cookies["django_language"] = "en"
    client.force_login(rectifier)
    before = snapshot(hazard)
    response = client.post(
        f"/hazards/{hazard.pk}/act/request_extension/",
        {
            "request_extension-version": hazard.version,
            "request_extension-new_deadline": in_days(5).isoformat(),
            "request_extension-reason": "材料短缺。",
        },
    )
    assert response.status_code == 400
    assert "The new deadline must be later than the current one." in response.content.decode()
    assert snapshot(hazard) == before
