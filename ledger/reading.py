"""Import, step one: reading a unit's workbook, without the database.

`read_import` checks the file by content (an .xlsx, not a renamed PDF, .xls or Word document; not
above the size and row limits, before it is parsed), reads the first sheet with a recognisable
header with openpyxl in read-only mode, maps its headers, synonyms included (`ledger.columns`),
and keeps each data row as read. What is wrong with the file as a whole is `ImportCheck.error`;
what is wrong with a cell (a formula, an Excel error, a merged area) is that row's error. The
rows are validated against the database by `ledger.validation`.
"""

import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from hazards.models import Hazard
from ledger.columns import (
    ERRORS_HEADER,
    EXAMPLE_MARKERS,
    IMPORT_COLUMN_BY_KEY,
    IMPORT_COLUMNS,
    QUIETLY_IGNORED,
)

HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 100
UNPACKED_FACTOR = 20  # a workbook unpacking to more than this many times the upload limit is refused


def _normalise_header(value: object) -> str:
    text = str(value or "")
    text = re.sub(r"[（(【\[].*?[)）】\]]", "", text)
    return re.sub(r"[\s*＊:：]", "", text).casefold()


def _header_names() -> dict[str, str]:
    """Every accepted header (normalised) → column key, in every language of the product."""
    names: dict[str, str] = {}
    for column in IMPORT_COLUMNS:
        candidates = [*column.synonyms]
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                candidates.append(str(column.header))
        for candidate in candidates:
            names.setdefault(_normalise_header(candidate), column.key)
    return names


def _quietly_ignored() -> set[str]:
    names = {_normalise_header(name) for name in QUIETLY_IGNORED}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(_normalise_header(ERRORS_HEADER))
            names.add(_normalise_header(pgettext("ledger column", "City")))
    return names


class ImportFileError(Exception):
    """The file cannot be imported at all; the message says why, in words a user understands."""


@dataclass
class ImportRow:
    """One data row of the file: what it held, what is wrong with it, and the finding it makes."""

    number: int  # the row number in the sheet, as Excel shows it
    cells: list  # the whole row as read, for the error workbook
    values: dict[str, Any] = field(default_factory=dict)  # by column key, as shown to the user
    errors: list[str] = field(default_factory=list)
    bad_columns: set[int] = field(default_factory=set)
    hazard: Hazard | None = None
    duplicate_of: str = ""  # a ledger number, or "row N" of the same file

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportCheck:
    """The result of reading and validating a file: nothing is written until `import_findings`."""

    file_name: str
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    headers: list = field(default_factory=list)  # the header row as read
    columns: dict[int, str] = field(default_factory=dict)  # column index → key
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.error and not self.bad_rows

    @property
    def duplicates(self) -> list[ImportRow]:
        return [row for row in self.rows if row.duplicate_of]

    def findings(self, *, confirmed: Iterable[int] = (), all_duplicates: bool = False) -> list[tuple[int, Hazard]]:
        """(row number, unsaved hazard) to import: likely duplicates only when confirmed."""
        confirmed = set(confirmed)
        return [
            (row.number, row.hazard)
            for row in self.rows
            if row.hazard is not None and (not row.duplicate_of or all_duplicates or row.number in confirmed)
        ]

    @property
    def shown_columns(self) -> list[tuple[str, str]]:
        """(key, header as in the file) of the mapped columns, in file order."""
        return [(key, str(self.headers[index] or "")) for index, key in sorted(self.columns.items()) if key != "seq"]


@dataclass
class _RawCell:
    value: Any
    data_type: str


def _sniff(head: bytes) -> str:
    """Why these bytes are not an .xlsx workbook, or "" when they could be one."""
    if not head:
        return _("The file is empty.")
    if head.startswith(b"%PDF-"):
        return _("This is a PDF document, not an Excel workbook, whatever its name says. Upload the .xlsx file.")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _(
            "This is an old Excel 97–2003 (.xls) file or another Office document. Open it in Excel or WPS and save it as .xlsx."
        )
    if not head.startswith(b"PK\x03\x04"):
        return _("This is not an Excel workbook (.xlsx), whatever its name says.")
    return ""


def _open_archive(stream: BinaryIO, size: int) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(stream)
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(_("The file is damaged: it cannot be opened as an Excel workbook.")) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if any(name.startswith("word/") for name in names):
            raise ImportFileError(_("This is a Word document, not an Excel workbook."))
        if any(name.startswith("ppt/") for name in names):
            raise ImportFileError(_("This is a PowerPoint presentation, not an Excel workbook."))
        raise ImportFileError(_("This is a ZIP archive, not an Excel workbook (.xlsx)."))
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > UNPACKED_FACTOR * settings.LEDGER_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to %(size)s, more than a ledger of the allowed size can hold.")
            % {"size": filesizeformat(unpacked)}
        )
    return archive


MERGE_PATTERN = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_ranges(archive: zipfile.ZipFile, worksheet_path: str | None) -> list[str]:
    """The merged ranges of a sheet, scanned from its XML as a stream (read-only openpyxl does not keep them)."""
    if not worksheet_path:
        return []
    found: dict[str, None] = {}
    tail = b""
    with archive.open(worksheet_path.lstrip("/")) as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            found.update(dict.fromkeys(match.decode() for match in MERGE_PATTERN.findall(data)))
            tail = data[-200:]  # longer than any <mergeCell/>: none is missed where two chunks meet
    return list(found)


def _read_sheet(stream: BinaryIO, check: ImportCheck) -> tuple[list[list[_RawCell]], int, list[str]]:
    """The first sheet with a recognisable header: its rows as read (bounded) and its merged ranges."""
    size = _size(stream)
    stream.seek(0)
    archive = _open_archive(stream, size)
    stream.seek(0)
    limit = settings.LEDGER_IMPORT_MAX_ROWS
    names = _header_names()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's complaints about extensions it does not read
            workbook = load_workbook(stream, read_only=True, data_only=False)
        try:
            sheets = [sheet for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")]
            if not sheets:
                raise ImportFileError(_("The workbook has no sheet."))
            # The first sheet that has a header we recognise (a ledger may have a cover sheet first).
            chosen = next((sheet for sheet in sheets if _best_header(_head_rows(sheet), names)[1] >= 2), sheets[0])
            check.sheet = chosen.title
            max_row = chosen.max_row
            if max_row is not None and max_row > limit + HEADER_SEARCH_ROWS:
                raise ImportFileError(
                    _(
                        "The sheet “%(sheet)s” has %(rows)s rows; at most %(limit)s can be imported at once. If most "
                        "of them are empty (formatting applied to whole columns), copy the data into a new workbook."
                    )
                    % {"sheet": chosen.title, "rows": f"{max_row:,}", "limit": f"{limit:,}"}
                )
            rows = []
            max_col = min(chosen.max_column or MAX_COLUMNS, MAX_COLUMNS)
            for cells in chosen.iter_rows(min_row=1, max_col=max_col):
                rows.append([_RawCell(cell.value, getattr(cell, "data_type", "n")) for cell in cells])
                if len(rows) > limit + HEADER_SEARCH_ROWS:
                    raise ImportFileError(
                        _("The sheet “%(sheet)s” has more than %(limit)s rows; import it in parts.")
                        % {"sheet": chosen.title, "limit": f"{limit:,}"}
                    )
            merged = _merged_ranges(archive, getattr(chosen, "_worksheet_path", None))
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - whatever a damaged workbook raises, the user gets a message, never a 500
        raise ImportFileError(
            _("The workbook could not be read: it is damaged or was not saved by a spreadsheet program.")
        ) from None
    return rows, max_col, merged


def _head_rows(sheet: Any) -> list[list[_RawCell]]:  # an openpyxl worksheet (untyped)
    rows: list[list[_RawCell]] = []
    for cells in sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS):
        rows.append([_RawCell(cell.value, getattr(cell, "data_type", "n")) for cell in cells])
    return rows


def _best_header(rows: list[list[_RawCell]], names: dict[str, str]) -> tuple[int, int]:
    """(index, recognised headers) of the row that looks most like a header among the first rows."""
    best, best_count = 0, 0
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len({names[key] for cell in cells if (key := _normalise_header(cell.value)) in names})
        if count > best_count:
            best, best_count = index, count
    return best, best_count


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def read_import(stream: BinaryIO, *, file_name: str) -> ImportCheck:
    """Read a workbook's rows and map its columns, without the database: file-level problems are `error`."""
    check = ImportCheck(file_name=file_name)
    try:
        _read_into(stream, check)
    except ImportFileError as error:
        check.error = str(error)
        check.rows = []
    return check


def _read_into(stream: BinaryIO, check: ImportCheck) -> None:
    size = _size(stream)
    limit = settings.LEDGER_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s; the limit is %(limit)s. Import the ledger in parts.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    reason = _sniff(stream.read(8))
    stream.seek(0)
    if reason:
        raise ImportFileError(reason)
    rows, _max_col, merged = _read_sheet(stream, check)
    names = _header_names()
    header_index, recognised = _best_header(rows, names)
    if not rows or recognised == 0:
        raise ImportFileError(
            _("No header row was found in the first %(count)d rows of “%(sheet)s”. Start from the template.")
            % {"count": HEADER_SEARCH_ROWS, "sheet": check.sheet}
        )
    check.header_row = header_index + 1
    header_cells = rows[header_index]
    for area in merged:
        min_col, min_row, max_col, max_row = range_boundaries(area)
        if min_row <= check.header_row <= max_row:
            raise ImportFileError(
                _(
                    "The header row has merged cells (%(range)s). Unmerge them so that each column has its own "
                    "header in one row, then import again."
                )
                % {"range": area}
            )
    check.headers = [cell.value for cell in header_cells]
    ignored = _quietly_ignored()
    for index, cell in enumerate(header_cells):
        if cell.value is None or str(cell.value).strip() == "":
            continue
        normalised = _normalise_header(cell.value)
        key = names.get(normalised)
        letter = get_column_letter(index + 1)
        if key is None:
            if normalised not in ignored:
                check.warnings.append(
                    _("Column %(letter)s “%(header)s” is not one we import; it was ignored.")
                    % {"letter": letter, "header": str(cell.value).strip()}
                )
            continue
        if key in check.columns.values():
            check.warnings.append(
                _("Column %(letter)s “%(header)s” repeats a column already read; it was ignored.")
                % {"letter": letter, "header": str(cell.value).strip()}
            )
            continue
        check.columns[index] = key
    missing = [column for column in IMPORT_COLUMNS if column.required and column.key not in check.columns.values()]
    if not ({"unit", "credit_code", "site"} & set(check.columns.values())):
        missing.append(IMPORT_COLUMN_BY_KEY["unit"])
    if missing:
        raise ImportFileError(
            _("The sheet “%(sheet)s” has no column for: %(columns)s. Add it (see the template) and import again.")
            % {
                "sheet": check.sheet,
                "columns": "; ".join(
                    f"{column.header} ({'、'.join(column.synonyms[:3])})"
                    if column.key != "unit"
                    else _("Unit or Site (单位 or 场所)")
                    for column in missing
                ),
            }
        )
    merged_areas = [range_boundaries(area) for area in merged]
    for offset, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        # A row with nothing but its number (ledgers are often numbered in advance) is an empty row.
        if all(is_blank(cell.value) for index, cell in enumerate(cells) if check.columns.get(index) != "seq"):
            continue
        check.rows.append(_raw_row(offset, cells, check, merged_areas))
    if not check.rows:
        raise ImportFileError(_("The sheet “%(sheet)s” has a header but no rows to import.") % {"sheet": check.sheet})
    examples = [row for row in check.rows if _is_example(row)]
    for row in examples:
        check.warnings.append(_("Row %(row)d is the template's example; it was skipped.") % {"row": row.number})
    check.rows = [row for row in check.rows if row not in examples]
    if not check.rows:
        raise ImportFileError(_("The sheet holds only the template's example row: add your own rows below it."))
    limit = settings.LEDGER_IMPORT_MAX_ROWS
    if len(check.rows) > limit:
        raise ImportFileError(
            _("The sheet “%(sheet)s” has more than %(limit)s rows; import it in parts.")
            % {"sheet": check.sheet, "limit": f"{limit:,}"}
        )


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _is_example(row: ImportRow) -> bool:
    marker = row.values.get("seq")
    markers = {*EXAMPLE_MARKERS, _("Example").casefold()}
    return isinstance(marker, str) and marker.strip().casefold() in markers


def _raw_row(
    number: int, cells: list[_RawCell], check: ImportCheck, merged_areas: list[tuple[int, int, int, int]]
) -> ImportRow:
    row = ImportRow(number=number, cells=[cell.value for cell in cells])
    for index, key in check.columns.items():
        cell = cells[index] if index < len(cells) else _RawCell(None, "n")
        letter = f"{get_column_letter(index + 1)}{number}"
        if cell.data_type == "f":
            row.errors.append(
                _("%(cell)s holds a formula (%(formula)s), not a value: paste the values only (粘贴为数值).")
                % {"cell": letter, "formula": str(cell.value)[:40]}
            )
            row.bad_columns.add(index)
            row.values[key] = None
            continue
        if cell.data_type == "e":
            row.errors.append(_("%(cell)s holds an Excel error (%(value)s).") % {"cell": letter, "value": cell.value})
            row.bad_columns.add(index)
            row.values[key] = None
            continue
        if is_blank(cell.value):
            for min_col, min_row, max_col, max_row in merged_areas:
                if min_col <= index + 1 <= max_col and min_row < number <= max_row:
                    row.errors.append(
                        _("%(cell)s is part of merged cells: unmerge them and fill in every row.") % {"cell": letter}
                    )
                    row.bad_columns.add(index)
                    break
        row.values[key] = cell.value.strip() if isinstance(cell.value, str) else cell.value
    return row
