"""Keyset pages never skip or repeat a row, under ties of the date and with rows added between pages."""

from datetime import date

import pytest

from tests.factories import HazardFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def _walk(api, page_size=7):
    seen, url = [], f"/api/v1/hazards/?page_size={page_size}"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    return seen


def test_pages_cover_every_row_once_in_the_ledger_order_despite_ties(api_for, province):
    made = [HazardFactory(region=region("430181"), found_on=date(2026, 6, day % 3 + 1)) for day in range(30)]
    seen = _walk(api_for(province))
    assert sorted(seen) == sorted(hazard.pk for hazard in made)
    assert len(seen) == len(set(seen))
    ordered = sorted(made, key=lambda hazard: (hazard.found_on, hazard.pk), reverse=True)
    assert seen == [hazard.pk for hazard in ordered]


def test_rows_added_while_paging_do_not_shift_the_pages(api_for, province):
    made = [HazardFactory(region=region("430181"), found_on=date(2026, 6, 1)) for _ in range(20)]
    api = api_for(province)
    first = api.get("/api/v1/hazards/?page_size=5").json()
    # A newer finding arrives: with an OFFSET every later page would repeat a row.
    HazardFactory(region=region("430181"), found_on=date(2026, 6, 10))
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(hazard.pk for hazard in made)


def test_a_forged_cursor_is_a_clear_400(api_for, province):
    answer = api_for(province).get("/api/v1/hazards/?cursor=!!!")
    assert answer.status_code == 400
    assert "cursor" in answer.json()["errors"]
