"""Issue 13 item 8: axe-core (the npm package, injected by the test) finds no critical or serious
violation on the main pages, for each persona, on a phone and on a desktop."""

from pathlib import Path

import pytest
from django.conf import settings

from hazards.models import Hazard
from tests.factories import PASSWORD
from tests.hazards.workflow_helpers import move_to, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BAR = {"critical", "serious"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def violations(page) -> list[str]:
    """What axe finds on the page as loaded, at the bar: one line per rule and element."""
    # Evaluated through the DevTools protocol, not a <script> tag: the pages' CSP does not apply to it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{page.url} {rule['impact']} {rule['id']}: {rule['help']} — {target}"
        for rule in found
        if rule["impact"] in BAR
        for target in rule["targets"]
    ]


def sign_in(browser, live_server, username, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    assert not violations(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page


PAGES = {
    "inspector": ["/", "/hazards/", "/hazards/new/", "/inspections/", "/inspections/new/", "/tasks/", "{hazard}"],
    "head": ["/", "/hazards/", "/tasks/", "/inspections/campaigns/", "/accounts/profile/", "{hazard}", "{submitted}"],
    "rectifier": ["/tasks/", "{rectifying}", "/notifications/"],
    "province": ["/hazards/", "/tasks/", "/hazards/exports/"],
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("persona", list(PAGES))
def test_the_main_pages_have_no_critical_or_serious_violation(
    live_server, browser, request, media, inspector, head, rectifier, province, persona, width
):
    unit = rectifier.organization
    hazards = {
        "hazard": report(inspector, unit=unit),
        "submitted": move_to(report(inspector, unit=unit), "submitted", head=head, rectifier=rectifier),
        "rectifying": move_to(
            report(inspector, level=Hazard.Level.MAJOR, unit=unit), "rectifying", head=head, rectifier=rectifier
        ),
    }
    context, page = sign_in(browser, live_server, persona, width)
    found = []
    for path in PAGES[persona]:
        if path.startswith("{"):
            path = f"/hazards/{hazards[path[1:-1]].pk}/"
        page.goto(f"{live_server.url}{path}")
        found += violations(page)
    context.close()
    assert not found, "\n".join(found)
