"""A layer of the responsibility chain as the Excel ledger writes it, made by the database
(hazards.responsibility.ChainLayerText): one entry a line, its words in order, blanks left out."""

import pytest

from hazards.models import Hazard
from hazards.responsibility import LAYERS, ChainLayerText
from tests.factories import HazardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

CHAIN = [
    {"layer": "enterprise", "organization": "浏阳花炮制造有限公司", "post": "安全员", "person": "李四", "phone": "138"},
    {"layer": "department", "organization": "浏阳市应急管理局", "post": "", "person": "赵六", "phone": None},
    {
        "layer": "enterprise",
        "organization": "浏阳花炮制造有限公司",
        "post": "法定代表人",
        "person": "王五",
        "phone": "",
    },
    {"layer": "territorial", "organization": "浏阳市人民政府", "phone": 7310000, "region": "浏阳市"},
    {"layer": "somewhere else", "organization": "不属于任何一层", "post": "x"},
]


def layers_of(hazard: Hazard) -> dict[str, str]:
    texts = Hazard.objects.filter(pk=hazard.pk).annotate(**{layer: ChainLayerText(layer) for layer in LAYERS})
    return texts.values(*LAYERS).get()


def test_each_layer_holds_its_entries_in_order_one_a_line_without_blanks():
    hazard = HazardFactory(responsibility_chain=CHAIN)
    assert layers_of(hazard) == {
        "enterprise": "浏阳花炮制造有限公司 安全员 李四 138\n浏阳花炮制造有限公司 法定代表人 王五",
        "department": "浏阳市应急管理局 赵六",
        "territorial": "浏阳市人民政府 7310000",  # the region is not written: the city and county columns say it
        "leadership": "",
    }


@pytest.mark.parametrize("chain", [[], {}, "not a chain"])
def test_a_hazard_without_a_chain_has_empty_layers(chain):
    hazard = HazardFactory()
    Hazard.objects.filter(pk=hazard.pk).update(responsibility_chain=chain)
    assert layers_of(hazard) == dict.fromkeys(LAYERS, "")
