"""The robot's window is shared by workers: two relays sending at once never give one robot more than 20 in a minute.

Two threads, each with its own PostgreSQL connection, relay the same outbox at the same moment
(the row lock on the robot's window is what keeps them apart; SQLite would serialise them anyway).
"""

import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from notifications import delivery, reminders
from notifications.models import Delivery
from tests.conftest import FROZEN_NOW
from tests.notifications.robot_helpers import VendorRobot, open_hazards, works_with_robot

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

Status = Delivery.Status


def relay_in_thread(barrier: threading.Barrier, errors: list) -> None:
    try:
        barrier.wait(timeout=10)
        delivery.send_due()
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
    finally:
        connection.close()


def test_two_relays_at_once_share_the_robots_minute(settings):
    settings.ROBOT_MERGE_MAX_ITEMS = 1
    settings.REMINDER_DAY_COUNT = "calendar"
    with time_machine.travel(FROZEN_NOW, tick=False) as clock, VendorRobot("wecom") as robot:
        works, _rectifier = works_with_robot(robot)
        open_hazards(works, count=60, today=timezone.localdate())
        reminders.scan_deadlines(today=timezone.localdate(), relay=False)
        outbox = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)
        assert outbox.count() == 60

        for _minute in range(4):
            barrier, errors = threading.Barrier(2), []
            threads = [threading.Thread(target=relay_in_thread, args=(barrier, errors)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert errors == []
            clock.shift(61)

    assert robot.refused == [] and robot.most_in_any_minute() == 20
    assert sorted(robot.delivered_ids()) == sorted(outbox.values_list("pk", flat=True)), "each once"
    assert set(outbox.values_list("status", "attempts")) == {(Status.SENT, 1)}
