"""On a phone: the rectifier records a hazard its unit found itself, with a photo, then confirms its
quarter's reconciliation; the head sees the unit reconciled and opens the blind spots of a campaign."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from hazards.models import Hazard
from inspections.models import Campaign
from reconciliation.models import Reconciliation
from reconciliation.periods import last_ended
from tests.factories import PASSWORD, HazardFactory, industry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_unit_reports_and_reconciles_and_the_head_sees_it_and_the_blind_spots(
    live_server, page, rectifier, head, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    unit = rectifier.organization
    quarter = last_ended(timezone.localdate())
    # A hazard of the unit found in the last quarter, on its list to reconcile.
    HazardFactory(unit=unit, site_name="", found_on=quarter.starts_on + timedelta(days=10), title="成品库防雷检测过期")
    campaign = Campaign.objects.create(
        name="烟花爆竹安全专项检查", start_date=timezone.localdate() - timedelta(days=30), end_date=timezone.localdate()
    )
    campaign.industries.set([industry("fireworks")])

    _sign_in(page, live_server, "rectifier")
    page.goto(f"{live_server.url}/hazards/self-check/")
    page.fill("input[name=title]", "二号工房灭火器过期")
    page.fill("textarea[name=description]", "二号工房两具灭火器超过有效期。")
    page.select_option("select[name=industry]", str(industry("fireworks-production").pk))
    page.fill("textarea[name=measures]", "更换灭火器并登记检查台账。")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=5)).isoformat())
    page.set_input_files(
        "input[name=photos]", files=[{"name": "灭火器.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.locator("form[data-finding-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/hazards/\d+/$"))
    hazard = Hazard.objects.get(title="二号工房灭火器过期")
    assert (hazard.source, hazard.state, hazard.attachments.count()) == ("self_check", "rectifying", 1)

    page.goto(f"{live_server.url}/reconciliations/")
    page.get_by_role("link", name=unit.name).click()
    page.get_by_test_id("prepare").click()
    page.locator("[data-testid=answer]").first.select_option("still_open")
    page.get_by_test_id("unit-confirm").click()
    page.wait_for_url(re.compile(rf"/reconciliations/{unit.pk}/{quarter.code}/$"))
    assert Reconciliation.objects.get(unit=unit, period=quarter.code).state == "unit_confirmed"

    _sign_in(page, live_server, "head")
    page.goto(f"{live_server.url}/reconciliations/?period={quarter.code}")
    row = page.locator("[data-testid=reconciliation-row]", has_text=unit.name)
    assert "待部门审核" in row.inner_text()
    row.get_by_role("link", name=unit.name).click()
    page.get_by_test_id("department-confirm").click()
    page.wait_for_url(re.compile(rf"/reconciliations/{unit.pk}/{quarter.code}/$"))
    page.goto(f"{live_server.url}/reconciliations/?period={quarter.code}&status=confirmed")
    assert "已对账销号" in page.locator("[data-testid=reconciliation-row]", has_text=unit.name).inner_text()

    page.goto(f"{live_server.url}/inspections/campaigns/{campaign.pk}/coverage/")
    blind = page.locator("[data-testid=blind-spot]", has_text=unit.name)
    assert blind.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    blind.get_by_role("link", name="安排检查").click()
    page.wait_for_url(re.compile(r"/inspections/new/\?unit="))
