"""Forwarded headers are believed only from a configured, trusted reverse proxy."""

import pytest

from tests.test_settings import PRODUCTION, _manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


def test_https_said_by_the_trusted_proxy_is_believed(client, behind_proxy):
    response = client.get("/accounts/login/", REMOTE_ADDR="10.1.2.3", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


def test_https_said_by_anyone_else_is_not(client, behind_proxy):
    # A client reaching gunicorn directly cannot pose as HTTPS: it is sent to the HTTPS address.
    response = client.get("/accounts/login/", REMOTE_ADDR="203.0.113.4", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [("", "None"), ("10.0.0.5,172.18.0.0/16", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_the_proxy_ssl_header_is_set_only_when_a_trusted_proxy_is_configured(tmp_path, trusted, expected):
    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    result = _manage("shell", "-c", code, env={**PRODUCTION, "VAR_DIR": str(tmp_path), "TRUSTED_PROXIES": trusted})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_a_malformed_trusted_proxy_fails_loudly(tmp_path):
    result = _manage("check", env={**PRODUCTION, "VAR_DIR": str(tmp_path), "TRUSTED_PROXIES": "10.0.0.300"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: '10.0.0.300' is not an address or a network" in result.stderr
