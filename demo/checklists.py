"""The demo's inspection checklists (demo/data/checklists.yaml), linked to the shipped determination clauses."""

from pathlib import Path

import yaml
from django.db import transaction

from accounts.models import Industry
from rules.models import Checklist, ChecklistItem, DeterminationClause

CHECKLISTS = yaml.safe_load((Path(__file__).resolve().parent / "data" / "checklists.yaml").read_text(encoding="utf-8"))


@transaction.atomic
def seed_checklists() -> int:
    """Create the demo checklists that are missing (by title); returns how many exist afterwards."""
    for entry in CHECKLISTS:
        checklist, created = Checklist.objects.get_or_create(
            title=entry["title"],
            defaults={"industry": Industry.objects.get(code=entry["industry"]), "kind": entry["kind"]},
        )
        if not created:
            continue
        for position, item in enumerate(entry["items"], 1):
            clause = None
            if "clause" in item:
                standard, number = item["clause"].split("/")
                clause = DeterminationClause.objects.get(standard__code=standard, number=number)
            ChecklistItem.objects.create(
                checklist=checklist,
                position=position,
                text=item["text"],
                legal_basis=item.get("legal_basis", ""),
                clause=clause,
            )
    return Checklist.objects.filter(title__in=[entry["title"] for entry in CHECKLISTS]).count()
