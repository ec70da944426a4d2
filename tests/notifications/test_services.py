"""notify tells each active person once and never the actor; only recipients mark their own read."""

import pytest

from notifications import services
from notifications.models import Notification
from tests.factories import HazardFactory, UserFactory
from tests.notifications.factories import NotificationFactory

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def hazard(db):
    return HazardFactory()


def test_notify_tells_each_person_once_by_object_or_id(head, rectifier, inspector, hazard):
    told = services.notify(
        recipients=[rectifier, rectifier.pk, inspector, None, inspector],
        actor=head,
        hazard=hazard,
        action=Notification.Action.ASSIGN,
    )
    assert told == 2
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["inspector", "rectifier"]
    notification = rectifier.notifications.get()
    assert (notification.actor, notification.hazard, notification.action, notification.read_at) == (
        head,
        hazard,
        "assign",
        None,
    )


def test_notify_never_tells_the_actor_about_their_own_action(head, rectifier, hazard):
    told = services.notify(recipients=[head, rectifier], actor=head, hazard=hazard, action="submit")
    assert told == 1
    assert not head.notifications.exists()


def test_notify_skips_deactivated_users(head, rectifier, hazard):
    gone = UserFactory(is_active=False)
    told = services.notify(recipients=[gone, rectifier.pk], actor=head, hazard=hazard, action="verify")
    assert told == 1
    assert not gone.notifications.exists()


def test_notify_with_nobody_left_writes_nothing(head, hazard, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.notify(recipients=[None, head], actor=head, hazard=hazard, action="close") == 0


def test_notify_keeps_the_note(head, rectifier, hazard):
    services.notify(recipients=[rectifier], actor=head, hazard=hazard, action="reject", note="照片不清晰")
    assert rectifier.notifications.get().note == "照片不清晰"


def test_notify_refuses_an_unknown_action(head, rectifier, hazard):
    with pytest.raises(ValueError):
        services.notify(recipients=[rectifier], actor=head, hazard=hazard, action="explode")


def test_mark_read_keeps_the_first_reading_time(rectifier):
    notification = NotificationFactory(recipient=rectifier)
    first = services.mark_read(user=rectifier, notification_id=notification.pk).read_at
    assert first is not None
    assert services.mark_read(user=rectifier, notification_id=notification.pk).read_at == first


def test_nobody_marks_another_persons_notification(rectifier, inspector):
    notification = NotificationFactory(recipient=rectifier)
    with pytest.raises(Notification.DoesNotExist):
        services.mark_read(user=inspector, notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_and_unread_count_see_only_ones_own(rectifier, inspector):
    NotificationFactory.create_batch(3, recipient=rectifier)
    NotificationFactory(recipient=inspector)
    assert services.unread_count(rectifier) == 3
    assert services.mark_all_read(user=rectifier) == 3
    assert services.unread_count(rectifier) == 0
    assert services.unread_count(inspector) == 1
    assert services.mark_all_read(user=rectifier) == 0
