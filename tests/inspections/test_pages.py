"""The campaign and inspection pages: scope on every list, count and detail; filters; query counts."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hazards.models import HazardState
from tests.factories import UserFactory, industry, region
from tests.inspections.factories import CampaignFactory, HazardFactory, InspectionFactory

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

PERSONAS = ["inspector", "head", "rectifier", "province", "administrator"]
ALL = {"unit_fireworks", "site_fireworks_retail", "liuyang_construction", "furong_chemicals", "zhuzhou_fireworks"}
# Which of the scene's inspections each persona may see (DESIGN.md section 5).
SCOPES = {
    # 浏阳市 (430181), fireworks and hazardous chemicals with their sub-categories.
    "inspector": {"unit_fireworks", "site_fireworks_retail"},
    # The whole of 长沙市 (4301), same industries.
    "head": {"unit_fireworks", "site_fireworks_retail", "furong_chemicals"},
    # Only the inspections of its own unit.
    "rectifier": {"unit_fireworks"},
    "province": ALL,
    "administrator": ALL,
}


@pytest.fixture
def recorder(db):
    """Records every inspection of the scene; has no role, so sees nothing through scope."""
    return UserFactory(username="recorder")


@pytest.fixture
def scene(rectifier, recorder):
    """Five inspections across two cities and three industries, one of them in a campaign."""
    crackdown = CampaignFactory(name="打非治违专项行动", industries=["fireworks"])
    inspections = {
        "unit_fireworks": InspectionFactory(
            unit=rectifier.organization,
            site_name="",
            inspected_on=date(2026, 3, 1),
            campaign=crackdown,
            created_by=recorder,
        ),
        "site_fireworks_retail": InspectionFactory(
            site_name="浏阳某烟花零售点",
            industry=industry("fireworks-retail"),
            inspected_on=date(2026, 3, 5),
            created_by=recorder,
        ),
        "liuyang_construction": InspectionFactory(
            site_name="浏阳某工地",
            industry=industry("construction-housing"),
            inspected_on=date(2026, 3, 10),
            created_by=recorder,
        ),
        "furong_chemicals": InspectionFactory(
            site_name="芙蓉某仓库",
            region=region("430102"),
            industry=industry("hazchem-storage"),
            inspected_on=date(2026, 3, 15),
            created_by=recorder,
        ),
        "zhuzhou_fireworks": InspectionFactory(
            site_name="荷塘某烟花厂",
            region=region("430202"),
            inspected_on=date(2026, 3, 20),
            campaign=crackdown,
            created_by=recorder,
        ),
    }
    return SimpleNamespace(campaign=crackdown, inspections=inspections, recorder=recorder)


def names_of(scene, inspections) -> set[str]:
    by_pk = {inspection.pk: name for name, inspection in scene.inspections.items()}
    return {by_pk[inspection.pk] for inspection in inspections}


def listed(client, scene, query: str = "") -> set[str]:
    response = client.get(f"/inspections/{query}")
    assert response.status_code == 200
    return names_of(scene, response.context["page_obj"].object_list)


# Scope


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_exactly_the_inspections_in_its_scope(client, request, scene, persona):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client, scene) == SCOPES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_inspection_out_of_scope_is_a_404_on_its_page(client, request, scene, persona):
    client.force_login(request.getfixturevalue(persona))
    for name, inspection in scene.inspections.items():
        response = client.get(f"/inspections/{inspection.pk}/")
        assert response.status_code == (200 if name in SCOPES[persona] else 404), name


def test_an_inspector_sees_an_inspection_they_were_on_outside_their_jurisdiction(client, scene, inspector):
    scene.inspections["zhuzhou_fireworks"].inspectors.add(inspector)
    client.force_login(inspector)
    assert listed(client, scene) == SCOPES["inspector"] | {"zhuzhou_fireworks"}
    assert client.get(f"/inspections/{scene.inspections['zhuzhou_fireworks'].pk}/").status_code == 200


def test_the_list_is_newest_first(client, scene, province):
    client.force_login(province)
    page = client.get("/inspections/").context["page_obj"]
    dates = [inspection.inspected_on for inspection in page.object_list]
    assert dates == sorted(dates, reverse=True)


def test_the_detail_page_lists_only_the_findings_the_user_may_see(client, scene, inspector, province):
    inspection = scene.inspections["unit_fireworks"]
    mine = HazardFactory(inspection=inspection, title="仓库超量储存", found_by=scene.recorder)
    not_mine = HazardFactory(
        inspection=inspection,
        title="脚手架无防护",
        industry=industry("construction-housing"),
        found_by=scene.recorder,
    )

    client.force_login(inspector)
    response = client.get(f"/inspections/{inspection.pk}/")
    page = response.content.decode()
    assert list(response.context["findings"]) == [mine]
    assert mine.number in page and f'href="/hazards/{mine.pk}/"' in page
    assert not_mine.number not in page and "脚手架无防护" not in page

    [row] = [row for row in client.get("/inspections/").context["page_obj"] if row.pk == inspection.pk]
    assert row.findings == 1

    client.force_login(province)
    response = client.get(f"/inspections/{inspection.pk}/")
    assert set(response.context["findings"]) == {mine, not_mine}
    [row] = [row for row in client.get("/inspections/").context["page_obj"] if row.pk == inspection.pk]
    assert row.findings == 2


def test_the_detail_page_shows_the_team_and_notes(client, scene, inspector):
    inspection = scene.inspections["site_fireworks_retail"]
    inspection.notes = "消防通道畅通"
    inspection.save()
    inspection.inspectors.add(inspector)
    client.force_login(inspector)
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "消防通道畅通" in page and inspector.get_full_name() in page and "浏阳某烟花零售点" in page


# Campaigns


@pytest.fixture
def campaign_findings(scene, rectifier):
    """Findings of the campaign: three of them within the inspector's scope, plus a void one."""
    today = timezone.localdate()
    found_on = today - timedelta(days=30)
    unit_inspection = scene.inspections["unit_fireworks"]

    def finding(**fields):
        fields.setdefault("inspection", unit_inspection)
        return HazardFactory(campaign=scene.campaign, found_on=found_on, found_by=scene.recorder, **fields)

    return {
        "open": finding(rectifying_unit=rectifier.organization),
        "closed": finding(state=HazardState.CLOSED),
        "overdue": finding(state=HazardState.RECTIFYING, deadline=today - timedelta(days=2)),
        "void": finding(state=HazardState.VOID),
        # Out of the inspector's scope: another city, another industry.
        "zhuzhou": finding(region=region("430202"), inspection=scene.inspections["zhuzhou_fireworks"]),
        "construction": finding(
            industry=industry("construction-housing"),
            state=HazardState.ASSIGNED,
            deadline=today - timedelta(days=1),
        ),
    }


def campaign_counts(client, campaign) -> dict:
    response = client.get("/inspections/campaigns/")
    assert response.status_code == 200
    [row] = [row for row in response.context["page_obj"].object_list if row.pk == campaign.pk]
    return {
        "inspections": row.inspection_count,
        "findings": row.finding_count,
        "open": row.open_count,
        "closed": row.closed_count,
        "overdue": row.overdue_count,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("inspector", {"inspections": 1, "findings": 3, "open": 2, "closed": 1, "overdue": 1}),
        ("head", {"inspections": 1, "findings": 3, "open": 2, "closed": 1, "overdue": 1}),
        ("rectifier", {"inspections": 1, "findings": 1, "open": 1, "closed": 0, "overdue": 0}),
        ("province", {"inspections": 2, "findings": 5, "open": 4, "closed": 1, "overdue": 2}),
    ],
)
def test_campaign_counts_cover_only_what_the_user_may_see(client, request, scene, campaign_findings, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert campaign_counts(client, scene.campaign) == expected


def test_campaigns_in_progress_come_first(client, scene, province):
    ended = CampaignFactory(name="去年的行动", start_date=date(2025, 1, 1), end_date=date(2025, 2, 1))
    running = CampaignFactory(name="新的行动", start_date=date(2025, 1, 1))
    client.force_login(province)
    response = client.get("/inspections/campaigns/")
    campaigns = list(response.context["page_obj"].object_list)
    assert campaigns == [scene.campaign, running, ended]
    page = response.content.decode()
    assert "打非治违专项行动" in page and "烟花爆竹" in page  # its industry; and no region: the whole province


def test_the_campaign_page_counts_by_state_and_industry_within_scope(client, scene, campaign_findings, inspector):
    client.force_login(inspector)
    response = client.get(f"/inspections/campaigns/{scene.campaign.pk}/")
    assert response.status_code == 200
    context = response.context
    states = {row["state"]: row["count"] for row in context["states"]}
    assert states[HazardState.REPORTED] == 1
    assert states[HazardState.CLOSED] == 1
    assert states[HazardState.RECTIFYING] == 1
    assert states[HazardState.VOID] == 1
    assert states[HazardState.ASSIGNED] == 0  # the construction finding is out of scope
    assert context["total"] == 3 and context["overdue"] == 1
    [row] = context["by_industry"]
    assert row["industry"].code == "fireworks-production"
    assert (row["total"], row["open"], row["closed"], row["overdue"]) == (3, 2, 1, 1)
    assert context["coverage"] == {"inspections": 1, "units": 1, "sites": 0, "counties": 1}
    assert names_of(scene, context["inspections"]) == {"unit_fireworks"}
    assert f"/inspections/?campaign={scene.campaign.pk}" in response.content.decode()


def test_the_campaign_page_for_the_province_covers_everything(client, scene, campaign_findings, province):
    client.force_login(province)
    context = client.get(f"/inspections/campaigns/{scene.campaign.pk}/").context
    assert context["total"] == 5 and context["overdue"] == 2
    assert {row["industry"].code: row["total"] for row in context["by_industry"]} == {
        "fireworks-production": 4,
        "construction-housing": 1,
    }
    assert context["coverage"] == {"inspections": 2, "units": 1, "sites": 1, "counties": 2}
    assert names_of(scene, context["inspections"]) == {"unit_fireworks", "zhuzhou_fireworks"}


def test_any_signed_in_user_may_open_a_campaign_but_sees_none_of_its_findings_out_of_scope(
    client, scene, campaign_findings
):
    client.force_login(UserFactory(username="outsider"))
    response = client.get(f"/inspections/campaigns/{scene.campaign.pk}/")
    assert response.status_code == 200
    assert response.context["total"] == 0 and list(response.context["inspections"]) == []
    assert client.get("/inspections/campaigns/999999/").status_code == 404


# Filters


def test_filter_by_campaign(client, scene, province):
    client.force_login(province)
    assert listed(client, scene, f"?campaign={scene.campaign.pk}") == {"unit_fireworks", "zhuzhou_fireworks"}


def test_filter_by_industry_takes_in_its_sub_categories(client, scene, province, inspector):
    fireworks = industry("fireworks").pk
    client.force_login(province)
    assert listed(client, scene, f"?industry={fireworks}") == {
        "unit_fireworks",
        "site_fireworks_retail",
        "zhuzhou_fireworks",
    }
    assert listed(client, scene, f"?industry={industry('fireworks-retail').pk}") == {"site_fireworks_retail"}
    # A filter narrows the user's scope, never widens it.
    client.force_login(inspector)
    assert listed(client, scene, f"?industry={fireworks}") == {"unit_fireworks", "site_fireworks_retail"}


def test_filter_by_city_or_county_is_a_code_prefix(client, scene, province):
    client.force_login(province)
    assert listed(client, scene, "?city=430100") == {
        "unit_fireworks",
        "site_fireworks_retail",
        "liuyang_construction",
        "furong_chemicals",
    }
    assert listed(client, scene, "?county=430181") == {
        "unit_fireworks",
        "site_fireworks_retail",
        "liuyang_construction",
    }
    assert listed(client, scene, "?city=430200") == {"zhuzhou_fireworks"}
    assert listed(client, scene, "?county=430102") == {"furong_chemicals"}


def test_filter_by_date_range(client, scene, province):
    client.force_login(province)
    assert listed(client, scene, "?inspected_after=2026-03-05&inspected_before=2026-03-15") == {
        "site_fireworks_retail",
        "liuyang_construction",
        "furong_chemicals",
    }
    assert listed(client, scene, "?inspected_after=2026-03-16") == {"zhuzhou_fireworks"}


def test_filter_by_text_on_unit_or_site_name(client, scene, province):
    client.force_login(province)
    assert listed(client, scene, "?q=零售") == {"site_fireworks_retail"}
    assert listed(client, scene, "?q=浏阳测试烟花") == {"unit_fireworks"}
    assert listed(client, scene, "?q=烟花") == {"unit_fireworks", "site_fireworks_retail", "zhuzhou_fireworks"}


def test_filters_combine_and_are_shown_with_a_way_to_clear_them(client, scene, province):
    client.force_login(province)
    response = client.get(f"/inspections/?industry={industry('fireworks').pk}&city=430100&q=%E7%83%9F%E8%8A%B1")
    assert names_of(scene, response.context["page_obj"].object_list) == {"unit_fireworks", "site_fireworks_retail"}
    industry_removed, region_removed, text_removed = (active["remove"] for active in response.context["active_filters"])
    assert "industry=" not in industry_removed and "city=430100" in industry_removed and "q=" in industry_removed
    assert "city=" not in region_removed and "industry=" in region_removed
    assert "q=" not in text_removed and "city=430100" in text_removed
    page = response.content.decode()
    assert page.count('data-testid="active-filter"') == 3
    assert 'href="/inspections/"' in page  # clear them all
    assert response.context["page_obj"].paginator.count == 2


def test_a_bad_filter_value_is_ignored_not_an_error(client, scene, province):
    client.force_login(province)
    assert listed(client, scene, "?industry=abc&inspected_after=yesterday&city=999999&county=430100") == ALL


def test_pagination_keeps_the_filters(client, scene, province, recorder):
    InspectionFactory.create_batch(30, campaign=scene.campaign, created_by=recorder)
    client.force_login(province)
    response = client.get(f"/inspections/?campaign={scene.campaign.pk}")
    page = response.context["page_obj"]
    assert page.paginator.count == 32 and len(page.object_list) == 25
    assert f"?campaign={scene.campaign.pk}&amp;page=2" in response.content.decode()
    second = client.get(f"/inspections/?campaign={scene.campaign.pk}&page=2").context["page_obj"]
    assert len(second.object_list) == 7


# Query counts


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def add_inspections(count: int, *, campaign, recorder, team) -> None:
    for inspection in InspectionFactory.create_batch(count, campaign=campaign, created_by=recorder, inspectors=team):
        HazardFactory(inspection=inspection, campaign=campaign, found_by=recorder)


@pytest.mark.parametrize("page", ["list", "campaign"])
def test_the_inspection_lists_take_a_constant_number_of_queries(client, inspector, recorder, page):
    campaign = CampaignFactory()
    path = "/inspections/" if page == "list" else f"/inspections/campaigns/{campaign.pk}/"
    team = [inspector, recorder]
    client.force_login(inspector)
    add_inspections(3, campaign=campaign, recorder=recorder, team=team)
    few = queries_for(client, path)
    add_inspections(27, campaign=campaign, recorder=recorder, team=team)
    assert queries_for(client, path) == few


def test_the_campaign_list_takes_a_constant_number_of_queries(client, inspector, recorder):
    client.force_login(inspector)

    def add_campaigns(count):
        for _ in range(count):
            campaign = CampaignFactory(industries=["fireworks", "hazardous-chemicals"], regions=["430100"])
            add_inspections(1, campaign=campaign, recorder=recorder, team=[recorder])

    add_campaigns(3)
    few = queries_for(client, "/inspections/campaigns/")
    add_campaigns(27)
    many = queries_for(client, "/inspections/campaigns/")
    assert few == many


# Sign-in


@pytest.mark.parametrize(
    "path", ["/inspections/", "/inspections/1/", "/inspections/campaigns/", "/inspections/campaigns/1/"]
)
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
