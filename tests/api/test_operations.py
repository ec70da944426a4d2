"""Operating the API: request ids in responses and logs, throttling per token, the schema and its docs."""

import logging

import pytest
from django.core.cache import cache

from api.views import TokenThrottle
from hunan_safety.request_id import RequestIdFilter

pytestmark = [pytest.mark.django_db]


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(logging.Formatter("[%(request_id)s] %(name)s: %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


def test_the_request_id_is_echoed_and_written_in_the_log_lines(api_for, province):
    api = api_for(province)
    lines = Lines()
    logging.getLogger().addHandler(lines)
    try:
        answer = api.get("/api/v1/hazards/999999/", HTTP_X_REQUEST_ID="city-platform-42")
    finally:
        logging.getLogger().removeHandler(lines)
    assert answer.status_code == 404
    assert answer["X-Request-ID"] == "city-platform-42"
    assert "[city-platform-42] django.request: Not Found: /api/v1/hazards/999999/" in lines.lines
    fresh = api.get("/api/v1/me/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert fresh["X-Request-ID"] != "bad id with spaces" and len(fresh["X-Request-ID"]) == 32


def test_each_token_is_throttled_on_its_own(api_for, province, settings):
    cache.clear()
    TokenThrottle.THROTTLE_RATES = {"api": "3/minute"}
    try:
        first, second = api_for(province), api_for(province)
        assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
        refused = first.get("/api/v1/me/")
        assert refused.status_code == 429 and refused["Content-Type"].startswith("application/problem+json")
        assert "Retry-After" in refused
        assert second.get("/api/v1/me/").status_code == 200
    finally:
        TokenThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


def test_the_schema_and_docs_are_served_to_signed_in_users_with_local_assets(client, province):
    assert client.get("/api/v1/schema/").status_code == 401
    client.force_login(province)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/hazards/{id}/actions/{action}/" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/vendor/swagger-ui/" in docs and "cdn" not in docs.lower()
