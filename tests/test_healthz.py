"""/healthz: 200 when the database answers, 503 within seconds when it does not, and no address leaked."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from hunan_safety.routers import reporting_reads

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_answers_200_with_json_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["database"]) == ("ok", "ok")
    # Degraded parts are reported beside, without a 503 (here the holiday calendar's coverage).
    assert "calendar" in answer


@pytest.mark.django_db
def test_healthz_answers_503_without_saying_where_the_database_is(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.7), port 5432 failed: refused')

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refused)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert b"10.0.0.7" not in response.content and b"5432" not in response.content


@pytest.fixture
def silent_database():
    """A socket that accepts connections and never says a word: a database stuck after accept()."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for peer in accepted:
        peer.close()
    server.close()


HEALTHZ = """
import time, django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/healthz", HTTP_HOST="localhost")
print(response.status_code, round(time.monotonic() - started, 1), response.content.decode())
"""


def test_healthz_answers_503_within_seconds_when_the_database_never_replies(silent_database):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hunan_safety.settings",
        "DATABASE_URL": f"postgres://hunan:secret@127.0.0.1:{silent_database}/hunan_safety",
        "DB_CONNECT_TIMEOUT": "2",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", HEALTHZ], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    status, seconds, body = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert status == "503"
    assert float(seconds) < 5
    assert body == '{"status": "error", "database": "unavailable"}'
    assert str(silent_database) not in body
    assert time.monotonic() - started < 30


def test_postgresql_connections_carry_the_connect_and_statement_timeouts(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DB_STATEMENT_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_LONG_STATEMENT_TIMEOUT"}
    }
    env.update(
        DATABASE_URL="postgres://hunan:secret@db.example:5432/hunan_safety",
        DJANGO_SETTINGS_MODULE="hunan_safety.settings",
    )
    # Pages: the settings' own defaults.
    page = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert page.stdout.strip() == (
        "{'connect_timeout': 3, 'options': '-c statement_timeout=30000 -c plan_cache_mode=force_generic_plan'}"
    )
    # Management commands (migrate, seed_demo, export_ledger): the long timeout.
    command = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert command.stdout.strip().splitlines()[-1] == (
        "{'connect_timeout': 3, 'options': '-c statement_timeout=1800000 -c plan_cache_mode=force_generic_plan'}"
    )


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_page_statement_is_cancelled_after_the_page_limit_and_reports_get_the_long_one(settings):
    settings.DB_STATEMENT_TIMEOUT = 1
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '1s'")
    with (
        pytest.raises(OperationalError, match="statement timeout"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT pg_sleep(3)")
    with reporting_reads():
        assert statement_timeout() == "30min"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1.5)")
    assert statement_timeout() == "1s"
