"""The Excel ledger (台账, DESIGN.md section 7): the one module that owns the workbook format.

Export. `write_ledger` writes the hazards a user sees, filtered by the list's own `HazardFilter`
(`ledger_filter`), as a workbook of three sheets:
- the ledger: a title row (scope, filters, date), a frozen header with an autofilter, one row per
  hazard with every layer of the responsibility chain, real dates and numbers, overdue rows
  highlighted; continued on another sheet past Excel's 1,048,576 rows;
- the summary: industry × state and city × state, general and major hazards apart, each row with
  its rectification rate (整改率) and overdue count;
- the about sheet: who exported, when, the filters and the number of rows.
Rows are read with `values_list(...).iterator()` — only the columns written, the joins once in
SQL, industry and region names from two small maps — and written by XlsxWriter in constant-memory
mode (each row is flushed as soon as the next begins), so memory stays flat however many rows.
XlsxWriter was chosen by measurement: see `bench/export.py`.

Import. `check_import` reads a unit's own ledger (.xlsx, checked by content, refused above a size
and a row limit before it is parsed) with openpyxl in read-only mode, maps its headers, synonyms
included, and validates every row with the browser's own finding form; `write_import_errors`
returns the rows with an error column, `write_import_template` makes the template. The writes are
`hazards.workflow.import_findings`.

No cell that came from a user can start a formula (OWASP ASVS 1.2.10): text is always written as a
string cell, never through a writer's "looks like a formula" guess, and text beginning with
= + - @ tab, CR or NUL also carries the quote-prefix style, which is what Excel itself stores for
text typed after an apostrophe: Excel and LibreOffice show it as text and keep it text when edited.
"""

import datetime as dt
import re
import warnings
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

import xlsxwriter
from django.conf import settings
from django.db.models import Q
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl.utils import get_column_letter, range_boundaries

from accounts.models import Industry, Organization, Region
from accounts.scope import counties_for, industries_for, sees_everything, units_for
from hazards.filters import HazardFilter
from hazards.forms import FindingForm
from hazards.models import OPEN_WORK_STATES, Hazard, HazardState
from hazards.responsibility import LAYERS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_ROWS = 1_048_576
HEADER_ROWS = 2  # the title row and the header row
DATA_ROWS_PER_SHEET = EXCEL_MAX_ROWS - HEADER_ROWS
CHUNK_SIZE = 2000  # rows fetched per round trip
PROGRESS_EVERY = 5000  # rows between two progress reports

# Text starting with one of these could be taken for a formula (or a DDE call) by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# Never let the writer turn a string into a formula, a link or a number behind our back.
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

TEXT, WRAP, DATE, NUMBER, INTEGER, PERCENT = "text", "wrap", "date", "number", "integer", "percent"
DATE_FORMAT = "yyyy-mm-dd"
OVERDUE_FILL = "#F8D7DA"
HEADER_FILL = "#DDEBF7"


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read this text as the start of a formula."""
    return text.startswith(FORMULA_TRIGGERS)


# --- Columns of the ledger sheet -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise
    width: float
    kind: str = TEXT


CHAIN_HEADERS = {
    "enterprise": pgettext_lazy("ledger column", "Enterprise main responsibility"),
    "department": pgettext_lazy("ledger column", "Departmental supervision"),
    "territorial": pgettext_lazy("ledger column", "Territorial management"),
    "leadership": pgettext_lazy("ledger column", "Leadership (one post, two responsibilities)"),
}
assert set(CHAIN_HEADERS) == set(LAYERS), "every layer of the responsibility chain has its column"

LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("seq", pgettext_lazy("ledger column", "No."), 6, INTEGER),
    Column("number", pgettext_lazy("ledger column", "Ledger number"), 23),
    Column("title", pgettext_lazy("ledger column", "Hazard"), 28, WRAP),
    Column("description", pgettext_lazy("ledger column", "Description"), 40, WRAP),
    Column("industry", pgettext_lazy("ledger column", "Industry"), 16, WRAP),
    Column("level", pgettext_lazy("ledger column", "Level"), 9),
    Column("source", pgettext_lazy("ledger column", "Source"), 12),
    Column("city", pgettext_lazy("ledger column", "City"), 10),
    Column("county", pgettext_lazy("ledger column", "County"), 10),
    Column("unit", pgettext_lazy("ledger column", "Unit"), 26, WRAP),
    Column("location", pgettext_lazy("ledger column", "Location"), 20, WRAP),
    Column("found_on", pgettext_lazy("ledger column", "Found on"), 12, DATE),
    Column("found_by", pgettext_lazy("ledger column", "Found by"), 10),
    Column("measures", pgettext_lazy("ledger column", "Rectification measures"), 32, WRAP),
    Column("funds", pgettext_lazy("ledger column", "Funds (10,000 yuan)"), 11, NUMBER),
    Column("rectifying_unit", pgettext_lazy("ledger column", "Rectifying unit"), 24, WRAP),
    Column("responsible_person", pgettext_lazy("ledger column", "Person responsible"), 11),
    *(Column(f"chain_{layer}", CHAIN_HEADERS[layer], 34, WRAP) for layer in LAYERS),
    Column("deadline", pgettext_lazy("ledger column", "Deadline"), 12, DATE),
    Column("extensions", pgettext_lazy("ledger column", "Extensions"), 8, INTEGER),
    Column("state", pgettext_lazy("ledger column", "State"), 13),
    Column("overdue", pgettext_lazy("ledger column", "Overdue"), 8),
    Column("overdue_days", pgettext_lazy("ledger column", "Days overdue"), 8, INTEGER),
    Column("verified_by", pgettext_lazy("ledger column", "Accepted by"), 10),
    Column("verified_on", pgettext_lazy("ledger column", "Accepted on"), 12, DATE),
    Column("closed_on", pgettext_lazy("ledger column", "Closed on"), 12, DATE),
    Column("listed", pgettext_lazy("ledger column", "Listed supervision"), 18, WRAP),
    Column("remarks", pgettext_lazy("ledger column", "Remarks"), 20, WRAP),
)

OVERDUE_DAYS_COLUMN = [column.key for column in LEDGER_COLUMNS].index("overdue_days")

# What the query reads: only the columns written; the joins (people, units, campaign) once, in SQL.
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
    "responsibility_chain",
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
)


def ledger_filter(user, params: QueryDict | dict | None) -> HazardFilter:
    """The list's own filters over the hazards this user may see: the export shows exactly what the list shows."""
    hazards = Hazard.objects.visible_to(user).order_by("-found_on", "-id")
    if isinstance(params, dict) and not isinstance(params, MultiValueDict):
        params = _query_dict(params)
    return HazardFilter(params or None, queryset=hazards)


def filter_parameters() -> list[tuple[str, bool]]:
    """The GET parameters of the list's filters, (name, takes several values): the command's options."""
    from django import forms

    parameters = []
    for name, form_field in HazardFilter().form.fields.items():
        suffixes = getattr(form_field.widget, "suffixes", None)
        multiple = isinstance(form_field, forms.MultipleChoiceField)
        if suffixes:
            parameters += [(f"{name}_{suffix}", multiple) for suffix in suffixes]
        else:
            parameters.append((name, multiple))
    return parameters


def _query_dict(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            query.setlist(key, [str(item) for item in value])
        elif value is not None:
            query[key] = str(value)
    return query


def _person(last_name: str | None, first_name: str | None, username: str | None) -> str:
    # Chinese names are family name first, with no space (as User.get_full_name).
    return f"{last_name or ''}{first_name or ''}".strip() or (username or "")


def _chain_entry(entry: dict) -> str:
    parts = (entry.get("organization"), entry.get("post"), entry.get("person"), entry.get("phone"))
    return " ".join(str(part) for part in parts if part)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


@dataclass
class ExportContext:
    """Who exports what: the title row, the about sheet and the file name come from here."""

    user: Any
    filters: list[tuple[str, str]]
    query: str
    exported_at: dt.datetime
    scope: str

    @classmethod
    def build(cls, user, hazard_filter: HazardFilter) -> "ExportContext":
        filters = [(str(active["label"]), active["value"]) for active in hazard_filter.active_filters()]
        sort = hazard_filter.form.cleaned_data.get("sort") if hazard_filter.is_bound else None
        if sort:
            labels = dict(hazard_filter.form.fields["sort"].choices)
            filters.append((str(hazard_filter.form.fields["sort"].label), str(labels.get(sort[0], sort[0]))))
        query = hazard_filter.data.urlencode() if hazard_filter.is_bound else ""
        return cls(user=user, filters=filters, query=query, exported_at=timezone.now(), scope=describe_scope(user))

    @property
    def filters_text(self) -> str:
        if not self.filters:
            return _("no filters")
        return "; ".join(f"{label}: {value}" for label, value in self.filters)

    @property
    def who(self) -> str:
        name = self.user.get_full_name() or self.user.username
        organization = self.user.organization.name if self.user.organization_id else ""
        return f"{name} ({self.user.username})" + (f", {organization}" if organization else "")


def describe_scope(user) -> str:
    """The hazards a user's export can hold, in words: the whole province, a jurisdiction, or their own."""
    if sees_everything(user):
        return _("the whole province")
    region = user.jurisdiction
    organization = user.organization.name if user.organization_id else ""
    if region is not None and organization:
        return f"{organization} ({region.full_name})"
    if region is not None:
        return region.full_name
    return organization or user.username


def export_file_name(moment: dt.datetime | None = None) -> str:
    moment = timezone.localtime(moment or timezone.now())
    return f"{_('Hazard ledger')}-{moment:%Y%m%d-%H%M}.xlsx"


class _Formats:
    """The cell formats of a sheet, made once: per column, plain or quote-prefixed; the overdue highlight."""

    def __init__(self, workbook, columns: tuple[Column, ...]):
        self.workbook = workbook
        self.title = workbook.add_format({"bold": True, "font_size": 13})
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": HEADER_FILL, "border": 1}
        )
        self.by_kind: dict[tuple[str, bool, bool], Any] = {}
        self.plain = [self.cell(column.kind) for column in columns]
        self.quoted = [self.cell(column.kind, quoted=True) for column in columns]
        self.overdue = workbook.add_format({"bg_color": OVERDUE_FILL})

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


class LedgerWriter:
    """Streams ledger rows into an XlsxWriter workbook in constant-memory mode, sheet after sheet."""

    def __init__(self, output: BinaryIO | str, *, context: ExportContext, rows_per_sheet: int = DATA_ROWS_PER_SHEET):
        self.context = context
        self.rows_per_sheet = rows_per_sheet
        self.workbook = xlsxwriter.Workbook(output, {"constant_memory": True, **WRITER_OPTIONS})
        self.workbook.set_properties(
            {"title": _("Hazard ledger"), "author": context.who, "created": context.exported_at.replace(tzinfo=None)}
        )
        self.formats = _Formats(self.workbook, LEDGER_COLUMNS)
        self.today = timezone.localdate()
        self.sheets: list[str] = []
        self.sheet = None
        self.sheet_rows = 0
        self.rows = 0
        # (top industry id, city code, level, state, overdue) → hazards: the summary is folded from it.
        self.counts: Counter = Counter()
        self._names()

    def _names(self) -> None:
        industries = list(Industry.objects.all())
        self.industry_names = {industry.pk: industry.name for industry in industries}
        self.top_industry = {industry.pk: industry.parent_id or industry.pk for industry in industries}
        self.industry_order = {industry.pk: (industry.sort_order, industry.code) for industry in industries}
        regions = Region.objects.values_list("code", "name", "level", "parent_id")
        self.region_names = {code: name for code, name, _level, _parent in regions}
        self.city_of = {
            code: (parent if level == Region.Level.COUNTY else code) for code, _name, level, parent in regions
        }
        self.state_labels = {value: str(label) for value, label in HazardState.choices}
        self.level_labels = {value: str(label) for value, label in Hazard.Level.choices}
        self.source_labels = {value: str(label) for value, label in Hazard.Source.choices}
        self.listed_labels = {value: str(label) for value, label in Hazard.ListedLevel.choices if value}
        self.yes, self.no = _("Yes"), _("No")
        self.on_the_spot = _("Rectified on the spot")
        self.campaign_label = _("Campaign")

    # The sheets

    def _new_sheet(self) -> None:
        name = pgettext("sheet", "Ledger")
        if self.sheets:
            name = f"{name} ({len(self.sheets) + 1})"
        sheet = self.workbook.add_worksheet(name)
        self.sheets.append(name)
        for index, column in enumerate(LEDGER_COLUMNS):
            sheet.set_column(index, index, column.width)
        title = _("Hazard ledger · %(scope)s · filters: %(filters)s · exported %(date)s") % {
            "scope": self.context.scope,
            "filters": self.context.filters_text,
            "date": f"{timezone.localtime(self.context.exported_at):%Y-%m-%d %H:%M}",
        }
        sheet.write_string(0, 0, title, self.formats.title)
        sheet.set_row(1, 32)
        for index, column in enumerate(LEDGER_COLUMNS):
            sheet.write_string(1, index, str(column.header), self.formats.header)
        sheet.freeze_panes(HEADER_ROWS, 3)
        self.sheet = sheet
        self.sheet_rows = 0

    def _close_sheet(self) -> None:
        if self.sheet is None:
            return
        last = HEADER_ROWS - 1 + max(self.sheet_rows, 1)
        self.sheet.autofilter(1, 0, last, len(LEDGER_COLUMNS) - 1)
        # Overdue rows highlighted by one rule on the days-overdue column: it follows the rows when
        # they are sorted or filtered, and costs nothing per row.
        days = get_column_letter(OVERDUE_DAYS_COLUMN + 1)
        self.sheet.conditional_format(
            HEADER_ROWS,
            0,
            last,
            len(LEDGER_COLUMNS) - 1,
            {"type": "formula", "criteria": f"=${days}{HEADER_ROWS + 1}>0", "format": self.formats.overdue},
        )

    # The rows

    def write_rows(self, values: Iterable[tuple], *, progress: Callable[[int], None] | None = None) -> int:
        """Write one ledger row per tuple of LEDGER_FIELDS; return how many."""
        self._new_sheet()
        kinds = [column.kind for column in LEDGER_COLUMNS]
        formats, quoted = self.formats.plain, self.formats.quoted
        today, open_states = self.today, set(OPEN_WORK_STATES)
        counts = self.counts
        for record in values:
            if self.sheet_rows == self.rows_per_sheet:
                self._close_sheet()
                self._new_sheet()
            cells, key = self._cells(record, today, open_states)
            counts[key] += 1
            self.rows += 1
            self.sheet_rows += 1
            row = HEADER_ROWS - 1 + self.sheet_rows
            sheet = self.sheet
            for col, value in enumerate(cells):
                if value is None or value == "":
                    continue
                kind = kinds[col]
                if kind in (TEXT, WRAP):
                    sheet.write_string(
                        row, col, value, quoted[col] if value.startswith(FORMULA_TRIGGERS) else formats[col]
                    )
                elif kind == DATE:
                    sheet.write_datetime(row, col, value, formats[col])
                else:
                    sheet.write_number(row, col, value, formats[col])
            if progress is not None and self.rows % PROGRESS_EVERY == 0:
                progress(self.rows)
        return self.rows

    def _cells(self, record: tuple, today: dt.date, open_states: set) -> tuple[list, tuple]:
        """The cells of one ledger row, and its key in the summary's counts."""
        (
            number,
            title,
            description,
            industry_id,
            level,
            source,
            region_id,
            unit_name,
            site_name,
            location,
            found_on,
            found_by_last,
            found_by_first,
            found_by_username,
            measures,
            funds,
            rectifying_unit,
            responsible_person,
            chain,
            deadline,
            extension_count,
            state,
            verified_by_last,
            verified_by_first,
            verified_by_username,
            verified_at,
            closed_at,
            listed_level,
            listed_by,
            on_the_spot,
            campaign,
        ) = record
        overdue_days = (today - deadline).days if deadline is not None and state in open_states else 0
        if overdue_days < 0:
            overdue_days = 0
        layers = {layer: [] for layer in CHAIN_HEADERS}
        for entry in chain or ():
            if entry.get("layer") in layers:
                layers[entry["layer"]].append(_chain_entry(entry))
        remarks = []
        if on_the_spot:
            remarks.append(self.on_the_spot)
        if campaign:
            remarks.append(f"{self.campaign_label}: {campaign}")
        listed = ""
        if listed_level:
            listed = self.listed_labels.get(listed_level, listed_level)
            if listed_by:
                listed = f"{listed} · {listed_by}"
        city = self.city_of.get(region_id)
        cells = [
            self.rows + 1,
            number,
            title,
            description,
            self.industry_names.get(industry_id, ""),
            self.level_labels.get(level, level),
            self.source_labels.get(source, source),
            self.region_names.get(city, "") if city != region_id else "",
            self.region_names.get(region_id, region_id),
            unit_name or site_name,
            location,
            found_on,
            _person(found_by_last, found_by_first, found_by_username),
            measures,
            float(funds) if funds is not None else None,
            rectifying_unit,
            responsible_person,
            *("\n".join(layers[layer]) for layer in CHAIN_HEADERS),
            deadline,
            extension_count,
            self.state_labels.get(state, state),
            self.yes if overdue_days else self.no,
            overdue_days or None,
            _person(verified_by_last, verified_by_first, verified_by_username) if verified_by_username else "",
            _local_date(verified_at),
            _local_date(closed_at),
            listed,
            "；".join(remarks),
        ]
        key = (self.top_industry.get(industry_id), city, level, state, bool(overdue_days))
        return cells, key

    # The summary and about sheets

    def finish(self) -> None:
        self._close_sheet()
        self._summary()
        self._about()
        self.workbook.close()

    def _summary(self) -> None:
        sheet = self.workbook.add_worksheet(pgettext("sheet", "Summary"))
        formats = self.formats
        bold = self.workbook.add_format({"bold": True})
        bold_integer = self.workbook.add_format({"bold": True})
        bold_percent = self.workbook.add_format({"bold": True, "num_format": "0.0%"})
        percent = formats.cell(PERCENT)
        integer = formats.cell(INTEGER)
        states = [state for state, _label in HazardState.choices]
        headers = [
            "",
            _("Total"),
            *(self.state_labels[state] for state in states),
            _("Rectified"),
            _("Rectification rate"),
            _("Overdue"),
            _("Overdue rate"),
        ]
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, len(headers) - 1, 11)
        sheet.write_string(0, 0, _("Summary of the ledger · %(scope)s") % {"scope": self.context.scope}, formats.title)
        sheet.write_string(1, 0, _("Filters: %(filters)s") % {"filters": self.context.filters_text})
        row = 3
        tables = [
            (0, _("By industry"), self.industry_names, lambda pk: self.industry_order.get(pk, (999, ""))),
            (1, _("By city"), self.region_names, lambda code: code or ""),
        ]
        for group_index, group_label, names, order in tables:
            for level, level_label in Hazard.Level.choices:
                groups: dict[Any, Counter] = defaultdict(Counter)
                for (industry, city, row_level, state, overdue), count in self.counts.items():
                    if row_level != level:
                        continue
                    group = (industry, city)[group_index]
                    groups[group][state] += count
                    if overdue:
                        groups[group]["overdue"] += count
                sheet.write_string(row, 0, f"{group_label} · {level_label}", bold)
                row += 1
                for col, header in enumerate([str(group_label), *headers[1:]]):
                    sheet.write_string(row, col, header, formats.header)
                row += 1
                total: Counter = Counter()
                for group in sorted(groups, key=order):
                    total.update(groups[group])
                    self._summary_row(
                        sheet, row, names.get(group, "—"), groups[group], states, (None, integer, percent)
                    )
                    row += 1
                self._summary_row(sheet, row, _("Total"), total, states, (bold, bold_integer, bold_percent))
                row += 2
        notes = [
            _("Rectified: accepted or closed (account cancelled)."),
            _("Rectification rate: rectified ÷ (total − void)."),
            _("Overdue: assigned or being rectified with the deadline passed, on the day of the export."),
            _("Overdue rate: overdue ÷ (total − void)."),
        ]
        for note in notes:
            sheet.write_string(row, 0, note)
            row += 1

    @staticmethod
    def _summary_row(sheet, row: int, name: str, counts: Counter, states: list[str], cell_formats: tuple) -> None:
        """One group: its count per state, rectified (accepted or closed), rectification rate, overdue and its rate."""
        name_format, integer, percent = cell_formats
        total = sum(counts[state] for state in states)
        counted = total - counts[HazardState.VOID]
        rectified = counts[HazardState.VERIFIED] + counts[HazardState.CLOSED]
        sheet.write_string(row, 0, name, name_format)
        values = [total, *(counts[state] for state in states), rectified]
        for col, value in enumerate(values, start=1):
            sheet.write_number(row, col, value, integer)
        col = len(values) + 1
        if counted:
            sheet.write_number(row, col, rectified / counted, percent)
        sheet.write_number(row, col + 1, counts["overdue"], integer)
        if counted:
            sheet.write_number(row, col + 2, counts["overdue"] / counted, percent)

    def _about(self) -> None:
        sheet = self.workbook.add_worksheet(pgettext("sheet", "About"))
        formats = self.formats
        wrap = formats.cell(WRAP)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 80)
        sheet.write_string(0, 0, _("About this export"), formats.title)
        exported_at = timezone.localtime(self.context.exported_at).replace(tzinfo=None)
        lines: list[tuple[str, Any]] = [
            (_("Exported by"), self.context.who),
            (_("Exported at"), exported_at),
            (_("Scope"), self.context.scope),
            (_("Filters"), "\n".join(f"{label}: {value}" for label, value in self.context.filters) or _("none")),
            (_("Query"), self.context.query),
            (_("Rows"), self.rows),
            (_("Ledger sheets"), "、".join(self.sheets)),
        ]
        datetime_format = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"})
        number_format = self.workbook.add_format({"align": "left"})
        for index, (label, value) in enumerate(lines, start=2):
            sheet.write_string(index, 0, label, formats.header)
            if isinstance(value, dt.datetime):
                sheet.write_datetime(index, 1, value, datetime_format)
            elif isinstance(value, int):
                sheet.write_number(index, 1, value, number_format)
            else:
                sheet.write_string(index, 1, value, formats.cell(WRAP, quoted=starts_formula(value)))
        sheet.write_string(len(lines) + 3, 0, _("Hunan Safety"), wrap)


def write_ledger(
    output: BinaryIO | str,
    *,
    user,
    params: QueryDict | dict | None = None,
    progress: Callable[[int], None] | None = None,
    rows_per_sheet: int = DATA_ROWS_PER_SHEET,
) -> int:
    """Write the ledger workbook of the hazards `user` sees with the list's filters `params`; return the rows.

    Headers and labels are in the active language. `progress` is called every few thousand rows
    with the number written so far.
    """
    hazard_filter = ledger_filter(user, params)
    context = ExportContext.build(user, hazard_filter)
    writer = LedgerWriter(output, context=context, rows_per_sheet=rows_per_sheet)
    rows = hazard_filter.qs.values_list(*LEDGER_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    count = writer.write_rows(rows, progress=progress)
    writer.finish()
    return count


# --- Import: columns and the synonyms real ledgers use --------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: Promise
    help: Promise
    required: bool = False
    # Other headers units use for this column, in Chinese and English; compared without spaces,
    # asterisks and anything in brackets, so 整改资金（万元）and 整改资金 are the same.
    synonyms: tuple[str, ...] = ()
    width: float = 16


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "seq",
        pgettext_lazy("ledger column", "No."),
        gettext_lazy("Optional, not imported. The template's example row says “Example” here and is skipped."),
        synonyms=("序号", "编号", "no", "number"),
        width=7,
    ),
    ImportColumn(
        "title",
        pgettext_lazy("ledger column", "Hazard"),
        gettext_lazy("A short name of the hazard, at most 200 characters."),
        required=True,
        synonyms=("隐患名称", "隐患", "隐患内容", "存在问题", "存在的问题", "隐患问题", "问题", "hazard", "title"),
        width=30,
    ),
    ImportColumn(
        "description",
        pgettext_lazy("ledger column", "Description"),
        gettext_lazy("What was found, in detail. When empty, the hazard's name is used."),
        synonyms=("隐患描述", "隐患详情", "问题描述", "隐患情况", "具体情况", "description"),
        width=40,
    ),
    ImportColumn(
        "industry",
        pgettext_lazy("ledger column", "Industry"),
        gettext_lazy("An industry of the taxonomy, by its Chinese or English name (see the allowed values)."),
        required=True,
        synonyms=("行业领域", "行业", "所属行业", "行业类别", "领域", "industry"),
    ),
    ImportColumn(
        "level",
        pgettext_lazy("ledger column", "Level"),
        gettext_lazy("General or major; general when empty."),
        synonyms=("隐患级别", "级别", "隐患等级", "等级", "level"),
        width=10,
    ),
    ImportColumn(
        "kind",
        pgettext_lazy("ledger column", "Form"),
        gettext_lazy("Dangerous state of things, unsafe behaviour or management defect; the first when empty."),
        synonyms=("隐患类别", "隐患形式", "隐患类型", "类别", "类型", "form", "kind"),
    ),
    ImportColumn(
        "source",
        pgettext_lazy("ledger column", "Source"),
        gettext_lazy("How it was found (see the allowed values); inspection when empty."),
        synonyms=("来源", "隐患来源", "发现方式", "source"),
        width=12,
    ),
    ImportColumn(
        "campaign",
        pgettext_lazy("ledger column", "Campaign"),
        gettext_lazy("Optional: the special campaign, by its name."),
        synonyms=("专项行动", "专项整治", "campaign"),
    ),
    ImportColumn(
        "county",
        pgettext_lazy("ledger column", "County"),
        gettext_lazy("A county of your jurisdiction, by its name or its six-digit code."),
        required=True,
        synonyms=("县市区", "县（市、区）", "县市区名称", "所在县市区", "区县", "县区", "所属区县", "county"),
        width=12,
    ),
    ImportColumn(
        "unit",
        pgettext_lazy("ledger column", "Unit"),
        gettext_lazy(
            "A registered unit, by its exact name or its unified social credit code. Leave it empty and use "
            "the Site column for a place that is not a registered unit."
        ),
        synonyms=("单位", "单位名称", "企业名称", "企业", "被检查单位", "生产经营单位", "隐患单位", "unit"),
        width=28,
    ),
    ImportColumn(
        "credit_code",
        pgettext_lazy("ledger column", "Unified social credit code"),
        gettext_lazy("Optional: the unit's 18-character code, instead of or besides its name."),
        synonyms=("统一社会信用代码", "信用代码", "社会信用代码", "creditcode"),
        width=22,
    ),
    ImportColumn(
        "site",
        pgettext_lazy("ledger column", "Site"),
        gettext_lazy("The place, when it is not a registered unit (a self-built house, a village road…)."),
        synonyms=("场所", "场所名称", "地点", "点位", "检查对象", "site"),
        width=24,
    ),
    ImportColumn(
        "location",
        pgettext_lazy("ledger column", "Location"),
        gettext_lazy("Where exactly, e.g. workshop 3, east wall."),
        synonyms=("位置", "隐患部位", "部位", "具体位置", "隐患位置", "所在位置", "location"),
        width=20,
    ),
    ImportColumn(
        "found_on",
        pgettext_lazy("ledger column", "Found on"),
        gettext_lazy("The date found: an Excel date, or 2026-03-05, 2026/3/5, 2026.3.5, 20260305 or 2026年3月5日."),
        required=True,
        synonyms=(
            "排查日期",
            "排查时间",
            "发现日期",
            "发现时间",
            "检查日期",
            "检查时间",
            "日期",
            "foundon",
            "datefound",
        ),
        width=12,
    ),
    ImportColumn(
        "legal_basis",
        pgettext_lazy("ledger column", "Legal basis"),
        gettext_lazy("Optional: the standard and clause it breaks."),
        synonyms=("依据", "法律依据", "判定依据", "违反条款", "依据标准", "legalbasis"),
        width=24,
    ),
    ImportColumn(
        "measures",
        pgettext_lazy("ledger column", "Rectification measures"),
        gettext_lazy("Optional: the measures planned."),
        synonyms=("整改措施", "治理措施", "整改方案", "整改要求", "措施", "measures"),
        width=30,
    ),
    ImportColumn(
        "funds",
        pgettext_lazy("ledger column", "Funds (10,000 yuan)"),
        gettext_lazy("Optional: a number of 10,000 yuan (万元), zero or more."),
        synonyms=("整改资金", "治理资金", "资金", "投入资金", "funds"),
        width=12,
    ),
    ImportColumn(
        "rectifying_unit",
        pgettext_lazy("ledger column", "Rectifying unit"),
        gettext_lazy(
            "Optional: the unit that should rectify, by name or credit code; the head confirms it when assigning."
        ),
        synonyms=("整改责任单位", "责任单位", "责任部门", "整改单位", "rectifyingunit"),
        width=24,
    ),
    ImportColumn(
        "responsible_person",
        pgettext_lazy("ledger column", "Person responsible"),
        gettext_lazy("Optional: who answers for the rectification."),
        synonyms=("整改责任人", "责任人", "整改负责人", "personresponsible"),
        width=12,
    ),
    ImportColumn(
        "deadline",
        pgettext_lazy("ledger column", "Deadline"),
        gettext_lazy(
            "Optional: the rectification deadline proposed, not before the date found; the head sets it when assigning."
        ),
        synonyms=(
            "整改期限",
            "完成时限",
            "整改时限",
            "整改时间",
            "整改完成时限",
            "完成期限",
            "计划完成时间",
            "deadline",
        ),
        width=12,
    ),
)
IMPORT_COLUMN_BY_KEY = {column.key: column for column in IMPORT_COLUMNS}
ERRORS_HEADER = pgettext_lazy("ledger column", "Errors")
# Recognised and left alone without a warning: a city beside the county, our own error column.
QUIETLY_IGNORED = {"市州", "市", "所属市州", "city", "错误", "错误说明", "errors"}
EXAMPLE_MARKERS = {"示例", "例", "example", "e.g."}
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 100
UNPACKED_FACTOR = 20  # a workbook unpacking to more than this many times the upload limit is refused


def _normalise_header(value) -> str:
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


# --- Import: reading the workbook ------------------------------------------------------------


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
    from openpyxl import load_workbook

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


def _head_rows(sheet) -> list[list[_RawCell]]:
    rows = []
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
        if all(_blank(cell.value) for index, cell in enumerate(cells) if check.columns.get(index) != "seq"):
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


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _is_example(row: ImportRow) -> bool:
    marker = row.values.get("seq")
    markers = {*EXAMPLE_MARKERS, _("Example").casefold()}
    return isinstance(marker, str) and marker.strip().casefold() in markers


def _raw_row(number: int, cells: list[_RawCell], check: ImportCheck, merged_areas) -> ImportRow:
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
        if _blank(cell.value):
            for min_col, min_row, max_col, max_row in merged_areas:
                if min_col <= index + 1 <= max_col and min_row < number <= max_row:
                    row.errors.append(
                        _("%(cell)s is part of merged cells: unmerge them and fill in every row.") % {"cell": letter}
                    )
                    row.bad_columns.add(index)
                    break
        row.values[key] = cell.value.strip() if isinstance(cell.value, str) else cell.value
    return row


# --- Import: validating each row -------------------------------------------------------------

DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value) -> dt.date | None:
    """A date from an Excel date, an Excel serial number or text in the formats Chinese ledgers use."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial days, up to 9999-12-31
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = str(value).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def parse_funds(value) -> Decimal | None:
    """An amount in 万元 from a number or text such as “1.5”, “1.5万元” or “1.5万”."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"(万元|万|元)$", "", str(value).strip().replace(",", "").replace("，", ""))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
        raise ValueError
    return amount


def _key(value) -> str:
    """Names compared as people mean them: spaces and bracket widths do not matter."""
    text = str(value).strip().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text).casefold()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def shown_value(value) -> str:
    """A cell's value as a page shows it: dates as dates, whole numbers without “.0”."""
    return _text(value)


class _Choices:
    """A choice field's accepted words: the stored value, its label in each language, and synonyms."""

    def __init__(self, choices, synonyms: dict[str, tuple[str, ...]]):
        self.values: dict[str, str] = {}
        self.labels = [str(label) for _value, label in choices]
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for value, label in choices:
                    self.values.setdefault(_key(label), value)
        for value, _label in choices:
            self.values.setdefault(_key(value), value)
            for synonym in synonyms.get(value, ()):
                self.values.setdefault(_key(synonym), value)

    def get(self, text: str) -> str | None:
        return self.values.get(_key(text))


LEVEL_SYNONYMS = {"general": ("一般", "一般隐患", "一般事故隐患"), "major": ("重大", "重大隐患", "重大事故隐患")}
KIND_SYNONYMS = {
    "thing_state": ("物的不安全状态", "物的危险状态", "物", "设备设施"),
    "unsafe_behaviour": ("人的不安全行为", "不安全行为", "人"),
    "management_defect": ("管理缺陷", "管理上的缺陷", "管理"),
}
SOURCE_SYNONYMS = {
    "inspection": ("检查", "排查", "监督检查", "执法检查", "日常检查"),
    "self_check": ("自查", "企业自查", "自查自纠"),
    "campaign": ("专项行动", "专项检查", "专项整治"),
    "public_report": ("举报", "群众举报", "投诉举报"),
    "assigned_from_above": ("上级交办", "交办", "督办"),
}


class _Resolver:
    """Turns the words of a ledger into the user's industries, counties, units and campaigns (queries once)."""

    def __init__(self, actor, rows: list[ImportRow]):
        from inspections.models import Campaign

        self.actor = actor
        self.industries = self._industries(industries_for(actor))
        self.all_industries = self._industries(Industry.objects.select_related("parent"))
        counties = list(counties_for(actor).select_related("parent"))
        self.counties = self._counties(counties)
        self.all_counties = self._counties(Region.objects.filter(level=Region.Level.COUNTY).select_related("parent"))
        self.campaigns = {_key(campaign.name): campaign for campaign in Campaign.objects.filter(is_active=True)}
        self.levels = _Choices(Hazard.Level.choices, LEVEL_SYNONYMS)
        self.kinds = _Choices(Hazard.Kind.choices, KIND_SYNONYMS)
        self.sources = _Choices(Hazard.Source.choices, SOURCE_SYNONYMS)
        self.units = self._units(rows)

    @staticmethod
    def _industries(industries) -> dict[str, Industry]:
        found: dict[str, Industry] = {}
        for industry in industries:
            names = [industry.code, industry.name_zh, industry.name_en]
            if industry.parent_id:
                parent = industry.parent
                names += [f"{parent.name_zh}·{industry.name_zh}", f"{parent.name_en}·{industry.name_en}"]
            for name in names:
                found.setdefault(_key(name).replace("·", ""), industry)
        return found

    @staticmethod
    def _counties(counties) -> dict[str, Region]:
        found: dict[str, Region] = {}
        for county in counties:
            city = county.parent.name if county.parent_id else ""
            for name in (county.code, county.name, f"{city}{county.name}", f"湖南省{city}{county.name}"):
                found.setdefault(_key(name), county)
        return found

    def _units(self, rows: list[ImportRow]) -> dict[str, list[Organization]]:
        words = set()
        for row in rows:
            for key in ("unit", "credit_code", "rectifying_unit"):
                if not _blank(row.values.get(key)):
                    words.add(_text(row.values[key]))
        if not words:
            return {}
        codes = {word.upper() for word in words if len(word) == 18}
        # Names as written, without spaces, and with either width of brackets: one query however many rows.
        names = set()
        for word in words:
            for variant in (word, re.sub(r"\s+", "", word)):
                names |= {
                    variant,
                    variant.replace("(", "（").replace(")", "）"),
                    variant.replace("（", "(").replace("）", ")"),
                }
        units = units_for(self.actor).filter(Q(name__in=names) | Q(credit_code__in=codes))
        found: dict[str, list[Organization]] = defaultdict(list)
        for unit in units:
            found[_key(unit.name)].append(unit)
            if unit.credit_code:
                found[_key(unit.credit_code)].append(unit)
        return found

    def industry(self, text: str) -> tuple[Industry | None, str]:
        key = _key(text).replace("·", "")
        if key in self.industries:
            return self.industries[key], ""
        if key in self.all_industries:
            return None, _("“%(value)s” is outside the industries you may record.") % {"value": text}
        return None, _("“%(value)s” is not an industry of the taxonomy (see the allowed values in the template).") % {
            "value": text
        }

    def county(self, text: str, city: str = "") -> tuple[Region | None, str]:
        key = _key(text)
        county = self.counties.get(key) or (self.counties.get(_key(city) + key) if city else None)
        if county is not None:
            return county, ""
        if key in self.all_counties:
            return None, _("%(value)s is outside your jurisdiction.") % {"value": text}
        return None, _("“%(value)s” is not a county of Hunan (write its name or six-digit code).") % {"value": text}

    def unit(self, text: str, county: Region | None) -> tuple[Organization | None, str]:
        candidates = list({unit.pk: unit for unit in self.units.get(_key(text), [])}.values())
        if len(candidates) > 1 and county is not None:
            candidates = [unit for unit in candidates if unit.region_id == county.pk] or candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            return None, _("Several units are called “%(value)s”: write the unified social credit code instead.") % {
                "value": text
            }
        return None, _(
            "No registered unit “%(value)s” in your jurisdiction: write its exact name or its unified social credit "
            "code, or put the place in the Site column."
        ) % {"value": text}


# Which column holds each field of the finding form, with fallbacks when a file lacks that column.
FIELD_COLUMNS = {
    "title": ("title",),
    "description": ("description", "title"),
    "industry": ("industry",),
    "level": ("level",),
    "kind": ("kind",),
    "legal_basis": ("legal_basis",),
    "source": ("source",),
    "campaign": ("campaign",),
    "region": ("county",),
    "unit": ("unit", "credit_code"),
    "site_name": ("site", "unit", "credit_code"),
    "location": ("location",),
    "found_on": ("found_on",),
}


def check_import(stream: BinaryIO, *, actor, file_name: str) -> ImportCheck:
    """Read and validate a ledger file as `actor` would record its findings; nothing is written.

    Every row is checked with the browser's own finding form (scope of counties, industries and
    units included); likely duplicates (same unit or site, same title, found within 30 days of a
    finding already on the ledger or of an earlier row) are flagged.
    """
    check = read_import(stream, file_name=file_name)
    if check.error:
        return check
    resolver = _Resolver(actor, check.rows)
    index_of = {key: index for index, key in check.columns.items()}
    for row in check.rows:
        _validate(row, resolver, index_of, actor)
    _flag_duplicates(check, actor)
    return check


def _validate(row: ImportRow, resolver: _Resolver, index_of: dict[str, int], actor) -> None:
    """Check one row as the browser's finding form would, naming the cell of each problem; keep its hazard."""

    def cell(key: str) -> str:
        index = index_of.get(key)
        return f"{get_column_letter(index + 1)}{row.number}" if index is not None else str(row.number)

    def fail(key: str, message: str) -> None:
        if key in index_of:
            row.bad_columns.add(index_of[key])
        row.errors.append(f"{cell(key)}: {message}")

    values = {key: value for key, value in row.values.items() if not _blank(value)}
    data = MultiValueDict()
    for key in ("title", "legal_basis", "location"):
        if key in values:
            data[key] = _text(values[key])
    data["site_name"] = _text(values.get("site", ""))
    data["description"] = _text(values.get("description") or values.get("title") or "")
    for key, choices, default in (
        ("level", resolver.levels, Hazard.Level.GENERAL),
        ("kind", resolver.kinds, Hazard.Kind.THING_STATE),
        ("source", resolver.sources, Hazard.Source.INSPECTION),
    ):
        if key not in values:
            data[key] = default
            continue
        value = choices.get(_text(values[key]))
        if value is None:
            fail(
                key,
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": _text(values[key]), "choices": "、".join(choices.labels)},
            )
        else:
            data[key] = value
    if "industry" in values:
        industry, message = resolver.industry(_text(values["industry"]))
        if industry is None:
            fail("industry", message)
        else:
            data["industry"] = str(industry.pk)
    county = None
    if "county" in values:
        county, message = resolver.county(_text(values["county"]), _text(row.values.get("city", "")))
        if county is None:
            fail("county", message)
        else:
            data["region"] = county.pk
    for key in ("unit", "credit_code"):
        if key in values:
            unit, message = resolver.unit(_text(values[key]), county)
            if unit is None:
                fail(key, message)
            elif "unit" in data and data["unit"] != str(unit.pk):
                fail(key, _("The unit's name and credit code name two different units."))
            else:
                data["unit"] = str(unit.pk)
    if "campaign" in values:
        campaign = resolver.campaigns.get(_key(values["campaign"]))
        if campaign is None:
            fail("campaign", _("No active campaign is called “%(value)s”.") % {"value": _text(values["campaign"])})
        else:
            data["campaign"] = str(campaign.pk)
    found_on = None
    if "found_on" in values:
        found_on = parse_date(values["found_on"])
        if found_on is None:
            fail(
                "found_on",
                _("“%(value)s” is not a date (write it as 2026-03-05).") % {"value": _text(values["found_on"])},
            )
        else:
            data["found_on"] = found_on.isoformat()
            row.values["found_on"] = found_on
    plan: dict[str, Any] = {}
    if "deadline" in values:
        deadline = parse_date(values["deadline"])
        if deadline is None:
            fail(
                "deadline",
                _("“%(value)s” is not a date (write it as 2026-03-05).") % {"value": _text(values["deadline"])},
            )
        elif found_on is not None and deadline < found_on:
            fail("deadline", _("The deadline is before the date found."))
        else:
            plan["deadline"] = deadline
            row.values["deadline"] = deadline
    if "funds" in values:
        try:
            plan["funds"] = parse_funds(values["funds"])
        except ValueError:
            fail(
                "funds",
                _("“%(value)s” is not an amount of 10,000 yuan (a number, zero or more, two decimals at most).")
                % {"value": _text(values["funds"])},
            )
    if "rectifying_unit" in values:
        unit, message = resolver.unit(_text(values["rectifying_unit"]), county)
        if unit is None:
            fail("rectifying_unit", message)
        else:
            plan["rectifying_unit"] = unit
    for key, limit in (("measures", None), ("responsible_person", 100)):
        if key in values:
            text = _text(values[key])
            if limit and len(text) > limit:
                fail(key, _("At most %(limit)d characters.") % {"limit": limit})
            plan[key] = text

    form = FindingForm(data, MultiValueDict(), user=actor)
    if not form.is_valid():
        for name, messages in form.errors.items():
            if name == "__all__":
                row.errors += [f"{row.number}: {message}" for message in messages]
                continue
            keys = FIELD_COLUMNS.get(name, ())
            key = next((key for key in keys if key in index_of), keys[0] if keys else "")
            if any(error.startswith(cell(key)) for error in row.errors):
                continue  # already said more precisely
            for message in messages:
                fail(key, str(message))
    if row.errors:
        return
    hazard = form.save(commit=False)
    for name, value in plan.items():
        setattr(hazard, name, value)
    row.hazard = hazard


DUPLICATE_WINDOW = dt.timedelta(days=30)


def _place_key(hazard: Hazard) -> tuple:
    return ("unit", hazard.unit_id) if hazard.unit_id else ("site", _key(hazard.site_name))


def _flag_duplicates(check: ImportCheck, actor) -> None:
    """Same unit (or site), same title, found within 30 days: of a hazard on the ledger, or of an earlier row."""
    valid = [row for row in check.rows if row.hazard is not None]
    if not valid:
        return
    titles = {row.hazard.title.strip() for row in valid}
    dates = [row.hazard.found_on for row in valid]
    existing = (
        Hazard.objects.visible_to(actor)
        .exclude(state=HazardState.VOID)
        .filter(
            title__in=titles, found_on__gte=min(dates) - DUPLICATE_WINDOW, found_on__lte=max(dates) + DUPLICATE_WINDOW
        )
        .values_list("number", "title", "unit_id", "site_name", "found_on")
    )
    on_ledger: dict[tuple, list[tuple[dt.date, str]]] = defaultdict(list)
    for number, title, unit_id, site_name, found_on in existing:
        place = ("unit", unit_id) if unit_id else ("site", _key(site_name))
        on_ledger[(place, title.strip())].append((found_on, number))
    in_file: dict[tuple, list[tuple[dt.date, int]]] = defaultdict(list)
    for row in valid:
        key = (_place_key(row.hazard), row.hazard.title.strip())
        found_on = row.hazard.found_on
        match = next((number for day, number in on_ledger.get(key, []) if abs(day - found_on) <= DUPLICATE_WINDOW), "")
        if not match:
            earlier = next((number for day, number in in_file[key] if abs(day - found_on) <= DUPLICATE_WINDOW), None)
            match = _("row %(row)d") % {"row": earlier} if earlier else ""
        row.duplicate_of = match
        in_file[key].append((found_on, row.number))


# --- Import: the error workbook and the template --------------------------------------------


def write_import_errors(output: BinaryIO, check: ImportCheck) -> None:
    """The rows of the file as read, each bad row highlighted with an error column saying which cell and why."""
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, **WRITER_OPTIONS})
    formats = _Formats(workbook, ())
    sheet = workbook.add_worksheet(pgettext("sheet", "Errors"))
    width = max(1, len(check.headers), *(len(row.cells) for row in check.rows))
    sheet.set_column(0, width - 1, 16)
    sheet.set_column(width, width, 60)
    for col in range(width):
        header = check.headers[col] if col < len(check.headers) else None
        sheet.write_string(0, col, _text(header), formats.header)
    sheet.write_string(0, width, str(ERRORS_HEADER), formats.header)
    sheet.freeze_panes(1, 0)
    bad_cell = workbook.add_format({"bg_color": OVERDUE_FILL, "border": 2, "border_color": "#C00000"})
    for index, row in enumerate(check.rows, start=1):
        highlight = bool(row.errors)
        for col in range(width):
            value = row.cells[col] if col < len(row.cells) else None
            cell_format = bad_cell if col in row.bad_columns else formats.cell(TEXT, overdue=highlight)
            _write_value(sheet, workbook, index, col, value, cell_format, formats, highlight)
        if row.errors:
            message = "\n".join(row.errors)
            sheet.write_string(index, width, message, formats.cell(WRAP, overdue=True, quoted=starts_formula(message)))
    sheet.autofilter(0, 0, max(len(check.rows), 1), width)
    workbook.close()


def _write_value(sheet, workbook, row: int, col: int, value, cell_format, formats: _Formats, highlight: bool) -> None:
    if value is None:
        if highlight:
            sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, (dt.datetime, dt.date)):
        date_format = formats.cell(DATE, overdue=highlight)
        sheet.write_datetime(row, col, value, date_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, float(value), cell_format)
    else:
        text = str(value)
        if starts_formula(text):  # a formula read from the file comes back as its text, never as a formula
            cell_format = formats.cell(TEXT, overdue=highlight, quoted=True)
        sheet.write_string(row, col, text, cell_format)


def write_import_template(output: BinaryIO, *, user) -> None:
    """The import template: its columns, an example row, notes on each column and lists of allowed values."""
    from inspections.models import Campaign

    workbook = xlsxwriter.Workbook(output, WRITER_OPTIONS)
    formats = _Formats(workbook, ())
    required_header = workbook.add_format(
        {"bold": True, "text_wrap": True, "bg_color": "#FCE4D6", "border": 1, "valign": "vcenter"}
    )
    example_format = workbook.add_format({"italic": True, "font_color": "#7F7F7F"})
    example_date = workbook.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": DATE_FORMAT})
    sheet = workbook.add_worksheet(pgettext("sheet", "Import"))
    notes = workbook.add_worksheet(pgettext("sheet", "Notes"))
    lists = workbook.add_worksheet(pgettext("sheet", "Allowed values"))

    # Lists of allowed values, each in a column of its own: the data-validation lists point here.
    industries = list(industries_for(user).order_by("sort_order", "code"))
    counties = list(counties_for(user).select_related("parent").order_by("code"))
    campaigns = list(Campaign.objects.filter(is_active=True).order_by("name"))
    columns_of_lists = [
        (_("Industry"), [industry.name for industry in industries]),
        (_("Level"), [str(label) for _value, label in Hazard.Level.choices]),
        (_("Form"), [str(label) for _value, label in Hazard.Kind.choices]),
        (_("Source"), [str(label) for _value, label in Hazard.Source.choices]),
        (_("County"), [county.name for county in counties]),
        (_("County code"), [county.code for county in counties]),
        (_("City"), [county.parent.name if county.parent_id else "" for county in counties]),
        (_("Campaign"), [campaign.name for campaign in campaigns]),
    ]
    list_ranges = {}
    for col, (header, values) in enumerate(columns_of_lists):
        lists.set_column(col, col, 22)
        lists.write_string(0, col, header, formats.header)
        for row, value in enumerate(values, start=1):
            lists.write_string(row, col, value, formats.cell(TEXT, quoted=starts_formula(value)))
        letter = get_column_letter(col + 1)
        list_ranges[header] = f"='{lists.get_name()}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    lists.freeze_panes(1, 0)

    # The import sheet: headers, one example row, validation lists.
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 32)
    validations = {
        "industry": list_ranges[_("Industry")],
        "level": list_ranges[_("Level")],
        "kind": list_ranges[_("Form")],
        "source": list_ranges[_("Source")],
        "county": list_ranges[_("County")],
        "campaign": list_ranges[_("Campaign")],
    }
    example = _example_row(user, industries, counties)
    for col, column in enumerate(IMPORT_COLUMNS):
        sheet.set_column(col, col, column.width)
        header = f"{column.header}*" if column.required else str(column.header)
        sheet.write_string(0, col, header, required_header if column.required else formats.header)
        value = example.get(column.key)
        if isinstance(value, dt.date):
            sheet.write_datetime(1, col, value, example_date)
        elif value is not None:
            sheet.write_string(1, col, str(value), example_format)
        if column.key in validations:
            sheet.data_validation(
                1,
                col,
                settings.LEDGER_IMPORT_MAX_ROWS + 1,
                col,
                {
                    "validate": "list",
                    "source": validations[column.key],
                    "error_type": "warning",
                    "error_title": str(column.header),
                    "error_message": _("Choose a value from the list (see the allowed values sheet)."),
                },
            )
        if column.key in ("found_on", "deadline"):
            sheet.data_validation(
                1,
                col,
                settings.LEDGER_IMPORT_MAX_ROWS + 1,
                col,
                {
                    "validate": "date",
                    "criteria": ">",
                    "value": dt.date(2000, 1, 1),
                    "error_type": "warning",
                    "error_message": _("Write a date, e.g. 2026-03-05."),
                },
            )

    # The notes: what each column means, whether it is required, and the headers also accepted.
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 70)
    notes.set_column(3, 3, 40)
    wrap = formats.cell(WRAP)
    notes.write_string(0, 0, _("How to fill in the import sheet"), formats.title)
    intro = [
        _("One row per hazard, below the header row. Columns marked * are required; give either a unit or a site."),
        _(
            "Every row is checked before anything is imported: if any row is wrong, nothing is imported and you get the rows back with an error column."
        ),
        _(
            "A row with the same unit (or site) and the same hazard as a finding on the ledger found within 30 days is flagged as a likely duplicate and skipped unless you confirm it."
        ),
        _(
            "Columns may be in any order; other columns are ignored. Delete the example row or leave “Example” in its first cell."
        ),
        _("Enter values, not formulas. At most %(rows)s rows and %(size)s per file.")
        % {"rows": f"{settings.LEDGER_IMPORT_MAX_ROWS:,}", "size": filesizeformat(settings.LEDGER_IMPORT_MAX_BYTES)},
    ]
    for row, line in enumerate(intro, start=1):
        notes.write_string(row, 0, line)
    top = len(intro) + 2
    for col, header in enumerate((_("Column"), _("Required"), _("What to write"), _("Also accepted as header"))):
        notes.write_string(top, col, header, formats.header)
    for row, column in enumerate(IMPORT_COLUMNS, start=top + 1):
        notes.write_string(row, 0, str(column.header), wrap)
        notes.write_string(row, 1, _("Yes") if column.required else "", wrap)
        notes.write_string(row, 2, str(column.help), wrap)
        notes.write_string(row, 3, "、".join(column.synonyms), wrap)
    workbook.close()


def _example_row(user, industries: list[Industry], counties: list[Region]) -> dict[str, Any]:
    today = timezone.localdate()
    industry = next((industry for industry in industries if industry.parent_id), industries[0] if industries else None)
    county = counties[0] if counties else None
    return {
        "seq": _("Example"),
        "title": _("Safety exit blocked"),
        "description": _("The east safety exit of workshop 1 is blocked by stacked cartons."),
        "industry": industry.name if industry else "",
        "level": str(Hazard.Level.GENERAL.label),
        "kind": str(Hazard.Kind.THING_STATE.label),
        "source": str(Hazard.Source.INSPECTION.label),
        "county": county.name if county else "",
        "site": _("Example workshop"),
        "location": _("Workshop 1, east exit"),
        "found_on": today,
        "measures": _("Clear the exit and keep it clear; check it every day."),
        "funds": "0.5",
        "responsible_person": _("Zhang San"),
        "deadline": today + dt.timedelta(days=15),
    }
