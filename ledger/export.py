"""Export: the ledger workbook of the hazards a user sees (台账, DESIGN.md section 7).

`write_ledger` writes the hazards a user sees, filtered by the list's own `HazardFilter`
(`ledger_filter`), as a workbook of three sheets:
- the ledger: a title row (scope, filters, date), a frozen header with an autofilter, one row per
  hazard with every layer of the responsibility chain, real dates and numbers, overdue rows
  highlighted; continued on another sheet past Excel's 1,048,576 rows;
- the summary: industry × state and city × state, general and major hazards apart, each row with
  its rectification rate (整改率) and overdue count;
- the about sheet: who exported, when, the filters and the number of rows.
Rows are read as plain tuples (`ledger_rows`: the ids in the export's order first, then the columns
of a few thousand ids at a time) — only the columns written, the joins in SQL, industry and region
names from small maps — and streamed row by row into the workbook, so memory stays flat however
many rows (8 bytes an id). The writer is
rust_xlsxwriter where its wheel exists, XlsxWriter elsewhere (`ledger/writers.py`; chosen by
measurement: `bench/export.py`). The columns are `ledger.columns`.

The ledger sheet prints (issue 13.10): landscape on A4 or A3 (`LEDGER_PRINT_PAPER`), fitted to
the page width, the title and header rows repeated on every page, page numbers in the footer, and
a signature block under the table; the title names the real scope (the region filtered on, else
the user's), and the summary breaks down by county when the rows are one city's, else by city.
"""

import datetime as dt
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any, BinaryIO

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils import get_column_letter

from accounts.models import Industry, Region, User
from accounts.scope import sees_everything
from hazards.filters import HazardFilter
from hazards.listing import sort_keys
from hazards.models import Hazard, HazardState
from hazards.states import days_overdue
from hunan_safety.db import read_ahead
from ledger.columns import (
    CHAIN_FIELDS,
    INTEGER,
    LEDGER_COLUMNS,
    LEDGER_EXPRESSIONS,
    LEDGER_FIELDS,
    OVERDUE_DAYS_COLUMN,
    PERCENT,
    WRAP,
)
from ledger.formats import Formats, starts_formula
from ledger.writers import open_workbook, writer_for

EXCEL_MAX_ROWS = 1_048_576
HEADER_ROWS = 2  # the title row and the header row
SIGNATURE_ROWS = 3  # a blank row and the signature block's two rows, under the last sheet's table
DATA_ROWS_PER_SHEET = EXCEL_MAX_ROWS - HEADER_ROWS - SIGNATURE_ROWS
PAPER_SIZES = {"A4": 9, "A3": 8}  # Excel's paper codes
CHUNK_SIZE = 2000  # rows fetched per round trip
FIRST_CHAIN_FIELD = len(LEDGER_FIELDS) - len(CHAIN_FIELDS)
PROGRESS_EVERY = 5000  # rows between two progress reports


def ledger_filter(user: User, params: QueryDict | dict[str, Any] | None) -> HazardFilter:
    """The list's own filters over the hazards this user may see: the export shows exactly what the list shows."""
    hazards = Hazard.objects.visible_to(user).order_by("-found_on", "-id")
    if isinstance(params, dict) and not isinstance(params, MultiValueDict):
        params = _query_dict(params)
    return HazardFilter(params or None, queryset=hazards)


def filters_summary(user: User, params: QueryDict | dict[str, Any] | None) -> str:
    """The filters that are set, in words ("状态: 整改中; 市: 株洲市"), as the about sheet lists them."""
    hazard_filter = ledger_filter(user, params)
    return "; ".join(f"{active['label']}: {active['value']}" for active in hazard_filter.active_filters())


def filter_parameters() -> list[tuple[str, bool]]:
    """The GET parameters of the list's filters, (name, takes several values): the command's options."""
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


def _local_date(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.date | None:
    return moment.astimezone(zone).date() if moment is not None else None


@dataclass
class ExportContext:
    """Who exports what: the title row, the about sheet and the file name come from here."""

    user: Any
    filters: list[tuple[str, str]]
    query: str
    exported_at: dt.datetime
    scope: str

    @classmethod
    def build(cls, user: User, hazard_filter: HazardFilter) -> "ExportContext":
        filters = [(str(active["label"]), active["value"]) for active in hazard_filter.active_filters()]
        sort = hazard_filter.form.cleaned_data.get("sort") if hazard_filter.is_bound else None
        if sort:
            labels = dict(hazard_filter.form.fields["sort"].choices)
            filters.append((str(hazard_filter.form.fields["sort"].label), str(labels.get(sort[0], sort[0]))))
        query = hazard_filter.data.urlencode() if hazard_filter.is_bound else ""
        return cls(
            user=user, filters=filters, query=query, exported_at=timezone.now(), scope=export_scope(user, hazard_filter)
        )

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


def describe_scope(user: User) -> str:
    """The hazards a user's export can hold, in words: the whole province, a jurisdiction, or their own."""
    if sees_everything(user):
        return _("the whole province")
    region = user.jurisdiction
    organization = user.organization.name if user.organization is not None else ""
    if region is not None and organization:
        return f"{organization} ({region.full_name})"
    if region is not None:
        return region.full_name
    return organization or user.username


def export_scope(user: User, hazard_filter: HazardFilter) -> str:
    """What the export holds, for its title: the county or city filtered on, else the user's scope.

    A province's export filtered to 株洲市 is 株洲市's ledger, not the whole province's.
    """
    data = hazard_filter.form.cleaned_data if hazard_filter.is_bound and hazard_filter.form.is_valid() else {}
    for name in ("county", "city"):
        if data.get(name):
            region = Region.objects.select_related("parent").filter(code=data[name]).first()
            if region is not None:
                city = region.parent if region.level == Region.Level.COUNTY else None
                return f"{city.name}{region.name}" if city is not None else region.name
    return describe_scope(user)


def export_file_name(moment: dt.datetime | None = None) -> str:
    moment = timezone.localtime(moment or timezone.now())
    return f"{_('Hazard ledger')}-{moment:%Y%m%d-%H%M}.xlsx"


class LedgerWriter:
    """Streams ledger rows into a workbook (ledger/writers.py) one row at a time, sheet after sheet."""

    def __init__(
        self,
        output: BinaryIO | str,
        *,
        context: ExportContext,
        rows_per_sheet: int = DATA_ROWS_PER_SHEET,
        writer: str | None = None,
    ):
        self.context = context
        self.rows_per_sheet = rows_per_sheet
        self.workbook = open_workbook(output, name=writer)
        self.workbook.set_properties(
            {"title": _("Hazard ledger"), "author": context.who, "created": context.exported_at.replace(tzinfo=None)}
        )
        self.formats = Formats(self.workbook, LEDGER_COLUMNS)
        self.today = timezone.localdate()
        self.zone = timezone.get_current_timezone()  # the exporting user's dates, looked up once
        self.sheets: list[str] = []
        self.sheet: Any = None  # the writer's worksheet, once the first one is open
        self.sheet_rows = 0
        self.rows = 0
        # (top industry id, city code, county code, level, state, overdue) → hazards: the summary is folded from it.
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
        sheet = self.workbook.add_worksheet(name, streamed=True)
        self.sheets.append(name)
        for index, column in enumerate(LEDGER_COLUMNS):
            sheet.set_column(index, index, column.width, self.formats.plain[index])
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
        self._print_setup(sheet)
        self.sheet = sheet
        self.sheet_rows = 0

    @staticmethod
    def _print_setup(sheet: Any, *, repeat_header: bool = True) -> None:
        """Landscape, fitted to the page's width, the title and header on every page, page numbers."""
        sheet.set_landscape()
        sheet.set_paper(PAPER_SIZES[settings.LEDGER_PRINT_PAPER])
        sheet.fit_to_width()
        if repeat_header:
            sheet.repeat_rows(0, HEADER_ROWS - 1)
        sheet.set_margins(0.3, 0.3, 0.5, 0.6)
        # Translators: the printed ledger's footer; &P is the page number and &N the number of pages (keep both).
        sheet.set_footer("&C" + _("Page &P of &N"))

    def _close_sheet(self) -> None:
        if self.sheet is None:
            return
        last, last_col = HEADER_ROWS - 1 + max(self.sheet_rows, 1), len(LEDGER_COLUMNS) - 1
        self.sheet.autofilter(1, 0, last, last_col)
        # Overdue rows highlighted by one rule on the days-overdue column: it follows the rows when
        # they are sorted or filtered, and costs nothing per row.
        days = get_column_letter(OVERDUE_DAYS_COLUMN + 1)
        self.sheet.highlight(HEADER_ROWS, 0, last, last_col, f"${days}{HEADER_ROWS + 1}>0", self.formats.overdue)

    def _signature_block(self) -> None:
        """Under the last sheet's table, where a printed ledger is signed and stamped."""
        row = HEADER_ROWS + self.sheet_rows + 1
        lines = [
            [(1, _("Reporting unit (seal):")), (9, _("Person in charge:")), (16, _("Reviewed by:"))],
            [(1, _("Filled in by:")), (9, _("Telephone:")), (16, _("Date filled in:"))],
        ]
        for offset, line in enumerate(lines):
            for col, label in line:
                self.sheet.write_string(row + offset, col, label, self.formats.signature)

    # The rows

    def write_rows(self, values: Iterable[tuple], *, progress: Callable[[int], None] | None = None) -> int:
        """Write one ledger row per tuple of LEDGER_FIELDS; return how many."""
        self._new_sheet()
        kinds = [column.kind for column in LEDGER_COLUMNS]
        plain, quoted = self.formats.plain, self.formats.quoted
        today = self.today
        counts = self.counts
        for record in values:
            if self.sheet_rows == self.rows_per_sheet:
                self._close_sheet()
                self._new_sheet()
            cells, key = self._cells(record, today)
            counts[key] += 1
            self.rows += 1
            self.sheet_rows += 1
            self.sheet.write_cells(HEADER_ROWS - 1 + self.sheet_rows, cells, kinds, plain, quoted)
            if progress is not None and self.rows % PROGRESS_EVERY == 0:
                progress(self.rows)
        return self.rows

    def _cells(self, record: tuple, today: dt.date) -> tuple[list, tuple]:
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
        ) = record[:FIRST_CHAIN_FIELD]
        overdue_days = days_overdue(state, deadline, today)
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
            self.region_names.get(city, "") if city is not None and city != region_id else "",
            self.region_names.get(region_id, region_id),
            unit_name or site_name,
            location,
            found_on,
            _person(found_by_last, found_by_first, found_by_username),
            measures,
            float(funds) if funds is not None else None,
            rectifying_unit,
            responsible_person,
            *record[FIRST_CHAIN_FIELD:],
            deadline,
            extension_count,
            self.state_labels.get(state, state),
            self.yes if overdue_days else self.no,
            overdue_days or None,
            _person(verified_by_last, verified_by_first, verified_by_username) if verified_by_username else "",
            _local_date(verified_at, self.zone),
            _local_date(closed_at, self.zone),
            listed,
            "；".join(remarks),
        ]
        key = (self.top_industry.get(industry_id), city, region_id, level, state, bool(overdue_days))
        return cells, key

    # The summary and about sheets

    def finish(self) -> None:
        if self.sheet is None:
            self._new_sheet()
        self._close_sheet()
        self._signature_block()
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
        self._print_setup(sheet, repeat_header=False)
        sheet.write_string(0, 0, _("Summary of the ledger · %(scope)s") % {"scope": self.context.scope}, formats.title)
        sheet.write_string(1, 0, _("Filters: %(filters)s") % {"filters": self.context.filters_text})
        row = 3
        # One city's ledger breaks down by its counties; a wider one by city.
        one_city = len({city for _industry, city, *_rest in self.counts}) == 1
        region_table = (2, _("By county"), self.region_names) if one_city else (1, _("By city"), self.region_names)
        tables: list[tuple[int, str, dict[Any, str], Callable[[Any], Any]]] = [
            (0, _("By industry"), self.industry_names, lambda pk: self.industry_order.get(pk, (999, ""))),
            (*region_table, lambda code: code or ""),
        ]
        for group_index, group_label, names, order in tables:
            for level, level_label in Hazard.Level.choices:
                groups: dict[Any, Counter] = defaultdict(Counter)
                for (industry, city, county, row_level, state, overdue), count in self.counts.items():
                    if row_level != level:
                        continue
                    group = (industry, city, county)[group_index]
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
    def _summary_row(
        sheet: Any, row: int, name: str, counts: Counter[str], states: list[str], cell_formats: tuple[Any, ...]
    ) -> None:
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
        self._print_setup(sheet, repeat_header=False)
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
    user: User,
    params: QueryDict | dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    rows_per_sheet: int = DATA_ROWS_PER_SHEET,
    writer: str | None = None,
) -> int:
    """Write the ledger workbook of the hazards `user` sees with the list's filters `params`; return the rows.

    Headers and labels are in the active language. `progress` is called every few thousand rows
    with the number written so far. `writer` picks "native" or "python" (default: the settings'
    choice for this many rows, ledger.writers.writer_for, counted from the ids the export reads first).
    """
    hazard_filter = ledger_filter(user, params)
    context = ExportContext.build(user, hazard_filter)
    ids = ledger_ids(hazard_filter.qs)
    writer = writer or writer_for(len(ids))
    ledger = LedgerWriter(output, context=context, rows_per_sheet=rows_per_sheet, writer=writer)
    # Closed on the way out, error or not: its read-ahead thread and connection end with the export.
    with closing(rows_by_id(ids, using=hazard_filter.qs.db)) as rows:
        count = ledger.write_rows(rows, progress=progress)
    ledger.finish()
    return count


def ledger_rows(hazards: QuerySet[Hazard]) -> Iterator[tuple]:
    """The values of LEDGER_FIELDS for each of `hazards` (already scoped and filtered), in its order.

    Two steps: the ids, in order (the filter and the sort, no join), then the columns of CHUNK_SIZE
    ids at a time (the joins for the names). In one query, a filter whose size PostgreSQL cannot
    estimate (the search: the bigrams of one word are not independent, so it expects one row) makes
    it hash the whole result at every join and sort it on disk; by ids, each query's size is known.
    """
    return rows_by_id(ledger_ids(hazards), using=hazards.db)


def ledger_ids(hazards: QuerySet[Hazard]) -> array:
    """The ids of `hazards`, in the list's own order (hazards.listing.sort_keys): empty deadlines
    last on every database. 8 bytes an id."""
    ordering = [name for name in hazards.query.order_by if isinstance(name, str)]  # the list sorts by names
    in_order = hazards.order_by(*(key.order() for key in sort_keys(ordering)))
    return array("q", in_order.values_list("pk", flat=True).iterator(chunk_size=CHUNK_SIZE * 10))


def rows_by_id(ids: array, *, using: str) -> Generator[tuple, None, None]:
    """The values of LEDGER_FIELDS of these hazards, CHUNK_SIZE at a time, in the order of `ids`.

    The next chunk is read on a second connection while the caller writes this one (read_ahead).
    """
    columns = Hazard.objects.using(using).order_by().annotate(**LEDGER_EXPRESSIONS).values_list("pk", *LEDGER_FIELDS)

    def chunk_rows(start: int) -> list[tuple]:
        chunk = ids[start : start + CHUNK_SIZE].tolist()
        found = {row[0]: row[1:] for row in columns.filter(pk__in=chunk)}
        return [found[pk] for pk in chunk if pk in found]

    for rows in read_ahead(chunk_rows, range(0, len(ids), CHUNK_SIZE), using=using):
        yield from rows
