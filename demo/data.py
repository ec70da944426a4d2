"""The demo's data tables, read from `demo/data/` (YAML and CSV) at run time.

The tables are data, not code: the findings an inspector writes down (findings.csv), the bodies and
enterprises (organisations.yaml), places and names (places.yaml), what people write at each step
(texts.yaml), the campaigns (campaigns.yaml) and how findings spread (distribution.yaml). Each is
read once per process.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, eq=False)  # identity hashing: findings are picked millions of times
class Finding:
    """A kind of hidden danger an inspector writes down; `{n}`, `{plate}`, `{ship}` vary per hazard."""

    industry: str  # a sub-category code where one fits, else the top-level code
    kind: str
    major: bool
    title: str
    description: str
    legal_basis: str
    measures: str
    where: str = ""


def _yaml(name: str) -> Any:
    with open(DATA / name, encoding="utf-8") as file:
        return yaml.safe_load(file)


@cache
def findings() -> dict[str, list[Finding]]:
    """Kinds of finding by top-level industry: at least four each, general and major, with the legal basis."""
    by_top: dict[str, list[Finding]] = {}
    with open(DATA / "findings.csv", encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if row["major"] not in ("yes", "no"):
                raise ValueError(f"findings.csv: major must be yes or no, not {row['major']!r} ({row['title']})")
            by_top.setdefault(row["top"], []).append(
                Finding(
                    industry=row["industry"],
                    kind=row["kind"],
                    major=row["major"] == "yes",
                    title=row["title"],
                    description=row["description"],
                    legal_basis=row["legal_basis"],
                    measures=row["measures"],
                    where=row["where"],
                )
            )
    return by_top


@cache
def organisations() -> dict[str, Any]:
    """Departments and their industries, demo cities and counties, enterprises, government posts, names."""
    return _yaml("organisations.yaml")


@cache
def places() -> dict[str, Any]:
    """Site name patterns by industry and the words that fill them."""
    return _yaml("places.yaml")


@cache
def texts() -> dict[str, Any]:
    """Plans, reports, opinions and reasons people write as a hazard moves through the workflow."""
    return _yaml("texts.yaml")


@cache
def campaigns() -> list[dict[str, Any]]:
    """The special campaigns, with `y`/`y1` standing for this year and the last."""
    return _yaml("campaigns.yaml")


@cache
def distribution() -> dict[str, Any]:
    """Weights of industries and counties."""
    return _yaml("distribution.yaml")
