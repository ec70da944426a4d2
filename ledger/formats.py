"""Cell formats shared by every workbook the ledger writes, and the rule that no cell starts a formula.

No cell that came from a user can start a formula (OWASP ASVS 1.2.10): text is always written as a
string cell, never through a writer's "looks like a formula" guess, and text beginning with
= + - @ tab, CR or NUL also carries the quote-prefix style, which is what Excel itself stores for
text typed after an apostrophe: Excel and LibreOffice show it as text and keep it text when edited.
"""

from typing import Any

from ledger.columns import DATE, NUMBER, PERCENT, WRAP, Column

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Text starting with one of these could be taken for a formula (or a DDE call) by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# Never let the writer turn a string into a formula, a link or a number behind our back.
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

DATE_FORMAT = "yyyy-mm-dd"
OVERDUE_FILL = "#F8D7DA"
HEADER_FILL = "#DDEBF7"


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read this text as the start of a formula."""
    return text.startswith(FORMULA_TRIGGERS)


class Formats:
    """The cell formats of a sheet, made once: per column, plain or quote-prefixed; the overdue highlight."""

    def __init__(self, workbook: Any, columns: tuple[Column, ...]):
        # workbook: either writer of ledger/writers.py (both take XlsxWriter's format properties).
        self.workbook = workbook
        self.title = workbook.add_format({"bold": True, "font_size": 13})
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": HEADER_FILL, "border": 1}
        )
        self.by_kind: dict[tuple[str, bool, bool], Any] = {}
        self.plain = [self.cell(column.kind) for column in columns]
        self.quoted = [self.cell(column.kind, quoted=True) for column in columns]
        self.overdue = workbook.add_format({"bg_color": OVERDUE_FILL})
        self.signature = workbook.add_format({"bold": True, "valign": "vcenter"})

    def cell(self, kind: str, *, overdue: bool = False, quoted: bool = False):
        key = (kind, overdue, quoted)
        if key not in self.by_kind:
            properties: dict[str, Any] = {"valign": "top"}
            if kind == WRAP:
                properties["text_wrap"] = True
            elif kind == DATE:
                properties["num_format"] = DATE_FORMAT
            elif kind == NUMBER:
                properties["num_format"] = "0.00"
            elif kind == PERCENT:
                properties["num_format"] = "0.0%"
            if overdue:
                properties["bg_color"] = OVERDUE_FILL
            if quoted:
                properties["quote_prefix"] = True
            self.by_kind[key] = self.workbook.add_format(properties)
        return self.by_kind[key]
