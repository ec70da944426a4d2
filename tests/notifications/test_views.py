"""The notification list, marking read, the header bell, the admin; nobody sees anyone else's."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from notifications.context_processors import unread
from notifications.models import Notification
from tests.factories import EnterpriseFactory, HazardFactory
from tests.notifications.factories import NotificationFactory

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ITEM = re.compile(r'data-notification="(\d+)"')


@pytest.fixture
def signed_in(client, rectifier):
    client.force_login(rectifier)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def shown(response) -> list[int]:
    return [int(pk) for pk in ITEM.findall(response.content.decode())]


def test_the_list_shows_ones_own_notifications_newest_first(signed_in, rectifier, inspector):
    older = NotificationFactory(recipient=rectifier, action="assign")
    newer = NotificationFactory(recipient=rectifier, action="reject", note="照片不清晰")
    someone_elses = NotificationFactory(recipient=inspector, action="submit")
    response = signed_in.get("/notifications/")
    assert response.status_code == 200
    assert shown(response) == [newer.pk, older.pk]
    page = response.content.decode()
    assert someone_elses.hazard.number not in page
    assert older.hazard.number in page and "to your unit" in page and "照片不清晰" in page
    assert "Mark all as read" in page


def test_unread_notifications_stand_out(signed_in, rectifier):
    read = NotificationFactory(recipient=rectifier)
    fresh = NotificationFactory(recipient=rectifier)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    page = signed_in.get("/notifications/").content.decode()
    assert f'data-notification="{fresh.pk}" data-unread' in page
    assert f'data-notification="{read.pk}">' in page


def test_the_list_has_pages_of_thirty(signed_in, rectifier):
    NotificationFactory.create_batch(31, recipient=rectifier, hazard=None)
    assert len(shown(signed_in.get("/notifications/"))) == 30
    assert len(shown(signed_in.get("/notifications/?page=2"))) == 1


def test_the_list_costs_the_same_queries_for_three_or_thirty(signed_in, rectifier):
    def notifications(count: int) -> None:
        for _ in range(count):
            unit = EnterpriseFactory()
            NotificationFactory(recipient=rectifier, action="assign", hazard=HazardFactory(rectifying_unit=unit))

    notifications(3)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get("/notifications/").status_code == 200
    notifications(27)
    with CaptureQueriesContext(connection) as many:
        assert len(shown(signed_in.get("/notifications/"))) == 30
    assert len(many) == len(few)


def test_opening_a_notification_marks_it_read_and_goes_to_the_hazard(signed_in, rectifier):
    notification = NotificationFactory(recipient=rectifier)
    response = signed_in.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{notification.hazard_id}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_without_a_hazard_goes_back_to_the_list(signed_in, rectifier):
    notification = NotificationFactory(recipient=rectifier, hazard=None)
    response = signed_in.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_another_persons_notification_cannot_be_marked(signed_in, inspector):
    notification = NotificationFactory(recipient=inspector)
    assert signed_in.post(f"/notifications/{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_is_a_post(signed_in, rectifier):
    notification = NotificationFactory(recipient=rectifier)
    assert signed_in.get(f"/notifications/{notification.pk}/read/").status_code == 405
    assert signed_in.get("/notifications/read-all/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read(signed_in, rectifier, inspector):
    NotificationFactory.create_batch(2, recipient=rectifier)
    someone_elses = NotificationFactory(recipient=inspector)
    response = signed_in.post("/notifications/read-all/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not rectifier.notifications.unread().exists()
    assert inspector.notifications.get(pk=someone_elses.pk).read_at is None
    assert "Mark all as read" not in signed_in.get("/notifications/").content.decode()


def test_the_header_bell_counts_unread_notifications(signed_in, rectifier, inspector):
    page = signed_in.get("/").content.decode()
    assert 'aria-label="Notifications, 0 unread"' in page
    assert 'data-testid="unread-count"' not in page
    NotificationFactory.create_batch(2, recipient=rectifier)
    NotificationFactory(recipient=inspector)
    page = signed_in.get("/").content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page
    assert re.search(r'data-testid="unread-count">\s*2\s*<', page)
    assert 'href="/notifications/"' in page and "bi-bell" in page


def test_the_bell_costs_one_count_and_nothing_for_visitors(rectifier, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {}
    request.user = rectifier
    with django_assert_num_queries(1):
        assert unread(request) == {"unread_notification_count": 0}


@pytest.mark.parametrize("method, path", [("get", "/notifications/"), ("post", "/notifications/read-all/")])
def test_visitors_are_sent_to_sign_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_admin_lists_and_filters_but_never_adds_or_deletes(client, administrator, rectifier):
    notification = NotificationFactory(recipient=rectifier)
    client.force_login(administrator)
    row = f"/admin/notifications/notification/{notification.pk}/change/"
    for query, found in [
        ("", True),
        (f"?q={notification.hazard.number}", True),
        ("?q=rectifier&action=submit&read=no", True),
        ("?q=inspector", False),
        ("?action=assign", False),
        ("?read=yes", False),
    ]:
        response = client.get(f"/admin/notifications/notification/{query}")
        assert response.status_code == 200, query
        assert (row in response.content.decode()) is found, query
    assert client.get(row).status_code == 200
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.get(f"/admin/notifications/notification/{notification.pk}/delete/").status_code == 403
    assert "delete_selected" not in client.get("/admin/notifications/notification/").content.decode()
