"""Reminders end to end: real Celery workers (subprocesses) on the real Redis broker and PostgreSQL.

Two scans run at once (two beats, or a beat and `remind_overdue`), then the worker is killed with
SIGKILL in the middle of the deliveries and a new one started, and a third scan runs. Each due
reminder must exist once, be shown in-app once and reach the chat robot: counted in rows,
deliveries and requests received.

The worker needs this test's database, which only a server database can share with another
process: hence PostgreSQL (the test database's name goes to the worker in DATABASE_URL).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from hazards.models import Hazard, HazardState
from notifications import reminders
from notifications.models import Delivery, Notification, Reminder
from notifications.tasks import deliver as deliver_task
from tests.factories import EnterpriseFactory, HazardFactory, UserFactory, region
from tests.notifications.reminder_helpers import (
    REDIS_TRANSPORT_OPTIONS,
    BlackHole,
    ChatRobot,
    celery_broker,
    everyone_opens_their_notifications,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    # Regions and industries, which the flush after each transactional test removes, loaded again.
    pytest.mark.usefixtures("reference_data"),
]

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LEASE_SECONDS = 3
HAZARDS = 24


@pytest.fixture
def queue(monkeypatch):
    """A queue of this test's own on the shared Redis: its worker hears nothing else, nobody else hears it."""
    name = f"reminders-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(deliver_task, "apply_async", partial(deliver_task.apply_async, queue=name))
    yield name
    # Leave the shared Redis as found: the queue, its bindings, and what the killed worker held unacked.
    with deliver_task.app.connection_for_write() as conn:
        client = conn.default_channel.client
        for key in client.scan_iter(f"*{name}*"):
            client.delete(key)
        held = [tag for tag, raw in client.hgetall("unacked").items() if json.loads(raw)[2] == name]
        if held:
            client.hdel("unacked", *held)
            client.zrem("unacked_index", *held)


@pytest.fixture
def lease(settings):
    settings.DELIVERY_LEASE_SECONDS = LEASE_SECONDS
    return LEASE_SECONDS


class Worker:
    """`celery -A hunan_safety worker` in its own process group, on this test's database and queue."""

    def __init__(self, queue: str, log_dir: Path):
        self.queue = queue
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def _env(self) -> dict:
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
            # Every works here shares one robot: one message per delivery, and no minute's limit,
            # keep this test about exactly-once across workers (tests/notifications/test_robots.py
            # covers merging and the limit).
            "ROBOT_MERGE_MAX_ITEMS": "1",
            "ROBOT_MESSAGES_PER_MINUTE": "1000",
            "DB_CONN_MAX_AGE": "0",
            "VAR_DIR": str(self.log_dir / "var"),
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"worker-{self.starts}.log"
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hunan_safety",
                "worker",
                "-Q",
                self.queue,
                "--concurrency=2",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=reminders-{self.starts}@%h",
            ],
            cwd=BASE_DIR,
            env=self._env(),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            assert self.process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL to the whole group: no warm shutdown, no acks, claimed rows left as they are."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def worker(queue, tmp_path):
    worker = Worker(queue, tmp_path)
    (tmp_path / "var").mkdir()
    yield worker
    worker.kill()


def overdue_scene(robot_url: str, today) -> list[Hazard]:
    """HAZARDS hazards one day overdue, each at its own works with one rectifier and a chat robot."""
    hazards = []
    for number in range(HAZARDS):
        works = EnterpriseFactory(name=f"浏阳集成测试烟花厂{number}", region=region("430181"), webhook_url=robot_url)
        UserFactory(username=f"works{number}", organization=works, roles=[Role.RECTIFYING_UNIT])
        hazards.append(
            HazardFactory(
                unit=works,
                found_on=today - timedelta(days=20),
                state=HazardState.RECTIFYING,
                deadline=today - timedelta(days=1),
                rectifying_unit=works,
            )
        )
    return hazards


def scan_in_thread(today, barrier: threading.Barrier, results: list, errors: list) -> None:
    try:
        barrier.wait(timeout=10)
        results.append(reminders.scan_deadlines(today=today))
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
    finally:
        connection.close()


def wait_for(condition, *, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message()
        time.sleep(0.1)


def test_each_due_reminder_is_delivered_exactly_once_across_concurrent_scans_and_a_killed_worker(worker, lease, queue):
    today = timezone.localdate()
    with ChatRobot(delay=0.25) as robot:
        overdue_scene(robot.url, today)
        worker.start()

        # Two scans at the same moment, each in its own connection.
        barrier, results, errors = threading.Barrier(2), [], []
        threads = [threading.Thread(target=scan_in_thread, args=(today, barrier, results, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sum(result[Reminder.Stage.OVERDUE] for result in results) == HAZARDS

        # Kill the worker in the middle of the deliveries.
        wait_for(lambda: len(robot.requests) >= 6, timeout=30, message=lambda: worker.log.read_text())
        worker.kill()
        unfinished = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK).exclude(status=Delivery.Status.SENT)
        assert unfinished.exists(), "the worker finished before it was killed: the test proves nothing"

        # A new worker; after the lease, the third scan hands out what the dead one left.
        worker.start()
        time.sleep(lease + 0.5)
        assert reminders.scan_deadlines(today=today) == dict.fromkeys(Reminder.Stage.values, 0)
        wait_for(
            lambda: not unfinished.exists(),
            timeout=60,
            message=lambda: f"{list(unfinished.values('pk', 'status', 'attempts'))}\n{worker.log.read_text()}",
        )

    reminder_rows = Reminder.objects.all()
    webhook_rows = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)
    assert reminder_rows.count() == HAZARDS
    # The in-app channel is the bell, then the notification: no outbox row for it.
    assert everyone_opens_their_notifications() == HAZARDS
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == HAZARDS
    assert not Delivery.objects.filter(channel=Delivery.Channel.IN_APP).exists()
    assert webhook_rows.count() == HAZARDS
    assert set(webhook_rows.values_list("status", flat=True)) == {Delivery.Status.SENT}

    received = Counter(robot.received())
    assert set(received) == {str(pk) for pk in webhook_rows.values_list("pk", flat=True)}
    # A request in flight when the worker died may have reached the robot before the kill: that
    # one is sent again (at-least-once in that window, the header lets a receiver drop it). Only
    # those, at most one per worker process, may have arrived twice.
    repeated = {int(pk) for pk, count in received.items() if count > 1}
    assert all(count <= 2 for count in received.values())
    assert len(repeated) <= 2
    assert repeated <= set(webhook_rows.filter(attempts__gt=1).values_list("pk", flat=True))


def test_reminders_made_while_the_broker_is_unreachable_are_delivered_by_the_next_scan(worker, lease, queue):
    today = timezone.localdate()
    with ChatRobot() as robot:
        overdue_scene(robot.url, today)
        with BlackHole() as hole, celery_broker(hole.url, REDIS_TRANSPORT_OPTIONS):
            assert reminders.scan_deadlines(today=today)[Reminder.Stage.OVERDUE] == HAZARDS
        webhook_rows = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)
        assert set(webhook_rows.values_list("status", flat=True)) == {Delivery.Status.PENDING}
        assert robot.requests == []

        worker.start()  # the broker is back (the real Redis)
        assert sum(reminders.scan_deadlines(today=today).values()) == 0
        wait_for(
            lambda: not webhook_rows.exclude(status=Delivery.Status.SENT).exists(),
            timeout=60,
            message=lambda: worker.log.read_text(),
        )
    assert sorted(robot.received()) == sorted(str(pk) for pk in webhook_rows.values_list("pk", flat=True))
