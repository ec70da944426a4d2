"""The determination standards library: one JSON file per standard in rules/data/standards/.

Each file: code, title, number (文号), issuing_body, in_force_on, industries (taxonomy codes), source
(the official document it was taken from) and clauses (number, text). `load_standards` brings the
tables in line with the files: new standards and clauses are added, changed text is updated, and
nothing is deleted (a hazard may link to a clause a newer version dropped: it is kept, the standard
is marked inactive when its file goes).
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import Industry
from rules.models import DeterminationClause, DeterminationStandard

STANDARDS_DIR = Path(__file__).resolve().parent / "data" / "standards"


def standard_files() -> list[dict]:
    """The standards as their files say, in file-name order."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(STANDARDS_DIR.glob("*.json"))]


@transaction.atomic
def load_standards(
    standard_model: Any = DeterminationStandard, clause_model: Any = DeterminationClause, industry_model: Any = Industry
) -> int:
    """Upsert every standard file and its clauses; return how many standards the files hold.

    The models are parameters so that a data migration can pass its historical ones.
    """
    files = standard_files()
    for entry in files:
        standard, _created = standard_model.objects.update_or_create(
            code=entry["code"],
            defaults={
                "title": entry["title"],
                "number": entry["number"],
                "issuing_body": entry["issuing_body"],
                "in_force_on": date.fromisoformat(entry["in_force_on"]),
                "source": entry["source"],
                "is_active": True,
            },
        )
        standard.industries.set(industry_model.objects.filter(code__in=entry["industries"]))
        for position, clause in enumerate(entry["clauses"], 1):
            clause_model.objects.update_or_create(
                standard=standard, number=clause["number"], defaults={"text": clause["text"], "position": position}
            )
    standard_model.objects.exclude(code__in=[entry["code"] for entry in files]).update(is_active=False)
    return len(files)


def clauses_for(industry: Industry | None) -> QuerySet[DeterminationClause]:
    """The clauses of the active standards of an industry (and of its parent's: the taxonomy has two levels)."""
    clauses = DeterminationClause.objects.filter(standard__is_active=True).select_related("standard")
    if industry is None:
        return clauses
    return clauses.filter(Q(standard__industries=industry) | Q(standard__industries=industry.parent_id)).distinct()


def search_clauses(query: str, *, industry: Industry | None = None, limit: int = 15) -> list[DeterminationClause]:
    """Clauses whose number or text matches `query` (type-ahead on the finding form)."""
    clauses = clauses_for(industry)
    query = query.strip()
    if query:
        words = query.split()
        match = Q()
        for word in words:
            match &= Q(text__icontains=word) | Q(number=word.strip("第项")) | Q(standard__title__icontains=word)
        clauses = clauses.filter(match)
    return list(clauses.order_by("standard__code", "position")[:limit])
