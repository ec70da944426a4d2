"""Who sees which unit of the register, its reconciliation and its coverage: the one visibility rule.

Each persona sees a unit everywhere (the register, its page, its reconciliation page) or nowhere
(absent from the list, a 404 elsewhere). A unit's own users see only their unit.
"""

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def units(rectifier):
    return {
        "own": rectifier.organization,  # 浏阳市, fireworks production
        "liuyang_fireworks": EnterpriseFactory(name="浏阳甲花炮厂", region=region("430181"), industries=["fireworks"]),
        "liuyang_construction": EnterpriseFactory(
            name="浏阳乙建筑公司", region=region("430181"), industries=["construction"]
        ),
        "furong_chemicals": EnterpriseFactory(
            name="芙蓉丙化工", region=region("430102"), industries=["hazchem-storage"]
        ),
        "liling_fireworks": EnterpriseFactory(name="醴陵丁花炮厂", region=region("430281"), industries=["fireworks"]),
    }


SCOPES = {
    # 浏阳市 department for fireworks and hazardous chemicals.
    "inspector": {"own", "liuyang_fireworks"},
    # 长沙市 department for fireworks and hazardous chemicals.
    "head": {"own", "liuyang_fireworks", "furong_chemicals"},
    "rectifier": {"own"},
    "province": {"own", "liuyang_fireworks", "liuyang_construction", "furong_chemicals", "liling_fireworks"},
    "admin": {"own", "liuyang_fireworks", "liuyang_construction", "furong_chemicals", "liling_fireworks"},
}


@pytest.mark.parametrize("persona", list(SCOPES))
def test_each_persona_sees_a_unit_on_every_page_or_on_none(client, request, units, persona):
    user = request.getfixturevalue("administrator" if persona == "admin" else persona)
    client.force_login(user)
    listed = client.get(reverse("units:list")).content.decode()
    for key, unit in units.items():
        visible = key in SCOPES[persona]
        assert (unit.name in listed) is visible, (persona, key)
        assert client.get(reverse("units:detail", args=[unit.pk])).status_code == (200 if visible else 404)
        reconciliation = client.get(reverse("reconciliation:detail", args=[unit.pk, "2026-Q1"]))
        assert reconciliation.status_code == (200 if visible else 404), (persona, key)
    status = client.get(reverse("reconciliation:list"), {"period": "2026-Q1"}).content.decode()
    for key, unit in units.items():
        assert (unit.name in status) is (key in SCOPES[persona]), (persona, key)


def test_the_import_is_for_inspectors_and_heads_only(client, rectifier, inspector):
    client.force_login(rectifier)
    assert client.get(reverse("units:import")).status_code == 404
    client.force_login(inspector)
    assert client.get(reverse("units:import")).status_code == 200


def test_the_register_filters_by_county_industry_and_never_inspected(client, province, units):
    client.force_login(province)
    page = client.get(reverse("units:list"), {"county": "430281"}).content.decode()
    assert "醴陵丁花炮厂" in page and "浏阳甲花炮厂" not in page
    page = client.get(reverse("units:list"), {"industry": units["liuyang_construction"].industries.get().pk})
    assert "浏阳乙建筑公司" in page.content.decode() and "醴陵丁花炮厂" not in page.content.decode()
    page = client.get(reverse("units:list"), {"not_inspected": "on"}).content.decode()
    assert "醴陵丁花炮厂" in page  # nobody inspected any unit of this scene


def test_the_register_and_a_units_page_cost_a_fixed_number_of_queries(
    client, province, units, django_assert_max_num_queries
):
    for serial in range(30):
        EnterpriseFactory(name=f"浏阳{serial}号花炮厂", region=region("430181"), industries=["fireworks"])
    client.force_login(province)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("units:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("units:detail", args=[units["own"].pk])).status_code == 200
