"""Issue 20's last option: units a ledger names that the register does not have are added to it — in
their county, with the name given, flagged as added by import, to be completed — instead of being
recorded as sites; all or nothing, and only into counties the importer records findings for."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Organization
from accounts.scope import register_for
from hazards.models import Hazard
from ledger.models import ImportedUnit
from tests.factories import EnterpriseFactory, UserFactory, industry, region
from tests.ledger.test_import import page_text, upload, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

HEADERS = ["隐患名称", "行业领域", "隐患等级", "县市区", "单位", "排查时间"]


@pytest.fixture(autouse=True)
def fire(inspector):
    """The inspector's body (浏阳市) also covers fire protection, the industry of these ledgers."""
    inspector.organization.industries.add(industry("fire"))


def row(title: str, unit: str, county: str = "浏阳市", industry_name: str = "消防", found_on: str = "2026-06-01"):
    return [title, industry_name, "一般", county, unit, found_on]


@pytest.fixture
def registered():
    return EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181"), industries=["fireworks-production"])


@pytest.fixture
def ledger(registered) -> bytes:
    """Three rows name two shops the register lacks; one names a registered unit."""
    return workbook(
        [
            row("灭火器过期", "张记小卖部"),
            row("通道堵塞", "张记小卖部"),
            row("电动车室内充电", "李家自建房"),
            row("药物超量", registered.name, industry_name="烟花爆竹生产"),
        ],
        HEADERS,
    )


def test_the_dry_run_says_how_many_units_will_be_added_and_adds_none(client, inspector, ledger):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    response = client.post("/hazards/import/", {"file": _file(ledger), "action": "check", "add_units": "on"})
    text = page_text(response)
    assert "3 rows name 2 units not in the register: they will be added to the register of their county" in text
    assert 'name="add_units" value="1" id="confirm-add-units" checked' in text
    # Without the option, the same file says they will be sites.
    assert "recorded as sites" in page_text(upload(client, ledger, action="check"))
    assert not Organization.objects.filter(name__in=["张记小卖部", "李家自建房"]).exists()
    assert Hazard.objects.count() == 0


def test_importing_with_the_option_adds_the_units_to_the_register_flagged_to_complete(client, inspector, ledger):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    response = client.post("/hazards/import/", {"file": _file(ledger), "action": "import", "add_units": "on"})
    assert response.status_code == 302
    shop, house = Organization.objects.get(name="张记小卖部"), Organization.objects.get(name="李家自建房")
    for unit in (shop, house):
        assert (unit.region_id, unit.kind, unit.credit_code, unit.status) == ("430181", "other", "", "operating")
        assert set(unit.industries.values_list("code", flat=True)) == {"fire"}
        assert ImportedUnit.objects.get(unit=unit).added_by == inspector
    assert ImportedUnit.objects.get(unit=shop).row == 2
    # The shop's two findings are the unit's now, not a site's; the registered unit's finding is unchanged.
    assert sorted(Hazard.objects.filter(unit=shop).values_list("title", "site_name")) == [
        ("灭火器过期", ""),
        ("通道堵塞", ""),
    ]
    assert Hazard.objects.get(title="电动车室内充电").unit == house
    assert Hazard.objects.filter(site_name__in=["张记小卖部", "李家自建房"]).count() == 0
    # The done page names them with links; the register shows them flagged, and the filter finds them.
    done = page_text(client.get("/hazards/import/"))
    assert "2 units were added to the register, to be completed" in done
    assert reverse("units:detail", args=[shop.pk]) in done
    listed = page_text(client.get(reverse("units:list"), {"to_complete": "on"}))
    assert "张记小卖部" in listed and "李家自建房" in listed and "浏阳花炮制造有限公司" not in listed
    assert "Added by import, to be completed" in page_text(client.get(reverse("units:detail", args=[shop.pk])))


def test_without_the_option_they_are_still_recorded_as_sites(client, inspector, ledger):
    client.force_login(inspector)
    assert upload(client, ledger).status_code == 302
    assert not Organization.objects.filter(name="张记小卖部").exists()
    assert Hazard.objects.filter(site_name="张记小卖部", unit=None).count() == 2
    assert not ImportedUnit.objects.exists()


def test_one_bad_row_adds_no_unit_and_no_finding(client, inspector, registered):
    bad = workbook(
        [
            row("灭火器过期", "张记小卖部"),
            row("电动车室内充电", "李家自建房", found_on="明天"),  # not a date
        ],
        HEADERS,
    )
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    response = client.post("/hazards/import/", {"file": _file(bad), "action": "import", "add_units": "on"})
    assert response.status_code == 400
    assert "1 of 2 rows has errors: nothing was imported" in page_text(response)
    assert not Organization.objects.filter(name__in=["张记小卖部", "李家自建房"]).exists()
    assert not ImportedUnit.objects.exists()
    assert Hazard.objects.count() == 0


def test_units_are_added_only_in_counties_the_importer_records_for(inspector, tmp_path):
    """The 浏阳市 inspector names a shop in 醴陵市: the row is refused, so nothing of the file is added."""
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([row("灭火器过期", "张记小卖部"), row("通道堵塞", "王记饭店", county="醴陵市")], HEADERS))
    with pytest.raises(CommandError, match="1 of 2 rows have errors; nothing was imported"):
        call_command("import_ledger", str(path), "--user", "inspector", "--add-units", "--language", "en")
    assert not Organization.objects.filter(name__in=["张记小卖部", "王记饭店"]).exists()
    assert Hazard.objects.count() == 0


def test_the_command_adds_them_and_each_appears_only_to_those_who_see_its_county(inspector, head, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([row("灭火器过期", "张记小卖部"), row("通道堵塞", "张记小卖部")], HEADERS))
    call_command("import_ledger", str(path), "--user", "inspector", "--add-units", "--dry-run", "--language", "en")
    out = capsys.readouterr().out
    assert "2 rows name 1 units not in the register; 1 units will be added to the register, to be completed" in out
    assert not Organization.objects.filter(name="张记小卖部").exists()

    call_command("import_ledger", str(path), "--user", "inspector", "--add-units", "--language", "en")
    assert "1 units added to the register, to be completed: 张记小卖部" in capsys.readouterr().out
    shop = Organization.objects.get(name="张记小卖部")
    assert register_for(inspector).filter(pk=shop.pk).exists()
    # A head of another city does not see it on the register.
    stranger = UserFactory(
        organization__name="株洲市应急管理局",
        organization__region=region("430200"),
        organization__industries=["fire"],
        roles=["department_head"],
    )
    assert not register_for(stranger).filter(pk=shop.pk).exists()

    # A second ledger naming the shop finds it on the register: no second unit, no new flag.
    call_command("import_ledger", str(path), "--user", "inspector", "--add-units", "--include-duplicates")
    assert Organization.objects.filter(name="张记小卖部").count() == 1
    assert ImportedUnit.objects.count() == 1
    assert Hazard.objects.filter(unit=shop).count() == 4


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.xlsx", content)
