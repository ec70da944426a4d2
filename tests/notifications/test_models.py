"""A notification reads as a sentence in the reader's language, naming the actor and the ledger number."""

import pytest
from django.utils import translation

from notifications.models import Notification
from tests.factories import HazardFactory, UserFactory
from tests.notifications.factories import NotificationFactory

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

EXPECTED = {
    "report": "reported",
    "edit": "edited",
    "attach": "attached files to",
    "assign": "to your unit",
    "start": "started rectifying",
    "submit": "for acceptance",
    "reject": "rejected the rectification of",
    "verify": "accepted the rectification of",
    "close": "closed",
    "void": "voided",
    "request_extension": "asked to extend the deadline of",
    "decide_extension": "decided on the extension of",
    "list": "under listed supervision",
    "issue_document": "issued an enforcement document on",
}


def test_every_action_has_its_own_sentence():
    assert set(EXPECTED) == set(Notification.Action.values)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_the_sentence_names_the_actor_and_the_hazard(action):
    actor = UserFactory(last_name="李", first_name="四")
    hazard = HazardFactory(title="仓库超量储存")
    notification = NotificationFactory(actor=actor, hazard=hazard, action=action)
    with translation.override("en"):
        text = notification.text
    assert text.startswith("李四 ")
    assert hazard.number in text
    assert EXPECTED[action] in text


def test_an_assignment_quotes_the_title():
    notification = NotificationFactory(action="assign", hazard=HazardFactory(title="仓库超量储存"))
    with translation.override("en"):
        assert f"{notification.hazard.number} “仓库超量储存” to your unit" in notification.text


def test_an_assignment_tells_people_on_the_chain_which_unit_must_rectify(rectifier, head):
    hazard = HazardFactory(rectifying_unit=rectifier.organization)
    for_the_unit = NotificationFactory(recipient=rectifier, action="assign", hazard=hazard)
    for_the_chain = NotificationFactory(recipient=head, action="assign", hazard=hazard)
    with translation.override("en"):
        assert for_the_unit.text.endswith("to your unit")
        assert for_the_chain.text.endswith(f"to {rectifier.organization.name}")


def test_a_rejection_gives_its_reason():
    notification = NotificationFactory(action="reject", note="整改后照片不清晰")
    with translation.override("en"):
        assert notification.text.endswith(
            f"rejected the rectification of {notification.hazard.number}: 整改后照片不清晰"
        )


def test_a_user_without_a_name_is_named_by_username_and_a_missing_actor_is_someone():
    notification = NotificationFactory(actor=UserFactory(username="wang", last_name="", first_name=""))
    with translation.override("en"):
        assert notification.text.startswith("wang submitted")
        notification.actor = None
        assert notification.text.startswith("Someone submitted")
