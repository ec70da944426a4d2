"""Enterprises report their own hazards (企业自查自报) through the same workflow and transition table."""

import pytest
from django.urls import reverse

from hazards import workflow
from hazards.models import Attachment, Hazard, HazardEvent, HazardState
from hazards.selectors import work_queues
from tests.factories import UserFactory, industry
from tests.hazards.workflow_helpers import in_days, png_attachment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def self_found(*, level: str = Hazard.Level.GENERAL, coordination: bool = False) -> Hazard:
    from django.utils import timezone

    return Hazard(
        title="仓库消防通道堆放杂物",
        description="成品仓库东侧消防通道堆放纸箱。",
        industry=industry("fireworks-production"),
        level=level,
        found_on=timezone.localdate(),
        needs_government_coordination=coordination,
        measures="当日清理通道并设置禁止堆放标识。",
    )


def test_a_general_self_found_hazard_is_rectified_by_the_unit_and_accepted_by_the_department(rectifier, head):
    photo = png_attachment(rectifier, name="before.png", stage=Attachment.Stage.BEFORE)
    hazard = workflow.report_self_found(actor=rectifier, hazard=self_found(), attachments=[photo], deadline=in_days(5))
    assert (hazard.source, hazard.state, hazard.unit, hazard.rectifying_unit) == (
        Hazard.Source.SELF_CHECK,
        HazardState.RECTIFYING,
        rectifier.organization,
        rectifier.organization,
    )
    assert list(hazard.attachments.all()) == [photo]
    assert [(e.action, e.from_state, e.to_state) for e in hazard.events.order_by("pk")] == [
        (HazardEvent.Action.REPORT, "", HazardState.REPORTED),
        (HazardEvent.Action.START, HazardState.REPORTED, HazardState.RECTIFYING),
    ]
    workflow.submit(
        actor=rectifier, hazard_id=hazard.pk, completion_report="已清理。", attachments=[png_attachment(rectifier)]
    )
    # The head of 长沙市应急管理局 (fireworks) sees it in the queue of rectifications to accept, and accepts it.
    to_accept = next(queue for queue in work_queues(head) if queue.key == "to_accept")
    assert hazard in to_accept.hazards
    workflow.verify(actor=head, hazard_id=hazard.pk, method="government", opinion="通道已清理。")
    assert Hazard.objects.get(pk=hazard.pk).state == HazardState.VERIFIED


def test_a_unit_cannot_accept_its_own_submission(rectifier):
    hazard = workflow.report_self_found(actor=rectifier, hazard=self_found(), deadline=in_days(5))
    workflow.submit(
        actor=rectifier, hazard_id=hazard.pk, completion_report="已清理。", attachments=[png_attachment(rectifier)]
    )
    # Even a colleague of the unit who is also a department head: the unit never accepts its own work.
    colleague = UserFactory(organization=rectifier.organization, roles=["rectifying_unit", "department_head"])
    for user in (rectifier, colleague):
        with pytest.raises(workflow.HazardError):
            workflow.verify(actor=user, hazard_id=hazard.pk, method="self_evaluation", opinion="自评合格。")
    assert Hazard.objects.get(pk=hazard.pk).state == HazardState.SUBMITTED


@pytest.mark.parametrize(("level", "coordination"), [(Hazard.Level.MAJOR, False), (Hazard.Level.GENERAL, True)])
def test_a_major_or_coordination_hazard_goes_to_the_departments_queue(rectifier, head, level, coordination):
    hazard = workflow.report_self_found(actor=rectifier, hazard=self_found(level=level, coordination=coordination))
    assert (hazard.state, hazard.rectifying_unit) == (HazardState.REPORTED, None)
    to_assign = next(queue for queue in work_queues(head) if queue.key == "to_assign")
    assert hazard in to_assign.hazards
    assert "assign" in workflow.allowed_actions(hazard, head)
    assert workflow.allowed_actions(hazard, rectifier) == []


def test_only_a_units_own_user_records_a_self_found_hazard(inspector):
    with pytest.raises(workflow.HazardError):
        workflow.report_self_found(actor=inspector, hazard=self_found(), deadline=in_days(5))


def test_a_general_self_found_hazard_needs_the_units_deadline_and_measures(rectifier):
    hazard = self_found()
    hazard.measures = ""
    with pytest.raises(workflow.HazardError):
        workflow.report_self_found(actor=rectifier, hazard=hazard, deadline=None)
    assert not Hazard.objects.exists()


def test_the_phone_form_keeps_what_was_typed_and_says_the_rule(client, rectifier):
    client.force_login(rectifier)
    url = reverse("hazards:self_check")
    form = {
        "title": "配电箱无防护门",
        "description": "二号工房配电箱防护门缺失。",
        "industry": industry("fireworks-production").pk,
        "level": "general",
        "kind": "thing_state",
        "found_on": "2026-06-15",
        "measures": "",
    }
    page = client.post(url, form)
    assert page.status_code == 200
    assert "配电箱无防护门" in page.content.decode()
    assert not Hazard.objects.exists()
    page = client.post(url, {**form, "measures": "加装防护门。", "deadline": "2026-06-20"})
    hazard = Hazard.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("hazards:detail", args=[hazard.pk])
    assert (hazard.source, hazard.state, hazard.deadline.isoformat()) == ("self_check", "rectifying", "2026-06-20")


def test_the_self_check_page_is_a_404_for_anyone_but_a_units_user(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse("hazards:self_check")).status_code == 404
