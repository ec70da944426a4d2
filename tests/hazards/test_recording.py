"""Recording a finding on its own (/hazards/new/): choices within scope, the event, on-the-spot rectification."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Region
from hazards.models import Attachment, Hazard, HazardEvent
from tests.factories import EnterpriseFactory, HazardFactory, industry, region

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

INSPECTOR_INDUSTRIES = {
    "fireworks",
    "fireworks-production",
    "fireworks-wholesale",
    "fireworks-retail",
    "hazardous-chemicals",
    "hazchem-production",
    "hazchem-storage",
    "hazchem-transport",
    "hazchem-use",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str = "整改后.jpg") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 160, 60)).save(output, "JPEG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def finding_data(**overrides) -> dict:
    data = {
        "title": "仓库安全出口堵塞",
        "description": "成品仓库安全出口被纸箱堵塞。",
        "industry": industry("fireworks-production").pk,
        "level": Hazard.Level.GENERAL,
        "kind": Hazard.Kind.THING_STATE,
        "source": Hazard.Source.INSPECTION,
        "region": "430181",
        "site_name": "浏阳某烟花厂",
        "found_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def liuyang_enterprise(db):
    return EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181"), industries=["fireworks-production"])


# Choices


def test_the_form_offers_only_the_counties_and_industries_in_scope(client, inspector):
    client.force_login(inspector)
    response = client.get("/hazards/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert [county.code for county in form.fields["region"].queryset] == ["430181"]
    assert form.fields["region"].initial == "430181"
    assert {choice.code for choice in form.fields["industry"].queryset} == INSPECTOR_INDUSTRIES
    html = response.content.decode()
    assert 'value="430181"' in html
    assert 'value="430102"' not in html
    assert f'value="{industry("construction-housing").pk}"' not in html


def test_a_city_head_may_record_in_any_county_of_the_city(client, head):
    client.force_login(head)
    counties = {county.code for county in client.get("/hazards/new/").context["form"].fields["region"].queryset}
    assert "430181" in counties
    assert "430102" in counties
    assert all(code.startswith("4301") for code in counties)
    assert len(counties) == Region.objects.filter(level="county", code__startswith="4301").count()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "430102"),
        ("region", "430281"),
        ("industry", "construction-housing"),
        ("industry", "coal-mine"),
    ],
)
def test_a_choice_outside_scope_is_refused_when_posted(client, inspector, field, value):
    client.force_login(inspector)
    posted = industry(value).pk if field == "industry" else value
    response = client.post("/hazards/new/", finding_data(**{field: posted}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_a_unit_outside_scope_is_refused_when_posted(client, inspector):
    liling_unit = EnterpriseFactory(name="醴陵花炮有限公司", region=region("430281"))
    client.force_login(inspector)
    # Unit and county agree with each other, but both lie outside the inspector's county.
    response = client.post("/hazards/new/", finding_data(unit=liling_unit.pk, site_name="", region="430281"))
    assert response.status_code == 200
    assert {"unit", "region"} <= set(response.context["form"].errors)
    assert not Hazard.objects.exists()


# Recording


def test_a_valid_finding_goes_on_the_ledger_as_reported(client, inspector, liuyang_enterprise):
    client.force_login(inspector)
    response = client.post("/hazards/new/", finding_data(unit=liuyang_enterprise.pk, site_name=""))

    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    assert hazard.state == Hazard.State.REPORTED
    assert hazard.found_by == inspector
    assert hazard.unit == liuyang_enterprise
    assert hazard.rectifying_unit is None
    assert hazard.number.startswith(f"HN-430181-{timezone.localdate().year}-")
    event = HazardEvent.objects.get()
    assert (event.hazard, event.actor, event.action) == (hazard, inspector, HazardEvent.Action.REPORT)
    assert event.to_state == Hazard.State.REPORTED
    page = client.get(response["Location"])
    assert hazard.number in page.content.decode()


def test_a_finding_needs_a_unit_or_a_site(client, inspector):
    client.force_login(inspector)
    response = client.post("/hazards/new/", finding_data(site_name=""))
    assert response.status_code == 200
    assert "site_name" in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_a_unit_of_another_county_than_the_one_chosen_is_refused(client, head):
    furong_unit = EnterpriseFactory(name="芙蓉化工有限公司", region=region("430102"))
    client.force_login(head)
    response = client.post("/hazards/new/", finding_data(unit=furong_unit.pk, site_name=""))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors


def test_a_date_in_the_future_is_refused(client, inspector):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post("/hazards/new/", finding_data(found_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "future" in " ".join(response.context["form"].errors["found_on"])
    assert not Hazard.objects.exists()


def test_a_finding_may_be_recorded_for_an_earlier_day(client, inspector):
    client.force_login(inspector)
    last_week = timezone.localdate() - timedelta(days=7)
    assert client.post("/hazards/new/", finding_data(found_on=last_week.isoformat())).status_code == 302
    assert Hazard.objects.get().found_on == last_week


# Rectified on the spot (立查立改)


def test_on_the_spot_without_an_after_photo_is_refused(client, inspector, liuyang_enterprise):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/hazards/new/", finding_data(unit=liuyang_enterprise.pk, site_name="", on_the_spot="on", photos=[photo()])
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["after_photos"]
    assert any("on the spot" in error for error in errors)
    assert not Hazard.objects.exists()
    # The "before" photo is kept for the next try.
    assert len(response.context["form"].kept["photos"]) == 1


def test_on_the_spot_with_an_after_photo_goes_straight_to_acceptance(client, inspector, liuyang_enterprise):
    client.force_login(inspector)
    response = client.post(
        "/hazards/new/",
        finding_data(
            unit=liuyang_enterprise.pk,
            site_name="",
            on_the_spot="on",
            photos=[photo("整改前.jpg")],
            after_photos=[photo("整改后.jpg")],
        ),
    )

    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert hazard.state == Hazard.State.SUBMITTED
    assert hazard.on_the_spot
    assert hazard.rectifying_unit == liuyang_enterprise
    assert hazard.submitted_at is not None
    assert list(hazard.events.values_list("action", "to_state")) == [
        (HazardEvent.Action.REPORT, Hazard.State.REPORTED),
        (HazardEvent.Action.SUBMIT, Hazard.State.SUBMITTED),
    ]
    stages = dict(hazard.attachments.values_list("original_name", "stage"))
    assert stages == {"整改前.jpg": Attachment.Stage.BEFORE, "整改后.jpg": Attachment.Stage.AFTER}


# Who may record


@pytest.mark.parametrize("persona", ["rectifier", "province"])
def test_those_who_do_not_record_findings_get_a_404(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/hazards/new/").status_code == 404
    assert client.post("/hazards/new/", finding_data()).status_code == 404
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("persona", ["inspector", "head", "administrator"])
def test_inspectors_heads_and_administrators_may_record(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/hazards/new/").status_code == 200
    assert client.post("/hazards/new/", finding_data()).status_code == 302
    assert Hazard.objects.get().found_by.username == request.getfixturevalue(persona).username


def test_the_record_button_is_shown_only_to_those_who_may_record(client, inspector, rectifier):
    client.force_login(inspector)
    assert 'href="/hazards/new/"' in client.get("/hazards/").content.decode()
    client.force_login(rectifier)
    assert 'href="/hazards/new/"' not in client.get("/hazards/").content.decode()


# The unit picker


def unit_search(client, query: str) -> list[str]:
    response = client.get("/hazards/units/", {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [result["text"] for result in response.json()["results"]]


@pytest.fixture
def units(db):
    return {
        "liuyang": EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181")),
        "furong": EnterpriseFactory(name="芙蓉花炮批发有限公司", region=region("430102")),
        "liling": EnterpriseFactory(name="醴陵花炮有限公司", region=region("430281")),
        "closed": EnterpriseFactory(name="浏阳已注销花炮厂", region=region("430181"), is_active=False),
    }


def test_the_unit_search_offers_only_units_in_the_users_area(client, inspector, units):
    client.force_login(inspector)
    assert unit_search(client, "花炮") == ["浏阳花炮制造有限公司（浏阳市）"]


def test_a_city_head_finds_units_of_every_county_of_the_city(client, head, units):
    client.force_login(head)
    names = unit_search(client, "花炮")
    assert sorted(names) == ["浏阳花炮制造有限公司（浏阳市）", "芙蓉花炮批发有限公司（芙蓉区）"]


def test_the_unit_search_matches_the_credit_code(client, inspector, units):
    client.force_login(inspector)
    code = units["liuyang"].credit_code
    assert unit_search(client, code[-8:].lower()) == ["浏阳花炮制造有限公司（浏阳市）"]
    assert unit_search(client, units["liling"].credit_code) == []


def test_the_unit_search_returns_ids_the_form_accepts(client, inspector, units):
    client.force_login(inspector)
    result = client.get("/hazards/units/", {"q": "浏阳花炮"}).json()["results"][0]
    assert result["value"] == units["liuyang"].pk
    response = client.post("/hazards/new/", finding_data(unit=result["value"], site_name=""))
    assert response.status_code == 302


def test_a_rectifying_unit_finds_no_units(client, rectifier, units):
    client.force_login(rectifier)
    assert unit_search(client, "花炮") == []


def test_the_new_finding_is_then_found_on_the_ledger_by_its_title(client, inspector):
    HazardFactory(found_by=inspector, title="早先的隐患")
    client.force_login(inspector)
    client.post("/hazards/new/", finding_data(title="新登记的隐患"))
    hazard = Hazard.objects.get(title="新登记的隐患")
    assert hazard.number in client.get("/hazards/", {"q": "新登记"}).content.decode()
