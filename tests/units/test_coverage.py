"""Campaign coverage and blind spots against a hand-counted scene, and the page that shows them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import Organization
from inspections import coverage
from inspections.models import Campaign, Inspection
from tests.factories import EnterpriseFactory, UserFactory, industry, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def scene(db):
    """A fireworks campaign in 浏阳市 and 宁乡市, and eight units of the register around it.

    In scope (5): A, B, C in 浏阳 and D, H in 宁乡 — E's industry, F's county and G's closure keep them out.
    Inspected in the campaign (2): A and D. So coverage is 2 / 5 = 40 %; the blind spots C, B, H by risk.
    """
    campaign = Campaign.objects.create(name="烟花爆竹打非治违", start_date=date(2026, 5, 1), end_date=date(2026, 7, 31))
    campaign.regions.set([region("430181"), region("430182")])
    campaign.industries.set([industry("fireworks")])
    other = Campaign.objects.create(name="春节前检查", start_date=date(2026, 1, 1), end_date=date(2026, 2, 1))
    liuyang, ningxiang = region("430181"), region("430182")
    units = {
        "A": EnterpriseFactory(name="A厂", region=liuyang, industries=["fireworks-production"], risk_class="general"),
        "B": EnterpriseFactory(name="B批发", region=liuyang, industries=["fireworks-wholesale"], risk_class="low"),
        "C": EnterpriseFactory(name="C零售", region=liuyang, industries=["fireworks-retail"], risk_class="major"),
        "D": EnterpriseFactory(name="D厂", region=ningxiang, industries=["fireworks-production"], risk_class="high"),
        "E": EnterpriseFactory(name="E工地", region=liuyang, industries=["construction"]),
        "F": EnterpriseFactory(name="F厂", region=region("430281"), industries=["fireworks-production"]),
        "G": EnterpriseFactory(
            name="G厂", region=liuyang, industries=["fireworks-production"], status=Organization.Status.CLOSED
        ),
        "H": EnterpriseFactory(name="H厂", region=ningxiang, industries=["fireworks-production", "construction"]),
    }
    inspector = UserFactory()
    for name, visited in [("A", campaign), ("A", campaign), ("B", other), ("D", campaign), ("E", campaign)]:
        unit = units[name]
        Inspection.objects.create(
            inspected_on=date(2026, 6, 1),
            region=unit.region,
            unit=unit,
            industry=industry("fireworks-production"),
            campaign=visited,
            created_by=inspector,
        )
    return campaign, units


def test_coverage_matches_the_hand_count(scene):
    campaign, units = scene
    scope = coverage.CampaignScope.of(campaign)
    figures = coverage.coverage(
        scope, Organization.objects.filter(kind__in=Organization.REGISTER_KINDS), since=date(2025, 6, 15)
    )
    assert (figures.total.in_scope, figures.total.inspected, figures.total.rate) == (5, 2, 40.0)
    assert figures.not_inspected_since == 2  # C and H: B was inspected, if not in this campaign
    assert [(share.label, share.in_scope, share.inspected) for share in figures.by_county] == [
        ("浏阳市", 3, 1),
        ("宁乡市", 2, 1),
    ]
    by_industry = {share.label: (share.in_scope, share.inspected) for share in figures.by_industry}
    assert by_industry == {
        industry("fireworks-production").name: (3, 2),
        industry("fireworks-wholesale").name: (1, 0),
        industry("fireworks-retail").name: (1, 0),
    }
    blind = coverage.blind_spots(scope, Organization.objects.all())
    assert [unit.name for unit in blind] == ["C零售", "B批发", "H厂"]  # most dangerous first


def test_units_not_inspected_in_twelve_months(scene):
    _campaign, units = scene
    since = date(2025, 6, 15)
    never = coverage.not_inspected_since(Organization.objects.filter(pk__in=[u.pk for u in units.values()]), since)
    assert {unit.name for unit in never} == {"C零售", "F厂", "H厂"}  # G is closed


def test_the_page_shows_the_figures_and_plans_an_inspection_for_each_blind_spot(client, scene, inspector):
    campaign, units = scene
    client.force_login(inspector)  # 浏阳市, fireworks: sees A, B, C only
    page = client.get(reverse("campaign_coverage", args=[campaign.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="in-scope">3<' in html and 'data-testid="inspected">1<' in html
    assert "C零售" in html and "B批发" in html and "H厂" not in html
    plan = f"{reverse('inspections:new')}?unit={units['C'].pk}&amp;campaign={campaign.pk}"
    assert plan in html
    form = client.get(plan.replace("&amp;", "&")).content.decode()
    assert f'<option value="{units["C"].pk}" selected>' in form
    sheet = client.get(reverse("campaign_coverage", args=[campaign.pk]), {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_coverage_page_costs_a_fixed_number_of_queries(client, scene, province, django_assert_max_num_queries):
    campaign, _units = scene
    client.force_login(province)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("campaign_coverage", args=[campaign.pk])).status_code == 200


def test_the_figures_are_kept_for_each_viewer_a_moment_then_counted_again(
    client, scene, inspector, province, frozen_today, settings
):
    """Counted once per viewer and campaign, kept COVERAGE_SECONDS (as the ledger's count), never shared."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    campaign, units = scene
    url = reverse("campaign_coverage", args=[campaign.pk])
    client.force_login(inspector)
    first = client.get(url).content.decode()
    assert 'data-testid="in-scope">3<' in first and 'data-testid="inspected">1<' in first
    # The blind spots, most dangerous first: C (major) before B (low).
    assert first.index("C零售") < first.index("B批发")
    Inspection.objects.create(
        inspected_on=date(2026, 6, 10),
        region=units["C"].region,
        unit=units["C"],
        industry=industry("fireworks-retail"),
        campaign=campaign,
        created_by=inspector,
    )
    # Another viewer gets figures of their own scope, counted now: the province sees all five units.
    client.force_login(province)
    theirs = client.get(url).content.decode()
    assert 'data-testid="in-scope">5<' in theirs and 'data-testid="inspected">3<' in theirs
    # The inspector's figures are kept a moment, saying when they were counted...
    client.force_login(inspector)
    kept = client.get(url).content.decode()
    assert 'data-testid="inspected">1<' in kept and 'data-testid="counted-at"' in kept
    # ...and counted again once that moment has passed.
    frozen_today.shift(timedelta(seconds=coverage.COVERAGE_SECONDS + 1))
    again = client.get(url).content.decode()
    assert 'data-testid="inspected">2<' in again
    assert "C零售" not in again.split('data-testid="blind-spots"')[1]  # reached now: no longer a blind spot
