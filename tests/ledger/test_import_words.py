"""Ledgers in their own words: industries, levels and kinds through the synonyms data file, and units
not yet in the register recorded as sites of their county."""

import pytest

from hazards.models import Hazard
from tests.factories import EnterpriseFactory, industry, region
from tests.ledger.test_import import check, page_text, upload, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def fire_and_power(inspector):
    """The inspector's body also covers fire and building power lines, the words of these ledgers."""
    inspector.organization.industries.add(industry("fire"), industry("building-power"))


HEADERS = ["隐患名称", "行业领域", "隐患等级", "隐患类别", "县市区", "单位", "排查时间"]


def row(title: str, industry: str, level: str = "一般", unit: str = "某商店", kind: str = "物的不安全状态") -> list:
    return [title, industry, level, kind, "浏阳市", unit, "2026-06-01"]


def test_industries_and_levels_in_the_ledgers_words_are_read_and_shown(inspector, client):
    rows = [
        row("灭火器过期", "消防安全", "Ⅰ级"),
        row("线路老化", "建筑供配电线路", "一般隐患", kind="设备设施"),
        row("私拉乱接", "供配电线路", "重大隐患"),
        row("通道堵塞", "消防", "重大"),
    ]
    result = check(workbook(rows, HEADERS), inspector)
    assert result.is_valid, [r.errors for r in result.bad_rows]
    hazards = [r.hazard for r in result.rows]
    assert [h.industry.code for h in hazards] == ["fire", "building-power", "building-power", "fire"]
    assert [h.level for h in hazards] == [Hazard.Level.GENERAL, Hazard.Level.GENERAL, Hazard.Level.MAJOR, "major"]
    assert hazards[1].kind == Hazard.Kind.THING_STATE
    assert result.mapped_values == {
        ("industry", "消防安全"): "Fire protection",
        ("level", "Ⅰ级"): "General",
        ("industry", "建筑供配电线路"): "Building power supply and distribution lines",
        ("kind", "设备设施"): "Dangerous state of things",
        ("industry", "供配电线路"): "Building power supply and distribution lines",
        ("level", "重大"): "Major",
    }
    client.force_login(inspector)
    text = page_text(upload(client, workbook(rows, HEADERS), action="check"))
    assert "消防安全 → Fire protection" in text and "Ⅰ级 → General" in text


def test_an_unknown_value_is_named_and_kept_for_mapping(inspector):
    result = check(workbook([row("灭火器过期", "防火防爆"), row("通道堵塞", "防火防爆", "三级")], HEADERS), inspector)
    assert not result.is_valid
    assert result.unknown_values == {("industry", "防火防爆"): [2, 3], ("level", "三级"): [3]}


def test_units_not_in_the_register_are_recorded_as_sites_of_their_county(inspector, client):
    registered = EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181"))
    rows = [
        row("灭火器过期", "消防", unit="张记小卖部"),
        row("线路老化", "建筑电力供配电线路", unit="张记小卖部"),
        row("通道堵塞", "消防", unit="李家自建房"),
        row("药物超量", "烟花爆竹生产", unit=registered.name),
    ]
    result = check(workbook(rows, HEADERS), inspector)
    assert result.is_valid, [r.errors for r in result.bad_rows]
    assert result.unregistered == {"张记小卖部": [2, 3], "李家自建房": [4]}
    hazards = [r.hazard for r in result.rows]
    assert [(h.unit_id, h.site_name, h.region_id) for h in hazards[:3]] == [
        (None, "张记小卖部", "430181"),
        (None, "张记小卖部", "430181"),
        (None, "李家自建房", "430181"),
    ]
    assert hazards[3].unit == registered
    client.force_login(inspector)
    text = page_text(upload(client, workbook(rows, HEADERS), action="check"))
    assert "3 rows name 2 units not in the register: they will be recorded as sites" in text
    response = upload(client, workbook(rows, HEADERS))
    assert response.status_code == 302
    assert sorted(Hazard.objects.values_list("site_name", flat=True)) == ["", "张记小卖部", "张记小卖部", "李家自建房"]


def test_a_registered_unit_outside_ones_jurisdiction_is_refused_not_made_a_site(inspector):
    outside = EnterpriseFactory(name="醴陵花炮有限公司", region=region("430281"))
    result = check(workbook([row("药物超量", "烟花爆竹生产", unit=outside.name)], HEADERS), inspector)
    assert not result.unregistered
    assert any("No registered unit “醴陵花炮有限公司” in your jurisdiction" in e for e in result.rows[0].errors)


def test_the_command_says_what_it_read_in_the_ledgers_words_and_which_units_become_sites(inspector, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([row("灭火器过期", "消防安全", unit="张记小卖部")], HEADERS))
    call_command("import_ledger", str(path), "--user", "inspector", "--dry-run", "--language", "en")
    out = capsys.readouterr().out
    assert "read in the ledger's words: 消防安全 → Fire protection" in out
    assert "1 rows name 1 units not in the register; recorded as sites: 张记小卖部" in out
    assert Hazard.objects.count() == 0
