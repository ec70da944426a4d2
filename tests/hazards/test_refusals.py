"""Issue 13 item 4: each refusal says the rule, and after an error the page opens at the action card,
which stands near the top of the hazard's page for the person who has to act (no script needed)."""

import re

import pytest

from hazards.models import Hazard
from tests.hazards.workflow_helpers import ask_extension, move_to, report, snapshot, text

pytestmark = pytest.mark.usefixtures("frozen_today")

GENERIC = "This field is required."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def post(client, hazard: Hazard, action: str, data: dict):
    fields = {f"{action}-version": hazard.version, **{f"{action}-{key}": value for key, value in data.items()}}
    response = client.post(f"/hazards/{hazard.pk}/act/{action}/", fields)
    assert response.status_code == 400
    return response


def test_assigning_without_a_deadline_says_what_the_deadline_is(english, inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    before = snapshot(hazard)
    english.force_login(head)

    page = text(post(english, hazard, "assign", {"rectifying_unit": rectifier.organization_id}).content.decode())

    assert (
        "Set the deadline by which the unit must have rectified the hazard (today or later), or the time limit in working days."
        in page
    )
    assert GENERIC not in page
    assert snapshot(hazard) == before


def test_starting_a_major_hazard_without_the_five_musts_names_them(english, inspector, head, rectifier):
    hazard = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    move_to(hazard, "assigned", head=head, rectifier=rectifier)
    english.force_login(rectifier)

    response = post(english, Hazard.objects.get(pk=hazard.pk), "start", {"measures": "停产整改。"})

    errors = response.context["action_forms"]["start"].errors
    assert "five musts" in errors["funds"][0] and "Funds" in errors["funds"][0]
    assert "five musts" in errors["contingency_plan"][0]
    assert GENERIC not in text(response.content.decode())


def test_the_five_musts_rule_reads_in_chinese(client, inspector, head, rectifier):
    hazard = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    move_to(hazard, "assigned", head=head, rectifier=rectifier)
    client.force_login(rectifier)

    page = text(post(client, Hazard.objects.get(pk=hazard.pk), "start", {"measures": "停产整改。"}).content.decode())

    assert "重大隐患须在开始整改前落实五落实" in page
    assert "这个字段是必填项。" not in page


def test_deciding_an_extension_without_a_decision_says_what_to_choose(english, inspector, head, rectifier):
    hazard = move_to(report(inspector, unit=rectifier.organization), "rectifying", head=head, rectifier=rectifier)
    ask_extension(hazard, rectifier)
    english.force_login(head)

    page = text(post(english, Hazard.objects.get(pk=hazard.pk), "decide_extension", {}).content.decode())

    assert "Choose whether to approve the new deadline or deny it" in page
    assert GENERIC not in page


def test_after_an_error_the_page_opens_at_the_action_card_with_the_errors(english, inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    english.force_login(head)

    html = post(english, hazard, "assign", {}).content.decode()

    # The form posts to an address ending in its own anchor: the browser scrolls to it when the
    # page with the errors comes back, on a phone as on a desktop, without any script.
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*id="action-assign"', html).group(1)
    assert action.endswith("#action-assign")
    form = html[html.index('id="action-assign"') :]
    assert form.index('data-testid="action-errors"') < form.index("</form>")
    assert 'class="collapse show' in html[html.rindex("<form", 0, html.index('id="action-assign"')) :][:400]


@pytest.mark.parametrize("who", ["head", "rectifier"])
def test_the_action_card_comes_before_the_finding_for_whoever_acts(client, inspector, head, rectifier, who):
    hazard = move_to(report(inspector, unit=rectifier.organization), "submitted", head=head, rectifier=rectifier)
    if who == "rectifier":
        hazard = move_to(report(inspector, unit=rectifier.organization), "rectifying", head=head, rectifier=rectifier)
    client.force_login({"head": head, "rectifier": rectifier}[who])

    html = client.get(f"/hazards/{hazard.pk}/").content.decode()

    assert html.index('data-testid="actions"') < html.index(hazard.description)
