"""An extension request whose decision is overdue (five working days by default) reminds the head who
assigned the hazard, once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hazards import workflow
from hazards.models import HazardState
from notifications.extensions import remind_extension_decisions
from notifications.models import Notification
from tests.hazards.workflow_helpers import move_to, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(inspector, head, rectifier):
    with time_machine.travel(datetime(2026, 9, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        hazard = report(inspector, unit=rectifier.organization)
        hazard = move_to(hazard, HazardState.RECTIFYING, head=head, rectifier=rectifier, deadline=date(2026, 10, 30))
        # Asked on 29 September: the decision is due five working days later, 12 October.
        with time_machine.travel(datetime(2026, 9, 29, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
            return workflow.request_extension(
                actor=rectifier, hazard_id=hazard.pk, new_deadline=date(2026, 11, 30), reason="雨季。"
            )


def told(head) -> int:
    return Notification.objects.filter(recipient=head, note__contains="2026-10-12").count()


def test_the_assigning_head_is_told_the_day_after_the_decision_was_due_once(head, request_):
    assert request_.decision_due == date(2026, 10, 12)
    assert remind_extension_decisions(today=date(2026, 10, 12)) == 0
    assert remind_extension_decisions(today=date(2026, 10, 13)) == 1
    assert remind_extension_decisions(today=date(2026, 10, 14)) == 0
    assert told(head) == 1


def test_a_decided_request_reminds_nobody(head, request_):
    workflow.decide_extension(actor=head, hazard_id=request_.hazard_id, approve=True)
    assert remind_extension_decisions(today=date(2026, 10, 20)) == 0
    assert told(head) == 0
