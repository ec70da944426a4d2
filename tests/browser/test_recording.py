"""An inspector on a phone records an inspection with two findings and a photo, then finds them."""

import io
import re

import pytest
from PIL import Image

from hazards.models import Attachment, Hazard
from tests.factories import PASSWORD, industry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_inspector_records_an_inspection_with_two_findings_and_finds_them(live_server, page, inspector, media):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/inspections/new/")
    page.select_option("select[name=industry]", str(industry("fireworks-production").pk))
    page.fill("input[name=site_name]", "浏阳市大瑶镇某烟花作坊")
    page.fill("input[name=findings-0-title]", "工房超药量生产")
    page.fill("textarea[name=findings-0-description]", "1号工房药物存量超过核定药量。")
    page.set_input_files(
        "input[name=findings-0-photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    assert page.locator("[data-previews] img").count() == 1  # the preview shows before saving

    page.get_by_role("button", name="添加一项隐患").click()
    page.fill("input[name=findings-1-title]", "安全出口被堵塞")
    page.fill("textarea[name=findings-1-description]", "包装车间安全出口堆放纸箱。")
    page.select_option("select[name=findings-1-kind]", "management_defect")
    page.get_by_role("button", name="保存检查及隐患").click()

    page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    assert Hazard.objects.filter(site_name="浏阳市大瑶镇某烟花作坊").count() == 2
    photo = Attachment.objects.get(hazard__title="工房超药量生产")
    assert photo.thumbnail

    page.goto(f"{live_server.url}/hazards/")
    page.fill("input[name=q]", "大瑶镇")
    page.locator("#hazard-filters button[type=submit]").click()
    page.wait_for_url("**/hazards/?*q=*")
    rows = page.locator(".ledger-rows tbody tr")  # one row per finding, shown as a card on the phone
    assert rows.count() == 2
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a table row
    rows.filter(has_text="工房超药量生产").click()  # anywhere on the card opens it
    page.wait_for_url(re.compile(r"/hazards/\d+/$"))
    number = Hazard.objects.get(title="工房超药量生产").number
    assert page.get_by_test_id("ledger-number").inner_text() == number
    assert page.locator("img.detail-photo").count() == 1
    assert page.locator("img.detail-photo").evaluate("img => img.naturalWidth") > 0
