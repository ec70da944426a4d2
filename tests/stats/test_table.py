"""The official statistics table against the hand-counted scene of tests/stats/scene.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from hazards.models import Hazard
from stats.periods import Period
from stats.table import BY_INDUSTRY, BY_REGION, columns_for, statistics_table
from tests.stats.scene import build_scene, linked_hazards, territorial_city_head

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = date(2026, 6, 15)
YEAR_TO_DATE = Period(date(2026, 1, 1), TODAY)

# Counted by hand from the comments of scene.py: the province's table, 2026 to date.
PROVINCE_TOTAL = {
    "units": 3,
    "general": 5,
    "general_rectified": 2,
    "general_rate": Decimal("40.0"),
    "major": 3,
    "major_closed": 1,
    "major_rate": Decimal("33.3"),
    "planned": 3,
    "five_in_place": 1,
    "listed": 2,
    "listed_province": 1,
    "listed_city": 1,
    "listed_county": 0,
    "funds": Decimal("21.50"),
    "due": 4,
    "on_time": 2,
    "on_time_rate": Decimal("50.0"),
    "due_open": 1,
    "overdue": 1,
}
CHANGSHA = {
    "units": 2,
    "general": 3,
    "general_rectified": 1,
    "general_rate": Decimal("33.3"),
    "major": 1,
    "major_closed": 1,
    "major_rate": Decimal("100.0"),
    "planned": 1,
    "five_in_place": 1,
    "listed": 1,
    "listed_province": 1,
    "listed_city": 0,
    "listed_county": 0,
    "funds": Decimal("21.50"),
    "due": 3,
    "on_time": 2,
    "on_time_rate": Decimal("66.7"),
    "due_open": 1,
    "overdue": 1,
}
ZHUZHOU = {
    "units": 1,
    "general": 2,
    "general_rectified": 1,
    "general_rate": Decimal("50.0"),
    "major": 2,
    "major_closed": 0,
    "major_rate": Decimal("0.0"),
    "planned": 2,
    "five_in_place": 0,
    "listed": 1,
    "listed_province": 0,
    "listed_city": 1,
    "listed_county": 0,
    "funds": Decimal("0.00"),
    "due": 1,
    "on_time": 0,
    "on_time_rate": Decimal("0.0"),
    "due_open": 0,
    "overdue": 0,
}


@pytest.fixture
def scene(db):
    return build_scene()


def _row(table, key):
    return next(row for row in table.rows if row.key == key)


def test_each_column_of_the_province_table_equals_the_hand_count(province, scene):
    table = statistics_table(province, YEAR_TO_DATE, by=BY_REGION, today=TODAY)

    assert table.total.values == PROVINCE_TOTAL
    assert _row(table, "4301").values == CHANGSHA
    assert _row(table, "4302").values == ZHUZHOU
    assert [row.label for row in table.rows][:3] == ["长沙市", "株洲市", "湘潭市"]
    assert len(table.rows) == 14


def test_a_rate_over_an_empty_base_shows_a_dash(province, scene):
    xiangtan = _row(statistics_table(province, YEAR_TO_DATE, today=TODAY), "4303")

    shown = {cell.column.key: cell.shown for cell in xiangtan.cells}
    assert shown["general"] == "0"
    assert shown["general_rate"] == shown["major_rate"] == shown["on_time_rate"] == "—"


def test_period_boundaries_follow_the_found_day_and_the_local_time_of_acceptance(province, scene):
    december = statistics_table(province, Period.month(2025, 12), today=TODAY).total.values
    january = statistics_table(province, Period.month(2026, 1), today=TODAY).total.values

    # C was found on 31 December and accepted at 23:30 that evening, Beijing time.
    assert (december["general"], december["general_rectified"]) == (1, 1)
    # D was found on 1 January; C does not count in January.
    assert (january["general"], january["general_rectified"]) == (1, 1)


def test_a_major_of_last_year_still_open_counts_on_this_years_plan(province, scene):
    table = statistics_table(province, YEAR_TO_DATE, today=TODAY)
    assert table.total.values["planned"] == 3  # E of last year, G and M of this year
    assert table.total.values["major"] == 3  # F, G, M: E was found last year


def test_voided_findings_count_nowhere(province, scene):
    before = statistics_table(province, YEAR_TO_DATE, today=TODAY).total.values
    Hazard.objects.filter(pk=scene["B"].pk).update(state=Hazard.State.VOID)
    after = statistics_table(province, YEAR_TO_DATE, today=TODAY).total.values

    assert after["general"] == before["general"] - 1
    assert after["due"] == before["due"] - 1
    assert after["overdue"] == after["due_open"] == 0


def test_the_forms_consistency_rules_hold(province, scene):
    for period in (YEAR_TO_DATE, Period.quarter(2026, 2), Period.month(2026, 3), Period.year(2025)):
        for row in statistics_table(province, period, today=TODAY).rows:
            v = row.values
            open_from_earlier_years = (
                Hazard.objects.filter(level="major", found_on__lt=period.start, region__code__startswith=row.key)
                .exclude(state=Hazard.State.VOID)
                .exclude(closed_at__date__lt=period.start)
                .count()
            )
            assert v["planned"] <= v["major"] - v["major_closed"] + open_from_earlier_years
            assert v["five_in_place"] <= v["planned"]
            assert v["listed"] <= v["planned"]
            assert v["listed_province"] + v["listed_city"] + v["listed_county"] == v["listed"]
            assert v["general_rectified"] <= v["general"] and v["major_closed"] <= v["major"]
            assert v["on_time"] <= v["due"] and v["due_open"] <= v["due"]


def test_the_quarterly_table_details_each_part_of_the_five(province, scene):
    quarter = statistics_table(province, Period.quarter(2026, 2), today=TODAY)
    year = statistics_table(province, YEAR_TO_DATE, today=TODAY)

    assert "plan_goals" not in year.total.values
    parts = {key: quarter.total.values[f"plan_{key}"] for key in ("goals", "funds", "people", "time", "contingency")}
    # E has all five; G has goals and a deadline; M a deadline.
    assert parts == {"goals": 2, "funds": 1, "people": 1, "time": 3, "contingency": 1}
    assert [column.key for column in columns_for(Period.quarter(2026, 2))][9:14] == [
        "plan_goals",
        "plan_funds",
        "plan_people",
        "plan_time",
        "plan_contingency",
    ]


def test_a_city_heads_table_equals_the_provinces_row_for_that_city(province, scene):
    city_head = territorial_city_head()

    by_county = statistics_table(city_head, YEAR_TO_DATE, today=TODAY)
    province_row = _row(statistics_table(province, YEAR_TO_DATE, today=TODAY), "4301")

    assert by_county.total.values == province_row.values
    assert {row.key for row in by_county.rows} >= {"430181", "430182", "430102"}
    assert _row(by_county, "430181").values["general"] == 2


@pytest.mark.parametrize(
    ("persona", "general", "planned"),
    [
        ("province", 5, 3),
        ("head", 2, 1),  # 长沙's fireworks and chemicals department: not 株洲, not the construction site L
        ("inspector", 2, 1),  # 浏阳's fireworks and chemicals department: A, B and last year's E
        ("rectifier", 0, 0),  # a unit sees only what is assigned to it
    ],
)
def test_each_persona_counts_only_what_the_visibility_rule_shows_them(request, scene, persona, general, planned):
    user = request.getfixturevalue(persona)
    values = statistics_table(user, YEAR_TO_DATE, today=TODAY).total.values

    assert (values["general"], values["planned"]) == (general, planned)


def test_by_industry_the_rows_follow_the_taxonomy_with_a_total(province, scene):
    table = statistics_table(province, YEAR_TO_DATE, by=BY_INDUSTRY, today=TODAY)
    rows = {row.label: row.values for row in table.rows}

    assert rows["烟花爆竹"]["general"] == 4 and rows["建筑施工"]["general"] == 1
    assert rows["煤矿"]["general"] == 0
    assert table.total.values == PROVINCE_TOTAL
    assert table.rows[0].label == "煤矿"


def _linked(user, url):
    return linked_hazards(user, url)


@pytest.mark.parametrize("by", [BY_REGION, BY_INDUSTRY])
def test_every_figure_links_to_a_ledger_list_of_exactly_the_hazards_it_counts(client, province, scene, by):
    table = statistics_table(province, Period.quarter(2026, 2), by=by, today=TODAY)
    client.force_login(province)
    checked = 0
    for row in [*table.rows, table.total]:
        for cell in row.cells:
            if cell.column.measure == "rate":
                assert cell.url == ""
                continue
            listed = _linked(province, cell.url)
            if cell.column.measure == "units":
                assert listed.values("unit").distinct().count() == cell.value, (row.label, cell.column.key)
            elif cell.column.measure == "funds":
                assert (listed.aggregate(s=Sum("funds"))["s"] or Decimal("0.00")) == cell.value, row.label
            else:
                assert listed.count() == cell.value, (row.label, cell.column.key, cell.url)
            checked += 1
    assert checked > 200
    # The links open the ledger page itself, filtered.
    response = client.get(table.total.cells[1].url)
    assert response.status_code == 200


def test_the_table_page_shows_the_figures_with_links_and_keeps_a_bad_period(client, province, scene):
    client.force_login(province)
    response = client.get("/statistics/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-row="4301"' in html and "/hazards/?found_after=2026-01-01" in html

    bad = client.get("/statistics/?start=2026-05-01&end=2026-04-01")
    assert bad.status_code == 200
    assert 'value="2026-05-01"' in bad.content.decode()
    assert bad.context["form"].errors


def test_the_table_page_costs_a_fixed_number_of_queries(client, province, scene, django_assert_max_num_queries):
    client.force_login(province)
    # The tallies' whole months, the open work, the deadlines of this month and the partial month
    # live, the units of both, the plan: a fixed few, however many findings there are.
    with django_assert_max_num_queries(18):
        client.get("/statistics/?by=industry")
    with django_assert_max_num_queries(18):
        client.get("/statistics/")
