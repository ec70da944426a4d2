"""Everything but the login page, the language switch, /healthz and /favicon.ico requires a signed-in user."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"/accounts/login/", "/healthz", "/i18n/setlang/", "/favicon.ico"}


def _concrete_paths(patterns, prefix=""):
    """Every URL of the project, with a plausible value for each path parameter."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        route = re.sub(r"<(?:int:)?\w+>", "1", route)
        route = re.sub(r"<path:\w+>", "x", route)
        route = re.sub(r"<\w+:\w+>", "x", route)
        if isinstance(pattern, URLResolver):
            yield from _concrete_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            regex_chars = set("^$()[]?*+\\")
            if regex_chars & set(route):
                route = route.replace("^", "").replace("$", "")
                if regex_chars & set(route):
                    continue
            yield "/" + route


def test_the_walk_finds_the_project_urls():
    paths = set(_concrete_paths(get_resolver().url_patterns))
    assert {"/", "/accounts/password/", "/admin/"} <= paths


def test_anonymous_users_are_sent_to_the_login_page_everywhere_else(client):
    checked = 0
    for path in sorted(set(_concrete_paths(get_resolver().url_patterns)) - PUBLIC):
        response = client.get(path)
        if response.status_code == 404:
            continue  # a made-up id or an admin URL that 404s before auth: nothing is shown
        if path.startswith("/api/v1/"):
            # Other systems are told in the API's own way: 401 with a problem document, no redirect.
            assert response.status_code == 401, path
            assert response["Content-Type"].startswith("application/problem+json"), path
            continue
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], (path, response["Location"])
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_public_pages_answer_without_login(client, path):
    assert client.get(path).status_code == 200


def test_the_language_can_be_chosen_before_signing_in(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.get("/accounts/login/").content.decode().count("Sign in") >= 1
