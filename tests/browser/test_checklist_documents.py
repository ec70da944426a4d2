"""Done when (issue 16): an inspector on a phone follows a fireworks checklist and marks two items
不符合, one linked to a determination clause; two findings appear, one major with its legal basis
filled in; the head assigns them in working days and prints the 责令限期整改指令书 with its number."""

import re

import pytest

from demo.checklists import seed_checklists
from documents.models import EnforcementDocument
from hazards.models import Hazard
from rules.models import ChecklistItem, DeterminationStandard
from rules.standards import load_standards
from tests.factories import PASSWORD, industry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def checklist(reference_data):
    # The flush after a live-server test empties the tables the migrations filled: load them again.
    if not DeterminationStandard.objects.exists():
        load_standards()
    seed_checklists()
    return ChecklistItem.objects.filter(checklist__title="烟花爆竹生产企业日常检查表").order_by("position")


def _sign_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_checklist_on_the_phone_becomes_findings_and_the_head_prints_the_order(
    live_server, browser, inspector, head, rectifier, checklist
):
    items = list(checklist)
    overload, extinguishers = items[1], items[4]  # "药量" linked to clause 5; "消防器材" without a clause
    assert overload.clause is not None and extinguishers.clause is None

    # The inspector, on a phone, records the visit following the fireworks checklist.
    page = _sign_in(browser, live_server, "inspector")
    page.goto(f"{live_server.url}/inspections/new/")
    page.select_option("select[name=industry]", str(industry("fireworks-production").pk))
    page.locator(".ts-control input").first.fill("测试烟花")
    page.locator(".ts-dropdown .option", has_text="浏阳测试烟花有限公司").click()
    page.select_option("select[name=checklist]", str(items[0].checklist_id))
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(re.compile(r"/inspections/\d+/checklist/$"))

    # Every item answered with a thumb: two 不符合, the rest 符合.
    for item in items:
        answer = "non_compliant" if item in (overload, extinguishers) else "compliant"
        page.locator(
            f"label[for='id_answer_{item.pk}_{['compliant', 'non_compliant', 'not_applicable'].index(answer)}']"
        ).click()
    page.fill(f"input[name=note_{overload.pk}]", "3号工房滞留药量约为核定药量的两倍")
    page.get_by_role("button", name="保存检查结果").click()
    page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    assert "不符合 2" in page.get_by_test_id("checklist-result").inner_text()

    findings = page.get_by_test_id("finding")
    assert findings.count() == 2
    major = Hazard.objects.get(checklist_item=overload)
    general = Hazard.objects.get(checklist_item=extinguishers)
    assert major.level == Hazard.Level.MAJOR and general.level == Hazard.Level.GENERAL
    assert "烟花爆竹生产经营单位重大生产安全事故隐患判定标准" in major.legal_basis
    assert findings.filter(has_text="重大隐患").count() == 1

    # The head assigns both, five working days out, and prints the order from the major one.
    page = _sign_in(browser, live_server, "head")
    for hazard in (major, general):
        page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
        page.locator('[data-action="assign"]').click()
        page.locator("#action-assign.collapse.show").wait_for()
        page.fill("input[name='assign-working_days']", "5")
        page.locator("#assign-deadline-preview [data-deadline]").wait_for()  # the date shows as it is typed
        with page.expect_navigation():
            page.locator("#action-assign button[type=submit]").click()
        assert page.locator(".alert-success").count() == 1, page.locator("main").inner_text()

    page.goto(f"{live_server.url}/hazards/{major.pk}/")
    with page.expect_navigation():
        page.locator('[data-issue="rectification_order"]').click()
    document = EnforcementDocument.objects.get()
    assert re.fullmatch(r"〔\d{4}〕长应急责改〔1〕号", document.number)
    assert page.get_by_test_id("document-number").inner_text() == document.number
    text = page.locator("article.document").inner_text()
    assert "浏阳测试烟花有限公司" in text and overload.clause.text in text and "消防器材" in text
    pdf = page.request.get(f"{live_server.url}/documents/{document.pk}/pdf/")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # The unit sees the order on its hazard's page.
    page = _sign_in(browser, live_server, "rectifier")
    page.goto(f"{live_server.url}/hazards/{major.pk}/")
    assert document.number in page.get_by_test_id("documents").inner_text()
