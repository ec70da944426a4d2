"""The determination standards library: one JSON file per standard in rules/data/standards/.

Each file: code, title, number (文号), issuing_body, in_force_on, item_count (the number of items the
issuing body announced), industries (taxonomy codes; optionally industries_note, why these and not others,
for the reader), source (the official document it was taken from)
and clauses (number, text, and for standards numbered by article and item a citation: number "4.1",
citation "第四条第（一）项"). `load_standards` brings the tables in line with the files: new standards and
clauses are added, changed text is updated, and nothing is deleted (a hazard may link to a clause a
newer version dropped: it is kept, the standard is marked inactive when its file goes). A file whose
items do not add up to its count, or whose numbering skips or repeats, is refused whole.
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


class StandardFileError(ValueError):
    """A standard's file breaks a rule of the format; the message names the file and the rule."""


def standard_files() -> list[dict]:
    """The standards as their files say, in file-name order."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(STANDARDS_DIR.glob("*.json"))]


def numbering_problem(numbers: list[str]) -> str | None:
    """Why clause numbers, in file order, are not the official continuous numbering; None when they are.

    A flat list counts 1, 2, 3…; a standard numbered by article and item is written "4.1", "4.2", "5.1"
    (deeper levels add a dot: "1.1.3"). Under each article the items count from 1 without a gap; the
    articles follow one another, from the first the standard numbers (煤矿's start at 第四条).
    """
    if len(set(numbers)) != len(numbers):
        repeated = next(number for number in numbers if numbers.count(number) > 1)
        return f"clause {repeated} appears twice"
    flat = all("." not in number for number in numbers)
    last_child: dict[tuple[int, ...], int] = {}
    for number in numbers:
        parts = number.split(".")
        if not all(part.isdigit() for part in parts):
            return f"clause number “{number}” is not whole numbers joined by dots (1, 2… or 4.1, 4.2…)"
        path = tuple(int(part) for part in parts)
        for depth, child in enumerate(path):
            parent = path[:depth]
            last = last_child.get(parent)
            if last is None:
                if child != 1 and (flat or parent):
                    return f"clause {number} should be numbered from 1"
            elif child not in (last, last + 1):
                return f"clause {number} follows {'.'.join(map(str, (*parent, last)))}: a number is missing or out of order"
            last_child[parent] = child
    return None


def check_standard_file(entry: dict, name: str) -> None:
    """Refuse a file whose items do not match the official count or whose numbering is broken."""
    clauses = entry.get("clauses") or []
    if entry.get("item_count") != len(clauses):
        raise StandardFileError(
            f"{name}: it has {len(clauses)} clauses but item_count says {entry.get('item_count')}; "
            "every numbered item of the official text must be in the file, once"
        )
    problem = numbering_problem([str(clause["number"]) for clause in clauses])
    if problem:
        raise StandardFileError(f"{name}: {problem}")


@transaction.atomic
def load_standards(
    standard_model: Any = DeterminationStandard, clause_model: Any = DeterminationClause, industry_model: Any = Industry
) -> int:
    """Upsert every standard file and its clauses; return how many standards the files hold.

    The models are parameters so that a data migration can pass its historical ones.
    """
    files = standard_files()
    for path, entry in zip(sorted(STANDARDS_DIR.glob("*.json")), files, strict=True):
        check_standard_file(entry, path.name)
    # The data migration that first loaded the files ran before clauses had a citation.
    has_citation = any(field.name == "citation" for field in clause_model._meta.get_fields())
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
            defaults = {"text": clause["text"], "position": position}
            if has_citation:
                defaults["citation"] = clause.get("citation", "")
            clause_model.objects.update_or_create(standard=standard, number=clause["number"], defaults=defaults)
    standard_model.objects.exclude(code__in=[entry["code"] for entry in files]).update(is_active=False)
    return len(files)


def load_standards_from_apps(apps: Any, schema_editor: Any) -> None:
    """`load_standards` as a data migration runs it, on the migration's historical models."""
    load_standards(
        apps.get_model("rules", "DeterminationStandard"),
        apps.get_model("rules", "DeterminationClause"),
        apps.get_model("accounts", "Industry"),
    )


def clauses_for(industry: Industry | None) -> QuerySet[DeterminationClause]:
    """The clauses of the active standards of an industry, of its parent's (the taxonomy has two levels)
    and, for a parent (a finding filed under 危险化学品 at large), of its sub-industries'."""
    clauses = DeterminationClause.objects.filter(standard__is_active=True).select_related("standard")
    if industry is None:
        return clauses
    return clauses.filter(
        Q(standard__industries=industry)
        | Q(standard__industries=industry.parent_id)
        | Q(standard__industries__parent=industry)
    ).distinct()


def search_clauses(query: str, *, industry: Industry | None = None, limit: int = 15) -> list[DeterminationClause]:
    """Clauses whose number or text matches `query` (type-ahead on the finding form)."""
    clauses = clauses_for(industry)
    query = query.strip()
    if query:
        words = query.split()
        match = Q()
        for word in words:
            match &= (
                Q(text__icontains=word)
                | Q(number=word.strip("第项"))
                | Q(citation__icontains=word)
                | Q(standard__title__icontains=word)
            )
        clauses = clauses.filter(match)
    return list(clauses.order_by("standard__code", "position")[:limit])
