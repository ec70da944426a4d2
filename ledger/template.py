"""The workbooks an importer downloads: the import template, and their own rows given back with errors.

`write_import_template` makes the template: the import columns (`ledger.columns`), an example row,
notes on each column with the headers also accepted, and lists of the values the user may write
(their industries, counties and the active campaigns) that the sheet's drop-downs point to.
`write_import_errors` returns a checked file's rows as read, each bad row highlighted, with an
error column saying which cell and why, so that the user fixes it and uploads it again.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils import get_column_letter

from accounts.models import Industry, Region, User
from accounts.scope import counties_for, industries_for
from hazards.models import Hazard
from inspections.models import Campaign
from ledger.columns import DATE, ERRORS_HEADER, IMPORT_COLUMNS, TEXT, WRAP
from ledger.formats import DATE_FORMAT, OVERDUE_FILL, WRITER_OPTIONS, Formats, starts_formula
from ledger.reading import ImportCheck, cell_text


def write_import_errors(output: BinaryIO, check: ImportCheck) -> None:
    """The rows of the file as read, each bad row highlighted with an error column saying which cell and why."""
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, **WRITER_OPTIONS})
    formats = Formats(workbook, ())
    sheet = workbook.add_worksheet(pgettext("sheet", "Errors"))
    width = max(1, len(check.headers), *(len(row.cells) for row in check.rows))
    sheet.set_column(0, width - 1, 16)
    sheet.set_column(width, width, 60)
    for col in range(width):
        header = check.headers[col] if col < len(check.headers) else None
        sheet.write_string(0, col, cell_text(header), formats.header)
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


def _write_value(
    sheet: Any,  # xlsxwriter's worksheet, workbook and format (untyped)
    workbook: Any,
    row: int,
    col: int,
    value: object,
    cell_format: Any,
    formats: Formats,
    highlight: bool,
) -> None:
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


def write_import_template(output: BinaryIO, *, user: User) -> None:
    """The import template: its columns, an example row, notes on each column and lists of allowed values."""
    workbook = xlsxwriter.Workbook(output, WRITER_OPTIONS)
    formats = Formats(workbook, ())
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
        (_("City"), [county.parent.name if county.parent is not None else "" for county in counties]),
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
        example_value = example.get(column.key)
        if isinstance(example_value, dt.date):
            sheet.write_datetime(1, col, example_value, example_date)
        elif example_value is not None:
            sheet.write_string(1, col, str(example_value), example_format)
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


def _example_row(user: User, industries: list[Industry], counties: list[Region]) -> dict[str, Any]:
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
