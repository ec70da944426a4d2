"""The table's coverage columns (应排查 / 实际排查 / 覆盖率) for a campaign, from inspections/coverage.py.

The scene is the coverage tests' own (tests/units/test_coverage.py): five units of the register in
the fireworks campaign's scope, in 浏阳 (3) and 宁乡 (2), two of them inspected in it (A, D).
"""

import pytest

from stats.periods import Period
from stats.table import BY_INDUSTRY, BY_REGION, statistics_table
from tests.factories import industry
from tests.hazards.workflow_helpers import head_out_of_scope
from tests.units.test_coverage import scene  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

YEAR = Period.year(2026)


def _coverage(row):
    shown = {cell.column.key: cell.shown for cell in row.cells}
    return row.values["to_check"], row.values["checked"], shown["coverage_rate"]


def _row(table, key):
    return next(row for row in table.rows if row.key == key)


def test_the_province_table_shows_the_campaigns_coverage_per_city_and_in_total(scene, province):  # noqa: F811
    campaign, _units = scene
    table = statistics_table(province, YEAR, today=YEAR.end, campaign=campaign)

    assert _coverage(_row(table, "4301")) == (5, 2, "40.0")
    assert _coverage(_row(table, "4302")) == (0, 0, "—")
    assert _coverage(table.total) == (5, 2, "40.0")
    assert [column.key for column in table.columns][-3:] == ["to_check", "checked", "coverage_rate"]


def test_without_a_campaign_there_are_no_coverage_columns(scene, province):  # noqa: F811
    table = statistics_table(province, YEAR, today=YEAR.end)

    assert "to_check" not in {column.key for column in table.columns}


def test_each_coverage_figure_links_to_the_units_it_counts_and_those_not_inspected(client, scene, head):  # noqa: F811
    campaign, _units = scene
    table = statistics_table(head, YEAR, today=YEAR.end, campaign=campaign)
    client.force_login(head)

    seen = {}
    for row in [_row(table, "430181"), _row(table, "430182"), table.total]:
        cell = next(cell for cell in row.cells if cell.column.key == "to_check")
        page = client.get(cell.url)
        assert page.status_code == 200
        figures = page.context["coverage"].total
        # The linked page's units in scope and its list of units not inspected are exactly the row's.
        assert (figures.in_scope, figures.inspected) == (row.values["to_check"], row.values["checked"])
        assert page.context["blind_count"] == row.values["to_check"] - row.values["checked"]
        seen[row.key] = _coverage(row)
    assert seen == {"430181": (3, 1, "33.3"), "430182": (2, 1, "50.0"), "total": (5, 2, "40.0")}


def test_by_industry_a_unit_counts_under_the_campaigns_industries_it_operates_in(client, scene, province):  # noqa: F811
    campaign, _units = scene
    table = statistics_table(province, YEAR, by=BY_INDUSTRY, today=YEAR.end, campaign=campaign)

    fireworks = _row(table, str(industry("fireworks").pk))
    assert _coverage(fireworks) == (5, 2, "40.0")
    # H also builds (construction), but the campaign is about fireworks: counted there only.
    assert _coverage(_row(table, str(industry("construction").pk))) == (0, 0, "—")
    client.force_login(province)
    link = next(cell.url for cell in fireworks.cells if cell.column.key == "checked")
    assert client.get(link).context["coverage"].total.inspected == 2


def test_a_head_of_another_city_sees_none_of_the_campaigns_units(scene):  # noqa: F811
    campaign, _units = scene
    table = statistics_table(head_out_of_scope(), YEAR, by=BY_REGION, today=YEAR.end, campaign=campaign)

    assert _coverage(table.total) == (0, 0, "—")


def test_the_table_page_takes_the_campaign_from_its_form(client, scene, province):  # noqa: F811
    campaign, _units = scene
    client.force_login(province)
    response = client.get(f"/statistics/?start=2026-01-01&end=2026-12-31&campaign={campaign.pk}")

    assert response.status_code == 200
    assert response.context["table"].total.values["to_check"] == 5
    assert f"/inspections/campaigns/{campaign.pk}/coverage/" in response.content.decode()
