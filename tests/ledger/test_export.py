"""The Excel ledger export: what the list shows, read back by openpyxl and by a second reader (calamine)."""

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from hazards.models import Hazard
from ledger import export as ledger_export
from ledger import writers
from ledger.formats import XLSX_CONTENT_TYPE
from tests.factories import HazardFactory
from tests.ledger.scene import CHAIN, INJECTIONS
from tests.ledger.workbooks import COLUMN, ENGLISH_HEADERS, ledger_rows, numbers, table_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(
    autouse=True,
    params=[
        pytest.param("native", marks=pytest.mark.skipif(writers.native is None, reason="no native wheel here")),
        "python",
    ],
)
def excel_writer(request, settings):
    """Every promise of the export holds with either writer (ledger/writers.py)."""
    settings.LEDGER_EXCEL_WRITER = request.param
    return request.param


ROW = re.compile(r'<tr class="[^"]*" data-hazard="([^"]+)">')


def export(client, query: str = "", *, language: str = "en"):
    client.cookies["django_language"] = language
    response = client.get(f"/hazards/export.xlsx{'?' + query if query else ''}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def ooxml_text(value: str) -> str:
    """Text as Excel shows it: control characters are stored as _xHHHH_ escapes (openpyxl leaves them)."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda match: chr(int(match.group(1), 16)), value)


def listed_numbers(client, query: str) -> list[str]:
    response = client.get(f"/hazards/?per_page=100&{query}")
    return ROW.findall(response.content.decode())


# The workbook


def test_the_workbook_has_the_ledger_summary_and_about_sheets_with_the_headers(client, province, scene):
    client.force_login(province)
    workbook = load_workbook(io.BytesIO(export(client)))
    assert workbook.sheetnames == ["Ledger", "Summary", "About"]
    sheet = workbook["Ledger"]
    assert [cell.value for cell in sheet[2]] == ENGLISH_HEADERS
    assert sheet.freeze_panes == "D3"
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, len(ENGLISH_HEADERS)).column_letter}{2 + len(scene.hazards)}"
    title = sheet["A1"].value
    assert title.startswith("Hazard ledger") and "the whole province" in title and "no filters" in title
    assert len(table_rows(sheet.iter_rows(values_only=True))) == len(scene.hazards)
    assert Hazard.objects.visible_to(province).count() == len(scene.hazards)
    assert sheet.column_dimensions["D"].width > 30  # descriptions get room, and wrap
    assert sheet["D3"].alignment.wrap_text


def test_each_row_holds_real_dates_numbers_and_every_layer_of_the_chain(client, province, scene):
    client.force_login(province)
    rows = {row[COLUMN["Ledger number"]]: row for row in ledger_rows(export(client))}
    overdue = rows[scene.hazards["overdue"].number]
    assert overdue[COLUMN["Found on"]] == datetime.combine(scene.today - timedelta(days=30), datetime.min.time())
    assert overdue[COLUMN["Deadline"]] == datetime.combine(scene.today - timedelta(days=2), datetime.min.time())
    assert overdue[COLUMN["Funds (10,000 yuan)"]] == 1.5
    assert overdue[COLUMN["Extensions"]] == 1
    assert overdue[COLUMN["Overdue"]] == "Yes" and overdue[COLUMN["Days overdue"]] == 2
    assert overdue[COLUMN["City"]] == "长沙市" and overdue[COLUMN["County"]] == "浏阳市"
    assert overdue[COLUMN["Unit"]] == "浏阳花炮制造有限公司"
    assert overdue[COLUMN["Found by"]] == "recorder" or overdue[COLUMN["Found by"]].startswith("张")
    assert overdue[COLUMN["Enterprise main responsibility"]] == (
        "浏阳花炮制造有限公司 安全员 李四 13800000001\n浏阳花炮制造有限公司 法定代表人 王五"
    )
    assert overdue[COLUMN["Departmental supervision"]] == "浏阳市应急管理局 局长 赵六 0731-1"
    assert overdue[COLUMN["Territorial management"]].startswith("浏阳市人民政府 副市长 钱七")
    assert "孙八" in overdue[COLUMN["Leadership (one post, two responsibilities)"]]
    assert overdue[COLUMN["State"]] == "Assigned"
    closed = rows[scene.hazards["closed"].number]
    assert closed[COLUMN["Overdue"]] == "No" and closed[COLUMN["Days overdue"]] is None
    assert isinstance(closed[COLUMN["Accepted on"]], datetime) and isinstance(closed[COLUMN["Closed on"]], datetime)
    assert closed[COLUMN["Accepted by"]]
    assert closed[COLUMN["Unit"]] == "浏阳某工地"
    major = rows[scene.hazards["major"].number]
    assert major[COLUMN["Level"]] == "Major" and major[COLUMN["Listed supervision"]].startswith("City")
    assert [row[0] for row in ledger_rows(export(client))] == [1, 2, 3, 4, 5]


def test_overdue_rows_are_highlighted(client, province, scene):
    client.force_login(province)
    sheet = load_workbook(io.BytesIO(export(client)))["Ledger"]
    # One rule over the data rows, on the days-overdue column (Z): it follows rows that are sorted or filtered.
    (area, rules), *others = [(str(rule.sqref), rule.rules) for rule in sheet.conditional_formatting]
    assert not others and area == f"A3:AE{2 + len(scene.hazards)}"
    assert rules[0].formula == ["$Z3>0"] and rules[0].dxf.fill.bgColor.rgb.endswith("F8D7DA")
    highlighted = {
        sheet.cell(row, 2).value for row in range(3, sheet.max_row + 1) if (sheet.cell(row, 26).value or 0) > 0
    }
    assert highlighted == {scene.hazards["overdue"].number}


def test_text_that_looks_like_a_formula_stays_text(client, province, scene):
    client.force_login(province)
    content = export(client)
    sheet = load_workbook(io.BytesIO(content))["Ledger"]
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 2).value == scene.hazards["formulas"].number)
    cells = {
        "title": sheet.cell(row, COLUMN["Hazard"] + 1),
        "description": sheet.cell(row, COLUMN["Description"] + 1),
        "location": sheet.cell(row, COLUMN["Location"] + 1),
        "site_name": sheet.cell(row, COLUMN["Unit"] + 1),
        "measures": sheet.cell(row, COLUMN["Rectification measures"] + 1),
        "responsible_person": sheet.cell(row, COLUMN["Person responsible"] + 1),
    }
    for field, cell in cells.items():
        assert cell.data_type == "s", field
        assert ooxml_text(cell.value) == INJECTIONS[field], field
        assert cell.quotePrefix, field  # Excel and LibreOffice show it as text, and keep it text when edited
    # No formula anywhere in the file: not one <f> element in any sheet.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    # A reader that is not the writer sees the same text, as text.
    calamine_rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Ledger").to_python()
    row_values = next(r for r in calamine_rows if r[1] == scene.hazards["formulas"].number)
    assert row_values[COLUMN["Hazard"]] == "=1+2"
    assert row_values[COLUMN["Description"]] == "+SUM(A1:A9)"
    assert row_values[COLUMN["Rectification measures"]] == INJECTIONS["measures"]


def test_a_second_reader_sees_the_same_sheets_rows_dates_and_numbers(client, province, scene):
    client.force_login(province)
    content = export(client)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names == ["Ledger", "Summary", "About"]
    rows = workbook.get_sheet_by_name("Ledger").to_python(skip_empty_area=False)
    assert rows[1] == ENGLISH_HEADERS
    data = table_rows(rows)
    assert len(data) == Hazard.objects.visible_to(province).count()
    by_number = {row[1]: row for row in data}
    overdue = by_number[scene.hazards["overdue"].number]
    assert overdue[COLUMN["Found on"]] in (
        scene.today - timedelta(days=30),
        datetime.combine(scene.today - timedelta(days=30), datetime.min.time()),
    )
    assert isinstance(overdue[COLUMN["Found on"]], date)
    assert overdue[COLUMN["Funds (10,000 yuan)"]] == 1.5
    assert overdue[COLUMN["Days overdue"]] == 2


def test_the_summary_counts_by_industry_and_city_with_rates(client, province, scene):
    client.force_login(province)
    sheet = load_workbook(io.BytesIO(export(client)))["Summary"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    tables = {}
    current = None
    for row in rows:
        if row[0] and row[1] is None and " · " in str(row[0]):
            current = row[0]
            tables[current] = {}
        elif current and row[0] and isinstance(row[1], (int, float)):
            tables[current][row[0]] = row
    headers = next(row for row in rows if row[1] == "Total")
    col = {header: index for index, header in enumerate(headers)}
    general_industries = tables["By industry · General"]
    fireworks = general_industries["Fireworks and firecrackers"]
    # overdue (assigned), liling (rectifying), formulas (reported): three general fireworks hazards.
    assert fireworks[col["Total"]] == 3
    assert fireworks[col["Assigned"]] == 1 and fireworks[col["Rectifying"]] == 1 and fireworks[col["Reported"]] == 1
    assert fireworks[col["Overdue"]] == 1
    assert fireworks[col["Rectification rate"]] == 0
    construction = general_industries["Construction"]
    assert construction[col["Rectified"]] == 1 and construction[col["Rectification rate"]] == 1
    assert general_industries["Total"][col["Total"]] == 4
    assert tables["By industry · Major"]["Hazardous chemicals"][col["Total"]] == 1
    cities = tables["By city · General"]
    assert cities["长沙市"][col["Total"]] == 3 and cities["株洲市"][col["Total"]] == 1
    assert tables["By city · Major"]["长沙市"][col["Total"]] == 1


def test_the_about_sheet_says_who_when_which_filters_and_how_many(client, province, scene):
    client.force_login(province)
    sheet = load_workbook(io.BytesIO(export(client, "level=general&county=430181")))["About"]
    about = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert "province" in about["Exported by"]
    assert isinstance(about["Exported at"], datetime)
    assert "Level: General" in about["Filters"] and "County: 浏阳市" in about["Filters"]
    assert about["Rows"] == Hazard.objects.filter(level="general", region="430181").count() == 3
    assert about["Query"] == "level=general&county=430181"


# What the list shows


@pytest.mark.parametrize(
    "query",
    [
        "",
        "level=major",
        "city=430100",
        "state=assigned&state=rectifying",
        "overdue=true",
        "q=花炮",
        "sort=deadline",
        "sort=-deadline",
        "county=430181&sort=-found_on",
        "level=bogus&due_within=x",
    ],
)
def test_the_export_holds_exactly_the_rows_the_list_shows_in_its_order(client, province, scene, query):
    client.force_login(province)
    assert numbers(export(client, query)) == listed_numbers(client, query)


@pytest.mark.parametrize("persona", ["inspector", "head", "rectifier", "province"])
def test_each_role_exports_only_its_scope(client, scene, persona, request):
    user = request.getfixturevalue(persona)
    if persona == "rectifier":
        Hazard.objects.filter(pk=scene.hazards["liling"].pk).update(rectifying_unit=user.organization)
    client.force_login(user)
    exported = set(numbers(export(client)))
    visible = set(Hazard.objects.visible_to(user).values_list("number", flat=True))
    assert exported == visible
    outside = set(Hazard.objects.values_list("number", flat=True)) - visible
    assert not exported & outside  # never an out-of-scope hazard
    assert bool(outside) == (persona != "province")


def test_the_list_page_has_an_export_button_carrying_its_filters(client, province, scene):
    client.force_login(province)
    page = client.get("/hazards/?level=major&city=430100&page=1").content.decode()
    link = re.search(r'href="([^"]*)" data-testid="export-ledger"', page).group(1)
    assert link.startswith("/hazards/export.xlsx?") and "level=major" in link and "city=430100" in link
    assert "page=" not in link


def test_the_export_reads_with_the_same_number_of_queries_for_5_or_40_hazards(province, recorder, scene):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ledger_export.write_ledger(io.BytesIO(), user=province, params={"level": "general"})
        return len(queries)

    count()  # the user's roles are read once, whatever the export
    few = count()
    for _n in range(35):
        HazardFactory(found_by=recorder, unit=scene.units["liuyang"], site_name="", responsibility_chain=CHAIN)
    assert count() == few


def test_a_sheet_holds_a_bounded_number_of_rows_and_the_ledger_continues_on_the_next(province, scene):
    output = io.BytesIO()
    with translation.override("en"):
        rows = ledger_export.write_ledger(output, user=province, rows_per_sheet=2)
    workbook = load_workbook(io.BytesIO(output.getvalue()))
    assert rows == 5
    assert workbook.sheetnames == ["Ledger", "Ledger (2)", "Ledger (3)", "Summary", "About"]
    assert [len(table_rows(workbook[name].iter_rows(values_only=True))) for name in workbook.sheetnames[:3]] == [
        2,
        2,
        1,
    ]
    assert [row[0] for row in ledger_rows(output.getvalue())] == [1, 2, 3, 4, 5]
    assert all(workbook[name]["A2"].value == "No." for name in workbook.sheetnames[:3])


def test_the_excel_row_limit_leaves_room_for_the_title_header_and_signature_block():
    rows = ledger_export.DATA_ROWS_PER_SHEET + ledger_export.HEADER_ROWS + ledger_export.SIGNATURE_ROWS
    assert rows == 1_048_576


# The command


def test_the_command_writes_the_same_ledger_for_a_users_scope(tmp_path, head, scene):
    out = tmp_path / "ledger.xlsx"
    call_command("export_ledger", "--user", "head", "--out", str(out), "--level", "general", "--language", "en")
    assert set(numbers(out.read_bytes())) == set(
        Hazard.objects.visible_to(head).filter(level="general").values_list("number", flat=True)
    )
    call_command(
        "export_ledger",
        "--user",
        "head",
        "--out",
        str(out),
        "--state",
        "assigned",
        "--state",
        "rectifying",
        "--found-after",
        (scene.today - timedelta(days=35)).isoformat(),
        "--language",
        "en",
    )
    assert set(numbers(out.read_bytes())) == {scene.hazards["overdue"].number, scene.hazards["major"].number}


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--user", "nobody"], "no active user named 'nobody'"),
        (["--user", "province", "--level", "bogus"], "--level: "),
        (["--user", "province", "--found_after", "not-a-date"], "--found: "),
    ],
)
def test_the_command_fails_with_a_one_line_reason(tmp_path, province, arguments, message):
    with pytest.raises(CommandError) as failure:
        call_command("export_ledger", "--out", str(tmp_path / "x.xlsx"), *arguments)
    assert str(failure.value).startswith(message) and "\n" not in str(failure.value)


def test_the_command_says_when_it_cannot_write(province):
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_ledger", "--user", "province", "--out", "/nonexistent/dir/x.xlsx")


def test_rows_are_read_by_id_in_the_exports_order_a_few_at_a_time(province, scene, monkeypatch):
    """The ids first, in the list's order, then the columns of each few ids: the order is the list's."""
    monkeypatch.setattr(ledger_export, "CHUNK_SIZE", 2)
    hazards = ledger_export.ledger_filter(province, {"level": "general"}).qs
    expected = list(hazards.values_list("number", flat=True))
    assert len(expected) > 2
    numbers_read = [row[0] for row in ledger_export.ledger_rows(hazards)]
    assert numbers_read == expected
    by_number_reversed = hazards.order_by("-number")
    assert [row[0] for row in ledger_export.ledger_rows(by_number_reversed)] == sorted(expected, reverse=True)
