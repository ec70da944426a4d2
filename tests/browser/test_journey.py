"""The whole journey with three users: find, assign, rectify, reject, rectify again, accept, close."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from hazards.models import Hazard, HazardEvent
from tests.factories import PASSWORD, industry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 160, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _sign_in(browser, live_server, username, *, init_script=None, viewport=None):
    context = browser.new_context(locale="zh-CN", viewport=viewport or {"width": 1280, "height": 900})
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _act(page, action, fill=None, files=None):
    page.locator(f'[data-action="{action}"]').click()
    form = page.locator(f"#action-{action}")
    # Bootstrap's collapse animates ("collapsing"); act once it has settled open ("collapse show").
    page.locator(f"#action-{action}.collapse.show").wait_for()
    for selector, value in (fill or {}).items():
        field = form.locator(selector)
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for selector, payload in (files or {}).items():
        form.locator(selector).set_input_files(files=payload)
    # Wait for the POST's answer, not for the page that was already loaded.
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".alert-success").count() == 1, page.locator("main").inner_text()


def test_the_whole_journey_with_three_users(live_server, browser, inspector, head, rectifier, media):
    # The inspector records the finding at the rectifier's enterprise, picking it by typing.
    page = _sign_in(browser, live_server, "inspector")
    page.goto(f"{live_server.url}/hazards/new/")
    page.fill("input[name=title]", "成品仓库超量储存")
    page.fill("textarea[name=description]", "成品仓库储存量超过核定限量。")
    page.select_option("select[name=industry]", str(industry("fireworks-production").pk))
    page.locator(".ts-control input").first.fill("测试烟花")
    page.locator(".ts-dropdown .option", has_text="浏阳测试烟花有限公司").click()
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/hazards/\d+/$"))
    hazard = Hazard.objects.get(title="成品仓库超量储存")
    assert hazard.unit == rectifier.organization
    detail = f"{live_server.url}/hazards/{hazard.pk}/"

    # The city head assigns it with a deadline; the chain is resolved for review.
    page = _sign_in(browser, live_server, "head")
    page.goto(f"{live_server.url}/tasks/")
    page.locator('[data-queue="to_assign"]').get_by_text("成品仓库超量储存").click()
    deadline = (timezone.localdate() + timedelta(days=15)).isoformat()
    _act(page, "assign", {"input[name='assign-deadline']": deadline})
    head_page = page

    # The rectifier starts, then submits with an "after" photo.
    page = _sign_in(browser, live_server, "rectifier")
    page.goto(f"{live_server.url}/tasks/")
    page.locator('[data-queue="to_start"]').get_by_text("成品仓库超量储存").click()
    _act(page, "start", {"textarea[name='start-measures']": "清点库存，超量部分转运至合格仓库。"})
    page.locator('[data-action="submit"]').click()
    page.locator("#action-submit.collapse.show").wait_for()
    page.fill("textarea[name='submit-completion_report']", "超量成品已转运，库存已核定。")
    page.set_input_files(
        "input[name='submit-after_photos']",
        files=[{"name": "整改后.jpg", "mimeType": "image/jpeg", "buffer": _photo()}],
    )
    with page.expect_navigation():
        page.locator("#action-submit button[type=submit]").click()
    assert page.locator(".alert-success").count() == 1, page.locator("main").inner_text()
    rectifier_page = page

    # The head rejects; the rectifier submits again; the head accepts and closes the account.
    head_page.goto(detail)
    _act(head_page, "reject", {"textarea[name='reject-reason']": "未提供转运记录。"})
    rectifier_page.goto(detail)
    # The second round brings its own evidence: the first round's photo stays with the first round.
    _act(
        rectifier_page,
        "submit",
        {"textarea[name='submit-completion_report']": "已补充转运记录和仓库台账。"},
        files={
            "input[name='submit-after_photos']": [{"name": "台账.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        },
    )
    head_page.goto(detail)
    _act(
        head_page,
        "verify",
        {"select[name='verify-method']": "government", "textarea[name='verify-opinion']": "整改到位。"},
    )
    _act(head_page, "close")

    hazard.refresh_from_db()
    assert hazard.state == Hazard.State.CLOSED
    actions = list(hazard.events.values_list("action", flat=True))
    assert actions == ["report", "assign", "start", "submit", "reject", "submit", "verify", "close"]
    timeline = head_page.get_by_test_id("timeline").locator("li")
    assert timeline.count() == len(actions)
    assert "未提供转运记录。" in head_page.get_by_test_id("timeline").inner_text()
    # Each submission keeps its own photo; the latest also stands beside the finding's in the photos card.
    assert head_page.get_by_test_id("rounds").locator("img.detail-photo").count() == 2
    assert head_page.get_by_test_id("before-after").locator("img.detail-photo").count() == 1
    assert HazardEvent.objects.filter(hazard=hazard, action="reject", actor=head).exists()
