"""The demo's checklists link their items to clauses of the shipped standards."""

import pytest

from demo.checklists import CHECKLISTS, seed_checklists
from rules.models import Checklist

pytestmark = pytest.mark.django_db


def test_every_demo_checklist_is_seeded_with_its_clause_links():
    assert seed_checklists() == len(CHECKLISTS)
    for entry in CHECKLISTS:
        checklist = Checklist.objects.get(title=entry["title"])
        linked = [
            f"{item.clause.standard.code}/{item.clause.number}"
            for item in checklist.items.exclude(clause=None).order_by("position")
        ]
        assert linked == [item["clause"] for item in entry["items"] if "clause" in item], entry["title"]


def test_the_coal_mine_checklist_follows_the_2026_standard():
    seed_checklists()
    checklist = Checklist.objects.get(title="煤矿井下“一通三防”专项检查表")
    assert checklist.industry.code == "coal-mine"
    standards = {item.clause.standard.number for item in checklist.items.exclude(clause=None)}
    assert standards == {"应急管理部令第21号"}
    blasting = checklist.items.get(clause__number="5.3")
    assert blasting.clause.citation == "第五条第（三）项"
