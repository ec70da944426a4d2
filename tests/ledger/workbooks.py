"""Reading exported ledgers back in tests."""

import io
import itertools
from collections.abc import Iterable, Sequence

from openpyxl import load_workbook

ENGLISH_HEADERS = [
    "No.",
    "Ledger number",
    "Hazard",
    "Description",
    "Industry",
    "Level",
    "Source",
    "City",
    "County",
    "Unit",
    "Location",
    "Found on",
    "Found by",
    "Rectification measures",
    "Funds (10,000 yuan)",
    "Rectifying unit",
    "Person responsible",
    "Enterprise main responsibility",
    "Departmental supervision",
    "Territorial management",
    "Leadership (one post, two responsibilities)",
    "Deadline",
    "Extensions",
    "State",
    "Overdue",
    "Days overdue",
    "Accepted by",
    "Accepted on",
    "Closed on",
    "Listed supervision",
    "Remarks",
]
COLUMN = {header: index for index, header in enumerate(ENGLISH_HEADERS)}


def table_rows(rows: Iterable[Sequence]) -> list[Sequence]:
    """A ledger sheet's rows after its title and header, up to the blank row above the signature block."""
    return list(itertools.takewhile(lambda row: any(value not in (None, "") for value in row), list(rows)[2:]))


def ledger_rows(content: bytes) -> list[tuple]:
    """The data rows of every ledger sheet (after the title and header rows), read by openpyxl."""
    workbook = load_workbook(io.BytesIO(content))
    rows = []
    for sheet in workbook.worksheets:
        if sheet.title.startswith("Ledger"):
            rows += table_rows(sheet.iter_rows(values_only=True))
    return rows


def numbers(content: bytes) -> list[str]:
    return [row[COLUMN["Ledger number"]] for row in ledger_rows(content)]
