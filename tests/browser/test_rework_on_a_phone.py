"""Issue 13 "Done when": on a phone, a rejected submission shows the banner with the reason; the second
submission is shown as round 2 with round 1 still visible; an error reopens the page at the action card."""

import io

import pytest
from PIL import Image

from hazards import workflow
from hazards.models import Hazard
from tests.factories import PASSWORD
from tests.hazards.workflow_helpers import move_to, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "二号工房安全出口仍被纸箱堵塞，请清理后重新提交。"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 160, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_rejected_submission_and_the_second_round_on_a_phone(live_server, browser, media, inspector, head, rectifier):
    hazard = move_to(report(inspector, unit=rectifier.organization), "submitted", head=head, rectifier=rectifier)
    workflow.reject(actor=head, hazard_id=hazard.pk, reason=REASON)

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "rectifier")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/hazards/{hazard.pk}/")

    # The banner: the reason and who sent it back, on the first screen of the phone.
    banner = page.get_by_test_id("rejection-banner")
    assert REASON in banner.inner_text() and head.get_full_name() in banner.inner_text()
    assert banner.bounding_box()["y"] < 844
    assert page.get_by_test_id("actions").bounding_box()["y"] < 844 * 1.5

    # A submission without its report: the answer opens at the action card, with the error.
    page.locator('[data-action="submit"]').click()
    page.locator("#action-submit.collapse.show").wait_for()
    with page.expect_navigation():
        page.locator("#action-submit button[type=submit]").click()
    assert page.url.endswith("#action-submit")
    errors = page.locator("#action-submit [data-testid=action-errors]")
    assert errors.is_visible()
    top = page.evaluate("() => document.getElementById('action-submit').getBoundingClientRect().top")
    assert 0 <= top < 844, top

    # The second submission, with a photo taken on the phone.
    form = page.locator("#action-submit")
    form.locator("textarea[name=submit-completion_report]").fill("安全出口已清理，增设疏散指示标志。")
    form.locator("input[name=submit-after_photos]").set_input_files(
        files=[{"name": "出口.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    rounds = page.get_by_test_id("rounds")
    assert "第2次提交" in page.get_by_test_id("round-2").inner_text()
    first = page.get_by_test_id("round-1").inner_text()
    assert "第1次提交" in first and REASON in first and "已拆除违规工房" in first
    assert rounds.locator("[data-testid=attachment]").count() == 2  # each round its own photo
    assert page.get_by_test_id("rejection-banner").count() == 0
    assert Hazard.objects.get(pk=hazard.pk).rounds.count() == 2
    context.close()
