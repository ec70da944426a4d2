"""A county duty officer files a quick report on a phone; the city acknowledges; the final report closes it."""

from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Organization
from accounts.roles import Role
from emergency.models import QuickReport
from tests.emergency.scene import shift
from tests.factories import PASSWORD, OrganizationFactory, UserFactory, region

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/**")


def test_a_quick_report_from_the_county_is_acknowledged_by_the_city_and_closed_by_the_final_report(live_server, page):
    county_bureau = OrganizationFactory(name="浏阳市应急管理局", region=region("430181"))
    city_bureau = OrganizationFactory(name="长沙市应急管理局", region=region("430100"))
    UserFactory(
        username="county-duty", last_name="周", first_name="值班", organization=county_bureau, roles=[Role.DUTY_OFFICER]
    )
    city_duty = UserFactory(
        username="city-duty", last_name="吴", first_name="值守", organization=city_bureau, roles=[Role.DUTY_OFFICER]
    )
    leader = UserFactory(
        username="city-leader",
        last_name="郑",
        first_name="带班",
        organization=city_bureau,
        roles=[Role.DEPARTMENT_HEAD],
    )
    shift(city_bureau, timezone.localdate(), leader=leader, officers=[city_duty])
    shift(city_bureau, timezone.localdate() - timezone.timedelta(days=1), leader=leader, officers=[city_duty])
    assert Organization.objects.filter(kind="department").count() == 2

    # The county duty officer, on a phone, files the report.
    _sign_in(page, live_server, "county-duty")
    page.goto(f"{live_server.url}/emergency/reports/new/")
    page.select_option("select[name=category]", "hazardous_leak")
    page.fill("input[name=place]", "浏阳经开区某化工厂")
    page.fill("textarea[name=summary]", "储罐区发生氨气泄漏，厂区人员已撤离。")
    page.fill("input[name=injuries]", "2")
    page.fill("textarea[name=measures]", "关闭阀门，危化品救援队到场堵漏。")
    page.get_by_test_id("file-report").click()
    page.wait_for_url("**/emergency/reports/*/")
    assert "未签收" in page.get_by_test_id("report-state").inner_text()
    report = QuickReport.objects.get()

    # The city's duty officer sees it on the command-centre screen, with who is on duty, and acknowledges.
    _sign_in(page, live_server, "city-duty")
    page.goto(f"{live_server.url}/statistics/screen/")
    panel = page.get_by_test_id("duty-panel")
    assert "吴值守" in panel.inner_text()  # on duty now at 长沙市
    assert "浏阳经开区某化工厂" in page.get_by_test_id("open-reports").inner_text()
    page.goto(f"{live_server.url}/emergency/reports/")
    assert "浏阳经开区某化工厂" in page.get_by_test_id("awaiting").inner_text()
    assert "浏阳经开区某化工厂" in page.get_by_test_id("duty-alerts").inner_text()
    page.get_by_test_id("awaiting").get_by_role("link").first.click()
    page.get_by_test_id("acknowledge").click()
    page.wait_for_url(f"**/emergency/reports/{report.pk}/")
    assert "吴值守" in page.get_by_test_id("acknowledged-by").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "emergency-report-phone.png"), full_page=True)

    # The county files the final report, which closes the chain.
    _sign_in(page, live_server, "county-duty")
    page.goto(f"{live_server.url}/emergency/reports/{report.pk}/")
    page.fill("textarea[name=summary]", "泄漏已堵住，两名伤员轻微吸入，已出院。")
    page.fill("textarea[name=measures]", "企业停产整顿，事故调查组进驻。")
    page.check("input[name=final]")
    page.get_by_test_id("file-follow-up").click()
    page.wait_for_url(f"**/emergency/reports/{report.pk}/")
    assert "已结束" in page.get_by_test_id("report-state").inner_text()
    assert "终报" in page.get_by_test_id("chain").inner_text()
    report.refresh_from_db()
    assert report.closed_at is not None
    # Nothing was wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
