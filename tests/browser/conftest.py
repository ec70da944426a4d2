"""Playwright driving Debian's Chromium against pytest-django's live server."""

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, for as long as the browser lives;
    # the tests' ORM calls (and the database flush after each) stay synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    # An English-speaking browser: the product must still speak Chinese until the user switches.
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _live_server_reference_data(reference_data):
    """Every live-server test commits, and the flush after it empties the reference tables: reload them.

    The browser tests keep the real clock (no `frozen_today`): the session cookie's expiry, computed
    by a frozen server, may already have passed for Chromium, which reads the machine's clock. Their
    dates stay days away from today, so that no comparison depends on the hour they run at.
    """
