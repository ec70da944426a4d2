"""The emergency pages through the one visibility rule: each role sees its region, a unit nothing of the duty rooms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from emergency import reports
from emergency.models import Depot, EmergencyPlan, QuickReport, RescueTeam, ReserveItem
from tests.emergency.scene import city_on_duty_today, county_government, duty_officer, shift
from tests.factories import OrganizationFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def world(inspector, head, rectifier, province):
    """A report, plan, team, depot and shift in 浏阳市 (长沙市) and the same in 醴陵市 (株洲市)."""
    city_on_duty_today(head)
    liuyang = county_government()
    liling = OrganizationFactory(name="醴陵市人民政府", kind="government", region=region("430281"))
    objects = {}
    for key, body, county in (("liuyang", liuyang, "430181"), ("liling", liling, "430281")):
        officer = duty_officer(body, f"officer-{key}")
        objects[f"{key}_shift"] = shift(body, timezone.localdate(), officers=[officer])
        report = QuickReport.objects.create(
            category="fire",
            occurred_at=timezone.now() - timedelta(minutes=5),
            region=region(county),
            place=f"{key}广场",
            summary="火情",
            measures="扑救",
            reporter=officer,
        )
        objects[f"{key}_report"] = report
        objects[f"{key}_plan"] = EmergencyPlan.objects.create(
            organization=body, title=f"{key}综合预案", kind="comprehensive"
        )
        RescueTeam.objects.create(
            name=f"{key}救援队", kind="comprehensive", region=region(county), head_count=20, contact="王", phone="1"
        )
        depot = Depot.objects.create(name=f"{key}储备库", region=region(county), address="x", keeper="李", phone="2")
        ReserveItem.objects.create(depot=depot, kind="medical", name="急救包", quantity=1, unit="个")
    objects["unit_plan"] = EmergencyPlan.objects.create(
        organization=rectifier.organization, title="企业综合预案", kind="comprehensive"
    )
    return objects


# (persona, what they see among liuyang / liling / the unit's own plan)
SCOPE = [
    ("inspector", {"liuyang"}),
    ("head", {"liuyang"}),
    ("province", {"liuyang", "liling"}),
    ("rectifier", set()),
]


@pytest.mark.parametrize(("name", "sees"), SCOPE)
def test_report_pages_follow_the_region_rule(client, world, request, name, sees):
    user = request.getfixturevalue(name)
    _login(client, user)
    for key in ("liuyang", "liling"):
        answer = client.get(reverse("emergency:report_detail", args=[world[f"{key}_report"].pk]))
        assert answer.status_code == (200 if key in sees else 404), (name, key)
        answer = client.get(reverse("emergency:shift", args=[world[f"{key}_shift"].pk]))
        assert answer.status_code == (200 if key in sees else 404), (name, key)
    listing = client.get(reverse("emergency:reports"))
    if not sees:
        assert listing.status_code == 404
        return
    text = listing.content.decode()
    for key in ("liuyang", "liling"):
        assert (f"{key}广场" in text) == (key in sees)
    for page, marker in (("emergency:forces", "救援队"), ("emergency:reserves", "储备库")):
        text = client.get(reverse(page)).content.decode()
        for key in ("liuyang", "liling"):
            assert (f"{key}{marker}" in text) == (key in sees), (page, key)


@pytest.mark.parametrize(("name", "sees"), [*SCOPE[:3], ("rectifier", {"unit"})])
def test_plans_follow_the_region_rule_and_a_unit_sees_its_own(client, world, request, name, sees):
    _login(client, request.getfixturevalue(name))
    for key in ("liuyang", "liling", "unit"):
        answer = client.get(reverse("emergency:plan", args=[world[f"{key}_plan"].pk]))
        expected = key in sees or (key == "unit" and name in ("inspector", "head", "province"))
        assert answer.status_code == (200 if expected else 404), (name, key)


def test_the_city_acknowledges_on_the_page_and_the_county_cannot(client, world, head, inspector):
    report = world["liuyang_report"]
    _login(client, inspector)
    assert (
        'data-testid="acknowledge"'
        not in client.get(reverse("emergency:report_detail", args=[report.pk])).content.decode()
    )
    client.post(reverse("emergency:report_acknowledge", args=[report.pk]))
    report.refresh_from_db()
    assert report.acknowledged_at is None
    _login(client, head)
    client.post(reverse("emergency:report_acknowledge", args=[report.pk]))
    report.refresh_from_db()
    assert report.acknowledged_by == head


def test_a_report_form_with_an_error_keeps_what_was_typed_and_says_the_rule(client, inspector, head):
    _login(client, inspector)
    other_unit = OrganizationFactory(name="醴陵某厂", kind="other", region=region("430281"))
    answer = client.post(
        reverse("emergency:report_new"),
        {
            "category": "fire",
            "occurred_at": "2026-06-15T09:40",
            "region": "430181",
            "unit": other_unit.pk,
            "place": "集里街道仓库",
            "summary": "仓库起火",
            "deaths": 0,
            "injuries": 0,
            "missing": 0,
            "measures": "扑救",
        },
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "集里街道仓库" in text  # kept
    assert not QuickReport.objects.exists()


def test_filing_on_the_page_notifies_the_city_on_duty(client, inspector, head):
    city_on_duty_today(head)
    _login(client, inspector)
    answer = client.post(
        reverse("emergency:report_new"),
        {
            "category": "fire",
            "occurred_at": "2026-06-15T09:40",
            "region": "430181",
            "place": "集里街道仓库",
            "summary": "仓库起火",
            "deaths": 0,
            "injuries": 1,
            "missing": 0,
            "measures": "扑救",
        },
    )
    report = QuickReport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("emergency:report_detail", args=[report.pk])
    _login(client, head)
    text = client.get(reverse("emergency:reports")).content.decode()
    assert 'data-testid="awaiting"' in text and "集里街道仓库" in text


@pytest.mark.parametrize(
    "page", ["emergency:duty", "emergency:reports", "emergency:plans", "emergency:forces", "emergency:reserves"]
)
def test_list_pages_take_a_bounded_number_of_queries(client, world, province, page, django_assert_max_num_queries):
    _login(client, province)
    with django_assert_max_num_queries(25):
        assert client.get(reverse(page)).status_code == 200


def test_the_detail_pages_take_a_bounded_number_of_queries(client, world, province, django_assert_max_num_queries):
    _login(client, province)
    reports.acknowledge(actor=province, report=world["liuyang_report"])
    for url in (
        reverse("emergency:report_detail", args=[world["liuyang_report"].pk]),
        reverse("emergency:plan", args=[world["liuyang_plan"].pk]),
        reverse("emergency:shift", args=[world["liuyang_shift"].pk]),
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_the_roster_page_shows_the_holiday_gaps_in_red(client, province):
    body = county_government()
    officer = duty_officer(body, "officer-gap")
    shift(body, timezone.localdate(), officers=[officer])
    _login(client, province)
    text = client.get(
        reverse("emergency:duty"), {"region": "430181", "body": body.pk, "month": "2026-10"}
    ).content.decode()
    # 1–7 October (National Day) and the Sundays/Saturdays of the month, not the make-up Saturday 10-10.
    assert text.count('data-testid="roster-gap"') == 13
    assert "10-10" in text


def test_a_shift_without_an_officer_is_refused_with_the_rule_and_keeps_what_was_typed(client, head):
    _login(client, head)
    answer = client.post(
        reverse("emergency:shift_new"),
        {"organization": head.organization.pk, "duty_date": "2026-10-01", "kind": "full_day", "phone": "0731-88888888"},
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "0731-88888888" in text
    assert "至少需要一名值班人员" in text
