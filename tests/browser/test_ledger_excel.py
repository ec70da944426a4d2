"""Excel ledgers in the browser: export a filtered list, import a good file and a bad one through the page."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from hazards.models import Hazard
from tests.factories import PASSWORD, EnterpriseFactory, HazardFactory, industry, region
from tests.ledger.workbooks import table_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def ledger_numbers(path) -> list[str]:
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes())).worksheets[0]
    # The table ends at the blank row above the signature block.
    return [row[1] for row in table_rows(sheet.iter_rows(values_only=True))]


def test_exporting_a_filtered_list_downloads_just_its_rows(live_server, page, inspector, media):
    today = timezone.localdate()
    majors = [
        HazardFactory(found_by=inspector, level=Hazard.Level.MAJOR, found_on=today - timedelta(days=n))
        for n in range(3)
    ]
    HazardFactory(found_by=inspector)  # general: filtered out
    HazardFactory(region=region("430281"), level=Hazard.Level.MAJOR)  # 醴陵市: outside the inspector's scope
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server.url}/hazards/")
    page.select_option("select[name=level]", "major")
    page.locator("#hazard-filters button[type=submit]").click()
    page.wait_for_url("**/hazards/?*level=major*")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-ledger").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert ledger_numbers(download.path()) == [hazard.number for hazard in majors]


def _ledger_file(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["隐患名称", "行业领域", "县市区", "单位", "隐患部位", "排查时间", "治理措施"])
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_importing_a_good_file_and_a_bad_one_through_the_page(live_server, page, inspector, media):
    unit = EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181"), industries=["fireworks-production"])
    assert industry("fireworks-production")
    found = (timezone.localdate() - timedelta(days=5)).isoformat()
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server.url}/hazards/")
    page.get_by_test_id("import-ledger").click()
    page.wait_for_url("**/hazards/import/")

    bad = _ledger_file(
        [
            ["工房超员", "烟花爆竹生产", "浏阳市", unit.name, "1号工房", found, "减员"],
            ["出口堵塞", "不存在的行业", "浏阳市", unit.name, "", found, ""],
        ]
    )
    page.set_input_files(
        "input[name=file]", files=[{"name": "坏台账.xlsx", "mimeType": "application/octet-stream", "buffer": bad}]
    )
    page.get_by_test_id("import-submit").click()
    page.get_by_test_id("import-rejected").wait_for()
    assert page.locator("[data-testid=error-rows] tr[data-row='3']").count() == 1
    assert "B3" in page.locator("[data-testid=error-rows]").inner_text()
    with page.expect_download() as download_info:
        page.get_by_test_id("import-errors-file").click()
    errors = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    assert errors["H3"].value.startswith("B3") and errors["H2"].value is None
    assert Hazard.objects.count() == 0

    good = _ledger_file([["工房超员", "烟花爆竹生产", "浏阳市", unit.name, "1号工房", found, "减员"]])
    page.set_input_files(
        "input[name=file]", files=[{"name": "台账.xlsx", "mimeType": "application/octet-stream", "buffer": good}]
    )
    page.get_by_test_id("import-submit").click()
    page.get_by_test_id("import-done").wait_for()
    hazard = Hazard.objects.get()
    assert (hazard.title, hazard.unit, hazard.location, hazard.measures) == ("工房超员", unit, "1号工房", "减员")
    assert hazard.number in page.get_by_test_id("imported-hazards").inner_text()


def test_an_unfamiliar_ledger_is_mapped_once_on_the_page_and_the_next_imports_without_questions(
    live_server, page, inspector, media
):
    headers = ["隐患名称", "行业", "县区", "场所", "排查日期", "检查区域", "负责人员"]
    found = (timezone.localdate() - timedelta(days=5)).isoformat()

    def ledger(title: str) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.append(["2026年某企业安全检查导出"])  # a title row above the header
        sheet.append(headers)
        sheet.append([title, "花炮零售", "浏阳市", "浏阳某零售点", found, "仓库", "刘店长"])
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()

    def choose(content: bytes, name: str) -> None:
        page.set_input_files(
            "input[name=file]", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
        )
        page.get_by_test_id("import-submit").click()

    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server.url}/hazards/import/")
    choose(ledger("灭火器过期"), "检查导出.xlsx")
    mapping = page.get_by_test_id("import-mapping")
    mapping.wait_for()
    assert "仓库" in mapping.inner_text()  # the column's first values, as examples
    page.select_option("select[name=column_5]", "location")
    page.select_option("select[name=column_6]", "responsible_person")
    page.select_option("select[name=value_0]", "fireworks-retail")
    page.get_by_test_id("import-map").click()
    page.get_by_test_id("import-mapped-values").wait_for()
    assert "花炮零售" in page.get_by_test_id("import-mapped-values").inner_text()
    assert page.get_by_test_id("import-mapping").count() == 0
    page.get_by_test_id("import-confirmed").click()
    page.get_by_test_id("import-done").wait_for()
    hazard = Hazard.objects.get()
    assert (hazard.location, hazard.responsible_person, hazard.industry.code) == ("仓库", "刘店长", "fireworks-retail")

    choose(ledger("通道堵塞"), "检查导出2.xlsx")
    page.get_by_test_id("import-done").wait_for()
    assert page.get_by_test_id("import-mapping").count() == 0
    assert Hazard.objects.filter(title="通道堵塞", location="仓库").count() == 1
