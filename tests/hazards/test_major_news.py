"""Issue 13 items 9 and 12: a major hazard reported is news for the supervising department's heads and
the level above; work queues put major first, then overdue, then the nearest deadline; the province
has a queue of its listed majors and of escalated hazards, and its listing body closes at its level."""

import uuid

import pytest
from django.utils import timezone

from accounts.roles import Role
from hazards import workflow
from hazards.models import Hazard, HazardEvent
from notifications.models import Notification, Reminder
from tests.factories import OrganizationFactory, UserFactory, region
from tests.hazards.workflow_helpers import in_days, move_to, queue_hazard_ids, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bodies(head, inspector):
    """浏阳's fireworks department (the inspector's) with a head: the supervisor; 长沙's (the persona
    head's) above it; the province's; and 株洲's, which has nothing to do with a 浏阳 hazard."""
    liuyang = inspector.organization
    hunan = OrganizationFactory(name="湖南省应急管理厅烟花爆竹处", region=region("430000"), industries=["fireworks"])
    zhuzhou = OrganizationFactory(name="株洲市应急管理局", region=region("430200"), industries=["fireworks"])
    return {
        "county_head": UserFactory(username="liuyang_head", organization=liuyang, roles=[Role.DEPARTMENT_HEAD]),
        "county_inspector": UserFactory(username="liuyang_inspector", organization=liuyang, roles=[Role.INSPECTOR]),
        "city_head": head,
        "province_head": UserFactory(username="hunan_head", organization=hunan, roles=[Role.DEPARTMENT_HEAD]),
        "zhuzhou_head": UserFactory(username="zhuzhou_head", organization=zhuzhou, roles=[Role.DEPARTMENT_HEAD]),
    }


def told(user, hazard) -> bool:
    return Notification.objects.filter(recipient=user, hazard=hazard, action=HazardEvent.Action.REPORT).exists()


def test_a_major_hazard_reported_tells_the_supervising_heads_and_the_level_above_at_once(
    bodies, inspector, rectifier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        major = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
        general = report(inspector, unit=rectifier.organization)

    assert told(bodies["county_head"], major) and told(bodies["city_head"], major)
    # Two levels, no further; nobody of another city; never the finder; no news for a general hazard.
    assert not told(bodies["province_head"], major) and not told(bodies["zhuzhou_head"], major)
    assert not told(inspector, major) and not told(bodies["county_inspector"], major)
    assert not Notification.objects.filter(hazard=general).exists()


def test_nobody_is_told_before_the_finding_is_saved(bodies, inspector, rectifier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    assert callbacks and not Notification.objects.exists()


def test_the_work_queue_puts_major_first_then_overdue_then_the_nearest_deadline(client, head, inspector, rectifier):
    def assigned(deadline_days, **fields):
        hazard = report(inspector, unit=rectifier.organization, **fields)
        return move_to(hazard, "assigned", head=head, rectifier=rectifier, deadline=in_days(deadline_days))

    later, sooner = assigned(20), assigned(5)
    overdue = assigned(10)
    Hazard.objects.filter(pk=overdue.pk).update(found_on=in_days(-30), deadline=in_days(-2))
    major = assigned(40, level=Hazard.Level.MAJOR)

    client.force_login(rectifier)
    html = client.get("/tasks/").content.decode()

    assert queue_hazard_ids(html, "to_start") == [major.pk, overdue.pk, sooner.pk, later.pk]


def test_a_fresh_major_finding_tops_the_heads_queue_to_assign(client, head, inspector, rectifier):
    older = report(inspector, unit=rectifier.organization, found_on=in_days(-5))
    major = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)

    client.force_login(head)
    assert queue_hazard_ids(client.get("/tasks/").content.decode(), "to_assign") == [major.pk, older.pk]


@pytest.fixture
def provincial(bodies, head, inspector, rectifier):
    """A major hazard listed at the province and accepted, one listed at the city, and an escalated general one."""
    province_head = bodies["province_head"]
    listed = move_to(
        report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization),
        "verified",
        head=head,
        rectifier=rectifier,
    )
    workflow.list_for_supervision(actor=province_head, hazard_id=listed.pk, level=Hazard.ListedLevel.PROVINCE)
    city_listed = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    workflow.list_for_supervision(actor=head, hazard_id=city_listed.pk, level=Hazard.ListedLevel.CITY)
    late = move_to(report(inspector, unit=rectifier.organization), "assigned", head=head, rectifier=rectifier)
    Reminder.objects.create(
        hazard=late,
        stage=Reminder.Stage.ESCALATION,
        deadline=late.deadline,
        recipient=head,
        due_on=timezone.localdate(),
        scan=uuid.uuid4(),
    )
    return {"listed": listed, "city_listed": city_listed, "escalated": late}


@pytest.mark.parametrize("who", ["province", "province_head"])
def test_the_province_has_a_queue_of_its_listed_majors_and_of_escalated_hazards(
    client, provincial, bodies, province, who
):
    user = province if who == "province" else bodies["province_head"]
    client.force_login(user)
    html = client.get("/tasks/").content.decode()

    assert queue_hazard_ids(html, "province_listed") == [provincial["listed"].pk]
    assert queue_hazard_ids(html, "escalated") == [provincial["escalated"].pk]


def test_a_city_head_has_no_provincial_queue(client, provincial, head):
    client.force_login(head)
    assert 'data-queue="province_listed"' not in client.get("/tasks/").content.decode()


def test_the_listing_body_closes_at_its_level_and_a_city_head_cannot(provincial, bodies, head):
    listed = provincial["listed"]
    with pytest.raises(workflow.HazardError):
        workflow.close(actor=head, hazard_id=listed.pk)

    workflow.close(actor=bodies["province_head"], hazard_id=listed.pk, note="省级挂牌督办，验收合格，予以销号。")

    assert Hazard.objects.get(pk=listed.pk).state == Hazard.State.CLOSED
