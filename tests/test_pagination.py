"""The ledger list never counts past LEDGER_LIST_COUNT_CAP (hunan_safety/pagination.py).

Up to the cap the list shows the exact count and every page; beyond it, "More than <cap> hazards",
PostgreSQL's estimate of the total, and only the pages within the cap.
"""

import html
import re

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.models import Hazard
from hunan_safety.pagination import CappedPaginator
from tests.factories import HazardFactory, UserFactory

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ROW = re.compile(r'<tr class="[^"]*" data-hazard="([^"]+)">')


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder")


@pytest.fixture
def as_province(client, province):
    client.force_login(province)
    return client


@pytest.fixture
def english(as_province):
    as_province.cookies["django_language"] = "en"
    return as_province


def make_hazards(count: int, *, recorder) -> list[Hazard]:
    return HazardFactory.create_batch(count, found_by=recorder)


def result_count(response) -> str:
    """The text of the count line (the bold part and the note beside it), tags and extra spaces removed."""
    block = response.content.decode().split('data-testid="result-count"', 1)[1].split('data-testid="ledger-actions"')[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block.split(">", 1)[1])).split())


def counted(response) -> str:
    """Just the bold count."""
    block = response.content.decode().split('data-testid="result-count"', 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block.split("<strong>", 1)[1].split("</strong>")[0])).split())


def numbers(response) -> list[str]:
    return ROW.findall(response.content.decode())


# The count line


def test_beyond_the_cap_the_list_says_more_than_the_cap(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    make_hazards(8, recorder=recorder)
    response = english.get("/hazards/")
    # "(about N)" only on PostgreSQL (see below); never the exact total.
    assert re.fullmatch(r"More than 5 hazards( \(about [\d,]+\))?", counted(response))
    assert "The pages show the first 5; filter to narrow them, or export the ledger for all." in result_count(response)


def test_beyond_the_cap_the_chinese_list_shows_the_cap_not_the_total(settings, as_province, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    make_hazards(8, recorder=recorder)
    response = as_province.get("/hazards/")
    assert response["Content-Language"] == "zh-hans"
    # The numbers of the count line: the cap, then PostgreSQL's estimate if there is one; never the total.
    estimate = response.context["page"].paginator.approximate_count
    shown = [int(number.replace(",", "")) for number in re.findall(r"\d[\d,]*", counted(response))]
    assert shown == ([5, estimate] if estimate else [5]), counted(response)
    assert "共 8 项隐患" not in counted(response)


@pytest.mark.parametrize("hazards", [0, 1, 4, 5])
def test_up_to_the_cap_the_exact_count_is_shown(settings, as_province, recorder, hazards):
    settings.LEDGER_LIST_COUNT_CAP = 5
    make_hazards(hazards, recorder=recorder)
    chinese = as_province.get("/hazards/")
    assert counted(chinese) == f"共 {hazards} 项隐患"
    as_province.cookies["django_language"] = "en"
    english = as_province.get("/hazards/")
    assert counted(english) == (f"{hazards} hazard" if hazards == 1 else f"{hazards} hazards")
    assert "More than" not in result_count(english) and "about" not in result_count(english)
    assert len(numbers(english)) == hazards


def test_the_default_cap_shows_the_exact_count(english, recorder):
    make_hazards(8, recorder=recorder)
    assert counted(english.get("/hazards/")) == "8 hazards"


def test_a_filter_that_brings_the_list_under_the_cap_shows_the_exact_count(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    make_hazards(8, recorder=recorder)
    HazardFactory.create_batch(3, found_by=recorder, level=Hazard.Level.MAJOR)
    assert counted(english.get("/hazards/", {"level": "major"})) == "3 hazards"
    assert counted(english.get("/hazards/")).startswith("More than 5 hazards")


@pytest.mark.postgres
def test_beyond_the_cap_postgresql_gives_an_estimate_of_at_least_the_cap(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    make_hazards(8, recorder=recorder)
    response = english.get("/hazards/")
    match = re.fullmatch(r"More than 5 hazards \(about ([\d,]+)\)", counted(response))
    assert match, counted(response)
    estimate = int(match[1].replace(",", ""))
    assert estimate >= 5
    assert estimate == response.context["page"].paginator.approximate_count


# The pages


def test_beyond_the_cap_only_the_pages_within_it_are_offered(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    make_hazards(8, recorder=recorder)
    response = english.get("/hazards/", {"per_page": "25"})
    assert response.context["page"].paginator.num_pages == 1
    assert 'class="pagination' not in response.content.decode()
    newest_first = sorted(Hazard.objects.values_list("number", flat=True), reverse=True)
    assert numbers(response) == newest_first[:5]


def test_beyond_the_cap_the_last_page_is_the_last_within_the_cap(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 30
    hazards = make_hazards(40, recorder=recorder)
    newest_first = [hazard.number for hazard in sorted(hazards, key=lambda hazard: hazard.pk, reverse=True)]

    first = english.get("/hazards/", {"per_page": "25"})
    assert first.context["page"].paginator.num_pages == 2
    assert "Page 1 of 2" in first.content.decode()
    assert numbers(first) == newest_first[:25]

    second = english.get("/hazards/", {"per_page": "25", "page": "2"})
    assert "Page 2 of 2" in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert numbers(second) == newest_first[25:30]

    past_the_cap = english.get("/hazards/", {"per_page": "25", "page": "3"})
    assert past_the_cap.status_code == 200
    assert past_the_cap.context["page"].number == 2
    assert numbers(past_the_cap) == numbers(second)


def test_under_the_cap_every_page_is_offered(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 100
    hazards = make_hazards(40, recorder=recorder)
    first = english.get("/hazards/", {"per_page": "25"})
    assert counted(first) == "40 hazards"
    assert "Page 1 of 2" in first.content.decode()
    second = english.get("/hazards/", {"per_page": "25", "page": "2"})
    assert len(numbers(second)) == 15
    assert set(numbers(first)) | set(numbers(second)) == {hazard.number for hazard in hazards}


# CappedPaginator on a plain queryset


def test_the_paginator_counts_exactly_up_to_the_cap(recorder):
    make_hazards(5, recorder=recorder)
    paginator = CappedPaginator(Hazard.objects.order_by("pk"), 2, cap=5)
    assert paginator.count == 5
    assert not paginator.is_capped
    assert paginator.num_pages == 3
    assert paginator.approximate_count is None
    assert len(paginator.page(3).object_list) == 1


def test_the_paginator_stops_counting_one_past_the_cap(recorder):
    make_hazards(8, recorder=recorder)
    paginator = CappedPaginator(Hazard.objects.order_by("pk"), 2, cap=5)
    assert paginator.count == 5  # the rows offered; the sixth counted only says there are more
    assert paginator.is_capped
    assert paginator.num_pages == 3
    assert list(paginator.page_range) == [1, 2, 3]
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert paginator.get_page(9).number == 3
    shown = [hazard for number in paginator.page_range for hazard in paginator.page(number).object_list]
    assert shown == list(Hazard.objects.order_by("pk")[:5])


def test_the_count_asks_the_database_for_at_most_the_cap_and_one(recorder):
    make_hazards(8, recorder=recorder)
    paginator = CappedPaginator(Hazard.objects.order_by("-found_on", "pk"), 25, cap=5)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 5
        assert paginator.is_capped
        assert paginator.num_pages == 1
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "COUNT(" in sql and "LIMIT 6" in sql and "ORDER BY" not in sql


def test_an_empty_list_has_one_empty_page(db):
    paginator = CappedPaginator(Hazard.objects.order_by("pk"), 25, cap=5)
    assert paginator.count == 0
    assert not paginator.is_capped
    assert paginator.num_pages == 1
    assert list(paginator.page(1).object_list) == []
    assert paginator.approximate_count is None


def test_the_approximate_count_is_postgresqls_estimate_and_none_elsewhere(recorder):
    make_hazards(8, recorder=recorder)
    paginator = CappedPaginator(Hazard.objects.order_by("pk"), 2, cap=5)
    if connection.vendor == "postgresql":
        assert paginator.approximate_count >= 6
    else:
        assert paginator.approximate_count is None
