"""Import, step one: reading a unit's ledger file, without the database.

One reading layer for every format a county keeps: `.xlsx`, `.xls` and `.ods` read by calamine
(python-calamine), which reads every row the sheet holds whatever its `<dimension>` declares, and
`.csv` in UTF-8 or GBK (detected). Before calamine sees a ZIP-based file (.xlsx, .ods), each
member is checked against what one import may unpack (`LEDGER_IMPORT_MAX_UNPACKED_BYTES`, counted
as it is read) and the sheets' XML is streamed once: a text longer than a cell may hold
(`LEDGER_IMPORT_MAX_CELL_CHARS`), a sheet with more rows or columns than an import takes, is refused
there, before any large string or grid is built. The same stream names the formula and error cells.

The header row is found under title rows, and two- or three-row headers (上级标题 over 下级标题,
merged) are joined before matching; headers are mapped through synonyms (`ledger.columns`) and the
organisation's own mapping. What is wrong with the file as a whole is `ImportCheck.error`; what is
wrong with a cell (a formula, an Excel error, a merged area) is that row's error. The rows are
validated against the database by `ledger.validation`.
"""

import codecs
import csv
import datetime as dt
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from hazards.models import Hazard
from ledger.columns import (
    ERRORS_HEADER,
    EXAMPLE_MARKERS,
    IMPORT_COLUMN_BY_KEY,
    IMPORT_COLUMNS,
    QUIETLY_IGNORED,
)

HEADER_SEARCH_ROWS = 10
HEADER_DEPTHS = (1, 2, 3)  # a header of one row, or two or three rows joined (上级标题 + 下级标题)
MAX_COLUMNS = 100  # columns read; a value further right than MAX_SHEET_COLUMNS refuses the file
MAX_SHEET_COLUMNS = 256  # as many as an .xls can have: calamine builds a full grid, so its width is capped
CHUNK = 1 << 20
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _normalise_header(value: object) -> str:
    text = str(value or "")
    text = re.sub(r"[（(【\[].*?[)）】\]]", "", text)
    return re.sub(r"[\s*＊:：·/]", "", text).casefold()


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
    history: Any = None  # hazards.workflow.ImportedHistory of a past row (rectified, accepted, closed)
    unregistered_unit: str = ""  # the unit it names, as written, when the register does not have it
    unregistered_key: str = ""  # that unit's county and name as compared ("430181:张记小卖部"): one unit per key

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
    file_format: str = ""  # xlsx, xls, ods or csv
    header_row: int = 0  # the last row of the header, as Excel numbers it
    header_rows: int = 1  # how many rows the header has (joined when more than one)
    headers: list = field(default_factory=list)  # each column's header as read (joined rows: 上级·下级)
    columns: dict[int, str] = field(default_factory=dict)  # column index → key
    examples: dict[int, list[str]] = field(default_factory=dict)  # column index → its first values, for mapping
    rows: list[ImportRow] = field(default_factory=list)
    unmapped: list[int] = field(default_factory=list)  # indexes of named columns no field takes (to map)
    missing: list[str] = field(default_factory=list)  # keys of required columns the file lacks
    # Filled by validation: words read through a synonym or mapping ((field, word) → what it was read as),
    # words no field knows ((field, word) → rows), and units not in the register (name → rows).
    mapped_values: dict[tuple[str, str], str] = field(default_factory=dict)
    unknown_values: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    unregistered: dict[str, list[int]] = field(default_factory=dict)

    @property
    def histories(self) -> dict[int, Any]:
        """Row number → the history of each past row that has one (for `hazards.workflow.import_findings`)."""
        return {row.number: row.history for row in self.rows if row.history is not None}

    @property
    def headers_by_key(self) -> dict[str, str]:
        return {key: str(self.headers[index]) for index, key in self.columns.items()}

    @property
    def unregistered_rows(self) -> int:
        return sum(len(rows) for rows in self.unregistered.values())

    @property
    def units_to_add(self) -> int:
        """How many units the register would gain from the unregistered names: one per county and name."""
        return len({row.unregistered_key for row in self.rows if row.unregistered_key})

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

    @property
    def needs_mapping(self) -> bool:
        """Whether the page should ask: a column or a value it does not know, or a required column missing."""
        return bool(self.unmapped or self.unknown_values or self.missing)


@dataclass
class ImportMapping:
    """An organisation's or a named profile's own words: headers (header key → column key) and values
    (field → word key → stored value; an industry by its code), taken before the synonyms."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def then(self, other: "ImportMapping") -> "ImportMapping":
        """This mapping, with `other` filling what it does not say."""
        values = {name: {**other.values.get(name, {}), **words} for name, words in self.values.items()}
        values.update({name: words for name, words in other.values.items() if name not in values})
        return ImportMapping(columns={**other.columns, **self.columns}, values=values)


# --- The formats: every row of one sheet, with what the file says about its cells ---------------


@dataclass
class _SheetFacts:
    """What streaming a sheet's XML found, before any reader builds it: extent, formulas, errors."""

    rows: int = 0  # the last row holding a value (1-based), whatever the file declares
    columns: int = 0  # the last column holding a value (1-based)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based → formula
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → error value (#DIV/0!)

    def holds(self, row: int, col: int, count: int = 1) -> None:
        self.rows = max(self.rows, row + 1)
        self.columns = max(self.columns, col + count)


@dataclass
class Table:
    """One sheet as read: every row (a full grid), its merged areas (1-based bounds), formula and error cells."""

    sheet: str
    file_format: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_col, min_row, max_col, max_row)
    facts: _SheetFacts = field(default_factory=_SheetFacts)


class _Budget:
    """What one import may unpack in all, spent as the members are read."""

    def __init__(self) -> None:
        self.left = settings.LEDGER_IMPORT_MAX_UNPACKED_BYTES

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise _too_much_unpacked(settings.LEDGER_IMPORT_MAX_UNPACKED_BYTES + 1)


def _too_much_unpacked(size: int) -> ImportFileError:
    return ImportFileError(
        _("The file unpacks to %(size)s; at most %(limit)s can be read from one file. Import the ledger in parts.")
        % {"size": filesizeformat(size), "limit": filesizeformat(settings.LEDGER_IMPORT_MAX_UNPACKED_BYTES)}
    )


def _cell_too_long() -> ImportFileError:
    return ImportFileError(
        _(
            "A cell holds more than %(limit)s characters, more than a spreadsheet cell may hold; the file was not read. "
            "Shorten that cell or remove it, then import again."
        )
        % {"limit": f"{settings.LEDGER_IMPORT_MAX_CELL_CHARS:,}"}
    )


def _xml_pieces(archive: zipfile.ZipFile, name: str, budget: _Budget) -> Iterator[str]:
    """A member's XML as the pieces that follow each “<” (a tag, then its text), streamed.

    A piece longer than a cell could be (its text plus a tag; entities such as &amp; counted at
    their longest) is refused as soon as it passes that length: no long string is ever built.
    """
    longest = settings.LEDGER_IMPORT_MAX_CELL_CHARS * 6 + 4096
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    with archive.open(name) as source:
        while chunk := source.read(CHUNK):
            budget.spend(len(chunk))
            parts = (pending + decoder.decode(chunk)).split("<")
            pending = parts.pop()
            if len(pending) > longest or (parts and max(map(len, parts)) > longest):
                raise _cell_too_long()
            yield from parts
    yield pending + decoder.decode(b"", final=True)


def _tag(piece: str) -> tuple[str, str, str]:
    """(local name, the tag's attributes, the text after it) of an XML piece; name "" when it is no tag."""
    end = piece.find(">")
    if end < 0:
        return "", "", ""
    tag = piece[:end]
    name = tag.split(None, 1)[0].rstrip("/") if tag else ""
    return name.rsplit(":", 1)[-1], tag, piece[end + 1 :]


ATTRIBUTE = re.compile(r'([\w:.-]+)\s*=\s*"([^"]*)"')
CELL_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _attributes(tag: str) -> dict[str, str]:
    return {name.rsplit(":", 1)[-1]: value for name, value in ATTRIBUTE.findall(tag)}


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _xlsx_sheet_facts(pieces: Iterable[str]) -> _SheetFacts:
    """Extent, formulas and error cells of an .xlsx worksheet from its XML pieces."""
    facts = _SheetFacts()
    row, col, cell_type = -1, -1, ""
    for piece in pieces:
        # Most pieces are closing tags and plain values: nothing to learn from them, and parsing each
        # as a tag took half the reading of a 10,000-row register.
        if piece[:1] == "/" or piece.startswith(("t>", "is>", "t ")) or (piece[:2] == "v>" and cell_type != "e"):
            continue  # (t and is: an inline string's text, which calamine reads)
        name, tag, text = _tag(piece)
        if name == "row":
            number = _attributes(tag).get("r")
            row, col = (int(number) - 1 if number and number.isdigit() else row + 1), -1
        elif name == "c":
            attributes = _attributes(tag)
            reference = CELL_REFERENCE.fullmatch(attributes.get("r", ""))
            if reference:
                col, row = _column_index(reference[1]), int(reference[2]) - 1
            else:
                col += 1
            cell_type = attributes.get("t", "")
            if not tag.endswith("/"):
                facts.holds(row, col)
        elif name == "f" and not piece.startswith("/"):
            facts.formulas[(row, col)] = "=" + html.unescape(text)
        elif name == "v" and cell_type == "e":
            facts.errors[(row, col)] = html.unescape(text)
    return facts


def _ods_sheet_facts(pieces: Iterable[str]) -> dict[str, _SheetFacts]:
    """Extent and formulas of every table of an .ods content.xml, its repeated rows and cells counted."""
    tables: dict[str, _SheetFacts] = {}
    facts = _SheetFacts()
    row, col, repeat = 0, 0, 1
    for piece in pieces:
        name, tag, _text = _tag(piece)
        closing = piece.startswith("/")
        if name == "table" and not closing:
            facts = tables.setdefault(_attributes(tag).get("name", ""), _SheetFacts())
            row = 0
        elif name == "table-row":
            if closing:
                row += repeat
                continue
            repeat, col = int(_attributes(tag).get("number-rows-repeated", "1") or 1), 0
            if tag.endswith("/"):
                row += repeat
        elif name in ("table-cell", "covered-table-cell") and not closing:
            attributes = _attributes(tag)
            count = int(attributes.get("number-columns-repeated", "1") or 1)
            if "value-type" in attributes:
                facts.holds(row + repeat - 1, col, count)
            if "formula" in attributes:
                facts.formulas[(row, col)] = attributes["formula"].removeprefix("of:")
            col += count
    return tables


def _open_archive(stream: BinaryIO) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(_("The file is damaged: it cannot be opened as a spreadsheet.")) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "content.xml" not in names:
        if any(name.startswith("word/") for name in names):
            raise ImportFileError(_("This is a Word document, not an Excel workbook."))
        if any(name.startswith("ppt/") for name in names):
            raise ImportFileError(_("This is a PowerPoint presentation, not an Excel workbook."))
        raise ImportFileError(_("This is a ZIP archive, not a spreadsheet (.xlsx, .xls, .ods or .csv)."))
    # What the members declare, before any is read; reading then stops at what each declared.
    unpacked = sum(info.file_size for info in infos)
    if unpacked > settings.LEDGER_IMPORT_MAX_UNPACKED_BYTES:
        raise _too_much_unpacked(unpacked)
    return archive


def _xlsx_sheet_paths(archive: zipfile.ZipFile, budget: _Budget) -> dict[str, str]:
    """Sheet name → its worksheet member, from workbook.xml and its relationships."""
    targets = {}
    for piece in _xml_pieces(archive, "xl/_rels/workbook.xml.rels", budget):
        name, tag, _text = _tag(piece)
        if name == "Relationship":
            attributes = _attributes(tag)
            target = attributes.get("Target", "")
            targets[attributes.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    paths = {}
    for piece in _xml_pieces(archive, "xl/workbook.xml", budget):
        name, tag, _text = _tag(piece)
        if name == "sheet":
            attributes = _attributes(tag)
            paths[html.unescape(attributes.get("name", ""))] = targets.get(attributes.get("id", ""), "")
    return paths


def _archive_facts(archive: zipfile.ZipFile) -> tuple[str, dict[str, _SheetFacts]]:
    """(format, sheet name → facts) of an .xlsx or .ods, every sheet and shared string streamed once."""
    budget = _Budget()
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        if "xl/sharedStrings.xml" in names:
            for _piece in _xml_pieces(archive, "xl/sharedStrings.xml", budget):
                pass  # only the lengths matter here: calamine reads them once they are known to be sane
        paths = _xlsx_sheet_paths(archive, budget)
        return "xlsx", {
            sheet: _xlsx_sheet_facts(_xml_pieces(archive, path, budget))
            for sheet, path in paths.items()
            if path in names
        }
    return "ods", _ods_sheet_facts(_xml_pieces(archive, "content.xml", budget))


# --- .xls: the extent of each sheet from its BIFF records, before calamine builds its grid ---------

BIFF_BOF, BIFF_BOUNDSHEET = 0x0809, 0x0085
BIFF_MULRK = 0x00BD
# Records that put a value in a cell (row and column are their first two fields); blanks are left out.
BIFF_CELLS = {0x00FD, 0x0204, 0x0203, 0x027E, BIFF_MULRK, 0x0205, 0x0006, 0x00D6}
CFB_END = 0xFFFFFFFE


def _cfb_stream(content: bytes, names: tuple[str, ...]) -> bytes:
    """A stream of an OLE compound file (an .xls's "Workbook"), read by its FAT; b"" when it has none."""
    if len(content) < 512:
        return b""
    sector = 1 << struct.unpack_from("<H", content, 0x1E)[0]
    mini_sector = 1 << struct.unpack_from("<H", content, 0x20)[0]
    fat_count, directory_start = struct.unpack_from("<II", content, 0x2C)
    cutoff, mini_fat_start, _mini_fat_count, difat_start, difat_count = struct.unpack_from("<IIIII", content, 0x38)
    if sector not in (512, 4096) or fat_count > len(content) // sector:
        return b""
    limit = len(content) // min(sector, mini_sector) + 1  # no chain is longer than the file has sectors

    def read(number: int) -> bytes:
        start = (number + 1) * sector
        return content[start : start + sector]

    difat = list(struct.unpack_from("<109I", content, 0x4C))
    for _sector in range(min(difat_count, limit)):
        if difat_start >= CFB_END:
            break
        block = read(difat_start)
        pointers = struct.unpack(f"<{len(block) // 4}I", block)
        difat += pointers[:-1]
        difat_start = pointers[-1]
    fat_bytes = b"".join(read(number) for number in difat[:fat_count] if number < CFB_END)
    fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes)

    def chain(start: int, table: tuple[int, ...]) -> list[int]:
        found: list[int] = []
        while start < CFB_END and start < len(table) and len(found) < limit:
            found.append(start)
            start = table[start]
        return found

    directory = b"".join(read(number) for number in chain(directory_start, fat))
    entries = [directory[offset : offset + 128] for offset in range(0, len(directory) - 127, 128)]
    if not entries:
        return b""
    root_start, root_size = struct.unpack_from("<IQ", entries[0], 116)
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(length - 2, 0)].decode("utf-16-le", errors="replace")
        if name not in names or entry[66] != 2:
            continue
        start, size = struct.unpack_from("<IQ", entry, 116)
        if size >= cutoff:
            return b"".join(read(number) for number in chain(start, fat))[:size]
        mini_fat_bytes = b"".join(read(number) for number in chain(mini_fat_start, fat))
        mini_fat = struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes)
        mini_stream = b"".join(read(number) for number in chain(root_start, fat))[:root_size]
        return b"".join(
            mini_stream[number * mini_sector : (number + 1) * mini_sector] for number in chain(start, mini_fat)
        )[:size]
    return b""


def _xls_facts(content: bytes) -> dict[str, _SheetFacts]:
    """Sheet name → extent of an .xls, from its cell records (whatever its DIMENSIONS record says)."""
    try:
        stream = _cfb_stream(content, ("Workbook", "Book"))
    except struct.error:
        return {}
    names: dict[int, str] = {}  # offset of a sheet's BOF → its name (from BOUNDSHEET)
    tables: dict[str, _SheetFacts] = {}
    facts: _SheetFacts | None = None
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        data = stream[offset + 4 : offset + 4 + length]
        if kind == BIFF_BOUNDSHEET and len(data) >= 8:
            position, count, flags = struct.unpack_from("<I", data)[0], data[6], data[7]
            raw = data[8 : 8 + count * (2 if flags & 1 else 1)]
            names[position] = raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
        elif kind == BIFF_BOF:
            facts = tables.setdefault(names[offset], _SheetFacts()) if offset in names else None
        elif kind in BIFF_CELLS and facts is not None and len(data) >= 4:
            row, col = struct.unpack_from("<HH", data)
            last = struct.unpack_from("<H", data, len(data) - 2)[0] if kind == BIFF_MULRK else col
            facts.holds(row, col, max(last - col + 1, 1))
        offset += 4 + length
    return tables


def _refuse_extent(sheet: str, facts: _SheetFacts, max_rows: int | None = None) -> None:
    limit = max_rows or settings.LEDGER_IMPORT_MAX_ROWS
    if facts.rows > limit + HEADER_SEARCH_ROWS:
        raise ImportFileError(
            _(
                "The sheet “%(sheet)s” has %(rows)s rows; at most %(limit)s can be imported at once. If most "
                "of them are empty (formatting applied to whole columns), copy the data into a new workbook."
            )
            % {"sheet": sheet, "rows": f"{facts.rows:,}", "limit": f"{limit:,}"}
        )
    if facts.columns > MAX_SHEET_COLUMNS:
        raise ImportFileError(
            _(
                "The sheet “%(sheet)s” has a value in column %(column)s; a ledger is read up to column %(last)s. "
                "Delete the columns on the right, then import again."
            )
            % {
                "sheet": sheet,
                "column": get_column_letter(facts.columns),
                "last": get_column_letter(MAX_SHEET_COLUMNS),
            }
        )


def _spreadsheet_tables(
    content: bytes, file_format: str, facts: dict[str, _SheetFacts], max_rows: int | None = None
) -> Iterator[Table]:
    """Each worksheet of a spreadsheet, read by calamine once its extent is known to be within the limits."""
    if file_format in ("ods", "xls"):  # calamine reads every sheet of these as it opens the file
        for name, sheet_facts in facts.items():
            _refuse_extent(name, sheet_facts, max_rows)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception:  # noqa: BLE001 - whatever a damaged file raises, the user gets a message, never a 500
        raise ImportFileError(
            _("The file could not be read: it is damaged or was not saved by a spreadsheet program.")
        ) from None
    try:
        for metadata in workbook.sheets_metadata:
            if metadata.typ != SheetTypeEnum.WorkSheet:
                continue
            known = facts.get(metadata.name)
            if known is not None:
                _refuse_extent(metadata.name, known, max_rows)
            try:
                sheet = workbook.get_sheet_by_name(metadata.name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = [
                    (start[1] + 1, start[0] + 1, end[1] + 1, end[0] + 1)
                    for start, end in sheet.merged_cell_ranges or []
                ]
            except Exception:  # noqa: BLE001
                raise ImportFileError(
                    _("The file could not be read: it is damaged or was not saved by a spreadsheet program.")
                ) from None
            # An .xls: its extent is known once read (at most 65,536 × 256 by its format).
            sheet_facts = known or _SheetFacts(rows=len(rows), columns=max(map(len, rows), default=0))
            if known is None:
                _refuse_extent(metadata.name, sheet_facts, max_rows)
            yield Table(metadata.name, file_format, rows, merged, sheet_facts)
    finally:
        workbook.close()


def _csv_table(content: bytes, max_rows: int | None = None) -> Table:
    """A CSV file in UTF-8 (with or without its mark) or GBK/GB18030, as Excel and WPS save them."""
    if b"\x00" in content[:4096]:
        raise ImportFileError(_("This is not a spreadsheet (.xlsx, .xls, .ods or .csv), whatever its name says."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("This CSV file is neither UTF-8 nor GBK text: save it again as CSV (UTF-8)."))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    limit = (max_rows or settings.LEDGER_IMPORT_MAX_ROWS) + HEADER_SEARCH_ROWS
    rows: list[list[Any]] = []
    try:
        for cells in csv.reader(io.StringIO(text), dialect):
            rows.append(cells)
            if len(rows) > limit:
                raise ImportFileError(
                    _("The sheet “%(sheet)s” has more than %(limit)s rows; import it in parts.")
                    % {"sheet": "CSV", "limit": f"{max_rows or settings.LEDGER_IMPORT_MAX_ROWS:,}"}
                )
    except csv.Error:
        raise _cell_too_long() from None
    width = max(map(len, rows), default=0)
    if width > MAX_SHEET_COLUMNS:
        _refuse_extent("CSV", _SheetFacts(rows=len(rows), columns=width), max_rows)
    return Table("CSV", "csv", [row + [""] * (width - len(row)) for row in rows])


def read_tables(stream: BinaryIO, *, max_rows: int | None = None) -> Iterator[Table]:
    """The sheets of an uploaded file, whatever spreadsheet format it is in (found by content, not by name).

    The one reading layer of every import, with its size and bomb limits; `max_rows` is an import's own
    row limit (the register of units takes more rows than a ledger, LEDGER_IMPORT_MAX_ROWS).
    """
    content = stream.read()
    head = content[:8]
    if not head:
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"%PDF-"):
        raise ImportFileError(
            _("This is a PDF document, not an Excel workbook, whatever its name says. Upload the spreadsheet file.")
        )
    if head.startswith(b"PK\x03\x04"):
        archive = _open_archive(io.BytesIO(content))
        try:
            file_format, facts = _archive_facts(archive)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
            raise ImportFileError(
                _("The file could not be read: it is damaged or was not saved by a spreadsheet program.")
            ) from None
        yield from _spreadsheet_tables(content, file_format, facts, max_rows)
    elif head.startswith(OLE_MAGIC):
        yield from _spreadsheet_tables(content, "xls", _xls_facts(content), max_rows)
    else:
        yield _csv_table(content, max_rows)


# --- The header: under title rows, one to three rows joined ---------------------------------------


@dataclass
class _Header:
    start: int  # index of its first row
    depth: int  # how many rows it has
    labels: list[str]  # each column's header, joined (上级·下级)
    columns: dict[int, str]  # column index → key


def _band_parts(table: Table, start: int, depth: int, width: int) -> list[list[str]]:
    """Each column's header words over the band of rows, merged areas filled from their first cell."""
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for min_col, min_row, max_col, max_row in table.merged:
        if max_row - 1 < start or min_row - 1 >= start + depth:
            continue
        for row in range(max(min_row - 1, start), min(max_row, start + depth)):
            for col in range(min_col - 1, min(max_col, width)):
                owner[(row, col)] = (min_row - 1, min_col - 1)
    parts: list[list[str]] = []
    for col in range(width):
        words: list[str] = []
        for row in range(start, start + depth):
            source_row, source_col = owner.get((row, col), (row, col))
            cells = table.rows[source_row] if source_row < len(table.rows) else []
            value = cells[source_col] if source_col < len(cells) else None
            word = cell_text(value)
            if word and (not words or words[-1] != word):
                words.append(word)
        parts.append(words)
    return parts


def _match_header(parts: list[list[str]], names: dict[str, str]) -> dict[int, str]:
    """Column → key: all the words joined (上级标题 + 下级标题) first, then without the highest, down to the lowest."""
    columns: dict[int, str] = {}
    for col, words in enumerate(parts):
        for candidate in ("".join(words[first:]) for first in range(len(words))):
            key = names.get(_normalise_header(candidate))
            if key is not None:
                columns[col] = key
                break
    return columns


def _find_header(table: Table, names: dict[str, str], mapping: dict[str, str]) -> _Header | None:
    """The band of rows that reads most like a header among the first rows: most fields recognised."""
    width = min(max((len(row) for row in table.rows[: HEADER_SEARCH_ROWS + 3]), default=0), MAX_COLUMNS)
    best: _Header | None = None
    best_count = 0
    for start in range(min(HEADER_SEARCH_ROWS, len(table.rows))):
        for depth in HEADER_DEPTHS:
            if start + depth > len(table.rows):
                break
            parts = _band_parts(table, start, depth, width)
            columns = _match_header(parts, {**names, **{header: key for header, key in mapping.items() if key}})
            count = len(set(columns.values()))
            if count > best_count:
                best_count = count
                best = _Header(start, depth, ["·".join(words) for words in parts], columns)
    return best


# --- Reading a file into an ImportCheck -------------------------------------------------------------


def read_import(stream: BinaryIO, *, file_name: str, column_mapping: dict[str, str] | None = None) -> ImportCheck:
    """Read a ledger's rows and map its columns, without the database: file-level problems are `error`.

    `column_mapping` is an organisation's own headers (normalised by `header_key`) → column key,
    taken before the synonyms.
    """
    check = ImportCheck(file_name=file_name)
    try:
        _read_into(stream, check, column_mapping or {})
    except ImportFileError as error:
        check.error = str(error)
        check.rows = []
    return check


def header_key(header: object) -> str:
    """How a header is compared, and stored in a saved mapping: no spaces, asterisks or brackets."""
    return _normalise_header(header)


def _read_into(stream: BinaryIO, check: ImportCheck, mapping: dict[str, str]) -> None:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    limit = settings.LEDGER_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s; the limit is %(limit)s. Import the ledger in parts.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    names = _header_names()
    chosen: tuple[Table, _Header] | None = None
    first: Table | None = None
    for table in read_tables(stream):
        first = first or table
        header = _find_header(table, names, mapping)
        # The first sheet with a header we recognise (a ledger may have a cover sheet first).
        if header is not None and len(set(header.columns.values())) >= 2:
            chosen = (table, header)
            break
    if first is None:
        raise ImportFileError(_("The workbook has no sheet."))
    if chosen is None:
        check.sheet = first.sheet
        raise ImportFileError(
            _("No header row was found in the first %(count)d rows of “%(sheet)s”. Start from the template.")
            % {"count": HEADER_SEARCH_ROWS, "sheet": first.sheet}
        )
    table, header = chosen
    check.sheet, check.file_format = table.sheet, table.file_format
    _refuse_long_cells(table)
    check.header_rows = header.depth
    check.header_row = header.start + header.depth
    check.headers = header.labels
    data_rows = table.rows[check.header_row :]
    for index in range(len(header.labels)):
        check.examples[index] = [
            cell_text(cells[index]) for cells in data_rows[:20] if index < len(cells) and not is_blank(cells[index])
        ][:3]
    _map_columns(check, header, {key for key, column in mapping.items() if not column})
    for number, cells in enumerate(data_rows, start=check.header_row + 1):
        # A row with nothing but its number (ledgers are often numbered in advance) is an empty row.
        if all(is_blank(value) for index, value in enumerate(cells) if check.columns.get(index) != "seq"):
            continue
        check.rows.append(_raw_row(number, cells, check, table))
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


def _refuse_long_cells(table: Table) -> None:
    limit = settings.LEDGER_IMPORT_MAX_CELL_CHARS
    for row_index, cells in enumerate(table.rows):
        for col, value in enumerate(cells):
            if isinstance(value, str) and len(value) > limit:
                raise ImportFileError(
                    _("Cell %(cell)s holds %(length)s characters; a cell may hold at most %(limit)s.")
                    % {
                        "cell": f"{get_column_letter(col + 1)}{row_index + 1}",
                        "length": f"{len(value):,}",
                        "limit": f"{limit:,}",
                    }
                )


def _map_columns(check: ImportCheck, header: _Header, left_out: set[str]) -> None:
    ignored = _quietly_ignored() | left_out
    for index, label in enumerate(header.labels):
        if is_blank(label):
            continue
        key = header.columns.get(index)
        letter = get_column_letter(index + 1)
        if key is None:
            if _normalise_header(label) not in ignored and _normalise_header(label.split("·")[-1]) not in ignored:
                check.unmapped.append(index)
                check.warnings.append(
                    _("Column %(letter)s “%(header)s” is not one we import; it was ignored.")
                    % {"letter": letter, "header": label}
                )
            continue
        if key in check.columns.values():
            check.warnings.append(
                _("Column %(letter)s “%(header)s” repeats a column already read; it was ignored.")
                % {"letter": letter, "header": label}
            )
            continue
        check.columns[index] = key
    missing = [column for column in IMPORT_COLUMNS if column.required and column.key not in check.columns.values()]
    if not ({"unit", "credit_code", "site"} & set(check.columns.values())):
        missing.append(IMPORT_COLUMN_BY_KEY["unit"])
    if missing:
        check.missing = [column.key for column in missing]
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


def cell_text(value: object) -> str:
    """A cell's value as text: whole numbers without “.0”, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _is_example(row: ImportRow) -> bool:
    marker = row.values.get("seq")
    markers = {*EXAMPLE_MARKERS, _("Example").casefold()}
    return isinstance(marker, str) and marker.strip().casefold() in markers


def _raw_row(number: int, cells: list[Any], check: ImportCheck, table: Table) -> ImportRow:
    row = ImportRow(number=number, cells=list(cells))
    for col in range(len(row.cells)):
        if (text := table.facts.formulas.get((number - 1, col))) is not None:
            row.cells[col] = text  # the error workbook gives the formula back, as text
    for index, key in check.columns.items():
        value = cells[index] if index < len(cells) else None
        letter = f"{get_column_letter(index + 1)}{number}"
        if (formula := table.facts.formulas.get((number - 1, index))) is not None:
            row.errors.append(
                _("%(cell)s holds a formula (%(formula)s), not a value: paste the values only (粘贴为数值).")
                % {"cell": letter, "formula": formula[:40]}
            )
            row.bad_columns.add(index)
            row.values[key] = None
            continue
        if (error := table.facts.errors.get((number - 1, index))) is not None:
            row.errors.append(_("%(cell)s holds an Excel error (%(value)s).") % {"cell": letter, "value": error})
            row.bad_columns.add(index)
            row.values[key] = None
            continue
        if is_blank(value):
            for min_col, min_row, max_col, max_row in table.merged:
                if min_col <= index + 1 <= max_col and min_row < number <= max_row:
                    row.errors.append(
                        _("%(cell)s is part of merged cells: unmerge them and fill in every row.") % {"cell": letter}
                    )
                    row.bad_columns.add(index)
                    break
            value = None
        row.values[key] = value.strip() if isinstance(value, str) else value
    return row
