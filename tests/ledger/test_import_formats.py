"""The import's reading layer: every row whatever the file declares, no memory blow-up from one upload,
and the formats counties keep (.xlsx, .xls, .ods, CSV in UTF-8 or GBK), headers under title rows and
over two or three merged rows."""

import io
import os
import re
import zipfile
from datetime import date

import pytest
import xlsxwriter
import xlwt
from django.utils import translation
from openpyxl import Workbook, load_workbook

from hazards.models import Hazard
from ledger import reading
from tests.ledger.test_import import HEADERS, check, good_rows, upload, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def read(content: bytes) -> reading.ImportCheck:
    with translation.override("en"):
        return reading.read_import(io.BytesIO(content), file_name="ledger")


def numbered_rows(count: int) -> list[list]:
    return [
        [n, f"隐患{n}", None, "烟花爆竹生产", "一般", "浏阳市", None, f"作坊{n}", None, date(2026, 3, 1)]
        for n in range(1, count + 1)
    ]


# 12.1: a stale <dimension> loses no row


def with_dimension(content: bytes, reference: str) -> bytes:
    """The same workbook with its sheet's <dimension> rewritten, as some generators leave it."""
    source, output = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data, count = re.subn(
                    rb"<dimension ref=\"[^\"]*\"\s*/>", f'<dimension ref="{reference}"/>'.encode(), data
                )
                assert count == 1
            target.writestr(info, data)
    return output.getvalue()


def test_a_stale_dimension_loses_no_row(inspector):
    content = with_dimension(workbook(numbered_rows(30), HEADERS[:10]), "A1:J3")
    # The file says three rows: a reader that trusts it (openpyxl's read-only mode) sees two data rows.
    stale = load_workbook(io.BytesIO(content), read_only=True).active
    assert len(list(stale.iter_rows(min_row=2, values_only=True))) == 2
    result = check(content, inspector)
    assert not result.error
    assert [row.number for row in result.rows] == list(range(2, 32))
    assert [row.values["title"] for row in result.rows][-1] == "隐患30"
    assert result.is_valid, result.bad_rows[:1] and result.bad_rows[0].errors


# 12.2: one upload cannot take a worker's memory


def huge_cell_workbook(megabytes: int) -> bytes:
    """A small .xlsx whose one shared string is `megabytes` MB of text (it compresses to a few hundred KB)."""
    base = io.BytesIO()
    book = xlsxwriter.Workbook(base)
    sheet = book.add_worksheet("台账")
    for col, header in enumerate(HEADERS[:10]):
        sheet.write_string(0, col, header)
    sheet.write_string(1, 1, "PLACEHOLDER")
    book.close()
    source, output = zipfile.ZipFile(io.BytesIO(base.getvalue())), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/sharedStrings.xml":
                target.writestr(info, data)
                continue
            before, after = data.split(b"PLACEHOLDER")
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(before)
                for _megabyte in range(megabytes):
                    member.write(b"a" * (1 << 20))
                member.write(after)
    return output.getvalue()


def peak_memory_growth(read_file) -> tuple[int, str]:
    """(peak resident memory growth in bytes, the error said) of reading a file in a forked child process.

    The child resets its high-water mark (/proc/self/clear_refs), reads, and reports VmHWM − VmRSS.
    """

    def status(field: str) -> int:
        with open("/proc/self/status") as proc:
            text = proc.read()
        return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M)[1]) * 1024

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no database, only the reading layer
        try:
            os.close(reader)
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            before = status("VmRSS")
            error = read_file()
            os.write(writer, f"{status('VmHWM') - before}\n{error}".encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        report = pipe.read().decode()
    os.waitpid(pid, 0)
    growth, error = report.split("\n", 1)
    return int(growth), error


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc to measure memory")
def test_a_150_mb_cell_is_refused_before_it_is_built_and_memory_stays_low(inspector):
    content = huge_cell_workbook(150)
    assert len(content) < 1_000_000  # a small upload, far under LEDGER_IMPORT_MAX_BYTES
    growth, error = peak_memory_growth(lambda: read(content).error)
    assert "unpacks to" in error or "more than 32,767 characters" in error, error
    assert growth < 100 * 1024 * 1024, f"peak memory grew by {growth / 1e6:.0f} MB"


def test_a_cell_longer_than_excel_allows_is_refused_with_a_clear_message(inspector, settings):
    settings.LEDGER_IMPORT_MAX_CELL_CHARS = 1000
    content = workbook([[1, "隐患" * 600, None, "烟花爆竹生产", "一般", "浏阳市", None, "作坊", None, "2026-03-01"]])
    assert read(content).error == "Cell B2 holds 1,200 characters; a cell may hold at most 1,000."
    settings.LEDGER_IMPORT_MAX_CELL_CHARS = 100  # far longer than any cell may be: refused while streaming
    assert "more than 100 characters" in read(huge_cell_workbook(1)).error


def test_a_workbook_unpacking_beyond_the_budget_is_refused_before_it_is_read(settings):
    settings.LEDGER_IMPORT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    error = read(huge_cell_workbook(3)).error
    assert error.startswith("The file unpacks to 3.0"), error
    assert "at most 2.0" in error


def ods(rows_xml: str) -> bytes:
    """An OpenDocument spreadsheet written by hand, as LibreOffice lays it out (repeated rows and cells)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="台账">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr("content.xml", content)
    return output.getvalue()


def ods_row(values: list) -> str:
    cells = []
    for value in values:
        if value is None:
            cells.append("<table:table-cell/>")
        elif isinstance(value, date):
            cells.append(
                f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
            )
        elif isinstance(value, (int, float)):
            cells.append(
                f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
                "</table:table-cell>"
            )
        else:
            cells.append(f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>')
    return f"<table:table-row>{''.join(cells)}</table:table-row>"


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc to measure memory")
def test_an_ods_repeating_a_cell_millions_of_times_is_refused_before_it_is_expanded():
    bomb = ods(
        ods_row(HEADERS[:10])
        + '<table:table-row table:number-rows-repeated="20000"><table:table-cell table:number-columns-repeated="1000" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    assert len(bomb) < 2000
    growth, error = peak_memory_growth(lambda: read(bomb).error)
    assert "has 20,001 rows; at most 5,000" in error, error
    assert growth < 100 * 1024 * 1024, f"peak memory grew by {growth / 1e6:.0f} MB"


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc to measure memory")
def test_an_xls_naming_its_last_cell_is_refused_before_its_grid_is_built():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    for col, header in enumerate(HEADERS[:10]):
        sheet.write(0, col, header)
    sheet.write(65535, 255, "x")  # calamine would build a grid of 65,536 × 256 cells: about 1 GB
    output = io.BytesIO()
    book.save(output)
    assert len(output.getvalue()) < 10_000
    growth, error = peak_memory_growth(lambda: read(output.getvalue()).error)
    assert "has 65,536 rows; at most 5,000" in error, error
    assert growth < 100 * 1024 * 1024, f"peak memory grew by {growth / 1e6:.0f} MB"


# Issue 20.1: the formats counties keep


def xls(rows: list[list], *, above: list[list] = ()) -> bytes:
    """An Excel 97–2003 workbook written by xlwt, a real .xls writer."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, values in enumerate([*above, *rows]):
        for c, value in enumerate(values):
            if isinstance(value, date):
                sheet.write(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    lines = [",".join("" if value is None else str(value) for value in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def expected_titles(unit, owner) -> list[str]:
    return [row[1] for row in good_rows(unit, owner)]


def test_an_xls_written_by_xlwt_imports_like_an_xlsx(client, inspector, unit, owner):
    content = xls([HEADERS, *good_rows(unit, owner)])
    assert content.startswith(b"\xd0\xcf\x11\xe0")
    result = check(content, inspector, name="台账.xls")
    assert result.file_format == "xls" and result.is_valid, [row.errors for row in result.bad_rows]
    assert [row.hazard.title for row in result.rows] == expected_titles(unit, owner)
    assert result.rows[0].hazard.found_on == good_rows(unit, owner)[0][9]
    client.force_login(inspector)
    response = upload(client, content, name="台账.xls")
    assert response.status_code == 302
    assert Hazard.objects.count() == 3


def test_an_ods_imports_like_an_xlsx(inspector, unit, owner):
    content = ods("".join(ods_row(row) for row in [HEADERS, *good_rows(unit, owner)]))
    result = check(content, inspector, name="台账.ods")
    assert result.file_format == "ods" and result.is_valid, [row.errors for row in result.bad_rows]
    assert [row.hazard.title for row in result.rows] == expected_titles(unit, owner)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_utf8_is_detected_and_read(inspector, unit, owner, encoding):
    content = csv_bytes([HEADERS, *good_rows(unit, owner)], encoding)
    result = check(content, inspector, name="台账.csv")
    assert result.file_format == "csv" and result.is_valid, [row.errors for row in result.bad_rows]
    assert [row.hazard.title for row in result.rows] == expected_titles(unit, owner)
    assert result.rows[0].hazard.unit == unit


# Issue 20.2: the header under title rows, over two or three merged rows


def test_the_header_is_found_under_title_rows(inspector, unit, owner):
    above = [
        ["2026年浏阳市重点行业领域事故隐患排查治理台账"],
        ["填报单位：浏阳市应急管理局", None, "填报日期：2026-06-01"],
    ]
    result = check(workbook(good_rows(unit, owner), above=above), inspector)
    assert result.header_row == 3 and result.is_valid
    assert [row.number for row in result.rows] == [4, 5, 6]


def government_template(unit) -> bytes:
    """A title row over a three-row merged header, as government templates have them."""
    book = Workbook()
    sheet = book.active
    sheet.append(["湖南省重点行业领域事故隐患排查治理台账"])
    sheet.append(["序号", "隐患基本情况", None, None, None, "被检查对象", None, "整改情况", None])
    sheet.append([None, "隐患名称", "所属行业", "发现", None, "县市区", "单位", "整改", None])
    sheet.append([None, None, None, "日期", "级别", None, None, "措施", "期限"])
    for area in ("A1:I1", "A2:A4", "B2:E2", "F2:G2", "H2:I2", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:G4", "H3:I3"):
        sheet.merge_cells(area)
    sheet.append(
        [1, "药物存量超标", "烟花爆竹生产", date(2026, 6, 1), "一般", "浏阳市", unit.name, "清理", date(2026, 7, 1)]
    )
    sheet.append([2, "安全出口堵塞", "烟花爆竹生产", "2026-06-02", "重大", "浏阳市", unit.name, None, None])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_a_three_row_merged_header_is_joined_before_matching(inspector, unit):
    result = check(government_template(unit), inspector)
    assert not result.error and result.header_rows == 3 and result.header_row == 4
    assert result.headers[3] == "隐患基本情况·发现·日期" and result.headers[8] == "整改情况·整改·期限"
    assert {result.headers[index]: key for index, key in result.columns.items()} == {
        "序号": "seq",
        "隐患基本情况·隐患名称": "title",
        "隐患基本情况·所属行业": "industry",
        "隐患基本情况·发现·日期": "found_on",
        "隐患基本情况·发现·级别": "level",
        "被检查对象·县市区": "county",
        "被检查对象·单位": "unit",
        "整改情况·整改·措施": "measures",
        "整改情况·整改·期限": "deadline",
    }
    assert result.is_valid, [row.errors for row in result.bad_rows]
    assert [(row.number, row.hazard.title, row.hazard.level) for row in result.rows] == [
        (5, "药物存量超标", Hazard.Level.GENERAL),
        (6, "安全出口堵塞", Hazard.Level.MAJOR),
    ]
    assert result.rows[0].hazard.deadline == date(2026, 7, 1)


def test_a_two_row_header_with_a_merged_upper_title_is_joined(inspector, unit):
    book = Workbook()
    sheet = book.active
    sheet.append(["隐患名称", "行业领域", "县市区", "单位及场所", None, "排查日期"])
    sheet.append([None, None, None, "单位", "场所", None])
    sheet.merge_cells("D1:E1")
    sheet.append(["隐患", "烟花爆竹生产", "浏阳市", None, "某作坊", "2026-03-01"])
    output = io.BytesIO()
    book.save(output)
    result = check(output.getvalue(), inspector)
    assert result.is_valid and result.header_rows == 2
    assert result.rows[0].hazard.site_name == "某作坊"
