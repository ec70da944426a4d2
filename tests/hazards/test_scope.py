"""Who sees which hazard: the one visibility rule (DESIGN.md section 5) on every page that shows one.

A table of personas × hazards: each persona either sees a hazard everywhere (the list, its page,
the ledger-number link, its photos) or nowhere (absent from the list, a 404 elsewhere).
"""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Organization
from accounts.roles import Role
from hazards.models import Attachment, Hazard
from hazards.uploads import store_upload
from inspections.models import Inspection
from tests.factories import HazardFactory, OrganizationFactory, UserFactory, industry, region

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

HAZARDS = [
    "liuyang_fireworks",
    "liuyang_chemicals",
    "liuyang_construction",
    "liuyang_assigned",
    "furong_fireworks",
    "liling_fireworks",
]
LIUYANG = {"liuyang_fireworks", "liuyang_chemicals", "liuyang_construction", "liuyang_assigned"}

# Which hazards of the scene each persona sees.
SCOPES = {
    # 浏阳市 (430181) department for fireworks and hazardous chemicals, sub-categories included.
    "inspector": {"liuyang_fireworks", "liuyang_chemicals", "liuyang_assigned"},
    # 长沙市 (4301) department, same industries: every county of Changsha, not 株洲's 醴陵市.
    "head": {"liuyang_fireworks", "liuyang_chemicals", "liuyang_assigned", "furong_fireworks"},
    # 浏阳市人民政府 is territorial: every industry of its county, nothing outside.
    "government_inspector": LIUYANG,
    "government_head": LIUYANG,
    # A rectifying unit sees only what is assigned to it: not its neighbours' hazards, nor a
    # finding at its own works before a head assigns it.
    "rectifier": {"liuyang_assigned"},
    "province": set(HAZARDS),
    "administrator": set(HAZARDS),
    # Someone of a 浏阳 department with no role: the one who must see nothing.
    "nobody": set(),
}
# Who may edit a finding in scope while it is still `reported`.
EDITORS = {"head", "government_head", "administrator"}


def png_bytes(size=(32, 24), color=(200, 30, 30)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, "PNG")
    return output.getvalue()


def attach_photo(hazard: Hazard, *, user) -> Attachment:
    upload = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
    attachment = store_upload(upload, user=user, stage=Attachment.Stage.BEFORE)
    attachment.hazard = hazard
    attachment.save()
    return attachment


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def government_inspector(db):
    return _government_user(Role.INSPECTOR, "gov_inspector")


@pytest.fixture
def government_head(db):
    return _government_user(Role.DEPARTMENT_HEAD, "gov_head")


def _government_user(role: Role, username: str):
    government, _created = Organization.objects.get_or_create(
        name="浏阳市人民政府", region=region("430181"), defaults={"kind": Organization.Kind.GOVERNMENT}
    )
    return UserFactory(username=username, organization=government, roles=[role])


@pytest.fixture
def nobody(db):
    department = OrganizationFactory(name="浏阳市某局", region=region("430181"), industries=["fireworks"])
    return UserFactory(username="nobody", organization=department)


@pytest.fixture
def recorder(db):
    """Found every hazard of the scene; not one of the personas under test."""
    return UserFactory(username="recorder")


@pytest.fixture
def scene(rectifier, recorder):
    today = timezone.localdate()
    hazards = {
        # Found at the rectifying unit's own works but not yet assigned to it.
        "liuyang_fireworks": HazardFactory(found_by=recorder, unit=rectifier.organization, site_name=""),
        "liuyang_chemicals": HazardFactory(found_by=recorder, industry=industry("hazardous-chemicals")),
        "liuyang_construction": HazardFactory(found_by=recorder, industry=industry("construction-housing")),
        "liuyang_assigned": HazardFactory(
            found_by=recorder,
            unit=rectifier.organization,
            site_name="",
            rectifying_unit=rectifier.organization,
            state=Hazard.State.ASSIGNED,
            deadline=today + timedelta(days=30),
        ),
        "furong_fireworks": HazardFactory(
            found_by=recorder, region=region("430102"), industry=industry("fireworks-wholesale")
        ),
        "liling_fireworks": HazardFactory(found_by=recorder, region=region("430281")),
    }
    return SimpleNamespace(hazards=hazards, recorder=recorder)


def listed_numbers(client) -> set[str]:
    """The ledger numbers on the list page, as rows of the table."""
    response = client.get("/hazards/?per_page=100")
    assert response.status_code == 200
    return set(re.findall(r'data-hazard="([^"]+)"', response.content.decode()))


def check_pages(client, hazard: Hazard, attachment: Attachment, *, visible: bool) -> None:
    """The hazard's page, its ledger-number link and its photo: all there, or all a 404."""
    detail = client.get(f"/hazards/{hazard.pk}/")
    by_number = client.get(f"/hazards/by-number/{hazard.number}/")
    download = client.get(f"/hazards/attachments/{attachment.pk}/")
    thumbnail = client.get(f"/hazards/attachments/{attachment.pk}/thumbnail/")
    if visible:
        assert detail.status_code == 200
        assert hazard.number in detail.content.decode()
        assert (by_number.status_code, by_number["Location"]) == (302, f"/hazards/{hazard.pk}/")
        assert (download.status_code, download["Content-Type"]) == (200, "image/png")
        assert (thumbnail.status_code, thumbnail["Content-Type"]) == (200, "image/jpeg")
    else:
        assert detail.status_code == 404
        assert by_number.status_code == 404
        assert download.status_code == 404
        assert thumbnail.status_code == 404
        assert client.get(f"/hazards/{hazard.pk}/edit/").status_code == 404
        assert client.post(f"/hazards/{hazard.pk}/edit/", {"title": "改"}).status_code == 404


def check_edit(client, hazard: Hazard, *, allowed: bool) -> None:
    """In scope: the edit page opens for an editor, else it sends the user back with a word why."""
    response = client.get(f"/hazards/{hazard.pk}/edit/")
    if allowed:
        assert response.status_code == 200
        return
    assert (response.status_code, response["Location"]) == (302, f"/hazards/{hazard.pk}/")
    assert [message.level_tag for message in get_messages(response.wsgi_request)] == ["error"]


@pytest.mark.parametrize("persona", list(SCOPES))
def test_each_persona_sees_a_hazard_on_every_page_or_on_none(client, request, scene, persona):
    user = request.getfixturevalue(persona)
    attachments = {name: attach_photo(hazard, user=scene.recorder) for name, hazard in scene.hazards.items()}
    client.force_login(user)

    assert listed_numbers(client) == {scene.hazards[name].number for name in SCOPES[persona]}
    for name, hazard in scene.hazards.items():
        visible = name in SCOPES[persona]
        try:
            check_pages(client, hazard, attachments[name], visible=visible)
            if visible:
                allowed = persona in EDITORS and hazard.state == Hazard.State.REPORTED
                check_edit(client, hazard, allowed=allowed)
        except AssertionError as error:
            raise AssertionError(f"{persona} × {name}: {error}") from error


def test_an_inspector_sees_a_hazard_they_found_outside_their_area(client, inspector):
    hazard = HazardFactory(found_by=inspector, region=region("430281"), industry=industry("construction-housing"))
    attachment = attach_photo(hazard, user=inspector)
    client.force_login(inspector)
    assert hazard.number in listed_numbers(client)
    check_pages(client, hazard, attachment, visible=True)
    # The finder may still correct their own finding.
    assert client.get(f"/hazards/{hazard.pk}/edit/").status_code == 200


def test_a_rectifying_unit_sees_a_hazard_it_reported_itself(client, rectifier):
    hazard = HazardFactory(found_by=rectifier, region=region("430281"), source=Hazard.Source.SELF_CHECK)
    attachment = attach_photo(hazard, user=rectifier)
    client.force_login(rectifier)
    assert listed_numbers(client) == {hazard.number}
    check_pages(client, hazard, attachment, visible=True)


def test_an_inspection_team_member_sees_the_hazards_of_that_inspection(client, inspector, recorder):
    liling = region("430281")
    fireworks = industry("fireworks-production")
    inspection = Inspection.objects.create(
        inspected_on=timezone.localdate(),
        region=liling,
        site_name="醴陵某花炮厂",
        industry=fireworks,
        created_by=recorder,
    )
    inspection.inspectors.set([inspector, recorder])
    other_inspection = Inspection.objects.create(
        inspected_on=timezone.localdate(),
        region=liling,
        site_name="醴陵另一花炮厂",
        industry=fireworks,
        created_by=recorder,
    )
    other_inspection.inspectors.set([recorder])
    on_the_team = HazardFactory(found_by=recorder, region=liling, inspection=inspection)
    not_on_the_team = HazardFactory(found_by=recorder, region=liling, inspection=other_inspection)
    client.force_login(inspector)

    assert listed_numbers(client) == {on_the_team.number}
    check_pages(client, on_the_team, attach_photo(on_the_team, user=recorder), visible=True)
    check_pages(client, not_on_the_team, attach_photo(not_on_the_team, user=recorder), visible=False)
    # Seeing is not editing: the finding is the recorder's.
    assert client.get(f"/hazards/{on_the_team.pk}/edit/")["Location"] == f"/hazards/{on_the_team.pk}/"


def test_an_inactive_user_sees_nothing(client, inspector):
    hazard = HazardFactory(found_by=inspector)
    attachment = attach_photo(hazard, user=inspector)
    inspector.is_active = False
    inspector.save()

    assert not Hazard.objects.visible_to(inspector).exists()
    client.force_login(inspector)
    for path in [
        "/hazards/",
        f"/hazards/{hazard.pk}/",
        f"/hazards/{hazard.pk}/edit/",
        f"/hazards/by-number/{hazard.number}/",
        f"/hazards/attachments/{attachment.pk}/",
        f"/hazards/attachments/{attachment.pk}/thumbnail/",
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_a_user_deactivated_during_a_session_is_signed_out(client, inspector):
    hazard = HazardFactory(found_by=inspector)
    client.force_login(inspector)
    assert client.get(f"/hazards/{hazard.pk}/").status_code == 200
    inspector.is_active = False
    inspector.save()
    response = client.get(f"/hazards/{hazard.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_pending_upload_is_visible_only_to_its_uploader(client, inspector, head):
    upload = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    pending = store_upload(upload, user=inspector, stage=Attachment.Stage.BEFORE)
    client.force_login(inspector)
    assert client.get(f"/hazards/attachments/{pending.pk}/thumbnail/").status_code == 200
    client.force_login(head)
    assert client.get(f"/hazards/attachments/{pending.pk}/").status_code == 404
    assert client.get(f"/hazards/attachments/{pending.pk}/thumbnail/").status_code == 404


def test_a_missing_hazard_and_a_hidden_one_look_the_same(client, inspector, scene):
    client.force_login(inspector)
    hidden = scene.hazards["liling_fireworks"]
    missing = client.get("/hazards/999999/")
    assert client.get(f"/hazards/{hidden.pk}/").status_code == missing.status_code == 404
    assert client.get("/hazards/by-number/HN-430281-2099-000001/").status_code == 404
