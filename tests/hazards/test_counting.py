"""The ledger's count line (hazards/counting.py): exact up to LEDGER_LIST_COUNT_CAP, then "more than".

The page is drawn without the count and fetches it from /hazards/count/ (or counts on the page when
asked by the link, without JavaScript); a count is kept a few minutes per user and filters, and
forgotten when the workflow changes a hazard.
"""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards import workflow
from hazards.models import Hazard
from tests.factories import HazardFactory, UserFactory
from tests.hazards.workflow_helpers import in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


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


def counted(client, query: dict | None = None) -> str:
    """The bold part of the count line, tags and extra spaces removed."""
    fragment = client.get("/hazards/count/", query or {}).content.decode()
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", fragment.split("<strong>", 1)[1].split("</strong>")[0])).split()
    )


def ledger_count(query) -> bool:
    return "COUNT(" in query["sql"].upper() and "hazards_hazard" in query["sql"]


def test_beyond_the_cap_the_count_says_more_than_the_cap(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    HazardFactory.create_batch(8, found_by=recorder)
    # "(about N)" only on PostgreSQL (see below); never the exact total.
    assert re.fullmatch(r"More than 5 hazards( \(about [\d,]+\))?", counted(english))
    assert "Filter to narrow them, or export the ledger for all." in english.get("/hazards/count/").content.decode()


@pytest.mark.parametrize("hazards", [0, 1, 4, 5])
def test_up_to_the_cap_the_exact_count_is_shown_in_both_languages(settings, as_province, recorder, hazards):
    settings.LEDGER_LIST_COUNT_CAP = 5
    HazardFactory.create_batch(hazards, found_by=recorder)
    assert counted(as_province) == f"共 {hazards} 项隐患"
    as_province.cookies["django_language"] = "en"
    assert counted(as_province) == (f"{hazards} hazard" if hazards == 1 else f"{hazards} hazards")


def test_a_filter_that_brings_the_list_under_the_cap_shows_the_exact_count(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    HazardFactory.create_batch(8, found_by=recorder)
    HazardFactory.create_batch(3, found_by=recorder, level=Hazard.Level.MAJOR)
    assert counted(english, {"level": "major"}) == "3 hazards"
    assert counted(english).startswith("More than 5 hazards")


@pytest.mark.postgres
def test_beyond_the_cap_postgresql_gives_an_estimate_of_at_least_the_cap(settings, english, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    HazardFactory.create_batch(8, found_by=recorder)
    match = re.fullmatch(r"More than 5 hazards \(about ([\d,]+)\)", counted(english))
    assert match and int(match[1].replace(",", "")) >= 5


def test_each_persona_counts_what_they_may_see(client, inspector, head, rectifier, province, recorder, subtests):
    HazardFactory.create_batch(3, found_by=recorder)  # 浏阳市 fireworks
    HazardFactory(found_by=recorder, rectifying_unit=rectifier.organization, state=Hazard.State.ASSIGNED)
    outsider = UserFactory(username="outsider")
    for user, expected in [(province, 4), (head, 4), (inspector, 4), (rectifier, 1), (outsider, 0)]:
        with subtests.test(user=user.username):
            client.force_login(user)
            client.cookies["django_language"] = "en"
            assert Hazard.objects.visible_to(user).count() == expected
            assert counted(client) == f"{expected} hazard{'' if expected == 1 else 's'}"


def test_the_count_stops_one_past_the_cap(settings, as_province, recorder):
    settings.LEDGER_LIST_COUNT_CAP = 5
    HazardFactory.create_batch(8, found_by=recorder)
    with CaptureQueriesContext(connection) as queries:
        as_province.get("/hazards/count/")
    counts = [query["sql"].upper() for query in queries if ledger_count(query)]
    assert len(counts) == 1 and "LIMIT 6" in counts[0]


def test_a_count_is_kept_for_the_same_filters_and_shown_on_the_page(english, recorder):
    HazardFactory.create_batch(3, found_by=recorder)
    page = english.get("/hazards/").content.decode()
    assert 'data-testid="count-link"' in page and "3 hazards" not in page
    assert counted(english) == "3 hazards"
    # Another page, size or sort of the same filters: the count kept is shown, with no count query.
    with CaptureQueriesContext(connection) as queries:
        page = english.get("/hazards/", {"per_page": 50, "sort": "number"}).content.decode()
    assert "<strong>3 hazards</strong>" in page and 'data-testid="count-link"' not in page
    assert not any(ledger_count(query) for query in queries)
    # Other filters have a count of their own.
    assert 'data-testid="count-link"' in english.get("/hazards/", {"level": "major"}).content.decode()


def test_a_workflow_action_makes_the_kept_counts_stale(english, head, recorder, django_capture_on_commit_callbacks):
    hazards = HazardFactory.create_batch(3, found_by=recorder)
    assert counted(english, {"state": "reported"}) == "3 hazards"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.void(actor=head, hazard_id=hazards[0].pk, version=hazards[0].version, reason="重复登记。")
    assert counted(english, {"state": "reported"}) == "2 hazards"


def test_without_javascript_the_link_counts_on_the_page(english, recorder):
    HazardFactory.create_batch(2, found_by=recorder)
    page = english.get("/hazards/", {"count": 1}).content.decode()
    assert "<strong>2 hazards</strong>" in page


def test_a_bad_filter_value_is_counted_as_no_filter_not_a_500(english, recorder):
    HazardFactory.create_batch(2, found_by=recorder, deadline=in_days(3))
    response = english.get("/hazards/count/", {"due_within": "abc", "found_after": "x"})
    assert response.status_code == 200
