"""Walk of issue 13 (item 8's pages, in English): on a desktop the header and the ledger fit the
window. English labels are two to three times as wide as Chinese ones: the bar overflowed by 30–375 px
between 992 and 1400 px wide, pushing the notifications and the user menu off the screen, and
squeezed the language button to one character a line (in Chinese too, below 1200 px); the ledger's
table then pushed the page 30–440 px wider than the window, with titles a character a line."""

import pytest

from tests.factories import PASSWORD
from tests.hazards.workflow_helpers import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [992, 1100, 1280])
def test_the_header_and_the_ledger_fit_a_desktop_window_in_either_language(
    live_server, browser, inspector, rectifier, language, width
):
    for _ in range(3):
        report(inspector, unit=rectifier.organization, title="危险工房使用非防爆电气设备，未按规定设置防雷设施")
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", inspector.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/hazards/")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    title = page.locator(".cell-title").first.bounding_box()
    menu = page.get_by_test_id("user-menu").bounding_box()
    chinese = page.get_by_test_id("language-zh-hans").bounding_box()
    context.close()

    assert overflow <= 0
    assert menu is not None and menu["x"] + menu["width"] <= width
    assert chinese is not None and chinese["height"] < 40  # "简体中文" on one line, not one character a line
    assert title is not None and title["width"] >= 150
