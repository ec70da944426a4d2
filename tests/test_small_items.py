"""Issue 13 item 7: the small defects seen while walking every page, each with its test."""

import re

import pytest

from hazards.models import Hazard
from notifications.models import ChannelPreference
from tests.hazards.workflow_helpers import move_to, report, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def active_nav_items(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link active" href="([^"]+)"', html)


@pytest.mark.parametrize(
    ("path", "item"),
    [("/inspections/new/", "/inspections/new/"), ("/inspections/", "/inspections/"), ("/hazards/new/", "/hazards/")],
)
def test_one_navigation_item_is_active_at_a_time(client, inspector, path, item):
    client.force_login(inspector)
    assert active_nav_items(client.get(path).content.decode()) == [item]


def test_the_robot_channel_is_not_shown_ticked_when_no_robot_is_configured(client, rectifier):
    ChannelPreference.objects.create(user=rectifier, webhook=True)
    client.force_login(rectifier)

    html = client.get("/accounts/profile/").content.decode()

    checkbox = re.search(r'<input[^>]*name="webhook"[^>]*>', html).group(0)
    assert "disabled" in checkbox and "checked" not in checkbox
    # Saving the page keeps the choice for the day a robot is added.
    client.post("/accounts/profile/", {"email_address": "", "language": "zh-hans"})
    assert ChannelPreference.objects.get(user=rectifier).webhook is True


def test_the_production_suspension_row_of_a_major_hazard_shows_a_dash_when_empty(client, inspector, head):
    hazard = report(inspector, level=Hazard.Level.MAJOR, site_name="浏阳某烟花厂")
    client.force_login(head)

    page = text(client.get(f"/hazards/{hazard.pk}/").content.decode())

    assert "停产停业情况 —" in page


def test_closing_reads_as_cancelling_the_ledger_entry_in_english(client, inspector, head, rectifier):
    hazard = move_to(report(inspector, unit=rectifier.organization), "verified", head=head, rectifier=rectifier)
    client.cookies["django_language"] = "en"
    client.force_login(head)

    html = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "Cancel the ledger entry (close)" in html
    closed = client.post(f"/hazards/{hazard.pk}/act/close/", {"close-version": hazard.version}, follow=True)
    page = text(closed.content.decode())
    assert "Ledger entry cancelled (closed)." in page and "Closed (ledger entry cancelled)" in page
    assert "account" not in page.lower().replace("accounts/", "")


def test_the_favicon_is_served_to_everyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".ico")


@pytest.mark.parametrize("path", ["/hazards/new/", "/inspections/new/"])
def test_the_province_is_told_why_a_page_is_not_for_it(client, province, path):
    client.cookies["django_language"] = "en"
    client.force_login(province)

    response = client.get(path)

    assert response.status_code == 404
    assert "Only inspectors and department heads record findings." in text(response.content.decode())


def test_a_hazard_out_of_scope_is_a_plain_404_that_confirms_nothing(client, inspector, rectifier):
    hazard = report(inspector, site_name="浏阳某烟花厂")
    client.force_login(rectifier)

    response = client.get(f"/hazards/{hazard.pk}/")

    assert response.status_code == 404
    assert 'data-testid="not-found-reason"' not in response.content.decode()


def test_an_empty_ledger_says_what_to_do_not_that_no_filter_matches(client, inspector, rectifier):
    client.cookies["django_language"] = "en"
    client.force_login(inspector)
    page = text(client.get("/hazards/").content.decode())
    assert "Nothing is on the ledger in your scope yet." in page and "Record an inspection" in page
    assert "No hazard matches these filters." not in page

    client.force_login(rectifier)
    assert "once inspectors record them" in text(client.get("/hazards/").content.decode())
    filtered = text(client.get("/hazards/?level=major").content.decode())
    assert "No hazard matches these filters." in filtered


def test_the_import_template_has_a_chinese_file_name_in_the_chinese_interface(client, inspector):
    client.force_login(inspector)
    response = client.get("/hazards/import/template.xlsx")
    assert response.status_code == 200
    assert "%E9%9A%90%E6%82%A3" in response["Content-Disposition"]  # 隐患, percent-encoded (RFC 5987)
