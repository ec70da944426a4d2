"""The exported ledger on paper and from both writers (issue 13.10, issue 19.2).

The native writer (rust_xlsxwriter) and the fallback (XlsxWriter) must give the same workbook: read
back by openpyxl and by calamine, every sheet's values are equal. The ledger sheet prints landscape,
fitted to the width, with the title and header on every page, page numbers and a signature block:
LibreOffice (headless) turns it into a PDF whose pages are read back by pdftotext.
"""

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import translation
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from hazards.models import Hazard
from ledger import export as ledger_export
from ledger import writers
from tests.factories import HazardFactory, region
from tests.ledger.workbooks import ENGLISH_HEADERS, ledger_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

needs_native = pytest.mark.skipif(writers.native is None, reason="rvgsrust-xlsxwriter has no wheel on this platform")


def write(user, params=None, *, writer: str | None = None, language: str = "en", **options) -> bytes:
    output = io.BytesIO()
    with translation.override(language):
        ledger_export.write_ledger(output, user=user, params=params, writer=writer, **options)
    return output.getvalue()


def every_sheet(content: bytes) -> dict[str, list[list]]:
    """Each sheet's values as calamine reads them (a reader that is not the writers' own)."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


@needs_native
def test_the_native_writer_reads_back_identically_to_xlsxwriter_for_the_same_rows(province, scene):
    native, python = write(province, writer="native"), write(province, writer="python")
    # Two readers: calamine for every sheet's values, openpyxl for the ledger's rows and cell types.
    native_values, python_values = every_sheet(native), every_sheet(python)
    for values in (native_values, python_values):  # the clock ran between the two exports
        values["About"] = [row for row in values["About"] if row[0] != "Exported at"]
    assert native_values == python_values
    assert ledger_rows(native) == ledger_rows(python)
    assert len(ledger_rows(native)) == len(scene.hazards)
    native_sheet, python_sheet = (
        load_workbook(io.BytesIO(native))["Ledger"],
        load_workbook(io.BytesIO(python))["Ledger"],
    )
    for row in range(3, 3 + len(scene.hazards)):
        for col in range(1, len(ENGLISH_HEADERS) + 1):
            ours, theirs = native_sheet.cell(row, col), python_sheet.cell(row, col)
            assert (ours.data_type, ours.is_date, ours.quotePrefix) == (
                theirs.data_type,
                theirs.is_date,
                theirs.quotePrefix,
            )
            assert ours.alignment.wrap_text == theirs.alignment.wrap_text
    for sheet in (native_sheet, python_sheet):
        assert sheet.freeze_panes == "D3"
        assert sheet.auto_filter.ref == f"A2:AE{2 + len(scene.hazards)}"
        assert [str(rule.sqref) for rule in sheet.conditional_formatting] == [f"A3:AE{2 + len(scene.hazards)}"]


@pytest.mark.parametrize("writer", [pytest.param("native", marks=needs_native), "python"])
def test_the_ledger_prints_landscape_fitted_to_the_width_with_its_header_on_every_page(province, scene, writer):
    sheet = load_workbook(io.BytesIO(write(province, writer=writer)))["Ledger"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # 1 is the default
    assert sheet.print_title_rows.replace("$", "") == "1:2"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_a3_paper_by_setting(province, scene, settings):
    settings.LEDGER_PRINT_PAPER = "A3"
    assert load_workbook(io.BytesIO(write(province)))["Ledger"].page_setup.paperSize == 8


@pytest.mark.parametrize("writer", [pytest.param("native", marks=needs_native), "python"])
def test_a_signature_block_sits_under_the_last_sheets_table_only(province, scene, writer):
    workbook = load_workbook(io.BytesIO(write(province, writer=writer, rows_per_sheet=3, language="zh-hans")))
    first, last = workbook["台账"], workbook["台账 (2)"]
    signed = [
        value for row in last.iter_rows(min_row=3, values_only=True) for value in row if value and "：" in str(value)
    ]
    assert signed == ["填报单位（盖章）：", "负责人：", "审核人：", "填表人：", "联系电话：", "填报日期："]
    assert last.max_row == 2 + 2 + 1 + 2  # title, header, the last two hazards, a blank row, the block
    assert not any("盖章" in str(value) for row in first.iter_rows(values_only=True) for value in row)


def test_the_title_names_the_city_filtered_on_not_the_whole_province(province, scene):
    sheet = load_workbook(io.BytesIO(write(province, {"city": "430200"}, language="zh-hans")))["台账"]
    assert sheet["A1"].value.startswith("隐患台账·株洲市·")
    assert "全省" not in sheet["A1"].value
    county = load_workbook(io.BytesIO(write(province, {"county": "430181"}, language="zh-hans")))["台账"]
    assert county["A1"].value.startswith("隐患台账·长沙市浏阳市·")
    unfiltered = load_workbook(io.BytesIO(write(province, language="zh-hans")))["台账"]
    assert unfiltered["A1"].value.startswith("隐患台账·全省·")


def test_the_about_sheet_lists_only_the_filters_that_are_set(province, scene):
    about_sheet = load_workbook(io.BytesIO(write(province, {"level": "general"})))["About"]
    about = {row[0]: row[1] for row in about_sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert about["Filters"] == "Level: General"
    nothing = load_workbook(io.BytesIO(write(province)))["About"]
    assert {row[0]: row[1] for row in nothing.iter_rows(min_row=3, values_only=True) if row[0]}["Filters"] == "none"


def summary_tables(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content))["Summary"]
    return [row[0] for row in sheet.iter_rows(values_only=True) if row[0] and " · " in str(row[0])][1:]


def test_the_summary_breaks_down_by_county_for_one_city_and_by_city_otherwise(province, head, scene):
    # The head sees 长沙市: its ledger is one city's, broken down by county.
    assert summary_tables(write(head)) == [
        "By industry · General",
        "By industry · Major",
        "By county · General",
        "By county · Major",
    ]
    by_county = load_workbook(io.BytesIO(write(head)))["Summary"]
    names = [row[0] for row in by_county.iter_rows(values_only=True)]
    assert "浏阳市" in names and "芙蓉区" in names and "长沙市" not in names
    # The province's spans two cities: by city.
    assert "By city · General" in summary_tables(write(province))
    # A province export filtered to one city is that city's: by county.
    assert "By county · General" in summary_tables(write(province, {"city": "430100"}))


# --- On paper: LibreOffice ---------------------------------------------------------------------


def pdf_pages(content: bytes, tmp_path) -> tuple[list[str], str]:
    """The PDF LibreOffice prints of the workbook: each page's text, and pdfinfo's page size."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice (libreoffice-calc-nogui) and poppler-utils are needed to print the ledger")
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(content)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "ledger.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1], info


def test_libreoffice_prints_the_ledger_with_its_header_and_page_numbers_on_every_page(
    province, scene, recorder, tmp_path
):
    # 400 more hazards: the ledger runs over several pages.
    for number in range(400):
        HazardFactory(
            found_by=recorder,
            title=f"打印测试隐患{number:03d}",
            region=region("430281"),
            found_on=scene.today - timedelta(days=40 + number),
        )
    total = Hazard.objects.count()
    content = write(province, writer=None, language="en")
    assert len(ledger_rows(content)) == total
    pages, info = pdf_pages(content, tmp_path)
    ledger_pages = [page for page in pages if "Ledger number" in page]
    assert len(ledger_pages) >= 2
    # Every ledger page repeats the title and the header row; every page says which of how many it is.
    for page in ledger_pages:
        assert "Hazard ledger" in page and "Ledger number" in page and "Remarks" in page
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    # Fitted to the width: every column is on the first page (no page of the ledger's right half).
    assert "Remarks" in ledger_pages[0] and "No." in ledger_pages[0]
    # Every hazard is printed once, and the signature block only under the table, on its last page.
    printed = "\n".join(ledger_pages)
    assert all(printed.count(f"打印测试隐患{number:03d}") == 1 for number in range(400))
    assert "Reporting unit (seal):" in ledger_pages[-1]
    assert not any("Reporting unit (seal):" in page for page in ledger_pages[:-1])
    # Landscape A4: 842 × 595 points.
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(value) for value in size.split()[2:5:2])
    assert (round(width), round(height)) == (842, 595)
