"""The ledger's text search (hazards/search.py): two-character words, phrases, single characters, numbers.

The same searches must find the same hazards on SQLite (a plain scan) and on PostgreSQL (the bigram
GIN index of migration 0008 with the exact test as a recheck); the PostgreSQL-only tests check that
the database's tokeniser agrees with Python's and that the index is used.
"""

import re
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from accounts.models import Organization
from hazards.filters import HazardFilter
from hazards.models import Hazard
from hazards.search import bigrams, search_hazards
from tests.factories import EnterpriseFactory, HazardFactory, UserFactory, region

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ROW = re.compile(r'<tr class="[^"]*" data-hazard="([^"]+)">')
NEUTRAL = {"title": "现场检查发现问题", "description": "责令限期整改。", "site_name": "某烟花厂", "location": ""}


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder")


@pytest.fixture
def scene(recorder):
    """Hazards holding 煤矿 or 通道 in each searchable field, and look-alikes that hold neither word."""

    def hazard(**fields) -> Hazard:
        return HazardFactory(found_by=recorder, **{**NEUTRAL, **fields})

    def unit(name: str) -> Organization:
        return EnterpriseFactory(name=name, region=region("430181"))

    def rectifier(name: str) -> Organization:
        return Organization.objects.create(name=name, kind="other", region=region("430181"))

    hazards = {
        # 煤矿 in each field
        "coal_title": hazard(title="煤矿井下排水泵故障"),
        "coal_description": hazard(description="该煤矿主井提升机制动器失灵。"),
        "coal_site": hazard(site_name="红旗煤矿"),
        "coal_location": hazard(location="湘潭某煤矿三号井口"),
        "coal_unit": hazard(site_name="", unit=unit("湘中煤矿有限公司")),
        "coal_rectifier": hazard(rectifying_unit=rectifier("湘中煤矿整改工作组"), state=Hazard.State.ASSIGNED),
        # 通道 in each field
        "passage_title": hazard(title="疏散通道堆放杂物"),
        "passage_description": hazard(description="消防通道被车辆占用。"),
        "passage_site": hazard(site_name="城南通道工地"),
        "passage_location": hazard(location="二号车间东侧通道"),
        "passage_unit": hazard(site_name="", unit=unit("通道物流有限公司")),
        "passage_rectifier": hazard(rectifying_unit=rectifier("通道管理处"), state=Hazard.State.ASSIGNED),
        # Both words, with Chinese punctuation between them
        "both": hazard(title="煤矿，通道：巷道口堵塞"),
        # The characters of the words, but never side by side
        "coal_apart": hazard(title="煤层自燃，矿井通风不良"),
        "coal_split": hazard(title="储煤，矿渣堆放"),
        "coal_across_fields": hazard(title="露天储煤", location="矿区北门"),
        "passage_apart": hazard(title="未通知道路管理部门"),
        # A phrase: its bigrams apart, and the phrase itself
        "exit_apart": hazard(title="全出 安全 出口"),
        "exit": hazard(title="安全出口被锁闭"),
        "letters": hazard(title="LNG储罐区阀门泄漏"),
        # Another county: out of a 浏阳市 inspector's scope
        "coal_elsewhere": hazard(title="醴陵煤矿通风设施损坏", region=region("430281")),
    }
    return SimpleNamespace(hazards=hazards)


COAL = {"coal_title", "coal_description", "coal_site", "coal_location", "coal_unit", "coal_rectifier", "both"}
PASSAGE = {
    "passage_title",
    "passage_description",
    "passage_site",
    "passage_location",
    "passage_unit",
    "passage_rectifier",
    "both",
}


@pytest.fixture
def as_province(client, province):
    client.force_login(province)
    return client


def found(client, scene, text: str) -> set[str]:
    """The names of the scene's hazards that the ledger list shows for the search `text`."""
    response = client.get("/hazards/", {"q": text, "per_page": "100"})
    assert response.status_code == 200
    by_number = {hazard.number: name for name, hazard in scene.hazards.items()}
    return {by_number[number] for number in ROW.findall(response.content.decode())}


# Two-character words


def test_a_two_character_word_finds_every_field_that_holds_it_and_nothing_else(as_province, scene):
    assert found(as_province, scene, "煤矿") == COAL | {"coal_elsewhere"}
    assert found(as_province, scene, "通道") == PASSAGE


def test_the_characters_of_a_word_apart_or_in_different_fields_do_not_match(as_province, scene):
    found_coal = found(as_province, scene, "煤矿")
    assert found_coal.isdisjoint({"coal_apart", "coal_split", "coal_across_fields"})
    assert "passage_apart" not in found(as_province, scene, "通道")


# Longer queries


def test_a_phrase_matches_only_where_its_words_are_adjacent(as_province, scene):
    assert found(as_province, scene, "安全出口") == {"exit"}
    assert found(as_province, scene, "安全出口被锁闭") == {"exit"}
    assert found(as_province, scene, "出口被") == {"exit"}


def test_a_phrase_spanning_a_unit_name_finds_the_hazards_of_that_unit(as_province, scene):
    assert found(as_province, scene, "湘中煤矿") == {"coal_unit", "coal_rectifier"}
    assert found(as_province, scene, "通道物流有限公司") == {"passage_unit"}


def test_every_piece_of_a_hazards_text_finds_it(scene):
    """Each substring of two or more characters of the title, description, site and location."""
    everything = Hazard.objects.all()
    for name in ("both", "coal_description", "letters", "passage_location"):
        hazard = scene.hazards[name]
        for text in (hazard.title, hazard.description, hazard.site_name, hazard.location):
            for start in range(len(text)):
                for stop in range(start + 2, len(text) + 1):
                    piece = text[start:stop]
                    assert hazard in search_hazards(everything, piece), piece


# Single characters, letters and punctuation


def test_a_single_character_finds_by_plain_substring(as_province, scene):
    assert found(as_province, scene, "矿") == COAL | {
        "coal_elsewhere",
        "coal_apart",
        "coal_split",
        "coal_across_fields",
    }
    assert found(as_province, scene, " 矿 ") == found(as_province, scene, "矿")


def test_letters_match_whatever_their_case(as_province, scene):
    assert found(as_province, scene, "lng") == {"letters"}
    assert found(as_province, scene, "Lng储罐") == {"letters"}
    assert found(as_province, scene, "lNG储罐区阀门") == {"letters"}


def test_the_ledger_number_is_found_in_either_case_and_in_part(as_province, scene):
    elsewhere = scene.hazards["coal_elsewhere"]
    assert elsewhere.number.startswith("HN-430281-")
    assert found(as_province, scene, elsewhere.number) == {"coal_elsewhere"}
    assert found(as_province, scene, elsewhere.number.lower()) == {"coal_elsewhere"}
    assert found(as_province, scene, "hn-430281") == {"coal_elsewhere"}
    assert found(as_province, scene, "HN-4301") == set(scene.hazards) - {"coal_elsewhere"}
    assert found(as_province, scene, "hn-") == set(scene.hazards)


def test_punctuation_in_the_query_does_not_break_the_search(as_province, scene):
    assert found(as_province, scene, "煤矿，通道") == {"both"}
    assert found(as_province, scene, "煤矿，通道：巷道") == {"both"}
    assert found(as_province, scene, "通道：") == {"both"}


@pytest.mark.parametrize("text", ["'", "\\", "煤矿'", "煤矿 & !通道", "煤矿:*", "a|b", "(煤矿)", "%", "_", "‘煤矿’"])
def test_characters_special_to_sql_or_tsquery_are_searched_as_plain_text(as_province, scene, text):
    # None of the scene's texts holds these strings.
    assert found(as_province, scene, text) == set()


def test_a_blank_search_shows_everything(as_province, scene):
    assert found(as_province, scene, "   ") == set(scene.hazards)


def test_the_search_stays_inside_the_users_scope(client, inspector, scene):
    client.force_login(inspector)
    assert found(client, scene, "煤矿") == COAL
    assert found(client, scene, "醴陵煤矿") == set()
    assert found(client, scene, scene.hazards["coal_elsewhere"].number) == set()


# bigrams()


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("煤矿", ["煤矿"]),
        ("安全出口", ["安全", "全出", "出口"]),
        ("安全安全", ["安全", "全安"]),  # distinct, in order of appearance
        ("LNG Lng", ["ln", "ng"]),  # lower-cased
        ("煤矿 通道\t安全\n出口", ["煤矿", "通道", "安全", "出口"]),  # whitespace
        ("HN-4301/ab_cd.e", ["hn", "43", "30", "01", "ab", "cd"]),  # ASCII punctuation and "_"
        ("煤矿，通道。安全、出口；巷道：井口！风门？", ["煤矿", "通道", "安全", "出口", "巷道", "井口", "风门"]),
        (
            "（主井）“副井”‘风井’《规程》【条款】…排水·泵房—水仓",
            ["主井", "副井", "风井", "规程", "条款", "排水", "泵房", "水仓"],
        ),
        ("矿", []),  # a single character
        ("煤 矿，井", []),
        ("", []),
        ("，。！ - _", []),
    ],
)
def test_bigrams_are_the_distinct_lower_cased_pairs_of_each_word(text, pairs):
    assert bigrams(text) == pairs


def test_bigrams_of_a_query_are_bigrams_of_any_text_holding_it():
    text = "煤矿井下，通道（主巷道）堵塞；HN-430181 LNG 安全出口"
    for start in range(len(text)):
        for stop in range(start + 1, len(text) + 1):
            assert set(bigrams(text[start:stop])) <= set(bigrams(text))


# PostgreSQL: the database's tokeniser and the index

TOKENISER_TEXTS = [
    {"title": "①号储罐液位计损坏", "description": "储罐容积50m³未设围堰", "location": "㈠号车间"},
    {"title": "煤矿井下，通道（主巷道）堵塞；安全出口“标志”缺失！", "location": "三号井口·东侧—风门"},
    {
        "title": "LNG储罐区阀门泄漏",
        "description": "依据《安全生产法》第三十八条【规定】…",
        "site_name": "Fire_Exit/ABC-12",
    },
    {
        "title": "ＬＮＧ储罐区１２号罐",
        "description": "tab\there\nnew line\u3000全角空格",
        "location": "O'Brien & Co: 1\\2",
    },
    {
        "title": "液氨储罐温度40℃、压力1.6MPa",
        "description": "「配电室」～〔消防〕－通道／出口",
        "site_name": "Ⅲ级风险点",
    },
]


def database_document(hazard: Hazard) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(hazard_search_document(number, title, description, site_name, location))"
            " FROM hazards_hazard WHERE id = %s",
            [hazard.pk],
        )
        return set(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.parametrize("fields", TOKENISER_TEXTS)
def test_every_bigram_python_makes_of_a_substring_is_in_the_database_document(recorder, fields):
    hazard = HazardFactory(found_by=recorder, **{**NEUTRAL, **fields})
    document = database_document(hazard)
    for text in (hazard.number, hazard.title, hazard.description, hazard.site_name, hazard.location):
        for start in range(len(text)):
            for stop in range(start + 1, len(text) + 1):
                piece = text[start:stop]
                assert set(bigrams(piece)) <= document, piece


@pytest.mark.postgres
def test_the_database_document_is_the_bigrams_of_each_field(recorder):
    hazard = HazardFactory(found_by=recorder, title="煤矿", description="通道，出口", site_name="某厂", location="A")
    pairs = {"煤矿", "通道", "出口", "某厂"} | set(bigrams(hazard.number))
    assert database_document(hazard) == pairs  # nothing across fields ("矿通", "道出") and no single "a"


@pytest.mark.postgres
@pytest.mark.parametrize("text", ["煤矿", "安全出口", "HN-4301", "lng储罐"])
def test_the_search_uses_the_bigram_index(province, scene, text):
    # Without the list's order: on tiny tables the planner would rather walk the found_on index for it.
    hazards = HazardFilter({"q": text}, queryset=Hazard.objects.visible_to(province)).qs.order_by()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The test tables are tiny: without this the planner would rightly read them whole.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = hazards.explain()
    assert "hazard_search_bigrams_idx" in plan, plan
    assert "Seq Scan on hazards_hazard" not in plan, plan
