"""Importing a county's register from Excel: all or nothing, each bad row said, merges instead of doubles."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.credit_codes import build_credit_code
from accounts.models import Organization
from tests.factories import EnterpriseFactory, industry
from units import importing

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "单位名称",
    "统一社会信用代码",
    "县市区",
    "乡镇街道",
    "详细地址",
    "行业领域",
    "法人",
    "安全联系人",
    "联系电话",
    "风险等级",
    "经营状态",
]


def code(serial: int) -> str:
    return build_credit_code(region_code="430181", serial=serial)


def workbook(*rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["浏阳市企业台账（2026年）"])  # a title row above the header, as counties' sheets have
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    output.seek(0)
    return output


def good_row(serial: int, name: str = "", **changes):
    row = {
        "seq": serial,
        "name": name or f"浏阳市第{serial}花炮厂",
        "code": code(serial),
        "county": "浏阳市",
        "township": "大瑶镇",
        "address": "",
        "industries": "烟花爆竹生产",
        "legal": "李四",
        "contact": "王五",
        "phone": "13800000000",
        "risk": "较大风险",
        "status": "在营",
    }
    row.update(changes)
    return list(row.values())


def test_a_good_file_adds_every_unit_with_its_register_fields(inspector):
    check = importing.check_units(workbook(good_row(1), good_row(2, risk="红")), actor=inspector, file_name="r.xlsx")
    assert check.is_valid, [row.errors for row in check.rows]
    assert importing.import_units(actor=inspector, check=check) == (2, 0)
    unit = Organization.objects.get(credit_code=code(1))
    assert (unit.kind, unit.region_id, unit.township, unit.safety_contact) == ("enterprise", "430181", "大瑶镇", "王五")
    assert unit.risk_class == Organization.RiskClass.HIGH
    assert Organization.objects.get(credit_code=code(2)).risk_class == Organization.RiskClass.MAJOR
    assert list(unit.industries.all()) == [industry("fireworks-production")]


def test_a_file_with_a_bad_row_imports_nothing_and_says_which_row_and_why(inspector):
    check = importing.check_units(
        workbook(good_row(1), good_row(2, code="91350100M000100Y44"), good_row(3, county="长沙县")),
        actor=inspector,
        file_name="r.xlsx",
    )
    assert not check.is_valid
    bad = {row.number: " ".join(row.errors) for row in check.bad_rows}
    assert set(bad) == {4, 5}  # the sheet's own row numbers, below the title and the header
    assert "check character" in bad[4] or "校验" in bad[4]
    assert "长沙县" in bad[5]  # a county outside the inspector's jurisdiction
    with pytest.raises(importing.ImportFileError):
        importing.import_units(actor=inspector, check=check)
    assert not Organization.objects.filter(credit_code=code(1)).exists()


def test_a_unit_without_a_credit_code_needs_an_address(inspector):
    check = importing.check_units(
        workbook(good_row(1, name="某自建房", code=""), good_row(2, name="某小店", code="", address="集里街道1号")),
        actor=inspector,
        file_name="r.xlsx",
    )
    assert [row.number for row in check.bad_rows] == [3]
    assert "address" in " ".join(check.bad_rows[0].errors) or "地址" in " ".join(check.bad_rows[0].errors)


def test_a_credit_code_already_registered_merges_instead_of_doubling(inspector):
    registered = EnterpriseFactory(name="浏阳老厂", credit_code=code(7), safety_contact="旧联系人", township="")
    check = importing.check_units(
        workbook(
            good_row(7, name="浏阳新厂名", contact="", township="大瑶镇"), good_row(8), good_row(8, phone="13900000000")
        ),
        actor=inspector,
        file_name="r.xlsx",
    )
    assert check.is_valid
    assert (check.new_count, check.merged_count) == (1, 2)  # row 3 merges with the register, row 5 with row 4
    assert importing.import_units(actor=inspector, check=check) == (1, 1)
    registered.refresh_from_db()
    assert registered.name == "浏阳新厂名"
    assert registered.safety_contact == "旧联系人"  # a blank cell keeps what the register had
    assert registered.township == "大瑶镇"
    assert Organization.objects.filter(credit_code=code(8)).get().safety_contact_phone == "13900000000"
    assert Organization.objects.filter(credit_code__in=[code(7), code(8)]).count() == 2


def test_the_command_dry_run_writes_nothing_and_a_bad_file_fails_with_a_reason(inspector, tmp_path, capsys):
    path = tmp_path / "register.xlsx"
    path.write_bytes(workbook(good_row(1), good_row(2)).getvalue())
    call_command("import_units", str(path), "--user", "inspector", "--dry-run")
    assert "2 units would be added" in capsys.readouterr().out
    assert not Organization.objects.filter(credit_code=code(1)).exists()
    call_command("import_units", str(path), "--user", "inspector")
    assert Organization.objects.filter(credit_code__in=[code(1), code(2)]).count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a workbook")
    with pytest.raises(CommandError, match="PDF"):
        call_command("import_units", str(bad), "--user", "inspector")


def test_a_register_kept_as_a_gbk_csv_is_read_by_the_same_layer_as_the_ledger(inspector):
    """The register is read like a ledger (calamine or CSV, the same limits): a county's GBK export imports."""
    lines = ["单位名称,统一社会信用代码,县市区,详细地址,行业领域", f"浏阳市第1花炮厂,{code(1)},浏阳市,,烟花爆竹生产"]
    lines.append("张记小卖部,,浏阳市,集里街道1号,")
    check = importing.check_units(
        io.BytesIO("\r\n".join(lines).encode("gbk")), actor=inspector, file_name="register.csv"
    )
    assert check.is_valid, [row.errors for row in check.bad_rows]
    assert importing.import_units(actor=inspector, check=check) == (2, 0)
    shop = Organization.objects.get(name="张记小卖部")
    assert (shop.region_id, shop.address, shop.credit_code) == ("430181", "集里街道1号", "")
    assert set(Organization.objects.get(credit_code=code(1)).industries.values_list("code", flat=True)) == {
        "fireworks-production"
    }


@pytest.mark.postgres  # Django sends SQLite at most 999 parameters a statement: its batches are of 41 units
def test_ten_thousand_units_import_in_a_handful_of_statements(inspector, django_assert_max_num_queries):
    rows = [good_row(serial, name=f"单位{serial}") for serial in range(1, 10_001)]
    check = importing.check_units(workbook(*rows), actor=inspector, file_name="big.xlsx")
    assert check.is_valid
    # Bulk writes: the count of statements does not grow with the rows (batches of thousands).
    with django_assert_max_num_queries(20):
        assert importing.import_units(actor=inspector, check=check) == (10_000, 0)
