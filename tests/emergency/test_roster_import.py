"""A month's roster from the bureau's workbook: every row or none, errors by row and column."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from emergency.models import DutyShift
from emergency.roster_import import import_roster
from tests.emergency.scene import county_government, duty_officer
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]


def _workbook(rows, *, stale_dimension: bool = False) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "班次", "带班领导", "值班人员", "值班电话"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if stale_dimension:
        # Some generators write a <dimension> that says fewer rows than the sheet holds.
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    assert b'<dimension ref="A1:E4" />' in content
                    content = content.replace(b'<dimension ref="A1:E4" />', b'<dimension ref="A1:E2" />')
                target.writestr(item, content)
        data = out.getvalue()
    return SimpleUploadedFile("roster.xlsx", data)


@pytest.fixture
def body():
    body = county_government()
    UserFactory(username="leader", last_name="刘", first_name="备", organization=body)
    for name in ("关羽", "张飞"):
        duty_officer(body, name).__class__.objects.filter(username=name).update(last_name=name[0], first_name=name[1:])
    return body


def test_a_good_month_imports_every_row_even_with_a_stale_dimension(body):
    rows = [
        [date(2026, 10, 1), "全天", "刘备", "关羽、张飞", "0731-1"],
        [date(2026, 10, 2), "白班", "刘备", "关羽", ""],
        ["2026-10-02", "夜班", "", "张飞", ""],
    ]
    result = import_roster(_workbook(rows, stale_dimension=True), organization=body)
    assert result.ok and result.count == 3
    assert DutyShift.objects.filter(organization=body).count() == 3
    first = DutyShift.objects.get(duty_date=date(2026, 10, 1))
    assert first.leading_cadre.username == "leader"
    assert sorted(first.officers.values_list("username", flat=True)) == ["关羽", "张飞"]


def test_one_bad_row_imports_nothing_and_says_which_cell_and_why(body):
    rows = [[date(2026, 10, 1), "全天", "刘备", "关羽", ""], [date(2026, 10, 2), "早班", "曹操", "关羽", ""]]
    result = import_roster(_workbook(rows), organization=body)
    assert not result.ok
    assert any("Row 3" in error and "班次" in error for error in result.errors)
    assert any("Row 3" in error and "曹操" in error for error in result.errors)
    assert not DutyShift.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_clearly(body):
    result = import_roster(SimpleUploadedFile("roster.xlsx", b"not a zip"), organization=body)
    assert result.errors and "not an .xlsx" in result.errors[0]
