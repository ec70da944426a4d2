"""Issue 13 item 9's channels: a major hazard reported is news by e-mail and chat robot too, through the outbox.

The heads are told in-app at once (tests/hazards/test_major_news.py); here the same news becomes
outbox rows per their channel choices, sent by the relay with retries, the robot's limit and merging.
"""

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from hazards.models import Hazard
from notifications import delivery
from notifications.models import ChannelPreference, Delivery, Notification
from tests.factories import OrganizationFactory, UserFactory, region
from tests.hazards.workflow_helpers import report
from tests.notifications.robot_helpers import VendorRobot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Status = Delivery.Status
Channel = Delivery.Channel


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://safety.example.gov.cn"


@pytest.fixture
def heads(head, inspector):
    """浏阳's fireworks department (the inspector's) with two heads, one wanting no e-mail; 株洲's head, not concerned."""
    liuyang = inspector.organization
    zhuzhou = OrganizationFactory(name="株洲市应急管理局", region=region("430200"), industries=["fireworks"])
    quiet = UserFactory(
        username="liuyang_quiet", organization=liuyang, roles=[Role.DEPARTMENT_HEAD], email="quiet@example.cn"
    )
    ChannelPreference.objects.create(user=quiet, email=False, language="en")
    return {
        "county_head": UserFactory(
            username="liuyang_head",
            organization=liuyang,
            roles=[Role.DEPARTMENT_HEAD],
            email="liuyang_head@example.cn",
            phone="13900000002",
        ),
        "quiet": quiet,
        "city_head": head,
        "zhuzhou_head": UserFactory(
            username="zhuzhou_head", organization=zhuzhou, roles=[Role.DEPARTMENT_HEAD], email="zz@example.cn"
        ),
    }


def test_a_major_hazard_reported_goes_out_by_e_mail_and_robot_through_the_outbox(
    heads, inspector, rectifier, django_capture_on_commit_callbacks
):
    department = inspector.organization
    with VendorRobot("dingtalk") as robot:
        department.webhook_url = robot.url
        department.robot_vendor = "dingtalk"
        department.robot_mentions = True
        department.save()
        with django_capture_on_commit_callbacks(execute=True):
            major = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
            general = report(inspector, unit=rectifier.organization)

        news = Delivery.objects.filter(notification__hazard=major)
        assert not Delivery.objects.filter(notification__hazard=general).exists(), "a general hazard is no news"
        # Nothing has gone out yet: the rows wait in the outbox for the relay.
        assert set(news.values_list("status", flat=True)) == {Status.PENDING} and mail.outbox == []
        emails = set(news.filter(channel=Channel.EMAIL).values_list("address", flat=True))
        assert "liuyang_head@example.cn" in emails
        assert "quiet@example.cn" not in emails and "zz@example.cn" not in emails
        # The department's two heads share its chat group: one message.
        assert news.filter(channel=Channel.WEBHOOK).count() == 1

        outcomes = delivery.send_due(now=timezone.now())

    assert outcomes.get(Status.SENT, 0) == news.count()
    assert set(news.values_list("status", "attempts")) == {(Status.SENT, 1)}
    head_mail = next(message for message in mail.outbox if message.to == ["liuyang_head@example.cn"])
    assert major.number in head_mail.subject and f"https://safety.example.gov.cn/hazards/{major.pk}/" in head_mail.body
    (message,) = robot.accepted
    text = message.payload["markdown"]["text"]
    assert f"[{major.number}](https://safety.example.gov.cn/hazards/{major.pk}/)" in text
    assert "13900000002" in message.payload["at"]["atMobiles"]


def test_news_already_planned_is_not_planned_twice(heads, inspector, rectifier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        major = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    news = Delivery.objects.filter(notification__hazard=major)
    before = news.count()
    assert before >= 1
    ids = major.notifications.values_list("pk", flat=True)
    assert delivery.plan_news(ids, topic=f"news:{major.pk}:report") == 0
    assert news.count() == before


# --- The reconciliation reminder (issue 15) ---------------------------------------------------


def test_the_reconciliation_reminder_goes_through_the_outbox_one_robot_message_per_unit(rectifier, settings):
    from datetime import date

    from reconciliation.reminders import remind_unreconciled

    settings.RECONCILIATION_REMIND_AFTER_DAYS = 5
    unit = rectifier.organization
    rectifier.email = "safety@example.com"
    rectifier.save()
    colleague = UserFactory(username="unit_colleague", organization=unit, roles=[Role.RECTIFYING_UNIT])
    ChannelPreference.objects.create(user=colleague, email=False, language="en")
    with VendorRobot("wecom") as robot:
        unit.webhook_url = robot.url
        unit.save()
        assert remind_unreconciled(today=date(2026, 4, 6)) == 2

        notices = Notification.objects.filter(kind=Notification.Kind.NOTICE)
        assert set(notices.values_list("recipient", flat=True)) == {rectifier.pk, colleague.pk}
        english = notices.get(recipient=colleague)
        assert english.text.startswith(f"{unit.name} has not reconciled 2026-Q1 yet")
        assert english.link == f"/reconciliations/{unit.pk}/2026-Q1/"
        outbox = Delivery.objects.filter(notification__in=notices)
        # The rectifier's e-mail and one message to the unit's robot; nothing sent before the relay.
        assert sorted(outbox.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.WEBHOOK]
        assert mail.outbox == [] and robot.accepted == []

        delivery.send_due()
        assert remind_unreconciled(today=date(2026, 4, 7)) == 0  # once each
        delivery.send_due()

    assert set(outbox.values_list("status", "attempts")) == {(Status.SENT, 1)}
    (email,) = mail.outbox
    assert email.to == ["safety@example.com"] and "2026-Q1" in email.subject
    assert f"https://safety.example.gov.cn/reconciliations/{unit.pk}/2026-Q1/" in email.body
    (message,) = robot.accepted
    assert (
        f"(https://safety.example.gov.cn/reconciliations/{unit.pk}/2026-Q1/)" in message.payload["markdown"]["content"]
    )


def test_a_notice_opens_its_page_when_read(client, rectifier):
    notice = Notification.objects.create(
        recipient=rectifier, kind=Notification.Kind.NOTICE, note="…", link="/reconciliations/"
    )
    client.force_login(rectifier)
    response = client.post(f"/notifications/{notice.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/reconciliations/"
    off_site = Notification.objects.create(
        recipient=rectifier, kind=Notification.Kind.NOTICE, note="…", link="https://evil.example.com/"
    )
    assert client.post(f"/notifications/{off_site.pk}/read/")["Location"] == "/notifications/"
