"""Importing a unit's Excel ledger: every row checked, all or nothing, synonyms, duplicates, bad files."""

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from hazards.models import Hazard, HazardEvent
from ledger import reading, template, validation
from ledger.columns import IMPORT_COLUMNS
from tests.factories import EnterpriseFactory, HazardFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

HEADERS = [
    "序号",
    "隐患名称",
    "隐患描述",
    "行业领域",
    "隐患级别",
    "县市区",
    "单位",
    "场所",
    "位置",
    "排查日期",
    "整改措施",
    "整改资金（万元）",
    "整改责任单位",
    "整改责任人",
    "整改期限",
]


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def workbook(rows: list[list], headers: list | None = None, *, above: list[list] = ()) -> bytes:
    """An .xlsx made by openpyxl (not by our writer): optional rows above the header, the header, the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    for row in [*above, headers or HEADERS, *rows]:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def good_rows(unit, owner) -> list[list]:
    return [
        [
            1,
            "药物存量超标",
            "1号工房药物超量",
            "烟花爆竹生产",
            "一般",
            "浏阳市",
            unit.name,
            None,
            "1号工房",
            days_ago(10),
            "清理超量药物",
            1.5,
            owner.name,
            "李厂长",
            days_ago(-20),
        ],
        [
            2,
            "安全出口堵塞",
            None,
            "烟花爆竹生产",
            "重大",
            "430181",
            unit.credit_code,
            None,
            "包装车间",
            "2026/1/5",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            3,
            "零售点超量存放",
            "零售点存放超量",
            "烟花爆竹零售",
            None,
            "长沙市浏阳市",
            None,
            "浏阳某零售点",
            None,
            "2026年2月3日",
            None,
            "0.5万元",
            None,
            None,
            None,
        ],
    ]


def upload(client, content: bytes, *, name: str = "台账.xlsx", action: str = "import"):
    client.cookies["django_language"] = "en"
    return client.post("/hazards/import/", {"file": SimpleUploadedFile(name, content), "action": action})


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def check(content: bytes, user, *, name: str = "台账.xlsx") -> reading.ImportCheck:
    with translation.override("en"):
        return validation.check_import(io.BytesIO(content), actor=user, file_name=name)


# Who may import


@pytest.mark.parametrize(
    "path", ["/hazards/import/", "/hazards/import/template.xlsx", "/hazards/import/abc/errors.xlsx"]
)
def test_only_those_who_record_findings_may_import(client, rectifier, province, path):
    for user in (rectifier, province):
        client.force_login(user)
        assert client.get(path).status_code == 404, (user, path)
        assert client.post(path).status_code in (404, 405)


def test_the_import_page_is_reached_from_the_list(client, inspector):
    client.force_login(inspector)
    assert 'href="/hazards/import/"' in client.get("/hazards/").content.decode()
    assert client.get("/hazards/import/").status_code == 200


# The template


def test_the_template_has_the_columns_an_example_notes_and_validation_lists(client, inspector):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    response = client.get("/hazards/import/template.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Import", "Notes", "Allowed values"]
    second_reader = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert second_reader.sheet_names == book.sheetnames
    assert second_reader.get_sheet_by_name("Import").to_python()[0][1] == "Hazard*"
    sheet = book["Import"]
    headers = [cell.value for cell in sheet[1]]
    with translation.override("en"):
        assert headers == [f"{c.header}*" if c.required else str(c.header) for c in IMPORT_COLUMNS]
    assert "Hazard*" in headers and "Found on*" in headers and "Unit" in headers
    example = {header.rstrip("*"): cell.value for header, cell in zip(headers, sheet[2], strict=True)}
    assert example["No."] == "Example" and example["County"] == "浏阳市"
    assert isinstance(example["Found on"], datetime)
    validated = {str(validation.sqref).split(":")[0] for validation in sheet.data_validations.dataValidation}
    letters = {header.rstrip("*"): cell.column_letter for header, cell in zip(headers, sheet[1], strict=True)}
    assert {f"{letters[name]}2" for name in ("Industry", "Level", "County", "Found on")} <= validated
    allowed = book["Allowed values"]
    columns = {allowed.cell(1, col).value: col for col in range(1, allowed.max_column + 1)}
    industries = [allowed.cell(row, columns["Industry"]).value for row in range(2, allowed.max_row + 1)]
    assert "Fireworks production" in industries and "Coal mines" not in industries  # the inspector's industries only
    counties = {allowed.cell(row, columns["County"]).value for row in range(2, allowed.max_row + 1)} - {None}
    assert counties == {"浏阳市"}
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True)]
    assert "Found on" in notes and "Rectification measures" in notes


def test_a_filled_in_template_imports_and_its_example_row_is_skipped(client, inspector, unit):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    template = b"".join(client.get("/hazards/import/template.xlsx").streaming_content)
    book = load_workbook(io.BytesIO(template))
    sheet = book["Import"]
    headers = [str(cell.value).rstrip("*") for cell in sheet[1]]
    values = {
        "Hazard": "安全出口堵塞",
        "Industry": "烟花爆竹生产",
        "County": "浏阳市",
        "Unit": unit.name,
        "Found on": days_ago(3),
    }
    sheet.append([values.get(header) for header in headers])
    output = io.BytesIO()
    book.save(output)
    response = upload(client, output.getvalue())
    assert response.status_code == 302
    done = client.get("/hazards/import/")
    assert "1 finding was imported" in page_text(done)
    assert Hazard.objects.get().title == "安全出口堵塞"


# A good file


def test_a_good_file_creates_every_finding_through_the_workflow_in_one_go(client, inspector, unit, owner):
    client.force_login(inspector)
    response = upload(client, workbook(good_rows(unit, owner)), name="浏阳台账.xlsx")
    assert response.status_code == 302 and response["Location"] == "/hazards/import/"
    hazards = {hazard.title: hazard for hazard in Hazard.objects.all()}
    assert set(hazards) == {"药物存量超标", "安全出口堵塞", "零售点超量存放"}
    first = hazards["药物存量超标"]
    assert first.state == Hazard.State.REPORTED and first.found_by == inspector
    assert first.number.startswith("HN-430181-")
    assert first.unit == unit and first.rectifying_unit == owner and first.location == "1号工房"
    assert first.measures == "清理超量药物" and first.funds == Decimal("1.50") and first.responsible_person == "李厂长"
    assert first.found_on == days_ago(10) and first.deadline == days_ago(-20)
    second = hazards["安全出口堵塞"]
    assert second.unit == unit and second.level == Hazard.Level.MAJOR and second.found_on == date(2026, 1, 5)
    assert second.description == "安全出口堵塞"  # no description: the name stands for it
    third = hazards["零售点超量存放"]
    assert third.unit is None and third.site_name == "浏阳某零售点" and third.funds == Decimal("0.5")
    assert third.industry.code == "fireworks-retail" and third.found_on == date(2026, 2, 3)
    events = HazardEvent.objects.filter(action=HazardEvent.Action.REPORT).order_by("hazard__title")
    assert {event.reason for event in events} == {
        "Imported from 浏阳台账.xlsx, row 2.",
        "Imported from 浏阳台账.xlsx, row 3.",
        "Imported from 浏阳台账.xlsx, row 4.",
    }
    page = page_text(client.get("/hazards/import/"))
    assert "3 findings were imported from 浏阳台账.xlsx" in page and first.number in page


def test_rows_numbered_in_advance_but_empty_are_skipped(inspector, unit, owner):
    rows = [*good_rows(unit, owner), [4], [5], [6]]
    result = check(workbook(rows), inspector)
    assert result.is_valid and len(result.rows) == 3


def test_a_dry_run_shows_what_would_be_created_and_writes_nothing(client, inspector, unit, owner):
    client.force_login(inspector)
    response = upload(client, workbook(good_rows(unit, owner)), action="check")
    assert response.status_code == 200
    page = page_text(response)
    assert "Dry run: nothing was imported. 3 findings would be created." in page
    assert "药物存量超标" in page and "浏阳某零售点" in page
    assert Hazard.objects.count() == 0
    # The page's button imports the file already checked, without uploading it again.
    token = re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode()).group(1)
    assert client.post("/hazards/import/", {"token": token, "action": "import"}).status_code == 302
    assert Hazard.objects.count() == 3


# Bad rows


def test_any_bad_row_imports_nothing_and_the_rows_come_back_with_their_errors(client, inspector, unit, owner):
    rows = good_rows(unit, owner)
    rows[1][3] = "外星行业"  # D3
    rows[2][9] = "昨天"  # J4
    client.force_login(inspector)
    response = upload(client, workbook(rows), name="bad.xlsx")
    assert response.status_code == 400
    assert Hazard.objects.count() == 0
    page = page_text(response)
    assert "2 of 3 rows have errors: nothing was imported." in page
    assert "D3: “外星行业” is not an industry of the taxonomy" in page
    assert "J4: “昨天” is not a date" in page

    link = re.search(r'href="(/hazards/import/[0-9a-f]+/errors\.xlsx)"', response.content.decode()).group(1)
    download = client.get(link)
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[1]] == [*HEADERS, "Errors"]
    errors = {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert errors[1] is None and "D3" in errors[2] and "J4" in errors[3]
    assert sheet.max_row == 4  # every row, so the user can fix the file and upload it again
    assert CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(sheet.title).to_python()[2][-1]

    # The file and its errors are the uploader's session's only.
    client.logout()
    client.force_login(inspector)
    assert client.get(link).status_code == 404


CASES = [
    # (column, value, the message)
    ("行业领域", "煤矿", "is outside the industries you may record"),
    ("行业领域", None, "This field is required"),
    ("隐患级别", "特大", "is not one of"),
    ("县市区", "醴陵市", "is outside your jurisdiction"),
    ("县市区", "火星县", "is not a county of Hunan"),
    ("排查日期", "2026-13-45", "is not a date"),
    ("排查日期", (timezone.localdate() + timedelta(days=3)).isoformat(), "cannot be in the future"),
    ("整改期限", "2000-01-01", "The deadline is before the date found"),
    ("整改资金（万元）", "-1", "is not an amount of 10,000 yuan"),
    ("整改责任单位", "不存在的单位", "No registered unit"),
    ("隐患名称", None, "This field is required"),
]


@pytest.mark.parametrize("column, value, message", CASES)
def test_every_row_is_validated_and_the_cell_named(inspector, unit, owner, column, value, message):
    rows = good_rows(unit, owner)[:1]
    col = HEADERS.index(column)
    rows[0][col] = value
    result = check(workbook(rows), inspector)
    assert not result.is_valid and not result.error
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col]
    assert any(error.startswith(f"{letter}2") and message in error for error in result.rows[0].errors), result.rows[
        0
    ].errors


def test_a_row_needs_a_unit_or_a_site(inspector, unit, owner):
    rows = good_rows(unit, owner)[:1]
    rows[0][6] = None
    result = check(workbook(rows), inspector)
    assert any("Name the unit, or describe the site" in error for error in result.rows[0].errors)


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2026, 3, 5, 9, 30), date(2026, 3, 5)),
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026.3.5", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026年03月05日 10:00", date(2026, 3, 5)),
        (46086, date(2026, 3, 5)),  # an Excel serial day number, as in a cell without a date format
    ],
)
def test_dates_in_the_common_formats(inspector, unit, owner, value, expected):
    rows = good_rows(unit, owner)[:1]
    rows[0][9] = value
    rows[0][14] = None
    result = check(workbook(rows), inspector)
    assert result.is_valid, result.rows[0].errors
    assert result.rows[0].hazard.found_on == expected


def test_units_by_name_in_either_bracket_width_or_by_credit_code(inspector):
    unit = EnterpriseFactory(name="浏阳市某某花炮厂（普通合伙）", region=region("430181"))
    rows = [
        [1, "隐患一", None, "烟花爆竹生产", None, "浏阳市", "浏阳市某某花炮厂(普通合伙)", None, None, days_ago(1)],
        [2, "隐患二", None, "烟花爆竹生产", None, "浏阳市", unit.credit_code.lower(), None, None, days_ago(1)],
    ]
    result = check(workbook(rows, HEADERS[:10]), inspector)
    assert result.is_valid, [row.errors for row in result.rows]
    assert [row.hazard.unit for row in result.rows] == [unit, unit]


# Real ledgers vary


def test_headers_of_real_ledgers_are_understood_and_unknown_columns_ignored_with_a_warning(
    client, inspector, unit, owner
):
    headers = [
        "序号",
        "存在问题",
        "所属行业",
        "县市区",
        "企业名称",
        "隐患部位",
        "排查时间",
        "治理措施",
        "完成时限",
        "责任部门",
        "检查人员",
    ]
    rows = [
        [
            1,
            "安全出口堵塞",
            "烟花爆竹生产",
            "浏阳市",
            unit.name,
            "包装车间",
            "2026-03-01",
            "清理出口",
            "2026-04-01",
            owner.name,
            "张三",
        ]
    ]
    above = [["浏阳市烟花爆竹企业隐患排查治理台账"], ["填报单位：浏阳市应急管理局"]]
    result = check(workbook(rows, headers, above=above), inspector)
    assert result.is_valid, result.rows[0].errors if result.rows else result.error
    assert result.header_row == 3
    hazard = result.rows[0].hazard
    assert (hazard.location, hazard.measures, hazard.deadline, hazard.rectifying_unit) == (
        "包装车间",
        "清理出口",
        date(2026, 4, 1),
        owner,
    )
    # 检查人员 is the finder (issue 20: nothing useful dropped), kept by name when not a user.
    assert result.warnings == [] and hazard.finder_name == "张三"
    # 整改时限 is another name of the deadline.
    headers[8] = "整改时限"
    assert check(workbook(rows, headers), inspector).rows[0].hazard.deadline == date(2026, 4, 1)
    # Our own English headers work too, whatever the language of the page.
    english = ["Hazard", "Industry", "County", "Site", "Found on"]
    assert check(
        workbook([["Exit blocked", "Fireworks production", "430181", "某作坊", "2026-03-01"]], english), inspector
    ).is_valid


def test_a_missing_required_column_is_named(client, inspector, unit):
    headers = ["隐患名称", "县市区", "单位", "排查日期"]
    client.force_login(inspector)
    response = upload(client, workbook([["隐患", "浏阳市", unit.name, "2026-03-01"]], headers))
    assert response.status_code == 400
    assert "has no column for: Industry (行业领域、行业、所属行业)" in page_text(response)
    result = check(
        workbook([["隐患", "烟花爆竹生产", "浏阳市", "2026-03-01"]], ["隐患名称", "行业领域", "县市区", "排查日期"]),
        inspector,
    )
    assert "Unit or Site" in result.error


# Likely duplicates


def test_likely_duplicates_are_flagged_and_skipped_unless_confirmed(client, inspector, unit, owner):
    existing = HazardFactory(title="药物存量超标", unit=unit, site_name="", found_on=days_ago(30), found_by=inspector)
    rows = good_rows(unit, owner)
    rows.append(
        [4, "零售点超量存放", None, "烟花爆竹零售", None, "浏阳市", None, "浏阳某零售点", None, "2026-02-10"]
    )  # row 5 repeats row 4
    client.force_login(inspector)
    response = upload(client, workbook(rows))
    # A fresh upload with likely duplicates is shown first: nothing is imported yet.
    assert response.status_code == 200 and Hazard.objects.count() == 1
    page = page_text(response)
    assert existing.number in page and "row 4" in page
    assert "2 rows are likely duplicates" in page
    token = re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode()).group(1)
    # Import, confirming one of the two: the other is skipped.
    response = client.post("/hazards/import/", {"token": token, "action": "import", "confirm": ["5"]})
    assert response.status_code == 302
    titles = sorted(Hazard.objects.exclude(pk=existing.pk).values_list("title", flat=True))
    assert titles == ["安全出口堵塞", "零售点超量存放", "零售点超量存放"]
    assert "Likely duplicates skipped: rows 2." in page_text(client.get("/hazards/import/"))


def test_a_voided_or_older_finding_is_no_duplicate(inspector, unit, owner):
    HazardFactory(title="药物存量超标", unit=unit, site_name="", found_on=days_ago(45), found_by=inspector)
    HazardFactory(
        title="药物存量超标", unit=unit, site_name="", found_on=days_ago(10), state="void", found_by=inspector
    )
    assert not check(workbook(good_rows(unit, owner)[:1]), inspector).duplicates


# Bad files: each gets a clear message, nothing is imported, never a 500


def xlsxwriter_book(write) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output)
    sheet = book.add_worksheet("台账")
    write(sheet)
    book.close()
    return output.getvalue()


def million_rows() -> bytes:
    def write(sheet):
        for col, header in enumerate(HEADERS[:10]):
            sheet.write_string(0, col, header)
        sheet.write_string(1_048_575, 0, "x")  # the last row Excel has

    return xlsxwriter_book(write)


def without_dimension(content: bytes) -> bytes:
    source, output = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(info, data)
    return output.getvalue()


def formulas(unit) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["隐患名称", "行业领域", "县市区", "单位", "排查日期"])
    sheet.append(["隐患", "烟花爆竹生产", "浏阳市", unit.name, "=TODAY()-3"])
    sheet.append(['=CONCAT("隐","患")', "烟花爆竹生产", "浏阳市", unit.name, "2026-03-01"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def docx() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return output.getvalue()


def damaged(content: bytes) -> bytes:
    """The central directory intact, a member's compressed bytes overwritten."""
    data = bytearray(content)
    start = data.index(b"xl/worksheets/sheet1.xml") + 60
    data[start : start + 200] = b"\x00" * 200
    return bytes(data)


BAD_FILES = {
    "empty": (lambda unit: b"", "file is empty"),
    "renamed PDF": (
        lambda unit: b"%PDF-1.7\n%\xe2\xe3\n1 0 obj <<>> endobj\n",
        "This is a PDF document, not an Excel workbook",
    ),
    "damaged .xls": (lambda unit: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "could not be read"),
    "CSV header only": (lambda unit: "隐患名称,行业领域,单位,县市区,排查日期\n".encode(), "has a header but no rows"),
    "binary": (lambda unit: b"\x00\x01\x02binary" * 50, "This is not a spreadsheet (.xlsx, .xls, .ods or .csv)"),
    "truncated zip": (lambda unit: workbook([["x"]])[:400], "The file is damaged"),
    "damaged member": (lambda unit: damaged(workbook([["x"] * 10] * 50)), "could not be read"),
    "Word document": (lambda unit: docx(), "This is a Word document"),
    "1,048,576 rows": (lambda unit: million_rows(), "has 1,048,576 rows; at most 5,000 can be imported"),
    "formulas": (formulas, "holds a formula (=TODAY()-3), not a value: paste the values only"),
    "header only": (lambda unit: workbook([]), "has a header but no rows to import"),
    "no header": (lambda unit: workbook([["a", "b"], ["c", "d"]], ["甲", "乙"]), "No header row was found"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_imports_nothing(client, inspector, unit, case):
    make, message = BAD_FILES[case]
    client.force_login(inspector)
    response = upload(client, make(unit), name="ledger.xlsx")
    assert response.status_code == 400
    assert message in page_text(response).replace("&#x27;", "'"), page_text(response)[-3000:]
    assert Hazard.objects.count() == 0


def test_a_formula_in_a_cell_is_named_and_comes_back_as_text(inspector, unit):
    result = check(formulas(unit), inspector)
    assert result.rows[0].errors == [
        "E2 holds a formula (=TODAY()-3), not a value: paste the values only (粘贴为数值)."
    ]
    output = io.BytesIO()
    template.write_import_errors(output, result)
    sheet = load_workbook(io.BytesIO(output.getvalue())).active
    assert sheet["E2"].value == "=TODAY()-3" and sheet["E2"].data_type == "s" and sheet["E2"].quotePrefix
    assert sheet["A3"].value == '=CONCAT("隐","患")' and sheet["A3"].data_type == "s"


def test_files_and_sheets_over_the_limits_are_refused_before_being_parsed(client, inspector, unit, owner, settings):
    content = workbook(good_rows(unit, owner) * 8)
    settings.LEDGER_IMPORT_MAX_BYTES = len(content) - 1
    client.force_login(inspector)
    response = upload(client, content)
    assert response.status_code == 400 and "the limit is" in page_text(response)
    settings.LEDGER_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.LEDGER_IMPORT_MAX_ROWS = 5
    assert "has 25 rows; at most 5 can be imported" in check(content, inspector).error
    assert check(b"", inspector).error == "The file is empty."
    # A sheet that does not say how many rows it has is counted as it is streamed, before it is read.
    assert "has 25 rows; at most 5" in check(without_dimension(content), inspector).error


def test_a_workbook_that_unpacks_far_beyond_the_limit_is_refused(inspector, settings):
    settings.LEDGER_IMPORT_MAX_BYTES = 2000
    content = xlsxwriter_book(lambda sheet: [sheet.write_string(row, 0, "隐患名称" * 20) for row in range(400)])
    assert "unpacks to" in check(content, inspector).error or "the limit is" in check(content, inspector).error


def test_data_cells_merged_across_rows_are_named(inspector, unit):
    book = Workbook()
    sheet = book.active
    sheet.append(["隐患名称", "行业领域", "县市区", "单位", "排查日期"])
    sheet.append(["隐患一", "烟花爆竹生产", "浏阳市", unit.name, "2026-03-01"])
    sheet.append(["隐患二", "烟花爆竹生产", "浏阳市", None, "2026-03-01"])
    sheet.merge_cells("D2:D3")
    output = io.BytesIO()
    book.save(output)
    result = check(output.getvalue(), inspector)
    assert "D3 is part of merged cells" in " ".join(result.rows[1].errors)


# The command


def test_the_command_imports_a_good_file(tmp_path, inspector, unit, owner, capsys):
    path = tmp_path / "浏阳台账.xlsx"
    path.write_bytes(workbook(good_rows(unit, owner)))
    call_command("import_ledger", str(path), "--user", "inspector", "--dry-run", "--language", "en")
    assert Hazard.objects.count() == 0
    out = capsys.readouterr().out
    assert "dry run, 3 findings would be created" in out and "row 2: would create “药物存量超标”" in out
    call_command("import_ledger", str(path), "--user", "inspector", "--language", "en")
    assert Hazard.objects.count() == 3
    assert "3 findings imported from 浏阳台账.xlsx" in capsys.readouterr().out
    assert set(HazardEvent.objects.values_list("reason", flat=True)) >= {"Imported from 浏阳台账.xlsx, row 2."}
    # The same file again: every row is a likely duplicate, skipped unless asked for.
    call_command("import_ledger", str(path), "--user", "inspector", "--language", "en")
    assert Hazard.objects.count() == 3
    call_command("import_ledger", str(path), "--user", "inspector", "--include-duplicates")
    assert Hazard.objects.count() == 6


def test_the_command_refuses_a_file_with_bad_rows_in_one_line(tmp_path, inspector, unit, owner, capsys):
    rows = good_rows(unit, owner)
    rows[0][3] = "外星行业"
    path, errors = tmp_path / "bad.xlsx", tmp_path / "errors.xlsx"
    path.write_bytes(workbook(rows))
    with pytest.raises(CommandError) as failure:
        call_command("import_ledger", str(path), "--user", "inspector", "--errors-out", str(errors), "--language", "en")
    assert str(failure.value) == f"1 of 3 rows have errors; nothing was imported (rows with errors written to {errors})"
    assert "row 2: D2: “外星行业”" in capsys.readouterr().err
    assert load_workbook(errors).active["P2"].value.startswith("D2:")
    assert Hazard.objects.count() == 0


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--user", "nobody"], "no active user named 'nobody'"),
        (["--user", "rectifier"], "rectifier may not record findings"),
    ],
)
def test_the_command_fails_with_a_one_line_reason(tmp_path, rectifier, arguments, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match=message):
        call_command("import_ledger", str(path), *arguments)


def test_the_command_names_a_bad_or_missing_file(tmp_path, inspector):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="PDF document"):
        call_command("import_ledger", str(path), "--user", "inspector", "--language", "en")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_ledger", str(tmp_path / "missing.xlsx"), "--user", "inspector")


def test_the_import_is_one_transaction(inspector, unit, owner, monkeypatch):
    from hazards import workflow
    from hazards.models import LedgerSequence

    result = check(workbook(good_rows(unit, owner)), inspector)

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The hazards are written, then their events fail: nothing stays, not even the numbers issued.
    monkeypatch.setattr(HazardEvent.objects, "bulk_create", fails)
    with pytest.raises(RuntimeError):
        workflow.import_findings(actor=inspector, findings=result.findings(), file_name="x.xlsx")
    assert Hazard.objects.count() == 0 and not LedgerSequence.objects.filter(last__gt=0).exists()


def test_imported_findings_are_numbered_in_sequence_after_those_recorded_one_by_one(inspector, unit, owner):
    from hazards import workflow

    first = check(workbook(good_rows(unit, owner)[:1]), inspector)
    workflow.import_findings(actor=inspector, findings=first.findings(), file_name="a.xlsx")
    rows = good_rows(unit, owner)
    for row in rows:
        row[1] += "（复查）"
    created = workflow.import_findings(
        actor=inspector, findings=check(workbook(rows), inspector).findings(), file_name="b.xlsx"
    )
    year = timezone.localdate().year
    assert [hazard.number for hazard in created] == [
        f"HN-430181-{year}-000002",
        f"HN-430181-{year}-000003",
        f"HN-430181-{year}-000004",
    ]
    assert all(hazard.state == Hazard.State.REPORTED and hazard.found_by == inspector for hazard in created)
