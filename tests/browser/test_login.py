from pathlib import Path

import pytest

from tests.factories import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_signs_in_sees_chinese_and_switches_to_english(live_server, page, inspector):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/**")
    welcome = page.get_by_test_id("welcome")
    assert "欢迎" in welcome.inner_text()
    assert "检查员" in page.content()
    # Chinese glyphs are actually drawn (fonts-noto-cjk): the heading has a real width.
    assert welcome.bounding_box()["width"] > 50

    # The phone layout folds the navigation away; open it, then switch language.
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    with page.expect_navigation():
        page.get_by_test_id("language-en").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome" in page.get_by_test_id("welcome").inner_text()
    assert "Inspector" in page.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-en.png"), full_page=True)


def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_username(live_server, page, inspector):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", "wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.locator(".alert-danger").is_visible()
    assert page.input_value("input[name=username]") == "inspector"
