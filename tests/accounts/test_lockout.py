"""Password guessing is cut off (django-axes): per username and per address, then an administrator unlocks.

Before this, 50 wrong passwords in a row were followed by a sign-in with the right one at once.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = (
    "Too many failed sign-ins. Signing in is paused for 15 minutes; "
    "try again later or ask an administrator to unlock it."
)


def sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7", **headers):
    client.cookies["django_language"] = "en"
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def test_five_failures_lock_the_username_and_the_right_password_is_refused_until_unlocked(
    client, inspector, administrator
):
    for _ in range(4):
        response = sign_in(client, "inspector", "wrong")
        assert response.status_code == 200  # the ordinary "wrong password" answer
    response = sign_in(client, "inspector", "wrong")
    assert response.status_code == 429
    assert response.context["lockout"] == LOCKED

    # Locked: the right password is refused too, from another address as well, and no session starts.
    response = sign_in(client, "inspector", PASSWORD, address="198.51.100.20")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert 'value="inspector"' in response.content.decode()  # the username is kept
    assert "_auth_user_id" not in client.session

    # An administrator unlocks the user from the admin's user list.
    admin_client = Client()
    admin_client.force_login(administrator)
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [inspector.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="inspector").exists()

    response = sign_in(client, "inspector", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(inspector.pk)


def test_the_lockout_does_not_tell_whether_the_username_exists(client, inspector):
    answers = {}
    for username in ("inspector", "nobody-by-this-name"):
        for _ in range(5):
            response = sign_in(client, username, "wrong", address=f"192.0.2.{len(answers) + 1}")
        answers[username] = (response.status_code, response.context["lockout"])
    assert answers["inspector"] == answers["nobody-by-this-name"] == (429, LOCKED)


def test_one_address_trying_many_usernames_is_locked(client, inspector):
    for n in range(5):
        sign_in(client, f"guess-{n}", "wrong", address="203.0.113.50")
    # The real user from that address is refused; the same user elsewhere is not.
    assert sign_in(client, "inspector", PASSWORD, address="203.0.113.50").status_code == 429
    assert sign_in(Client(), "inspector", PASSWORD, address="203.0.113.51").status_code == 302


def test_the_limit_and_the_cool_off_come_from_settings(client, settings, inspector, frozen_today):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(client, "inspector", "wrong")
    assert sign_in(client, "inspector", PASSWORD).status_code == 429
    frozen_today.shift(16 * 60)  # past the 15-minute cool-off
    assert sign_in(client, "inspector", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked(client, settings, inspector):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for _ in range(5):
        sign_in(client, f"x-{_}", "wrong", address="10.0.0.2", X_FORWARDED_FOR="203.0.113.9")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").count() == 5
    # Another client behind the same proxy is not locked out by the first one.
    assert (
        sign_in(Client(), "inspector", PASSWORD, address="10.0.0.2", X_FORWARDED_FOR="203.0.113.10").status_code == 302
    )


def test_an_untrusted_client_cannot_choose_its_address_with_a_forwarded_header(client, settings, inspector):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(5):
        # Each guess claims another forwarded address; it is the socket's address that counts.
        sign_in(client, f"x-{n}", "wrong", address="203.0.113.70", X_FORWARDED_FOR=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.70"}
    assert sign_in(client, "inspector", PASSWORD, address="203.0.113.70").status_code == 429
