"""The ledger's pages by key (hazards/listing.py): every row once, in order, whatever the sort, ties or new rows.

A user walks the list with "Next" (and back with "Previous"): the rows seen are exactly the list,
in its order, none twice and none missed — with many rows on the same day, the same deadline or
none, and while other people record findings in between.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hazards.listing import LedgerPage, ledger_page
from hazards.models import Hazard
from tests.factories import HazardFactory, UserFactory, industry, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

SORTS = ["", "found_on", "number", "-number", "deadline", "-deadline", "level", "-level", "state", "-updated"]


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder")


@pytest.fixture
def tied(recorder):
    """23 hazards on three days, some with a deadline (tied too), some without, of both levels and three states."""
    today = timezone.localdate()
    hazards = []
    for n in range(23):
        hazards.append(
            HazardFactory(
                found_by=recorder,
                found_on=today - timedelta(days=n % 3),
                deadline=None if n % 4 == 0 else today + timedelta(days=n % 2),
                level=Hazard.Level.MAJOR if n % 5 == 0 else Hazard.Level.GENERAL,
                state=[Hazard.State.REPORTED, Hazard.State.ASSIGNED, Hazard.State.CLOSED][n % 3],
            )
        )
    return hazards


def ordering_of(sort: str) -> list[str]:
    from hazards.filters import HazardFilter

    params = {"sort": sort} if sort else None
    return HazardFilter(params, queryset=Hazard.objects.order_by("-found_on", "-id")).qs.query.order_by


def page_of(user, ordering, per_page: int, **where) -> "LedgerPage":
    """A page of the whole ledger as `user` may see it: the first, or `where` (cursor, number, backwards)."""
    return ledger_page(Hazard.objects.all(), user=user, ordering=ordering, per_page=per_page, **where)


def walk(user, sort: str, per_page: int, between_pages=lambda number: None) -> list[int]:
    """The ids of every page, following "Next" from the first page to the last."""
    ordering = ordering_of(sort)
    page = page_of(user, ordering, per_page)
    seen = [row.pk for row in page.rows]
    for number in itertools.count(2):
        if not page.has_next:
            return seen
        between_pages(number)
        page = ledger_page(
            Hazard.objects.all(),
            user=user,
            ordering=ordering,
            per_page=per_page,
            cursor=page.next_cursor,
            number=number,
        )
        seen += [row.pk for row in page.rows]
    return seen


def in_order(sort: str) -> list[int]:
    """The whole list in the sort's order, read at once: what the pages must add up to."""
    from hazards.listing import sort_keys

    keys = sort_keys(ordering_of(sort))
    return list(Hazard.objects.order_by(*[key.order() for key in keys]).values_list("pk", flat=True))


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("per_page", [1, 4, 25])
def test_following_next_shows_every_row_once_in_order_despite_ties(province, tied, sort, per_page):
    assert walk(province, sort, per_page) == in_order(sort)


@pytest.mark.parametrize("sort", SORTS)
def test_previous_leads_back_to_the_same_rows(province, tied, sort):
    ordering = ordering_of(sort)
    pages = [page_of(province, ordering, 4)]
    for number in range(2, 5):
        pages.append(page_of(province, ordering, 4, cursor=pages[-1].next_cursor, number=number))
    for earlier, later in itertools.pairwise(pages):
        back = page_of(province, ordering, 4, cursor=later.previous_cursor, backwards=True, number=later.number - 1)
        assert [row.pk for row in back.rows] == [row.pk for row in earlier.rows]
        assert back.has_next and back.has_previous == (earlier.number > 1)


@pytest.mark.parametrize("sort", ["", "deadline", "-number", "level"])
def test_rows_recorded_while_paging_never_make_a_row_repeat_or_go_missing(province, tied, recorder, sort):
    """Findings recorded between two clicks, on the days and deadlines already shown: no row twice, none lost."""
    existing = set(Hazard.objects.values_list("pk", flat=True))
    today = timezone.localdate()

    def someone_records(number):
        for days_ago in (0, 1, 2, 5):  # the newest day, the tied days of the pages, and older
            HazardFactory(
                found_by=recorder,
                found_on=today - timedelta(days=days_ago),
                deadline=today + timedelta(days=number % 2),
                level=Hazard.Level.MAJOR if number % 2 else Hazard.Level.GENERAL,
            )

    seen = walk(province, sort, 3, between_pages=someone_records)
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert existing <= set(seen), "a row that was there all along was skipped"
    # The rows shown are in the list's order as it stands now.
    assert seen == [pk for pk in in_order(sort) if pk in set(seen)]


def test_a_page_by_key_costs_no_offset_however_deep(province, tied):
    ordering = ordering_of("")
    page = page_of(province, ordering, 2)
    for number in range(2, 8):
        with CaptureQueriesContext(connection) as queries:
            page = page_of(province, ordering, 2, cursor=page.next_cursor, number=number)
        assert len(queries) == 1
        assert "OFFSET" not in queries[0]["sql"].upper()
        assert "LIMIT 3" in queries[0]["sql"].upper()


def test_a_forged_or_stale_key_shows_the_first_page(client, province, tied):
    client.force_login(province)
    first = client.get("/hazards/")
    for cursor in ["garbage", "WzEsMl0", "eyJ4IjogMX0", "WyJub3QtYS1kYXRlIiwgImFiYyJd", "%%%"]:
        response = client.get("/hazards/", {"after": cursor})
        assert response.status_code == 200
        assert [row.pk for row in response.context["rows"]] == [row.pk for row in first.context["rows"]]
        response = client.get("/hazards/", {"before": cursor})
        assert response.status_code == 200


def test_the_page_links_go_by_number_for_the_first_pages_and_by_key_beyond(client, province, tied):
    client.force_login(province)
    response = client.get("/hazards/", {"per_page": 25})
    assert response.context["page"].numbered == [1]  # 23 rows: one page, no link
    assert 'class="pagination' not in response.content.decode()
    HazardFactory.create_batch(200, found_by=UserFactory())
    response = client.get("/hazards/", {"page": 3})
    page = response.context["page"]
    assert page.number == 3 and page.numbered == [1, 2, 3, 4]
    html = response.content.decode()
    assert 'href="?page=4"' in html and f"after={page.next_cursor}" in html and "before=" in html
    sixth = client.get("/hazards/", {"page": 6, "after": page.next_cursor}).context["page"]
    assert sixth.number == 6 and sixth.numbered == []


# The visibility rule, arm by arm: the same rows as `visible_to`, in the same order


@pytest.mark.parametrize("small_set", [2000, 0], ids=["inspections and chains as values", "as subqueries"])
def test_each_persona_pages_through_exactly_what_the_rule_lets_them_see(
    inspector, head, rectifier, province, recorder, subtests, monkeypatch, small_set
):
    """Hazards of every arm of the rule (area, found by, inspection team, chain, rectifying unit) and outside all."""
    monkeypatch.setattr("hazards.visibility.SMALL_SET", small_set)
    from inspections.models import Inspection
    from tests.inspections.factories import InspectionFactory

    today = timezone.localdate()
    elsewhere = region("430281")  # 醴陵市, outside the 长沙 head's and the 浏阳 inspector's area
    for n in range(12):
        HazardFactory(found_by=recorder, found_on=today - timedelta(days=n % 4))  # 浏阳 fireworks
        HazardFactory(found_by=recorder, region=elsewhere, found_on=today - timedelta(days=n % 4))
        HazardFactory(
            found_by=recorder, industry=industry("construction-housing"), found_on=today - timedelta(days=n % 4)
        )
    HazardFactory(found_by=inspector, region=elsewhere)
    team = InspectionFactory(region=elsewhere)
    Inspection.inspectors.through.objects.create(inspection=team, user=inspector)
    HazardFactory(found_by=recorder, region=elsewhere, inspection=team)
    HazardFactory(found_by=recorder, region=elsewhere).named_users.add(head)
    HazardFactory(found_by=recorder, rectifying_unit=rectifier.organization, state=Hazard.State.ASSIGNED)
    outsider = UserFactory(username="outsider")
    for user in (inspector, head, rectifier, province, outsider):
        with subtests.test(user=user.username):
            visible = list(Hazard.objects.visible_to(user).order_by("-found_on", "-id").values_list("pk", flat=True))
            assert walk(user, "", 5) == visible
            if user is outsider:
                assert visible == []
            if user is inspector:
                assert len(visible) > 12  # the area, and beyond it what they found and their team's finding


# What a row shows, read as plain values (hazards/listing.py row_columns, display_rows)


def _row_html(html: str, number: str) -> str:
    start = html.rindex("<tr", 0, html.index(f'data-hazard="{number}"'))
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    ("language", "industry_name", "state_label", "level_label", "overdue"),
    [
        ("zh-hans", "烟花爆竹生产", "整改中", "重大隐患", "逾期 3 天"),
        ("en", "Fireworks production", "Rectifying", "Major", "3 days overdue"),
    ],
)
def test_a_row_shows_its_names_labels_links_and_lateness_in_the_reader_s_language(
    client, head, recorder, language, industry_name, state_label, level_label, overdue
):
    from tests.factories import EnterpriseFactory

    today = timezone.localdate()
    unit = EnterpriseFactory(name="浏阳市东风烟花厂", region=region("430181"))
    late = HazardFactory(
        found_by=recorder,
        unit=unit,
        site_name="",
        level=Hazard.Level.MAJOR,
        listed_level=Hazard.ListedLevel.PROVINCE,
        state=Hazard.State.RECTIFYING,
        rectifying_unit=unit,
        found_on=today - timedelta(days=10),
        deadline=today - timedelta(days=3),
    )
    on_site = HazardFactory(found_by=recorder, site_name="沿河路改造工地", state=Hazard.State.REPORTED)
    hidden = HazardFactory(found_by=recorder, region=region("430281"), title="醴陵的隐患")  # outside the head's city
    client.force_login(head)
    client.cookies["django_language"] = language
    html = client.get("/hazards/").content.decode()

    row = _row_html(html, late.number)
    assert f'href="/hazards/{late.pk}/"' in row
    assert industry_name in row and "浏阳市" in row and "浏阳市东风烟花厂" in row
    assert state_label in row and f'data-state="{Hazard.State.RECTIFYING}"' in row
    assert level_label in row and "text-bg-danger" in row
    assert overdue in row and "overdue" in row.split(">")[0]  # the row is marked late
    assert f'value="{late.pk}"' in row  # the head can tick it for a bulk action
    row = _row_html(html, on_site.number)
    assert "沿河路改造工地" in row and "overdue" not in row.split(">")[0]
    assert hidden.number not in html and "醴陵的隐患" not in html
