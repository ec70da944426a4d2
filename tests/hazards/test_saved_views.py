"""Saved ledger views and the column chooser (issue 13.11): named links to the list as a user arranged it."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.models import SavedView
from tests.factories import HazardFactory, UserFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def ledger(db):
    finder = UserFactory(username="finder")
    HazardFactory(found_by=finder, title="浏阳工房药物超量")
    HazardFactory(found_by=finder, region=region("430281"), title="醴陵仓库堆放混乱")


def view_links(client) -> dict[str, str]:
    """The "My views" menu, as the page fetches it when it is opened."""
    menu = client.get("/hazards/views/").content.decode()
    return {
        name: query for query, name in re.findall(r'href="/hazards/\?([^"]*)" data-testid="saved-view">([^<]+)<', menu)
    }


def test_a_user_saves_the_list_as_shown_and_returns_to_it(client, province, ledger):
    client.force_login(province)
    client.cookies["django_language"] = "en"
    shown = "county=430181&sort=number&columns=industry&columns=state&page=2"
    response = client.post("/hazards/views/save/", {"name": "浏阳台账", "list_query": shown})
    assert response.status_code == 302
    assert response["Location"] == "/hazards/?county=430181&sort=number&columns=industry&columns=state"
    page = client.get(response["Location"]).content.decode()
    assert "The view “浏阳台账” is saved" in page
    assert 'hx-get="/hazards/views/?list_query=county%3D430181' in page
    assert view_links(client) == {"浏阳台账": "county=430181&amp;sort=number&amp;columns=industry&amp;columns=state"}
    # The same name again: the view takes the new filters, no second one.
    client.post("/hazards/views/save/", {"name": "浏阳台账", "list_query": "county=430181"})
    assert list(SavedView.objects.filter(owner=province).values_list("name", "query")) == [
        ("浏阳台账", "county=430181")
    ]


def test_a_saved_view_is_a_link_anyone_can_open_within_their_own_scope(client, province, inspector, ledger):
    client.force_login(province)
    client.post("/hazards/views/save/", {"name": "全部", "list_query": "sort=number"})
    query = SavedView.objects.get(owner=province).query
    client.force_login(inspector)
    shared = client.get(f"/hazards/?{query}").content.decode()
    assert "浏阳工房药物超量" in shared and "醴陵仓库堆放混乱" not in shared  # 醴陵 is outside the inspector's county
    assert view_links(client) == {}  # the views are the owner's


def test_a_view_needs_a_name_and_nothing_is_saved_without_one(client, province, ledger):
    client.force_login(province)
    client.cookies["django_language"] = "en"
    response = client.post("/hazards/views/save/", {"name": "  ", "list_query": "level=major"}, follow=True)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Give the view a name, so that you can find it again."
    ]
    assert response.request["QUERY_STRING"] == "level=major"
    assert not SavedView.objects.exists()


def test_forgetting_a_view_keeps_it_but_takes_it_off_the_list(client, province, head, ledger):
    client.force_login(province)
    client.post("/hazards/views/save/", {"name": "重大", "list_query": "level=major"})
    view = SavedView.objects.get()
    client.force_login(head)
    assert client.post(f"/hazards/views/{view.pk}/forget/").status_code == 404  # not head's
    client.force_login(province)
    client.post(f"/hazards/views/{view.pk}/forget/")
    view.refresh_from_db()
    assert view.forgotten_at is not None
    assert view_links(client) == {}
    # The name is free again.
    client.post("/hazards/views/save/", {"name": "重大", "list_query": "level=general"})
    assert SavedView.objects.filter(forgotten_at__isnull=True).get().query == "level=general"


def test_the_saved_views_are_read_once_then_from_the_cache(client, province, ledger):
    client.force_login(province)
    client.post("/hazards/views/save/", {"name": "一", "list_query": "level=major"})
    with CaptureQueriesContext(connection) as queries:
        client.get("/hazards/")
    assert not any("hazards_savedview" in query["sql"] for query in queries)  # the menu is fetched when opened
    view_links(client)
    with CaptureQueriesContext(connection) as queries:
        assert view_links(client) == {"一": "level=major"}
    assert not any("hazards_savedview" in query["sql"] for query in queries)


def test_the_column_chooser_hides_columns_and_keeps_the_choice(client, province, ledger):
    client.force_login(province)
    client.cookies["django_language"] = "en"
    everything = client.get("/hazards/").content.decode()
    assert all(f'class="cell-{cell}' in everything for cell in ("industry", "county", "state", "found"))
    chosen = client.get("/hazards/", {"columns": ["industry", "state"]}).content.decode()
    assert 'class="cell-industry' in chosen and 'class="cell-state' in chosen
    assert 'class="cell-county' not in chosen and 'class="cell-found' not in chosen
    assert ">County</th>" not in chosen
    assert 'value="industry" id="column-industry" checked' in chosen
    assert 'value="county" id="column-county">' in chosen  # unticked
    # The next page keeps the columns.
    assert "columns=industry" in client.get("/hazards/", {"columns": ["industry"], "sort": "number"}).content.decode()
