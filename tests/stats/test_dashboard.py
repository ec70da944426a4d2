"""The dashboard (home page of heads, government users and provincial staff) and the command-centre screen."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Organization
from accounts.roles import Role
from stats.dashboard import build_dashboard, build_screen
from tests.factories import OrganizationFactory, UserFactory, region
from tests.stats.scene import build_scene, linked_hazards

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = date(2026, 6, 15)


@pytest.fixture
def scene(db):
    return build_scene()


def _listed(user, url):
    return linked_hazards(user, url)


def _headline(board):
    return {figure.label: figure.value for figure in board.headline}


def test_the_headline_figures_equal_the_hand_count(province, scene):
    figures = _headline(build_dashboard(province, TODAY))

    assert figures == {
        "在治隐患": 8,  # B, C, D, E, G, I, L, M
        "逾期": 1,  # B
        "在治重大隐患": 3,  # E, G, M
        "省级挂牌督办": 1,
        "市级挂牌督办": 1,
        "县级挂牌督办": 0,
        "本月发现": 1,  # I
        "本月销号": 0,
        "本年整改率": Decimal("37.5"),  # A, D, F of A, B, D, F, G, I, L, M
        "本年按期整改率": Decimal("50.0"),  # A, F of A, B, D, F
    }


def test_aging_and_lateness_fall_in_the_right_buckets_per_city(province, scene):
    board = build_dashboard(province, TODAY)
    aging, late = board.chart("aging"), board.chart("late")

    changsha, zhuzhou = aging.categories.index("长沙市"), aging.categories.index("株洲市")
    assert [series.values[changsha] for series in aging.series] == [0, 1, 0, 3]  # L; B, C, E
    assert [series.values[zhuzhou] for series in aging.series] == [1, 0, 2, 1]  # I; G, M; D
    assert [series.values[changsha] for series in late.series] == [0, 0, 0, 1]  # B: 76 days late
    assert board.worst_units == [{"name": "浏阳一号烟花厂", "count": 1, "url": board.worst_units[0]["url"]}]
    assert [hazard.pk for hazard in board.listed_majors] == [scene["G"].pk, scene["E"].pk]
    assert [hazard.days_to_deadline for hazard in board.listed_majors] == [16, 107]


def test_every_figure_and_bar_links_to_exactly_the_hazards_it_counts(province, scene):
    board = build_dashboard(province, TODAY)
    checked = 0
    for figure in board.headline:
        if figure.unit != "%":
            assert _listed(province, figure.url).count() == figure.value, figure.label
            checked += 1
    for chart in board.charts:
        for series in chart.series:
            for value, url in zip(series.values, series.urls, strict=True):
                assert _listed(province, url).count() == value, (chart.key, series.name, url)
                checked += 1
    for unit in board.worst_units:
        assert _listed(province, unit["url"]).count() == unit["count"]
    assert checked > 200


@pytest.mark.parametrize(
    ("persona", "open_count"),
    [("province", 8), ("head", 3), ("inspector", 3), ("rectifier", 0)],  # both: B, C, E in 浏阳
)
def test_the_dashboard_counts_only_what_the_visibility_rule_shows(request, scene, persona, open_count):
    user = request.getfixturevalue(persona)

    assert _headline(build_dashboard(user, TODAY))["在治隐患"] == open_count


@pytest.mark.parametrize(
    ("persona", "template"),
    [
        ("head", "stats/dashboard.html"),
        ("province", "stats/dashboard.html"),
        ("inspector", "home.html"),
        ("rectifier", "home.html"),
    ],
)
def test_heads_and_provincial_staff_start_on_the_dashboard_inspectors_and_units_on_their_own_page(
    client, request, persona, template
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")

    assert response.status_code == 200
    assert template in [used.name for used in response.templates]


def test_a_government_user_starts_on_the_dashboard(client, db):
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, region=region("430100"))
    client.force_login(UserFactory(organization=government))

    assert "stats/dashboard.html" in [used.name for used in client.get("/").templates]


def test_the_dashboard_page_draws_charts_from_local_echarts_with_a_table_beside_each(client, province, scene):
    client.force_login(province)
    html = client.get("/").content.decode()

    assert "/static/vendor/echarts/echarts.min.js" in html
    assert html.count('class="stats-chart"') == html.count('data-testid="table-') == 6
    assert "<script>" not in html and "style=" not in html


def test_the_dashboard_costs_a_fixed_number_of_queries(client, province, head, scene, django_assert_max_num_queries):
    for user in (province, head):
        client.force_login(user)
        # The trend reads the tallies' months and this month live, and a head's findings beyond
        # their jurisdiction: a fixed few more than when it read a year of findings.
        with django_assert_max_num_queries(24):
            assert client.get("/statistics/dashboard/").status_code == 200


def test_the_command_centre_screen_shows_a_tile_per_city_and_refreshes_itself(client, province, scene):
    client.force_login(province)
    response = client.get("/statistics/screen/")
    html = response.content.decode()
    board = build_screen(province, TODAY)

    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="60">' in html
    assert len(board.tiles) == 14
    changsha = next(tile for tile in board.tiles if tile["name"] == "长沙市")
    assert (changsha["open"], changsha["overdue"]) == (4, 1)
    assert [hazard.pk for hazard in board.latest_majors][:2] == [scene["M"].pk, scene["G"].pk]
    assert board.newly_overdue == []  # B has been overdue since April


def test_a_unit_sees_an_empty_screen_not_another_units_hazards(client, rectifier, scene):
    client.force_login(rectifier)
    html = client.get("/statistics/screen/").content.decode()

    assert scene["G"].title not in html and scene["E"].title not in html


def test_a_city_government_head_sees_counties_not_cities(scene):
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, region=region("430100"))
    head = UserFactory(organization=government, roles=[Role.DEPARTMENT_HEAD])

    categories = build_dashboard(head, TODAY).chart("open_region").categories
    assert "浏阳市" in categories and "株洲市" not in categories
