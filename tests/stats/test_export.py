"""The statistics table as a workbook in the paper form's layout, read back with two other readers."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from accounts.models import Region
from stats.export import write_workbook
from stats.periods import Period
from stats.table import BY_INDUSTRY, statistics_table
from tests.stats.scene import build_scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = date(2026, 6, 15)


@pytest.fixture
def scene(db):
    return build_scene()


def test_the_workbook_has_the_forms_title_header_units_total_and_signature_lines(client, province, scene):
    client.force_login(province)
    response = client.get("/statistics/export.xlsx?start=2026-01-01&end=2026-06-15")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statistics-20260101-20260615.xlsx"'
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active

    assert sheet["A1"].value == "湖南省事故隐患排查治理情况统计表（2026-01-01 – 2026-06-15）"
    assert "单位：项、万元" in str(sheet.cell(2, sheet.max_column).value)
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert "A3:A4" in merged  # 地区 spans both header rows
    assert "B3:B4" in merged  # (1) units, without a group, too
    assert "C3:E3" in merged  # 排查一般事故隐患 over (2)–(4)
    assert sheet["C3"].value == "排查一般事故隐患"
    assert sheet["C4"].value == "(2) 排查（项）"
    assert sheet["B3"].value == "(1) 排查治理事故隐患的生产经营单位（家）"

    rows = {sheet.cell(row, 1).value: row for row in range(5, sheet.max_row + 1)}
    total = rows["合计"]
    assert rows["长沙市"] == 5 and total == 5 + 14
    headers = {
        sheet.cell(4, column).value or sheet.cell(3, column).value: column for column in range(2, sheet.max_column + 1)
    }
    assert sheet.cell(total, headers["(2) 排查（项）"]).value == 5
    assert sheet.cell(total, headers["(12) 累计落实治理资金（万元）"]).value == 21.5
    assert sheet.cell(rows["湘潭市"], headers["(4) 整改率（%）"]).value == "—"
    assert sheet.cell(rows["长沙市"], headers["(4) 整改率（%）"]).value == pytest.approx(33.3)

    signature_row = [sheet.cell(total + 2, column).value for column in range(1, sheet.max_column + 1)]
    assert [value for value in signature_row if value] == ["单位负责人：", "审核人：", "填表人：", "联系电话："]
    assert sheet.cell(total + 3, 1).value == "填报日期：2026-06-15"
    # Real numbers, no formula anywhere.
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith("=") for row in sheet.iter_rows() for cell in row
    )


def test_a_second_reader_sees_the_same_figures_as_the_page(province, scene):
    table = statistics_table(province, Period.quarter(2026, 2), by=BY_INDUSTRY, today=TODAY)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(write_workbook(table, today=TODAY)))
    values = workbook.get_sheet_by_index(0).to_python()

    body = values[4 : 4 + len(table.rows) + 1]
    for line, row in zip(body, [*table.rows, table.total], strict=True):
        assert line[0] == row.label
        for cell, written in zip(row.cells, line[1:], strict=False):
            expected = "—" if cell.value is None else float(cell.value)
            assert written == expected, (row.label, cell.column.key)
    # The quarterly variant carries a column per part of 五落实.
    assert "其中：落实治理目标任务" in " ".join(str(value) for value in values[3])


def test_a_name_that_looks_like_a_formula_is_written_as_text(province, scene):
    Region.objects.filter(code="430300").update(name='=HYPERLINK("http://x")')
    table = statistics_table(province, Period.year_to_date(TODAY), today=TODAY)
    sheet = load_workbook(io.BytesIO(write_workbook(table, today=TODAY))).active

    names = [sheet.cell(row, 1) for row in range(5, 5 + len(table.rows))]
    cell = next(cell for cell in names if str(cell.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    assert Decimal(str(sheet.cell(5, 3).value)) == 3
