import pytest

from accounts.models import Region

pytestmark = pytest.mark.django_db


def test_hunan_has_one_province_fourteen_cities_and_122_counties():
    assert Region.objects.count() == 137
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 1
    assert Region.objects.filter(level=Region.Level.CITY).count() == 14
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 122


def test_every_division_hangs_under_the_right_parent():
    province = Region.objects.get(level=Region.Level.PROVINCE)
    assert (province.code, province.name, province.parent) == ("430000", "湖南省", None)
    for city in Region.objects.filter(level=Region.Level.CITY):
        assert city.parent == province
    for county in Region.objects.filter(level=Region.Level.COUNTY).select_related("parent"):
        assert county.parent.level == Region.Level.CITY
        assert county.code[:4] == county.parent.code[:4], county


def test_well_known_divisions():
    assert Region.objects.get(code="430100").name == "长沙市"
    assert Region.objects.get(code="433100").name == "湘西土家族苗族自治州"
    assert Region.objects.get(code="430181").full_name == "湖南省长沙市浏阳市"


@pytest.mark.parametrize(
    ("code", "prefix", "size"),
    [("430000", "43", 137), ("430100", "4301", 10), ("431300", "4313", 6), ("430181", "430181", 1)],
)
def test_subtree_is_a_code_prefix(code, prefix, size):
    region = Region.objects.get(code=code)
    assert region.scope_prefix == prefix
    assert region.subtree().count() == size
    assert all(member.code.startswith(prefix) for member in region.subtree())


def test_a_city_contains_its_counties_and_not_its_neighbours():
    changsha = Region.objects.get(code="430100")
    assert changsha.contains(Region.objects.get(code="430181"))
    assert not changsha.contains(Region.objects.get(code="430281"))
    assert Region.objects.get(code="430000").contains(changsha)
