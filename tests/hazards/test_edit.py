"""Editing a reported finding: who may, what the history records, and stale forms."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from accounts.roles import Role
from hazards.models import Hazard, HazardEvent
from tests.factories import HazardFactory, UserFactory, industry, region

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def finding(inspector):
    return HazardFactory(
        found_by=inspector,
        title="仓库安全出口堵塞",
        description="成品仓库安全出口被纸箱堵塞。",
        location="1号仓库",
        found_on=timezone.localdate(),
    )


@pytest.fixture
def colleague(inspector):
    """Another inspector of the same department: sees the finding, did not make it."""
    return UserFactory(username="colleague", organization=inspector.organization, roles=[Role.INSPECTOR])


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def form_data(hazard: Hazard, **changes) -> dict:
    """What the edit form sends back unchanged, with `changes` typed over it."""
    data = {
        "title": hazard.title,
        "description": hazard.description,
        "industry": hazard.industry_id,
        "level": hazard.level,
        "kind": hazard.kind,
        "legal_basis": hazard.legal_basis,
        "source": hazard.source,
        "campaign": hazard.campaign_id or "",
        "region": hazard.region_id,
        "unit": hazard.unit_id or "",
        "site_name": hazard.site_name,
        "location": hazard.location,
        "found_on": hazard.found_on.isoformat(),
        "version": hazard.version,
    }
    data.update(changes)
    return data


def shown_messages(response) -> list[str]:
    """The messages on the page the user lands on (following the redirect consumes them)."""
    return [str(message) for message in response.context["messages"]]


def test_the_edit_form_opens_with_the_findings_values(client, inspector, finding):
    client.force_login(inspector)
    response = client.get(f"/hazards/{finding.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["title"].value() == "仓库安全出口堵塞"
    assert form["version"].value() == 1
    assert "on_the_spot" not in form.fields
    assert finding.number in response.content.decode()


def test_the_finder_edits_and_the_history_records_only_what_changed(english, inspector, finding):
    english.force_login(inspector)
    response = english.post(
        f"/hazards/{finding.pk}/edit/",
        form_data(
            finding,
            title="仓库安全出口被堵",
            level=Hazard.Level.MAJOR,
            major_reason="出口堵塞且仓库超量储存",
            location="1号成品仓库",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{finding.pk}/"
    assert [message.level_tag for message in get_messages(response.wsgi_request)] == ["success"]
    finding.refresh_from_db()
    assert (finding.title, finding.level, finding.location) == ("仓库安全出口被堵", "major", "1号成品仓库")
    assert finding.version == 2
    assert finding.state == Hazard.State.REPORTED
    event = HazardEvent.objects.get(hazard=finding, action=HazardEvent.Action.EDIT)
    assert event.actor == inspector
    assert event.changes == {
        "title": ["仓库安全出口堵塞", "仓库安全出口被堵"],
        "level": ["general", "major"],
        "major_reason": ["", "出口堵塞且仓库超量储存"],
        "location": ["1号仓库", "1号成品仓库"],
    }
    # The history on the hazard's page shows the change.
    page = english.get(f"/hazards/{finding.pk}/").content.decode()
    assert "仓库安全出口被堵" in page
    assert "<del>1号仓库</del>" in page


def test_a_changed_industry_and_date_are_recorded_as_values(english, inspector, finding):
    english.force_login(inspector)
    yesterday = finding.found_on - timedelta(days=1)
    english.post(
        f"/hazards/{finding.pk}/edit/",
        form_data(finding, industry=industry("fireworks-retail").pk, found_on=yesterday.isoformat()),
    )
    event = HazardEvent.objects.get(action=HazardEvent.Action.EDIT)
    assert event.changes == {
        "industry": [industry("fireworks-production").pk, industry("fireworks-retail").pk],
        "found_on": [finding.found_on.isoformat(), yesterday.isoformat()],
    }


def test_saving_without_changes_writes_no_event_and_keeps_the_version(client, inspector, finding):
    client.force_login(inspector)
    response = client.post(f"/hazards/{finding.pk}/edit/", form_data(finding))
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.version == 1
    assert not HazardEvent.objects.filter(action=HazardEvent.Action.EDIT).exists()


def test_each_edit_increments_the_version(client, inspector, finding):
    client.force_login(inspector)
    for version, title in [(1, "第一次修改"), (2, "第二次修改"), (3, "第三次修改")]:
        finding.refresh_from_db()
        assert finding.version == version
        client.post(f"/hazards/{finding.pk}/edit/", form_data(finding, title=title))
    finding.refresh_from_db()
    assert (finding.title, finding.version) == ("第三次修改", 4)
    assert HazardEvent.objects.filter(action=HazardEvent.Action.EDIT).count() == 3


def test_a_stale_form_is_refused_and_nothing_changes(english, inspector, head, finding):
    stale = form_data(finding, title="检查员的修改")
    english.force_login(head)
    english.post(f"/hazards/{finding.pk}/edit/", form_data(finding, description="负责人先改了描述。"))
    finding.refresh_from_db()
    assert finding.version == 2

    english.force_login(inspector)
    response = english.post(f"/hazards/{finding.pk}/edit/", stale)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("Someone else changed this finding" in error for error in errors)
    assert "Someone else changed this finding" in response.content.decode()
    finding.refresh_from_db()
    assert (finding.title, finding.description, finding.version) == ("仓库安全出口堵塞", "负责人先改了描述。", 2)
    assert HazardEvent.objects.filter(action=HazardEvent.Action.EDIT).count() == 1


def test_another_inspector_of_the_department_cannot_edit(english, colleague, finding):
    english.force_login(colleague)
    assert english.get(f"/hazards/{finding.pk}/").status_code == 200  # sees it

    for response in [
        english.get(f"/hazards/{finding.pk}/edit/", follow=True),
        english.post(f"/hazards/{finding.pk}/edit/", form_data(finding, title="同事的修改"), follow=True),
    ]:
        assert response.redirect_chain == [(f"/hazards/{finding.pk}/", 302)]
        assert shown_messages(response) == ["Only the finder or a department head can edit this finding."]
    finding.refresh_from_db()
    assert (finding.title, finding.version) == ("仓库安全出口堵塞", 1)
    assert not HazardEvent.objects.filter(action=HazardEvent.Action.EDIT).exists()
    # And the page does not offer the button.
    assert f'href="/hazards/{finding.pk}/edit/"' not in english.get(f"/hazards/{finding.pk}/").content.decode()


def test_a_department_head_can_edit(client, head, finding):
    client.force_login(head)
    assert f'href="/hazards/{finding.pk}/edit/"' in client.get(f"/hazards/{finding.pk}/").content.decode()
    response = client.post(f"/hazards/{finding.pk}/edit/", form_data(finding, title="负责人修改"))
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.title, finding.version) == ("负责人修改", 2)
    assert HazardEvent.objects.get(action=HazardEvent.Action.EDIT).actor == head


def test_a_head_out_of_scope_cannot_edit(client, finding):
    zhuzhou_head = UserFactory(
        username="zhuzhou_head",
        organization__region=region("430200"),
        organization__industries=["fireworks"],
        roles=[Role.DEPARTMENT_HEAD],
    )
    client.force_login(zhuzhou_head)
    assert client.get(f"/hazards/{finding.pk}/edit/").status_code == 404
    assert client.post(f"/hazards/{finding.pk}/edit/", form_data(finding, title="越权")).status_code == 404
    finding.refresh_from_db()
    assert finding.title == "仓库安全出口堵塞"


@pytest.mark.parametrize("state", [Hazard.State.ASSIGNED, Hazard.State.SUBMITTED, Hazard.State.CLOSED])
def test_a_finding_past_reported_cannot_be_edited_and_the_message_names_its_state(english, inspector, finding, state):
    # The assign action is not built yet: put the finding in that state directly.
    Hazard.objects.filter(pk=finding.pk).update(state=state)
    english.force_login(inspector)
    with translation.override("en"):
        label = str(Hazard.State(state).label)

    for response in [
        english.get(f"/hazards/{finding.pk}/edit/", follow=True),
        english.post(f"/hazards/{finding.pk}/edit/", form_data(finding, title="改不了"), follow=True),
    ]:
        assert response.redirect_chain == [(f"/hazards/{finding.pk}/", 302)]
        (message,) = shown_messages(response)
        assert label in message
    finding.refresh_from_db()
    assert (finding.title, finding.version) == ("仓库安全出口堵塞", 1)
    assert not HazardEvent.objects.filter(action=HazardEvent.Action.EDIT).exists()


def test_an_editor_cannot_move_a_finding_out_of_their_scope(client, inspector, finding):
    client.force_login(inspector)
    for field, value in [("region", "430281"), ("industry", industry("coal-mine").pk)]:
        response = client.post(f"/hazards/{finding.pk}/edit/", form_data(finding, **{field: value}))
        assert response.status_code == 200, field
        assert field in response.context["form"].errors
    finding.refresh_from_db()
    assert (finding.region_id, finding.industry.code, finding.version) == ("430181", "fireworks-production", 1)


def test_photos_added_while_editing_join_the_finding_and_the_history(english, inspector, finding, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    english.force_login(inspector)
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(output, "JPEG")
    photo = SimpleUploadedFile("补拍.jpg", output.getvalue(), content_type="image/jpeg")

    response = english.post(f"/hazards/{finding.pk}/edit/", {**form_data(finding), "photos": [photo]})

    assert response.status_code == 302
    finding.refresh_from_db()
    assert [attachment.original_name for attachment in finding.attachments.all()] == ["补拍.jpg"]
    assert finding.version == 2
    assert HazardEvent.objects.get(action=HazardEvent.Action.EDIT).changes == {"attachments": ["", "补拍.jpg"]}


def test_the_finder_can_still_save_a_finding_whose_county_is_now_outside_their_jurisdiction(client, inspector):
    # E.g. found while on a team in another county, or before the inspector moved to 浏阳市.
    elsewhere = HazardFactory(found_by=inspector, region=region("430281"), title="醴陵的发现")
    client.force_login(inspector)
    page = client.get(f"/hazards/{elsewhere.pk}/edit/")
    assert page.status_code == 200
    # The current county is offered, so that saving does not silently move or reject the finding.
    assert re.search(r'<option value="430281"[^>]*selected', page.content.decode())

    response = client.post(f"/hazards/{elsewhere.pk}/edit/", form_data(elsewhere, title="醴陵的发现（补充）"))

    assert response.status_code == 302
    elsewhere.refresh_from_db()
    assert (elsewhere.title, elsewhere.region_id) == ("醴陵的发现（补充）", "430281")
