"""The determination standards library: shipped as data with its source; searched by number or words
on the finding form; a clause makes the finding major with its legal basis; major without one needs a reason."""

import json
from pathlib import Path

import pytest

from hazards.models import Hazard
from rules.models import DeterminationClause, DeterminationStandard
from rules.standards import STANDARDS_DIR, StandardFileError, load_standards, numbering_problem
from tests.factories import industry
from tests.hazards.test_recording import finding_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def test_every_shipped_standard_records_its_source_and_numbered_clauses():
    for path in STANDARDS_DIR.glob("*.json"):
        standard = json.loads(path.read_text(encoding="utf-8"))
        assert standard["source"]["document"] and standard["number"] and standard["issuing_body"], path.name
        numbers = [clause["number"] for clause in standard["clauses"]]
        assert numbering_problem(numbers) is None, path.name
        assert all(clause["text"].strip() for clause in standard["clauses"]), path.name


def test_every_shipped_standard_has_the_official_number_of_items_loaded():
    """`item_count` is the count the issuing body announced; a file missing an item (or with one too many) fails."""
    for path in STANDARDS_DIR.glob("*.json"):
        standard = json.loads(path.read_text(encoding="utf-8"))
        assert len(standard["clauses"]) == standard["item_count"], path.name
        loaded = DeterminationStandard.objects.get(code=standard["code"])
        assert loaded.clauses.count() == standard["item_count"], path.name


def test_the_2017_chemicals_standard_has_its_20_items_loaded():
    chemicals = DeterminationStandard.objects.get(code="hazchem-2017")
    assert chemicals.clauses.count() == 20
    assert chemicals.number == "安监总管三〔2017〕121号"
    assert chemicals.clauses.get(number="6").text == "全压力式液化烃储罐未按国家标准设置注水措施。"


def test_the_2017_fireworks_standard_has_its_20_items_loaded():
    fireworks = DeterminationStandard.objects.get(code="fireworks-2017")
    assert fireworks.clauses.count() == 20
    assert fireworks.number == "安监总管三〔2017〕121号"
    assert fireworks.clauses.get(number="17").text == "一证多厂或者多股东各自独立组织生产经营。"


def test_the_2022_non_coal_mines_standard_has_its_64_items_in_three_parts():
    mines = DeterminationStandard.objects.get(code="noncoal-mines-2022")
    assert mines.number == "矿安〔2022〕88号"
    assert mines.clauses.count() == 64
    numbers = list(mines.clauses.order_by("position").values_list("number", flat=True))
    assert [sum(number.startswith(f"{part}.") for number in numbers) for part in (1, 2, 3)] == [32, 13, 19]
    tailings = mines.clauses.get(number="3.7")
    assert (tailings.citation, tailings.text) == ("尾矿库部分第（七）项", "浸润线埋深小于控制浸润线埋深。")
    # An item with numbered sub-situations keeps them, one a line, under the item's own words.
    assert mines.clauses.get(number="1.23").text.splitlines()[2] == "2.载人数量超过25人或者超过核载人数；"


def test_the_non_coal_mines_standard_is_offered_in_each_kind_of_non_coal_mine(client, inspector):
    client.force_login(inspector)
    for code in ("non-coal-mine-underground", "non-coal-mine-open-pit", "non-coal-mine-tailings"):
        rows = client.get("/rules/clauses/", {"q": "浸润线", "industry": industry(code).pk}).json()["results"]
        assert [row["basis"] for row in rows] == [
            "《金属非金属矿山重大事故隐患判定标准》（矿安〔2022〕88号）尾矿库部分第（七）项：浸润线埋深小于控制浸润线埋深。"
        ]
    coal = client.get("/rules/clauses/", {"q": "浸润线", "industry": industry("coal-mine").pk}).json()["results"]
    assert coal == []


def test_the_2023_industry_and_trade_standard_has_its_64_items_in_articles_3_to_13():
    trade = DeterminationStandard.objects.get(code="industry-trade-2023")
    assert trade.number == "应急管理部令第10号"
    numbers = list(trade.clauses.order_by("position").values_list("number", flat=True))
    per_article = [sum(number.split(".")[0] == str(article) for number in numbers) for article in range(3, 14)]
    # Management 3; 冶金, 有色, 建材, 机械, 轻工, 纺织, 烟草 47; dust, ammonia, confined spaces 14.
    assert per_article == [3, 8, 13, 8, 7, 7, 2, 2, 10, 2, 2]
    ammonia = trade.clauses.get(number="12.2")
    assert ammonia.citation == "第十二条第（二）项"
    assert ammonia.text == "快速冻结装置未设置在单独的作业间内，或者快速冻结装置作业间内作业人员数量超过9人的。"


def test_the_industry_and_trade_standard_is_found_by_its_citation_in_a_sub_industry(client, inspector):
    client.force_login(inspector)
    rows = client.get("/rules/clauses/", {"q": "第十二条", "industry": industry("industry-ammonia").pk}).json()[
        "results"
    ]
    assert [row["text"].split("：")[0] for row in rows] == [
        "工贸企业重大事故隐患判定标准 第十二条第（一）项",
        "工贸企业重大事故隐患判定标准 第十二条第（二）项",
    ]


def test_the_2023_city_gas_standard_has_its_items_and_its_two_whole_article_determinations():
    gas = DeterminationStandard.objects.get(code="city-gas-2023")
    assert gas.number == "建城规〔2023〕4号"
    assert gas.clauses.count() == 22
    odour = gas.clauses.get(number="8")
    assert (odour.citation, odour.text) == ("第八条", "燃气经营者供应不具有标准要求警示性臭味燃气的，判定为重大隐患。")
    assert odour.legal_basis.startswith("《城镇燃气经营安全重大隐患判定标准》（建城规〔2023〕4号）第八条：")
    # Article 9's items are major only on the article's condition, which each of them carries.
    bathroom = gas.clauses.get(number="9.2")
    assert bathroom.text.splitlines() == [
        "燃气经营者在对燃气用户进行安全检查时，发现有下列情形之一，不按规定采取书面告知用户整改等措施的，判定为重大隐患：",
        "燃气引入管、立管、水平干管设置在卫生间内；",
    ]


def test_the_2024_building_and_municipal_works_standard_has_its_53_determinations():
    works = DeterminationStandard.objects.get(code="construction-2024")
    assert (works.number, works.title) == ("建质规〔2024〕5号", "房屋市政工程生产安全重大事故隐患判定标准（2024版）")
    assert works.clauses.count() == 53
    assert list(works.clauses.filter(number__in=["16", "17"]).values_list("citation", flat=True)) == [
        "第十六条",
        "第十七条",
    ]
    # Item 5.4's four warning signs are conditions of the one item.
    assert works.clauses.get(number="5.4").text.splitlines()[-1] == "4.桩间土流失孔洞深度超过桩径。"


def test_the_2026_coal_mines_standard_has_its_123_items_in_articles_4_to_20():
    coal = DeterminationStandard.objects.get(code="coal-mines-2026")
    assert (coal.number, coal.in_force_on.isoformat()) == ("应急管理部令第21号", "2026-07-01")
    numbers = list(coal.clauses.order_by("position").values_list("number", flat=True))
    per_article = [sum(number.split(".")[0] == str(article) for number in numbers) for article in range(4, 21)]
    assert per_article == [3, 9, 6, 5, 17, 3, 16, 9, 3, 6, 8, 4, 3, 3, 7, 2, 19]
    blasting = coal.clauses.get(number="5.3")
    assert blasting.citation == "第五条第（三）项"
    assert blasting.text == "井下爆破地点附近20m以内风流中甲烷浓度达到1.0%时，仍实施爆破。"
    # A table belongs to the item that refers to it: its caption, then a row a line.
    drainage = coal.clauses.get(number="5.9").text.splitlines()
    assert drainage[2:4] == [
        "表1 采煤工作面回采前煤的可解吸瓦斯量应达到的指标",
        "工作面日产量A(t) | 可解吸瓦斯量(m³/t)",
    ]
    assert "A>10000 | ≤4" in drainage
    # Sub-situation 7 of 11.7 is a line of its own (the stored copy ran it on after 6).
    assert coal.clauses.get(number="11.7").text.splitlines()[7].startswith("7.2个掘进工作面")


def test_coal_mines_are_offered_the_2026_standard(client, inspector):
    client.force_login(inspector)
    rows = client.get("/rules/clauses/", {"q": "锂电池", "industry": industry("coal-mine").pk}).json()["results"]
    assert [row["basis"].split("：")[0] for row in rows] == [
        "《煤矿重大事故隐患判定标准》（应急管理部令第21号）第二十条第（十八）项"
    ]
    # Nowhere else: a non-coal mine is not offered coal's items.
    assert (
        client.get("/rules/clauses/", {"q": "锂电池", "industry": industry("non-coal-mine-underground").pk}).json()[
            "results"
        ]
        == []
    )


def test_the_2024_non_coal_supplement_is_its_own_standard_offered_with_the_2022_one(client, inspector):
    supplement = DeterminationStandard.objects.get(code="noncoal-mines-2024-supplement")
    assert (supplement.number, supplement.title) == ("矿安〔2024〕41号", "金属非金属矿山重大事故隐患判定标准补充情形")
    numbers = list(supplement.clauses.order_by("position").values_list("number", flat=True))
    assert numbers == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2"]
    client.force_login(inspector)
    rows = client.get("/rules/clauses/", {"q": "极端天气", "industry": industry("non-coal-mine-tailings").pk}).json()[
        "results"
    ]
    assert "《金属非金属矿山重大事故隐患判定标准补充情形》（矿安〔2024〕41号）尾矿库部分第（二）项：" in [
        row["basis"].split("遇")[0] for row in rows
    ]


def test_loading_again_changes_nothing_and_deletes_nothing():
    before = DeterminationClause.objects.count()
    load_standards()
    assert DeterminationClause.objects.count() == before


@pytest.mark.parametrize(("query", "expected"), [("药量", "5"), ("5", "5"), ("零售 明火", "20")])
def test_clause_search_by_words_or_number(client, inspector, query, expected):
    client.force_login(inspector)
    fireworks = industry("fireworks-production")
    results = client.get("/rules/clauses/", {"q": query, "industry": fireworks.pk}).json()["results"]
    assert results
    first = DeterminationClause.objects.get(pk=results[0]["value"])
    assert (first.standard.code, first.number) == ("fireworks-2017", expected)
    assert "安监总管三〔2017〕121号" in results[0]["basis"]


def test_clause_search_keeps_to_the_industrys_standard(client, inspector):
    client.force_login(inspector)
    results = client.get("/rules/clauses/", {"q": "特种作业", "industry": industry("fireworks-production").pk})
    codes = {DeterminationClause.objects.get(pk=row["value"]).standard.code for row in results.json()["results"]}
    assert codes == {"fireworks-2017"}


def test_picking_a_clause_makes_the_finding_major_with_its_legal_basis(client, inspector):
    clause = DeterminationClause.objects.get(standard__code="fireworks-2017", number="5")
    client.force_login(inspector)
    response = client.post("/hazards/new/", finding_data(determination_clause=clause.pk, title="3号工房药量超标"))
    assert response.status_code == 302
    hazard = Hazard.objects.get(title="3号工房药量超标")
    assert hazard.level == Hazard.Level.MAJOR
    assert hazard.determination_clause == clause
    assert "第5项" in hazard.legal_basis and clause.text in hazard.legal_basis


def test_a_major_finding_without_a_clause_asks_for_a_reason_and_keeps_what_was_typed(client, inspector):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    # The page sends the reason's field, empty when left blank.
    response = client.post("/hazards/new/", finding_data(level="major", title="厂房裂缝", major_reason=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "say why it is major" in page
    assert "厂房裂缝" in page
    assert not Hazard.objects.filter(title="厂房裂缝").exists()
    response = client.post("/hazards/new/", finding_data(level="major", title="厂房裂缝", major_reason="主体结构开裂"))
    assert response.status_code == 302
    assert Hazard.objects.get(title="厂房裂缝").major_reason == "主体结构开裂"


def _offered(client, code: str, q: str = "") -> set[str]:
    rows = client.get("/rules/clauses/", {"q": q, "industry": industry(code).pk}).json()["results"]
    return {DeterminationClause.objects.get(pk=row["value"]).standard.code for row in rows}


def test_the_chemicals_standard_is_offered_where_chemicals_are_made_stored_traded_or_used_and_nowhere_else(
    client, inspector
):
    """安监总管三〔2017〕121号 is for 化工和危险化学品生产经营单位: not for their transport (dangerous goods,
    交通运输部's), nor for fireworks."""
    client.force_login(inspector)
    for code in ("hazchem-production", "hazchem-storage", "hazchem-use"):
        assert _offered(client, code) == {"hazchem-2017"}, code
    assert _offered(client, "hazchem-transport") == set()
    assert _offered(client, "fireworks-retail", "储罐") == set()


def test_a_finding_filed_under_a_parent_industry_is_offered_its_sub_industries_standards(client, inspector):
    client.force_login(inspector)
    assert _offered(client, "hazardous-chemicals") == {"hazchem-2017"}


def test_an_industry_whose_standard_is_not_shipped_is_offered_no_clause(client, inspector):
    """Road transport's standard (2023, 试行) is not in the library: the picker finds nothing rather than
    offering another industry's clauses."""
    client.force_login(inspector)
    response = client.get("/rules/clauses/", {"q": "特种作业", "industry": industry("road-freight").pk})
    assert response.status_code == 200
    assert response.json()["results"] == []


# Standards numbered by article and item (煤矿, 工贸…), with a made-up file.


def write_standard(folder: Path, clauses: list[dict], item_count: int) -> None:
    entry = {
        "code": "test-articles",
        "title": "测试用判定标准（非正式文本）",
        "number": "测试〔2026〕1号",
        "issuing_body": "测试机关",
        "in_force_on": "2026-01-01",
        "item_count": item_count,
        "industries": ["coal-mine"],
        "source": {"document": "made up for this test"},
        "clauses": clauses,
    }
    (folder / "test-articles.json").write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")


ARTICLE_CLAUSES = [
    {"number": "4.1", "citation": "第四条第（一）项", "text": "测试情形甲。"},
    {"number": "4.2", "citation": "第四条第（二）项", "text": "测试情形乙。"},
    {"number": "5.1", "citation": "第五条第（一）项", "text": "测试情形丙。"},
]


def test_a_clause_numbered_by_article_and_item_is_cited_as_its_text_cites_it(client, inspector, tmp_path, monkeypatch):
    monkeypatch.setattr("rules.standards.STANDARDS_DIR", tmp_path)
    write_standard(tmp_path, ARTICLE_CLAUSES, item_count=3)
    load_standards()
    client.force_login(inspector)
    results = client.get("/rules/clauses/", {"q": "第五条 测试", "industry": industry("coal-mine").pk}).json()[
        "results"
    ]
    assert [row["text"] for row in results] == ["测试用判定标准（非正式文本） 第五条第（一）项：测试情形丙。"]
    assert results[0]["basis"] == "《测试用判定标准（非正式文本）》（测试〔2026〕1号）第五条第（一）项：测试情形丙。"
    assert (
        client.get("/rules/clauses/", {"q": "4.2"})
        .json()["results"][0]["text"]
        .endswith("第四条第（二）项：测试情形乙。")
    )


@pytest.mark.parametrize(
    ("clauses", "item_count", "rule"),
    [
        (ARTICLE_CLAUSES[:2], 3, "item_count says 3"),
        ([ARTICLE_CLAUSES[0], ARTICLE_CLAUSES[2], {"number": "5.3", "text": "测试情形丁。"}], 3, "5.3 follows 5.1"),
        ([ARTICLE_CLAUSES[0], ARTICLE_CLAUSES[0]], 2, "appears twice"),
    ],
)
def test_a_file_that_misses_an_item_or_skips_a_number_is_refused_whole(
    tmp_path, monkeypatch, clauses, item_count, rule
):
    monkeypatch.setattr("rules.standards.STANDARDS_DIR", tmp_path)
    write_standard(tmp_path, clauses, item_count=item_count)
    with pytest.raises(StandardFileError, match=rule):
        load_standards()
    assert not DeterminationStandard.objects.filter(code="test-articles").exists()


@pytest.mark.parametrize(
    ("numbers", "problem"),
    [
        (["1", "2", "3"], None),
        (["4.1", "4.2", "5.1", "5.2"], None),
        (["1.1.1", "1.1.2", "1.2", "2.1"], None),
        (["2", "3"], "numbered from 1"),
        (["1", "2", "4"], "4 follows 2"),
        (["4.2", "4.3"], "numbered from 1"),
        (["1", "一"], "not whole numbers"),
    ],
)
def test_numbering_must_be_continuous_at_every_level(numbers, problem):
    found = numbering_problem(numbers)
    assert found is None if problem is None else problem in found
