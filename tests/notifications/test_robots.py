"""Chat robots that respect their limits: 20 a minute per robot, merged markdown, DingTalk signing, "too many requests".

The robot is a local HTTP server answering like WeCom or DingTalk (tests/notifications/robot_helpers.py);
the clock stands still unless the test moves it (time-machine, every thread), and the outbox is
relayed in this process (`delivery.send_due`, what `remind_overdue --send` runs) step by step.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from notifications import delivery, reminders, robots
from notifications.models import ChannelPreference, Delivery
from tests.conftest import FROZEN_NOW
from tests.factories import EnterpriseFactory, UserFactory, region
from tests.notifications.reminder_helpers import ChatRobot
from tests.notifications.robot_helpers import DINGTALK_BLOCK_SECONDS, VendorRobot, open_hazards, works_with_robot

pytestmark = pytest.mark.django_db

Status = Delivery.Status
SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://safety.example.gov.cn"


@pytest.fixture
def clock():
    """The test's clock: stands still at FROZEN_NOW until `clock.shift(seconds)` (in every thread)."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


def robot_deliveries():
    return Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)


def scan() -> None:
    reminders.scan_deadlines(today=timezone.localdate(), relay=False)


def relay_until_done(clock, *, step: int = 5, minutes: int = 40) -> float:
    """Relay the outbox every `step` seconds until no robot delivery waits; return the minutes it took."""
    waiting = robot_deliveries().filter(status__in=[Status.PENDING, Status.RETRYING, Status.SENDING])
    start = timezone.now()
    for _ in range(minutes * 60 // step):
        delivery.send_due()
        if not waiting.exists():
            return (timezone.now() - start).total_seconds() / 60
        clock.shift(step)
    raise AssertionError(f"still waiting after {minutes} minutes: {list(waiting.values('pk', 'status', 'attempts'))}")


def english(user) -> None:
    ChannelPreference.objects.create(user=user, language="en")


# --- 200 reminders for one robot ------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["wecom", "dingtalk"])
def test_200_reminders_for_one_robot_are_all_delivered_once_never_more_than_20_in_a_minute(clock, settings, vendor):
    # One message per reminder (no merging): the hardest case for the limit.
    settings.ROBOT_MERGE_MAX_ITEMS = 1
    secret = SECRET if vendor == "dingtalk" else ""
    with VendorRobot(vendor, secret=secret) as robot:
        works, _rectifier = works_with_robot(robot, robot_vendor=vendor, robot_secret=secret)
        open_hazards(works, count=200, today=timezone.localdate())
        scan()
        assert robot_deliveries().count() == 200

        minutes = relay_until_done(clock)

    ids = set(robot_deliveries().values_list("pk", flat=True))
    assert sorted(robot.delivered_ids()) == sorted(ids), "every reminder reached the robot, none twice"
    assert robot.refused == [], "the relay never made the robot refuse"
    assert robot.most_in_any_minute() == 20
    assert 9 <= minutes <= 11  # ten windows of twenty
    assert set(robot_deliveries().values_list("status", "attempts")) == {(Status.SENT, 1)}
    if secret:
        assert all({"timestamp", "sign"} <= set(received.query) for received in robot.accepted)


def test_200_reminders_due_together_go_out_merged_in_a_few_messages(clock):
    with VendorRobot("wecom") as robot:
        works, _rectifier = works_with_robot(robot)
        open_hazards(works, count=200, today=timezone.localdate())
        scan()
        relay_until_done(clock)

    assert sorted(robot.delivered_ids()) == sorted(robot_deliveries().values_list("pk", flat=True))
    # 50 items at most per message (ROBOT_MERGE_MAX_ITEMS), fewer when 4096 bytes come first.
    assert 4 <= len(robot.accepted) <= 20
    for received in robot.accepted:
        assert len(received.payload["markdown"]["content"].encode()) <= 4096
    assert robot.refused == []


# --- "Too many requests" ------------------------------------------------------------------------


def test_a_wecom_45009_closes_the_window_for_a_minute_without_spending_attempts(clock, settings):
    settings.ROBOT_MERGE_MAX_ITEMS = 1
    with VendorRobot("wecom") as robot:
        works, _rectifier = works_with_robot(robot)
        open_hazards(works, count=20, today=timezone.localdate())
        scan()
        robot.someone_else_sends(15)  # the robot is shared: only 5 more fit in this minute

        delivery.send_due()
        assert len(robot.accepted) == 5 and [code for _at, code in robot.refused] == [45009]
        refused = robot_deliveries().filter(status=Status.RETRYING)
        assert refused.count() == 1 and refused.get().last_error == "robot error 45009: api freq out of limit"
        waiting = robot_deliveries().exclude(status=Status.SENT)
        assert waiting.count() == 15
        assert set(waiting.values_list("attempts", flat=True)) == {0}, "waiting spends no attempt"
        assert set(waiting.values_list("next_attempt_at", flat=True)) == {timezone.now() + timedelta(seconds=60)}

        clock.shift(30)
        delivery.send_due()
        assert len(robot.accepted) == 5 and len(robot.refused) == 1, "nothing is tried while the window is closed"

        relay_until_done(clock)

    assert sorted(robot.delivered_ids()) == sorted(robot_deliveries().values_list("pk", flat=True))
    assert len(robot.refused) == 1
    assert set(robot_deliveries().values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_a_dingtalk_130101_waits_out_the_ten_minute_block(clock, settings):
    settings.ROBOT_MERGE_MAX_ITEMS = 1
    with VendorRobot("dingtalk") as robot:
        works, _rectifier = works_with_robot(robot, robot_vendor="dingtalk")
        open_hazards(works, count=10, today=timezone.localdate())
        scan()
        robot.someone_else_sends(18)

        delivery.send_due()
        assert len(robot.accepted) == 2 and [code for _at, code in robot.refused] == [130101]
        blocked_at = robot.refused[0][0]

        relay_until_done(clock)

    assert sorted(robot.delivered_ids()) == sorted(robot_deliveries().values_list("pk", flat=True))
    assert len(robot.refused) == 1, "nothing was sent while DingTalk blocked the robot"
    assert robot.accepted[2].at >= blocked_at + DINGTALK_BLOCK_SECONDS
    assert set(robot_deliveries().values_list("status", "attempts")) == {(Status.SENT, 1)}


# --- Merging into one markdown message ----------------------------------------------------------


def test_reminders_due_together_for_one_wecom_robot_become_one_markdown_message(clock):
    today = timezone.localdate()
    with VendorRobot("wecom") as robot:
        works, rectifier = works_with_robot(robot)
        english(rectifier)
        late = open_hazards(works, count=2, today=today, days_overdue=1)
        due = open_hazards(works, count=1, today=today, days_overdue=0)
        scan()
        assert robot_deliveries().count() == 3
        delivery.send_due()

    (message,) = robot.accepted
    assert message.payload["msgtype"] == "markdown"
    content = message.payload["markdown"]["content"]
    assert content.startswith("**[Hunan Safety] 3 reminders**")
    assert '<font color="comment">2 overdue, 1 due soon or today</font>' in content
    for hazard in late:
        assert (
            f'<font color="warning">1 day overdue</font> [{hazard.number}](https://safety.example.gov.cn/hazards/{hazard.pk}/)'
            in content
        )
    assert (
        f'<font color="info">due today</font> [{due[0].number}](https://safety.example.gov.cn/hazards/{due[0].pk}/)'
        in content
    )
    # Each merged delivery is sent once, with the one response.
    assert sorted(message.delivery_ids) == sorted(robot_deliveries().values_list("pk", flat=True))
    assert {(row.status, row.attempts, row.response) for row in robot_deliveries()} == {
        (Status.SENT, 1, 'HTTP 200: {"errcode": 0, "errmsg": "ok"}')
    }


def test_a_dingtalk_robot_gets_markdown_with_the_responsible_persons_mobile_when_the_organisation_allows(clock):
    today = timezone.localdate()
    with VendorRobot("dingtalk") as robot:
        works, rectifier = works_with_robot(robot, robot_vendor="dingtalk", robot_mentions=True)
        english(rectifier)
        (hazard,) = open_hazards(works, count=1, today=today)
        scan()
        delivery.send_due()

    (message,) = robot.accepted
    payload = message.payload
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "[Hunan Safety] 1 reminder"
    text = payload["markdown"]["text"]
    assert f"[{hazard.number}](https://safety.example.gov.cn/hazards/{hazard.pk}/)" in text
    assert "**1 day overdue**" in text
    assert payload["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert text.endswith("@13800000001")


def test_no_mobile_is_mentioned_when_the_organisation_does_not_allow_it(clock):
    with VendorRobot("dingtalk") as robot:
        works, _rectifier = works_with_robot(robot, robot_vendor="dingtalk")
        open_hazards(works, count=1, today=timezone.localdate())
        scan()
        delivery.send_due()
    (message,) = robot.accepted
    assert message.payload["at"] == {"atMobiles": [], "isAtAll": False}
    assert "13800000001" not in message.payload["markdown"]["text"]


def test_a_long_merge_is_cut_to_the_wecom_size_limit_with_every_item_once(clock, settings):
    settings.ROBOT_MERGE_MAX_ITEMS = 1000
    with VendorRobot("wecom") as robot:
        works, rectifier = works_with_robot(robot)
        english(rectifier)
        hazards = open_hazards(works, count=60, today=timezone.localdate())
        scan()
        delivery.send_due()

    assert len(robot.accepted) > 1
    contents = [received.payload["markdown"]["content"] for received in robot.accepted]
    assert all(len(content.encode()) <= robots.MAX_BYTES["wecom"] for content in contents)
    assert all(f"(part {index} of {len(contents)})" in content for index, content in enumerate(contents, start=1))
    every = "\n".join(contents)
    assert all(every.count(f"[{hazard.number}]") == 1 for hazard in hazards)


# --- DingTalk signing ----------------------------------------------------------------------------


def test_the_dingtalk_signature_is_the_documented_one():
    # DingTalk's documented computation, written out independently: HmacSHA256 then Base64.
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()).decode()
    assert robots.sign("SECabc", 1700000000000) == expected
    address = robots.signed_address(
        "https://oapi.dingtalk.com/robot/send?access_token=t", secret="SECabc", now=FROZEN_NOW
    )
    timestamp = int(FROZEN_NOW.timestamp() * 1000)
    from urllib.parse import quote_plus

    assert address == (
        f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp={timestamp}"
        f"&sign={quote_plus(robots.sign('SECabc', timestamp))}"
    )


def test_a_signed_dingtalk_robot_accepts_the_call_and_refuses_a_wrong_secret(clock):
    with VendorRobot("dingtalk", secret=SECRET) as robot:
        works, _rectifier = works_with_robot(robot, robot_vendor="dingtalk", robot_secret=SECRET)
        open_hazards(works, count=1, today=timezone.localdate())
        scan()
        delivery.send_due()
        assert len(robot.accepted) == 1 and robot_deliveries().get().status == Status.SENT

        other, _ = works_with_robot(robot, name="另一家烟花厂", robot_vendor="dingtalk", robot_secret="SECwrong")
        open_hazards(other, count=1, today=timezone.localdate())
        scan()
        delivery.send_due()
    refused = robot_deliveries().get(organization=other)
    assert (refused.status, refused.attempts) == (Status.RETRYING, 1)
    assert refused.last_error == "robot error 310000: sign not match"
    assert len(robot.accepted) == 1


def test_the_vendor_is_told_from_the_address_unless_the_organisation_says():
    assert robots.vendor_of(None, "https://oapi.dingtalk.com/robot/send?access_token=x") == "dingtalk"
    assert robots.vendor_of(None, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x") == "wecom"


def test_a_robot_that_fails_a_message_is_not_tried_again_in_the_same_round(clock, settings):
    settings.ROBOT_MERGE_MAX_ITEMS = 1
    settings.DELIVERY_RETRY_SECONDS = 60
    with ChatRobot([(503, {"errmsg": "busy"}), (200, {"errcode": 0, "errmsg": "ok"})]) as robot:
        works = EnterpriseFactory(name="五零三烟花厂", region=region("430181"), webhook_url=robot.url)
        UserFactory(username="rect-503", organization=works, roles=[Role.RECTIFYING_UNIT])
        open_hazards(works, count=3, today=timezone.localdate())
        scan()
        delivery.send_due()
        assert len(robot.requests) == 1
        failed = robot_deliveries().get(status=Status.RETRYING)
        assert (failed.attempts, failed.last_error) == (1, "HTTP 503")
        rest = robot_deliveries().exclude(pk=failed.pk)
        assert set(rest.values_list("status", "attempts")) == {(Status.PENDING, 0)}
        assert set(rest.values_list("next_attempt_at", flat=True)) == {timezone.now() + timedelta(seconds=60)}

        relay_until_done(clock)
    assert sorted(int(pk) for pk in robot.received()) == sorted(
        [failed.pk, *robot_deliveries().values_list("pk", flat=True)]
    )
    assert set(robot_deliveries().values_list("status", flat=True)) == {Status.SENT}
