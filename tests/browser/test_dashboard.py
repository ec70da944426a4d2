"""A department head opens the dashboard, clicks one county's overdue bar and lands on those hazards in the ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hazards.models import Hazard
from tests.factories import PASSWORD, HazardFactory, industry, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The bar's rectangle as ECharts laid it out: series 1 ("overdue") at the county's index.
BAR_CENTRE = """([element, index]) => {
  const chart = echarts.getInstanceByDom(element);
  const layout = chart.getModel().getSeriesByIndex(1).getData().getItemLayout(index);
  const box = element.getBoundingClientRect();
  return {x: box.left + layout.x + layout.width / 2, y: box.top + layout.y + layout.height / 2};
}"""


def test_a_head_clicks_the_overdue_bar_of_a_county_and_sees_those_hazards(live_server, browser, head):
    today = timezone.localdate()
    fireworks = industry("fireworks-production")
    overdue = [
        HazardFactory(
            title=f"浏阳逾期隐患{n}",
            industry=fireworks,
            region=region("430181"),
            found_on=today - timedelta(days=40),
            deadline=today - timedelta(days=5 + n),
            state=Hazard.State.ASSIGNED,
        )
        for n in range(2)
    ]
    HazardFactory(
        title="宁乡逾期隐患",
        industry=fireworks,
        region=region("430182"),
        found_on=today - timedelta(days=40),
        deadline=today - timedelta(days=5),
        state=Hazard.State.RECTIFYING,
    )
    HazardFactory(title="浏阳在治未逾期", industry=fireworks, region=region("430181"), found_on=today)

    # A wall-screen height: the whole dashboard in view, so the bar is clicked where it is drawn.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 2400})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "head")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    chart = page.locator('[data-testid="chart-open_region"]')
    chart.scroll_into_view_if_needed()
    page.wait_for_function("el => echarts.getInstanceByDom(el) !== undefined", arg=chart.element_handle())
    categories = chart.evaluate("element => JSON.parse(element.dataset.chart).categories")
    point = page.evaluate(BAR_CENTRE, [chart.element_handle(), categories.index("浏阳市")])
    # Hover first, as a hand does: zrender finds its target on the move, then the click opens it.
    page.mouse.move(point["x"], point["y"])
    page.wait_for_timeout(300)
    page.mouse.down()
    page.mouse.up()

    page.wait_for_url("**/hazards/?**")
    assert "county=430181" in page.url and "overdue=true" in page.url
    titles = page.locator("main").inner_text()
    assert all(hazard.title in titles for hazard in overdue)
    assert "宁乡逾期隐患" not in titles and "浏阳在治未逾期" not in titles
    context.close()
