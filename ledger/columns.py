"""The column catalogue of the Excel ledger: what the export writes and what the import reads.

The ledger sheet's columns (`LEDGER_COLUMNS`) and the fields its query reads (`LEDGER_FIELDS`) are
kept side by side so that one cannot change without the other; the import's columns carry their
help text and the other headers real ledgers use for them. Those headers, and the words accepted for
each choice (级别, 隐患类别, 来源), are data: `ledger/data/synonyms.json`.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy, pgettext_lazy

from hazards.responsibility import LAYERS, ChainLayerText
from hunan_safety.lazy import LazyText

# How a column's cells are written: the cell format of each kind is in ledger/formats.py.
TEXT, WRAP, DATE, NUMBER, INTEGER, PERCENT = "text", "wrap", "date", "number", "integer", "percent"

SYNONYMS = json.loads((Path(__file__).resolve().parent / "data" / "synonyms.json").read_text(encoding="utf-8"))
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {key: tuple(words) for key, words in SYNONYMS["headers"].items()}
# Recognised and left alone without a warning: a city beside the county, our own error column.
QUIETLY_IGNORED = frozenset(SYNONYMS["ignored_headers"])
EXAMPLE_MARKERS = frozenset(SYNONYMS["example_markers"])
# Choice field → stored value → the words a ledger may write for it besides its labels.
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    field: {value: tuple(words) for value, words in values.items()} for field, values in SYNONYMS["values"].items()
}


# --- Columns of the ledger sheet -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: LazyText
    width: float
    kind: str = TEXT


# Widths are what a printed page can hold: the sheet is fitted to the paper's width (ledger/export.py),
# so every character of width shrinks the print; long text wraps instead.
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("seq", pgettext_lazy("ledger column", "No."), 6, INTEGER),
    Column("number", pgettext_lazy("ledger column", "Ledger number"), 21),
    Column("title", pgettext_lazy("ledger column", "Hazard"), 22, WRAP),
    Column("description", pgettext_lazy("ledger column", "Description"), 32, WRAP),
    Column("industry", pgettext_lazy("ledger column", "Industry"), 16, WRAP),
    Column("level", pgettext_lazy("ledger column", "Level"), 9),
    Column("source", pgettext_lazy("ledger column", "Source"), 12),
    Column("city", pgettext_lazy("ledger column", "City"), 10),
    Column("county", pgettext_lazy("ledger column", "County"), 10),
    Column("unit", pgettext_lazy("ledger column", "Unit"), 20, WRAP),
    Column("location", pgettext_lazy("ledger column", "Location"), 16, WRAP),
    Column("found_on", pgettext_lazy("ledger column", "Found on"), 12, DATE),
    Column("found_by", pgettext_lazy("ledger column", "Found by"), 10),
    Column("measures", pgettext_lazy("ledger column", "Rectification measures"), 24, WRAP),
    Column("funds", pgettext_lazy("ledger column", "Funds (10,000 yuan)"), 11, NUMBER),
    Column("rectifying_unit", pgettext_lazy("ledger column", "Rectifying unit"), 18, WRAP),
    Column("responsible_person", pgettext_lazy("ledger column", "Person responsible"), 11),
    *(Column(f"chain_{layer}", label, 22, WRAP) for layer, label in LAYERS.items()),
    Column("deadline", pgettext_lazy("ledger column", "Deadline"), 12, DATE),
    Column("extensions", pgettext_lazy("ledger column", "Extensions"), 8, INTEGER),
    Column("state", pgettext_lazy("ledger column", "State"), 13),
    Column("overdue", pgettext_lazy("ledger column", "Overdue"), 8),
    Column("overdue_days", pgettext_lazy("ledger column", "Days overdue"), 8, INTEGER),
    Column("verified_by", pgettext_lazy("ledger column", "Accepted by"), 10),
    Column("verified_on", pgettext_lazy("ledger column", "Accepted on"), 12, DATE),
    Column("closed_on", pgettext_lazy("ledger column", "Closed on"), 12, DATE),
    Column("listed", pgettext_lazy("ledger column", "Listed supervision"), 14, WRAP),
    Column("remarks", pgettext_lazy("ledger column", "Remarks"), 16, WRAP),
)

OVERDUE_DAYS_COLUMN = [column.key for column in LEDGER_COLUMNS].index("overdue_days")

# The chain's layers as text, made by the database (hazards.responsibility.ChainLayerText).
CHAIN_FIELDS = tuple(f"chain_{layer}" for layer in LAYERS)
LEDGER_EXPRESSIONS = {field: ChainLayerText(layer) for field, layer in zip(CHAIN_FIELDS, LAYERS, strict=True)}

# What the query reads: only the columns written; the joins (people, units, campaign) once, in SQL;
# the chain's layers last.
LEDGER_FIELDS = (
    "number",
    "title",
    "description",
    "industry_id",
    "level",
    "source",
    "region_id",
    "unit__name",
    "site_name",
    "location",
    "found_on",
    "found_by__last_name",
    "found_by__first_name",
    "found_by__username",
    "measures",
    "funds",
    "rectifying_unit__name",
    "responsible_person",
    "deadline",
    "extension_count",
    "state",
    "verified_by__last_name",
    "verified_by__first_name",
    "verified_by__username",
    "verified_at",
    "closed_at",
    "listed_level",
    "listed_by__name",
    "on_the_spot",
    "campaign__name",
    *CHAIN_FIELDS,
)


# --- Columns of the import ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: LazyText
    help: LazyText
    required: bool = False
    # Other headers units use for this column (data/synonyms.json); compared without spaces,
    # asterisks and anything in brackets, so 整改资金（万元）and 整改资金 are the same.
    synonyms: tuple[str, ...] = ()
    width: float = 16


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "seq",
        pgettext_lazy("ledger column", "No."),
        gettext_lazy("Optional, not imported. The template's example row says “Example” here and is skipped."),
        synonyms=HEADER_SYNONYMS["seq"],
        width=7,
    ),
    ImportColumn(
        "title",
        pgettext_lazy("ledger column", "Hazard"),
        gettext_lazy("A short name of the hazard, at most 200 characters."),
        required=True,
        synonyms=HEADER_SYNONYMS["title"],
        width=30,
    ),
    ImportColumn(
        "description",
        pgettext_lazy("ledger column", "Description"),
        gettext_lazy("What was found, in detail. When empty, the hazard's name is used."),
        synonyms=HEADER_SYNONYMS["description"],
        width=40,
    ),
    ImportColumn(
        "industry",
        pgettext_lazy("ledger column", "Industry"),
        gettext_lazy("An industry of the taxonomy, by its Chinese or English name (see the allowed values)."),
        required=True,
        synonyms=HEADER_SYNONYMS["industry"],
    ),
    ImportColumn(
        "level",
        pgettext_lazy("ledger column", "Level"),
        gettext_lazy("General or major; general when empty."),
        synonyms=HEADER_SYNONYMS["level"],
        width=10,
    ),
    ImportColumn(
        "kind",
        pgettext_lazy("ledger column", "Form"),
        gettext_lazy("Dangerous state of things, unsafe behaviour or management defect; the first when empty."),
        synonyms=HEADER_SYNONYMS["kind"],
    ),
    ImportColumn(
        "source",
        pgettext_lazy("ledger column", "Source"),
        gettext_lazy("How it was found (see the allowed values); inspection when empty."),
        synonyms=HEADER_SYNONYMS["source"],
        width=12,
    ),
    ImportColumn(
        "campaign",
        pgettext_lazy("ledger column", "Campaign"),
        gettext_lazy("Optional: the special campaign, by its name."),
        synonyms=HEADER_SYNONYMS["campaign"],
    ),
    ImportColumn(
        "county",
        pgettext_lazy("ledger column", "County"),
        gettext_lazy("A county of your jurisdiction, by its name or its six-digit code."),
        required=True,
        synonyms=HEADER_SYNONYMS["county"],
        width=12,
    ),
    ImportColumn(
        "unit",
        pgettext_lazy("ledger column", "Unit"),
        gettext_lazy(
            "A registered unit, by its exact name or its unified social credit code. Leave it empty and use "
            "the Site column for a place that is not a registered unit."
        ),
        synonyms=HEADER_SYNONYMS["unit"],
        width=28,
    ),
    ImportColumn(
        "credit_code",
        pgettext_lazy("ledger column", "Unified social credit code"),
        gettext_lazy("Optional: the unit's 18-character code, instead of or besides its name."),
        synonyms=HEADER_SYNONYMS["credit_code"],
        width=22,
    ),
    ImportColumn(
        "site",
        pgettext_lazy("ledger column", "Site"),
        gettext_lazy("The place, when it is not a registered unit (a self-built house, a village road…)."),
        synonyms=HEADER_SYNONYMS["site"],
        width=24,
    ),
    ImportColumn(
        "location",
        pgettext_lazy("ledger column", "Location"),
        gettext_lazy("Where exactly, e.g. workshop 3, east wall."),
        synonyms=HEADER_SYNONYMS["location"],
        width=20,
    ),
    ImportColumn(
        "found_on",
        pgettext_lazy("ledger column", "Found on"),
        gettext_lazy("The date found: an Excel date, or 2026-03-05, 2026/3/5, 2026.3.5, 20260305 or 2026年3月5日."),
        required=True,
        synonyms=HEADER_SYNONYMS["found_on"],
        width=12,
    ),
    ImportColumn(
        "legal_basis",
        pgettext_lazy("ledger column", "Legal basis"),
        gettext_lazy("Optional: the standard and clause it breaks."),
        synonyms=HEADER_SYNONYMS["legal_basis"],
        width=24,
    ),
    ImportColumn(
        "measures",
        pgettext_lazy("ledger column", "Rectification measures"),
        gettext_lazy("Optional: the measures planned."),
        synonyms=HEADER_SYNONYMS["measures"],
        width=30,
    ),
    ImportColumn(
        "funds",
        pgettext_lazy("ledger column", "Funds (10,000 yuan)"),
        gettext_lazy("Optional: a number of 10,000 yuan (万元), zero or more."),
        synonyms=HEADER_SYNONYMS["funds"],
        width=12,
    ),
    ImportColumn(
        "rectifying_unit",
        pgettext_lazy("ledger column", "Rectifying unit"),
        gettext_lazy(
            "Optional: the unit that should rectify, by name or credit code; the head confirms it when assigning."
        ),
        synonyms=HEADER_SYNONYMS["rectifying_unit"],
        width=24,
    ),
    ImportColumn(
        "responsible_person",
        pgettext_lazy("ledger column", "Person responsible"),
        gettext_lazy("Optional: who answers for the rectification."),
        synonyms=HEADER_SYNONYMS["responsible_person"],
        width=12,
    ),
    ImportColumn(
        "deadline",
        pgettext_lazy("ledger column", "Deadline"),
        gettext_lazy(
            "Optional: the rectification deadline proposed, not before the date found; the head sets it when assigning."
        ),
        synonyms=HEADER_SYNONYMS["deadline"],
        width=12,
    ),
)
# What a county's own ledger says besides the finding (issue 20: nothing useful dropped; the rules are in the README).
IMPORT_COLUMNS += (
    ImportColumn(
        "finder",
        pgettext_lazy("ledger column", "Found by"),
        gettext_lazy(
            "Optional: who found it. A user of your organisation by name is recorded as the finder; another name is kept as written."
        ),
        synonyms=HEADER_SYNONYMS["finder"],
        width=12,
    ),
    ImportColumn(
        "remarks",
        pgettext_lazy("ledger column", "Remarks"),
        gettext_lazy("Optional: notes, kept with the finding."),
        synonyms=HEADER_SYNONYMS["remarks"],
        width=24,
    ),
    ImportColumn(
        "rectified",
        pgettext_lazy("ledger column", "Rectified"),
        gettext_lazy(
            "Optional, for past findings: yes (是, √) when the ledger says it was rectified; it then waits for acceptance unless the review columns record one."
        ),
        synonyms=HEADER_SYNONYMS["rectified"],
        width=10,
    ),
    ImportColumn(
        "state",
        pgettext_lazy("ledger column", "State"),
        gettext_lazy(
            "Optional, for past findings: the ledger's state (已整改, 已销号 …); submitted or later counts as rectified, closed only with a review record."
        ),
        synonyms=HEADER_SYNONYMS["state"],
        width=10,
    ),
    ImportColumn(
        "review_date",
        pgettext_lazy("ledger column", "Reviewed on"),
        gettext_lazy(
            "Optional, for past findings: the date of the acceptance review (复查); with a passing result the finding is closed on that day."
        ),
        synonyms=HEADER_SYNONYMS["review_date"],
        width=12,
    ),
    ImportColumn(
        "reviewer",
        pgettext_lazy("ledger column", "Reviewer"),
        gettext_lazy("Optional: who reviewed it; a user of your organisation by name is recorded as the acceptor."),
        synonyms=HEADER_SYNONYMS["reviewer"],
        width=12,
    ),
    ImportColumn(
        "review_result",
        pgettext_lazy("ledger column", "Review result"),
        gettext_lazy("Optional: the review's result (合格, 通过, 是 … or 不合格); kept as the acceptance opinion."),
        synonyms=HEADER_SYNONYMS["review_result"],
        width=16,
    ),
)
IMPORT_COLUMN_BY_KEY = {column.key: column for column in IMPORT_COLUMNS}
ERRORS_HEADER = pgettext_lazy("ledger column", "Errors")

assert set(HEADER_SYNONYMS) == set(IMPORT_COLUMN_BY_KEY), "data/synonyms.json names every import column, and only them"
