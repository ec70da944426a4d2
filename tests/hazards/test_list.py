"""The ledger list: filters as GET parameters, the filters in use, overdue rows, pages, query counts."""

import html
import io
import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.models import Organization
from hazards.models import Attachment, Hazard
from hazards.uploads import store_upload
from inspections.models import Campaign
from tests.factories import EnterpriseFactory, HazardFactory, UserFactory, industry, region

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ROW = re.compile(r'<tr class="([^"]*)" data-hazard="([^"]+)">')


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder")


@pytest.fixture
def scene(recorder):
    """Six hazards across two cities, three industries and most states."""
    today = timezone.localdate()
    crackdown = Campaign.objects.create(
        name="打非治违专项行动", start_date=today - timedelta(days=90), end_date=today + timedelta(days=90)
    )
    units = {
        "liuyang": EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181")),
        "furong": EnterpriseFactory(name="芙蓉化工仓储有限公司", region=region("430102")),
        "liling": EnterpriseFactory(name="醴陵花炮有限公司", region=region("430281")),
    }

    def hazard(*, days_ago: int, deadline_in: int | None = None, **fields) -> Hazard:
        deadline = today + timedelta(days=deadline_in) if deadline_in is not None else None
        return HazardFactory(found_by=recorder, found_on=today - timedelta(days=days_ago), deadline=deadline, **fields)

    hazards = {
        "overdue": hazard(
            title="药物存量超标",
            days_ago=30,
            deadline_in=-2,
            state=Hazard.State.ASSIGNED,
            unit=units["liuyang"],
            site_name="",
            rectifying_unit=units["liuyang"],
            campaign=crackdown,
            source=Hazard.Source.CAMPAIGN,
        ),
        "due_soon": hazard(
            title="储罐区防火堤破损",
            days_ago=20,
            deadline_in=3,
            region=region("430102"),
            industry=industry("hazchem-storage"),
            level=Hazard.Level.MAJOR,
            listed_level=Hazard.ListedLevel.CITY,
            state=Hazard.State.RECTIFYING,
            unit=units["furong"],
            site_name="",
            rectifying_unit=units["furong"],
            source=Hazard.Source.SELF_CHECK,
        ),
        "reported": hazard(
            title="零售点超量存放",
            days_ago=10,
            industry=industry("fireworks-retail"),
            site_name="浏阳某零售点",
            source=Hazard.Source.PUBLIC_REPORT,
        ),
        "later": hazard(
            title="生产线防护屏缺失",
            days_ago=40,
            deadline_in=20,
            region=region("430281"),
            state=Hazard.State.RECTIFYING,
            unit=units["liling"],
            site_name="",
            rectifying_unit=units["liling"],
            campaign=crackdown,
        ),
        "closed": hazard(
            title="脚手架未设连墙件",
            days_ago=60,
            deadline_in=-30,
            industry=industry("construction-housing"),
            state=Hazard.State.CLOSED,
            site_name="浏阳某工地",
        ),
        "listed": hazard(
            title="反应釜未设联锁",
            days_ago=5,
            deadline_in=1,
            region=region("430281"),
            industry=industry("hazchem-production"),
            level=Hazard.Level.MAJOR,
            listed_level=Hazard.ListedLevel.PROVINCE,
            state=Hazard.State.ASSIGNED,
            site_name="醴陵某化工厂",
        ),
    }
    return SimpleNamespace(today=today, campaign=crackdown, units=units, hazards=hazards)


def listed(client, scene, query: dict | str = "") -> set[str]:
    """The names of the scene's hazards whose rows the list shows."""
    response = client.get("/hazards/", query) if isinstance(query, dict) else client.get(f"/hazards/?{query}")
    assert response.status_code == 200
    by_number = {hazard.number: name for name, hazard in scene.hazards.items()}
    return {by_number[number] for _classes, number in ROW.findall(response.content.decode())}


def days(scene, offset: int) -> str:
    return (scene.today + timedelta(days=offset)).isoformat()


@pytest.fixture
def as_province(client, province):
    client.force_login(province)
    return client


# Each filter


def test_without_filters_the_list_shows_everything_in_scope_newest_first(as_province, scene):
    response = as_province.get("/hazards/")
    numbers = [number for _classes, number in ROW.findall(response.content.decode())]
    order = ["listed", "reported", "due_soon", "overdue", "later", "closed"]
    assert numbers == [scene.hazards[name].number for name in order]


# (query string, the scene's hazards listed; None for all of them)
FILTERS = [
    ("q=防火堤", {"due_soon"}),  # the title
    ("q=芙蓉化工", {"due_soon"}),  # the unit's name
    ("q=醴陵某化工厂", {"listed"}),  # a site's name
    ("q=no+such+thing", set()),
    ("level=major", {"due_soon", "listed"}),
    ("level=general", {"overdue", "reported", "later", "closed"}),
    ("state=reported", {"reported"}),
    ("state=assigned&state=rectifying", {"overdue", "due_soon", "later", "listed"}),
    ("state=closed&state=reported", {"closed", "reported"}),
    ("city=430100", {"overdue", "due_soon", "reported", "closed"}),
    ("city=430200", {"later", "listed"}),
    ("county=430181", {"overdue", "reported", "closed"}),
    ("county=430102", {"due_soon"}),
    ("source=self_check", {"due_soon"}),
    ("source=public_report", {"reported"}),
    ("overdue=true", {"overdue"}),
    ("overdue=false", {"due_soon", "reported", "later", "closed", "listed"}),
    ("due_within=7", {"due_soon", "listed"}),
    ("due_within=1", {"listed"}),
    ("due_within=30", {"due_soon", "later", "listed"}),
    ("listed_level=province", {"listed"}),
    ("listed_level=city", {"due_soon"}),
    ("level=major&city=430200", {"listed"}),
    ("industry=abc&city=999999&state=bogus&due_within=x", None),  # nonsense is ignored, never a crash
]


def test_each_filter_shows_just_the_matching_hazards(as_province, scene, subtests):
    for query, expected in FILTERS:
        with subtests.test(query):
            assert listed(as_province, scene, query) == (set(scene.hazards) if expected is None else expected)


def test_the_search_finds_a_ledger_number(as_province, scene):
    number = scene.hazards["later"].number
    assert listed(as_province, scene, {"q": number}) == {"later"}
    assert listed(as_province, scene, {"q": number.lower()}) == {"later"}
    assert listed(as_province, scene, {"q": "HN-430281"}) == {"later", "listed"}


def test_the_search_finds_the_rectifying_units_name(as_province, scene, recorder):
    extra = HazardFactory(
        found_by=recorder, title="另一个隐患", rectifying_unit=scene.units["furong"], state=Hazard.State.ASSIGNED
    )
    scene.hazards["extra"] = extra
    assert listed(as_province, scene, {"q": "芙蓉化工仓储"}) == {"due_soon", "extra"}


def test_a_top_level_industry_includes_its_sub_categories(as_province, scene):
    fireworks, production = industry("fireworks"), industry("fireworks-production")
    chemicals = industry("hazardous-chemicals")
    assert listed(as_province, scene, {"industry": fireworks.pk}) == {"overdue", "reported", "later"}
    assert listed(as_province, scene, {"industry": production.pk}) == {"overdue", "later"}
    assert listed(as_province, scene, {"industry": chemicals.pk}) == {"due_soon", "listed"}


def test_the_campaign_and_rectifying_unit_filters(as_province, scene):
    assert listed(as_province, scene, {"campaign": scene.campaign.pk}) == {"overdue", "later"}
    assert listed(as_province, scene, {"rectifying_unit": scene.units["liling"].pk}) == {"later"}


def test_the_found_date_range(as_province, scene):
    assert listed(as_province, scene, {"found_after": days(scene, -25)}) == {"due_soon", "reported", "listed"}
    assert listed(as_province, scene, {"found_before": days(scene, -35)}) == {"later", "closed"}
    between = {"found_after": days(scene, -45), "found_before": days(scene, -15)}
    assert listed(as_province, scene, between) == {"overdue", "due_soon", "later"}
    # Both ends are included.
    assert listed(as_province, scene, {"found_after": days(scene, -5), "found_before": days(scene, -5)}) == {"listed"}


def test_the_deadline_range(as_province, scene):
    soon = {"deadline_after": days(scene, 0), "deadline_before": days(scene, 5)}
    assert listed(as_province, scene, soon) == {"due_soon", "listed"}
    assert listed(as_province, scene, {"deadline_before": days(scene, -1)}) == {"overdue", "closed"}


SORTS = {
    "deadline": ["closed", "overdue", "listed", "due_soon", "later"],
    "-deadline": ["later", "due_soon", "listed", "overdue", "closed"],
    "found_on": ["closed", "later", "overdue", "due_soon", "listed"],
}


def test_the_list_can_be_sorted(as_province, scene, subtests):
    for sort, order in SORTS.items():
        with subtests.test(sort):
            # Only hazards with a deadline, so that where the empty deadlines go does not matter.
            response = as_province.get("/hazards/", {"sort": sort, "deadline_after": days(scene, -365)})
            numbers = [number for _classes, number in ROW.findall(response.content.decode())]
            assert numbers == [scene.hazards[name].number for name in order]


def test_sorting_by_number(as_province, scene):
    response = as_province.get("/hazards/", {"sort": "number"})
    numbers = [number for _classes, number in ROW.findall(response.content.decode())]
    assert numbers == sorted(hazard.number for hazard in scene.hazards.values())


def test_filters_never_widen_the_scope(client, inspector, scene):
    client.force_login(inspector)
    assert listed(client, scene) == {"overdue", "reported"}
    assert listed(client, scene, "city=430200") == set()
    assert listed(client, scene, "level=major") == set()
    assert listed(client, scene, {"q": scene.hazards["listed"].number}) == set()


# What the page says about the result


def test_the_result_count_is_shown(as_province, scene):
    as_province.cookies["django_language"] = "en"
    # The page asks for its count line once it is shown (htmx); without JavaScript, by its link.
    response = as_province.get("/hazards/", {"level": "major"})
    counter = response.content.decode().split('data-testid="result-count"', 1)[1]
    assert 'hx-get="/hazards/count/?level=major"' in counter
    assert "<strong>2 hazards</strong>" in as_province.get("/hazards/count/", {"level": "major"}).content.decode()
    # Counted once, it is on the page itself for these filters.
    counter = as_province.get("/hazards/", {"level": "major"}).content.decode().split('data-testid="result-count"')[1]
    assert "<strong>2 hazards</strong>" in counter and "hx-get" not in counter.split("</div>")[0]


def test_without_javascript_the_count_link_counts_on_the_page(as_province, scene):
    as_province.cookies["django_language"] = "en"
    response = as_province.get("/hazards/", {"level": "major", "count": "1"})
    assert "<strong>2 hazards</strong>" in response.content.decode()


def active_filter_links(response) -> dict[str, dict[str, list[str]]]:
    """Each filter chip's label → the query string its removal link leads to."""
    counter = response.content.decode().split('data-testid="result-count"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a class="badge[^"]*" href="\?([^"]*)"[^>]*>\s*([^<:]+):', counter)
    return {label.strip(): parse_qs(html.unescape(query)) for query, label in links}


def test_the_filters_in_use_are_listed_each_with_a_link_that_removes_just_it(as_province, scene):
    as_province.cookies["django_language"] = "en"
    query = {
        "level": "major",
        "state": ["assigned", "rectifying"],
        "found_after": days(scene, -30),
        "found_before": days(scene, 0),
        "sort": "-deadline",
        "per_page": "50",
        "page": "1",
    }
    response = as_province.get("/hazards/", query)
    chips = active_filter_links(response)

    assert set(chips) == {"Level", "State", "Found between"}
    kept = {"sort": ["-deadline"], "per_page": ["50"]}
    dates = {"found_after": [days(scene, -30)], "found_before": [days(scene, 0)]}
    assert chips["Level"] == {"state": ["assigned", "rectifying"], **dates, **kept}
    assert chips["State"] == {"level": ["major"], **dates, **kept}
    assert chips["Found between"] == {"level": ["major"], "state": ["assigned", "rectifying"], **kept}
    # Following a removal link widens the list by exactly that filter.
    assert listed(as_province, scene, {"level": "major", "state": ["assigned", "rectifying"]}) == {"due_soon", "listed"}
    assert listed(as_province, scene, {"state": ["assigned", "rectifying"], **dates}) == {
        "overdue",
        "due_soon",
        "listed",
    }


def test_no_filter_chip_without_filters(as_province, scene):
    response = as_province.get("/hazards/", {"sort": "number", "per_page": "50"})
    assert response.context["active_filters"] == []


def test_overdue_rows_are_marked(as_province, scene):
    response = as_province.get("/hazards/")
    classes = {number: set(css.split()) for css, number in ROW.findall(response.content.decode())}
    overdue = {name for name, hazard in scene.hazards.items() if "overdue" in classes[hazard.number]}
    # A closed hazard past its deadline is not overdue: overdue is work still open.
    assert overdue == {"overdue"}


def test_the_list_shows_the_first_photo_as_a_thumbnail(as_province, scene, recorder):
    hazard = scene.hazards["reported"]
    photo = attach_photo(hazard, user=recorder)
    attach_photo(hazard, user=recorder)
    page = as_province.get("/hazards/").content.decode()
    assert page.count(f'src="/hazards/attachments/{photo.pk}/thumbnail/"') >= 1
    assert page.count("/thumbnail/") == page.count(f"/hazards/attachments/{photo.pk}/thumbnail/")


# Pages


@pytest.fixture
def many(recorder):
    """30 major and 5 general hazards in 浏阳市."""
    majors = [HazardFactory(found_by=recorder, level=Hazard.Level.MAJOR) for _ in range(30)]
    generals = [HazardFactory(found_by=recorder) for _ in range(5)]
    return SimpleNamespace(majors=majors, generals=generals)


def page_links(response) -> list[dict[str, list[str]]]:
    nav = response.content.decode().split('class="pagination', 1)[1].split("</nav>", 1)[0]
    return [parse_qs(html.unescape(query)) for query in re.findall(r'class="page-link" href="\?([^"]*)"', nav)]


def test_pages_keep_the_filters(as_province, many):
    query = {"level": "major", "county": "430181", "sort": "number"}
    response = as_province.get("/hazards/", query)
    assert len(ROW.findall(response.content.decode())) == 25
    links = page_links(response)
    assert {**{name: [value] for name, value in query.items()}, "page": ["2"]} in links  # by number
    following = next(link for link in links if "after" in link)  # and by key ("Next")
    assert following["level"] == ["major"] and following["county"] == ["430181"] and following["sort"] == ["number"]

    for second in (
        as_province.get("/hazards/", {**query, "page": "2"}),
        as_province.get("/hazards/", {name: values[0] for name, values in following.items()}),
    ):
        numbers = [number for _classes, number in ROW.findall(second.content.decode())]
        assert numbers == sorted(hazard.number for hazard in many.majors)[25:]
        # Back to the first page, still filtered, and no second `page` parameter.
        assert all(len(link["page"]) == 1 for link in page_links(second))
        assert {"level": ["major"], "county": ["430181"], "sort": ["number"], "page": ["1"]} in page_links(second)


def test_the_page_size_can_be_chosen(as_province, many, subtests):
    for per_page, rows in [("100", 35), ("50", 35), ("25", 25), ("7", 25), ("abc", 25)]:
        with subtests.test(per_page=per_page):
            response = as_province.get("/hazards/", {"per_page": per_page})
            assert len(ROW.findall(response.content.decode())) == rows
            assert ('class="pagination' in response.content.decode()) == (rows < 35)


def test_a_page_past_the_end_shows_the_last_page(as_province, many):
    response = as_province.get("/hazards/", {"page": "99"})
    assert response.status_code == 200
    assert response.context["page"].number == 2


# Query count


def png() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 200, 0)).save(output, "PNG")
    return SimpleUploadedFile("现场.png", output.getvalue(), content_type="image/png")


def attach_photo(hazard: Hazard, *, user) -> Attachment:
    attachment = store_upload(png(), user=user, stage=Attachment.Stage.BEFORE)
    attachment.hazard = hazard
    attachment.save()
    return attachment


def add_hazards(count: int, *, recorder, offset: int = 0) -> None:
    """Hazards with everything the list shows: a unit, a rectifying unit, a photo, an industry with a parent."""
    counties = ["430181", "430102", "430281"]
    for n in range(offset, offset + count):
        county = region(counties[n % 3])
        unit = EnterpriseFactory(name=f"查询计数企业{n}有限公司", region=county)
        owner = Organization.objects.create(name=f"查询计数责任单位{n}", kind="other", region=county)
        hazard = HazardFactory(
            found_by=recorder,
            region=county,
            industry=industry(["fireworks-production", "hazchem-storage", "construction-housing"][n % 3]),
            unit=unit,
            site_name="",
            rectifying_unit=owner,
            state=Hazard.State.ASSIGNED,
            found_on=timezone.localdate() - timedelta(days=10),
            deadline=timezone.localdate() + timedelta(days=n % 7 - 3),
        )
        attach_photo(hazard, user=recorder)


def count_queries(client, query: dict) -> int:
    client.get("/hazards/", query)  # the filter form of this query is then read from the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/hazards/", query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{"per_page": "100"}, {"per_page": "100", "q": "查询", "overdue": "false"}])
def test_the_list_runs_the_same_number_of_queries_for_5_or_40_hazards(client, province, recorder, query):
    client.force_login(province)
    add_hazards(5, recorder=recorder)
    client.get("/hazards/")  # the session and the user are loaded once, whatever the page
    few = count_queries(client, query)
    add_hazards(35, recorder=recorder, offset=5)
    response = client.get("/hazards/", query)
    assert len(ROW.findall(response.content.decode())) == len(response.context["page"].rows) > 5
    assert count_queries(client, query) == few


# The filter form's reference selects: rendered once, then from the cache until the taxonomy or regions change


def select_markup(response, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>.*?</select>', response.content.decode(), re.S)[0]


def test_the_reference_selects_come_from_the_cache_and_keep_the_choice(as_province, scene):
    from accounts.models import Industry, Region

    first = as_province.get("/hazards/", {"county": "430181"})
    assert 'value="430181" selected' in select_markup(first, "county")
    with CaptureQueriesContext(connection) as queries:
        again = as_province.get("/hazards/", {"county": "430181"})
    assert select_markup(again, "county") == select_markup(first, "county")
    assert not any(re.search(r'FROM "(accounts_region|hazards_industry)"', query["sql"]) for query in queries)
    # Another choice is another fragment: the selected option follows the request.
    other = as_province.get("/hazards/", {"county": "430102"})
    assert 'value="430102" selected' in select_markup(other, "county")
    assert 'value="430181" selected' not in select_markup(other, "county")

    # An administrator renames a county and retires an industry: every cached select is redrawn.
    Region.objects.filter(code="430181").update(name="浏阳市（改）")
    Region.objects.get(code="430181").save()
    fireworks = Industry.objects.get(code="fireworks-wholesale")
    fireworks.is_active = False
    fireworks.save()
    after_change = as_province.get("/hazards/", {"county": "430181"})
    assert ">浏阳市（改）</option>" in select_markup(after_change, "county")
    assert f'value="{fireworks.pk}"' not in select_markup(after_change, "industry")


def header_links(response) -> dict[str, tuple[str, dict]]:
    """Each sortable header's aria-sort and the query its link leads to."""
    thead = response.content.decode().split("<thead>", 1)[1].split("</thead>", 1)[0]
    found = re.findall(r'aria-sort="(\w+)"><a class="sort-link" href="\?([^"]*)">([^<]+)</a>', thead)
    return {label: (order, parse_qs(html.unescape(query))) for order, query, label in found}


def test_clicking_a_column_header_sorts_by_it_then_the_other_way(as_province, scene):
    as_province.cookies["django_language"] = "en"
    first = header_links(as_province.get("/hazards/", {"level": "general", "page": "2"}))
    assert first["Found on"][0] == "descending"  # the ledger's own order, newest first
    assert first["Deadline"] == ("none", {"level": ["general"], "sort": ["deadline"]})  # filters kept, page 1
    by_deadline = as_province.get("/hazards/", first["Deadline"][1])
    again = header_links(by_deadline)
    assert again["Deadline"] == ("ascending", {"level": ["general"], "sort": ["-deadline"]})
    shown = [number for _classes, number in ROW.findall(by_deadline.content.decode())]
    deadlines = [Hazard.objects.get(number=number).deadline for number in shown]
    dated = [deadline for deadline in deadlines if deadline]
    assert dated == sorted(dated) and deadlines[len(dated) :] == [None] * (len(deadlines) - len(dated))
    descending = header_links(as_province.get("/hazards/", again["Deadline"][1]))
    assert descending["Deadline"][0] == "descending"


def test_the_cached_filter_form_shows_each_querys_values_and_new_campaigns(as_province, scene):
    as_province.cookies["django_language"] = "en"
    typed = as_province.get("/hazards/", {"q": "药物", "due_within": "abc"}).content.decode()
    assert 'value="药物"' in typed and 'name="due_within" value="abc"' in typed
    again = as_province.get("/hazards/", {"q": "药物", "due_within": "abc"}).content.decode()
    assert again.count("Enter a number.") == typed.count("Enter a number.") == 1  # the error shown again
    assert 'value="药物"' not in as_province.get("/hazards/", {"q": "储罐"}).content.decode()
    Campaign.objects.create(name="汛期安全专项检查", start_date=scene.today, end_date=scene.today + timedelta(days=30))
    assert "汛期安全专项检查" in as_province.get("/hazards/", {"q": "药物", "due_within": "abc"}).content.decode()
