"""The two xlsx writers the ledger can use, behind one small interface (XlsxWriter's own vocabulary).

- **native** (`rvgsrust-xlsxwriter`, Rust's rust_xlsxwriter): a whole row crosses into Rust in one
  call and each cell takes its column's format there, so a ledger row costs one call instead of
  thirty; chosen by measurement (bench/export.py: 3.9–5.4× XlsxWriter writing the same rows;
  rustpy-xlsxwriter is as fast but has no formula conditional format and writes whole sheets).
- **python** (XlsxWriter): the fallback where the native wheel does not exist. Its wheels are built
  for Linux x86-64, macOS arm64 and Windows x86-64 only; Linux on ARM (Kunpeng and Phytium servers
  are common on government intranets) and musl have none, so `requirements.txt` installs it only
  where it exists and the export falls back to XlsxWriter elsewhere (`LEDGER_EXCEL_WRITER`).

Both write the same cells, formats, sheets and print setup (tests/ledger read each back with two
readers). Neither ever turns a string into a formula: text is written as text, and text starting
with a formula trigger also carries the quote-prefix style (ledger/formats.py).
"""

import importlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, BinaryIO

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from xlsxwriter.utility import xl_rowcol_to_cell as cell_name

from ledger.formats import FORMULA_TRIGGERS, WRITER_OPTIONS

native: Any  # the rvgsrust_xlsxwriter module, or None where it has no wheel (see above)
try:
    native = importlib.import_module("rvgsrust_xlsxwriter")
except ImportError:
    native = None

NATIVE, PYTHON = "native", "python"
TEXT_KINDS = ("text", "wrap")  # ledger.columns.TEXT and WRAP
DATE_KIND = "date"
MAY_START_FORMULA = re.compile("(?:^|\n)[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def writer_name() -> str:
    """The writer the settings ask for ("auto": native where its wheel is installed)."""
    wanted = getattr(settings, "LEDGER_EXCEL_WRITER", "auto")
    if wanted == "auto":
        return NATIVE if native is not None else PYTHON
    if wanted == NATIVE and native is None:
        raise ImproperlyConfigured("LEDGER_EXCEL_WRITER=native, but rvgsrust-xlsxwriter is not installed here")
    if wanted not in (NATIVE, PYTHON):
        raise ImproperlyConfigured(f"LEDGER_EXCEL_WRITER must be auto, native or python, not {wanted!r}")
    return wanted


def writer_for(rows: int) -> str:
    """The writer for an export of `rows` rows: the settings' choice, except that "auto" leaves the
    native writer for large exports.

    rust_xlsxwriter streams the rows to disk but builds the whole compressed file in memory when the
    workbook closes, so its peak grows with the file (about 140 bytes a ledger row: 227 MB at a
    million rows, bench/export.py); XlsxWriter's constant-memory mode stays flat (93 MB at 1M rows), about 4.5 times slower.
    Above LEDGER_NATIVE_WRITER_MAX_ROWS the export takes the flat one: such exports run in the
    background, where memory shared with other work matters more than minutes.
    """
    name = writer_name()
    if getattr(settings, "LEDGER_EXCEL_WRITER", "auto") == "auto" and rows > settings.LEDGER_NATIVE_WRITER_MAX_ROWS:
        return PYTHON
    return name


def open_workbook(output: BinaryIO | str, *, name: str | None = None) -> "PythonBook | NativeBook":
    name = name or writer_name()
    return NativeBook(output) if name == NATIVE else PythonBook(output)


# --- XlsxWriter --------------------------------------------------------------------------------


class PythonBook:
    """XlsxWriter in constant-memory mode: each row is flushed as soon as the next begins."""

    name = PYTHON

    def __init__(self, output: BinaryIO | str):
        self.workbook = xlsxwriter.Workbook(output, {"constant_memory": True, **WRITER_OPTIONS})

    def set_properties(self, properties: dict) -> None:
        self.workbook.set_properties(properties)

    def add_format(self, properties: dict) -> Any:
        return self.workbook.add_format(properties)

    def add_worksheet(self, name: str, *, streamed: bool = False) -> "PythonSheet":
        return PythonSheet(self.workbook.add_worksheet(name))

    def close(self) -> None:
        self.workbook.close()


class PythonSheet:
    def __init__(self, sheet: Any):
        self.sheet = sheet

    def __getattr__(self, name: str) -> Any:
        # XlsxWriter's own methods, as they are (write_string, set_column, freeze_panes, autofilter,
        # set_landscape, set_paper, set_footer, set_margins…): the native sheet offers the same.
        return getattr(self.sheet, name)

    def fit_to_width(self) -> None:
        self.sheet.fit_to_pages(1, 0)

    def highlight(self, first_row: int, first_col: int, last_row: int, last_col: int, formula: str, fmt: Any) -> None:
        self.sheet.conditional_format(
            first_row, first_col, last_row, last_col, {"type": "formula", "criteria": f"={formula}", "format": fmt}
        )

    def write_cells(self, row: int, cells: Sequence, kinds: Sequence[str], plain: Sequence, quoted: Sequence) -> None:
        """One ledger row, cell by cell, each with its column's format (XlsxWriter has no column default)."""
        sheet = self.sheet
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            kind = kinds[col]
            if kind in TEXT_KINDS:
                sheet.write_string(row, col, value, quoted[col] if value.startswith(FORMULA_TRIGGERS) else plain[col])
            elif kind == DATE_KIND:
                sheet.write_datetime(row, col, value, plain[col])
            else:
                sheet.write_number(row, col, value, plain[col])


# --- rust_xlsxwriter ---------------------------------------------------------------------------

_BORDERS: dict[int, Any] = {1: "thin", 2: "medium", 5: "thick"}


def native_format(properties: dict) -> Any:
    """XlsxWriter's format properties as a native Format (the subset the ledger uses)."""
    fmt = native.Format()
    for key, value in properties.items():
        if key == "bold" and value:
            fmt.set_bold()
        elif key == "font_size":
            fmt.set_font_size(value)
        elif key == "text_wrap" and value:
            fmt.set_text_wrap()
        elif key == "valign":
            fmt.set_vertical_align(value)
        elif key == "align":
            fmt.set_align(value)
        elif key == "bg_color":
            fmt.set_background_color(value)
        elif key == "border":
            fmt.set_border(_BORDERS[value])
        elif key == "num_format":
            fmt.set_num_format(value)
        elif key == "quote_prefix" and value:
            fmt.set_quote_prefix()
        else:
            raise ValueError(f"format property {key}={value!r} has no native equivalent here")
    return fmt


class NativeBook:
    name = NATIVE

    def __init__(self, output: BinaryIO | str):
        self.output = output
        # Streamed (constant-memory) sheets need a file to stream to: a workbook kept for a buffer
        # holds every row in memory (405 MB more at 100k rows, bench/export.py). A file object
        # gets the workbook written beside it first, then copied in.
        self.folder: tempfile.TemporaryDirectory | None = None
        if isinstance(output, str):
            self.path = output
        else:
            self.folder = tempfile.TemporaryDirectory(prefix="ledger-")
            self.path = os.path.join(self.folder.name, "ledger.xlsx")
        self.workbook = native.Workbook(self.path)

    def set_properties(self, properties: dict) -> None:
        self.workbook.set_properties(title=properties.get("title"), author=properties.get("author"))

    def add_format(self, properties: dict) -> Any:
        return native_format(properties)

    def add_worksheet(self, name: str, *, streamed: bool = False) -> "NativeSheet":
        # Streamed sheets (the ledger's) keep one row in memory; the small ones are written at close.
        return NativeSheet(self.workbook.add_worksheet(name, streamed))

    def close(self) -> None:
        self.workbook.close()
        if self.folder is not None and not isinstance(self.output, str):
            with open(self.path, "rb") as written:
                shutil.copyfileobj(written, self.output)
            self.folder.cleanup()


class NativeSheet:
    def __init__(self, sheet: Any):
        self.sheet = sheet
        self.text_columns: tuple[int, ...] | None = None  # the ledger's text columns, found on its first row
        self.texts_of: Callable[[Sequence], Any] | None = None
        self.write_string = self.write_number = self.write_datetime = sheet.write
        self.freeze_panes = sheet.freeze_panes
        self.autofilter = sheet.autofilter
        self.repeat_rows = sheet.set_repeat_rows
        self.set_landscape = sheet.set_landscape
        self.set_paper = sheet.set_paper_size
        self.set_footer = sheet.set_footer

    def set_column(self, first_col: int, last_col: int, width: float, fmt: Any = None) -> None:
        for col in range(first_col, last_col + 1):
            self.sheet.set_column_width(col, width)
            if fmt is not None:
                # rust_xlsxwriter gives a cell written without a format its column's: see write_cells.
                self.sheet.set_column_format(col, fmt)

    def set_row(self, row: int, height: float) -> None:
        """Left at the default height: a row height on a streamed sheet makes rvgsrust-xlsxwriter 0.3.5
        read the whole sheet back into memory when the workbook closes (537 MB instead of 22 MB at
        100k rows). LibreOffice sizes the wrapped header on opening; Excel shows its first line."""

    def set_margins(self, left: float, right: float, top: float, bottom: float) -> None:
        self.sheet.set_margins(left, right, top, bottom, 0.3, 0.3)

    def fit_to_width(self) -> None:
        self.sheet.set_print_fit_to_pages(1, 0)

    def highlight(self, first_row: int, first_col: int, last_row: int, last_col: int, formula: str, fmt: Any) -> None:
        rule = native.ConditionalFormatFormula()
        rule.set_rule(f"={formula}")
        rule.set_format(fmt)
        # A streamed sheet takes nothing above the row it is on: the rule is anchored on the last
        # row written, and its real range given as text.
        rule.set_multi_range(f"{cell_name(first_row, first_col)}:{cell_name(last_row, last_col)}")
        self.sheet.add_conditional_format(last_row, first_col, last_row, last_col, rule)

    def write_cells(self, row: int, cells: list, kinds: Sequence[str], plain: Sequence, quoted: Sequence) -> None:
        """One ledger row in one call; the rare text that could start a formula again, quote-prefixed."""
        self.sheet.write_row(row, 0, cells)
        if self.texts_of is None:
            self.text_columns = tuple(col for col, kind in enumerate(kinds) if kind in TEXT_KINDS)
            columns = self.text_columns
            self.texts_of = (
                itemgetter(*columns) if len(columns) > 1 else (lambda cells: [cells[col] for col in columns])
            )
        # One look at the row's texts together (a search in C, not twenty tests in Python); a line of a
        # text that starts like a formula sends the row to the exact test, cell by cell.
        if not MAY_START_FORMULA.search("\n".join(filter(None, self.texts_of(cells)))):
            return
        for col in self.text_columns or ():
            value = cells[col]
            if value and value.startswith(FORMULA_TRIGGERS):
                self.sheet.write(row, col, value, quoted[col])
