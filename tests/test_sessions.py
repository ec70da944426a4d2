"""Sessions: an idle timeout, an end at browser close, and the password changed only with the current one."""

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def sign_in(client):
    return client.post("/accounts/login/", {"username": "inspector", "password": PASSWORD})


def test_the_session_cookie_ends_with_the_browser(client, inspector):
    response = sign_in(client)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


def test_thirty_idle_minutes_sign_the_user_out(client, inspector, frozen_today):
    sign_in(client)
    assert client.get("/").status_code == 200
    frozen_today.shift(31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_who_keeps_working_stays_signed_in(client, inspector, frozen_today):
    sign_in(client)
    for _ in range(8):  # two hours, a page every quarter of an hour
        frozen_today.shift(15 * 60)
        assert client.get("/").status_code == 200


def test_the_idle_timeout_is_a_setting(client, settings, inspector, frozen_today):
    settings.SESSION_COOKIE_AGE = 5 * 60
    sign_in(client)
    frozen_today.shift(6 * 60)
    assert client.get("/").status_code == 302


def test_changing_the_password_asks_for_the_current_one(client, inspector):
    client.cookies["django_language"] = "en"
    sign_in(client)
    new = {"new_password1": "another-Long-pass-2026", "new_password2": "another-Long-pass-2026"}
    response = client.post("/accounts/password/", {"old_password": "guessed", **new})
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    inspector.refresh_from_db()
    assert inspector.check_password(PASSWORD)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, **new})
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.check_password("another-Long-pass-2026")
