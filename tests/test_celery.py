"""The Celery application talks to the configured broker: Redis in CI, the filesystem by default."""

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection, Exchange, Queue

from hunan_safety.celery import app, make_broker_folders


def test_celery_reads_django_settings():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


def test_a_message_goes_through_the_configured_broker_and_back():
    queue_name = f"test-{uuid.uuid4().hex}"
    exchange = Exchange(queue_name, type="direct")
    queue = Queue(queue_name, exchange, routing_key=queue_name, auto_delete=True)
    with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
        conn.ensure_connection(max_retries=1)
        with conn.Producer() as producer:
            producer.publish(
                {"hazard": "HN-430181-2026-000001"},
                exchange=exchange,
                routing_key=queue_name,
                declare=[queue],
                serializer="json",
            )
        simple = conn.SimpleQueue(queue)
        message = simple.get(timeout=5)
        message.ack()
        simple.close()
    assert message.payload == {"hazard": "HN-430181-2026-000001"}


@pytest.mark.redis
def test_the_broker_is_redis_when_configured():
    with Connection(settings.CELERY_BROKER_URL) as conn:
        assert conn.transport_cls in ("redis", "rediss")
        conn.ensure_connection(max_retries=1)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_is_postgresql_when_configured():
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.skipif(os.environ.get("REQUIRE_SERVICES") != "1", reason="only CI promises the real services")
def test_ci_runs_against_the_real_services():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_the_worker_makes_the_filesystem_broker_folders_as_it_starts(tmp_path, monkeypatch):
    # Importing the settings makes no folder; kombu's filesystem transport needs them before a message.
    broker = tmp_path / "broker"
    options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    # Celery prefers the CELERY_BROKER_URL of the environment (CI's Redis) to its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(app.conf, "broker_transport_options", options)
    make_broker_folders()
    assert sorted(path.name for path in broker.iterdir()) == ["control", "processed", "queue"]
