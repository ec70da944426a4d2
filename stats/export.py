"""The statistics table as an Excel workbook in the paper form's layout.

Title with the region and period, the two-row merged header, 单位：项、万元, the rows and the total,
then the signature lines of the form. Every figure is written as a number (a rate over an empty
base as "—"); no cell holds a formula, and no text a user typed is written as one.
"""

from datetime import date
from io import BytesIO

import xlsxwriter
from django.utils.translation import gettext as _

from stats.table import BY_INDUSTRY, Table


def table_title(table: Table) -> str:
    return _("%(scope)s: hidden dangers investigated and governed, %(period)s") % {
        "scope": table.scope_label,
        "period": table.period.label,
    }


def write_workbook(table: Table, *, today: date) -> bytes:
    output = BytesIO()
    # strings_to_formulas off: a region or industry name starting with "=" stays text.
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(_("Statistics"))
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    header = workbook.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": "#E7EEF7"}
    )
    text = workbook.add_format({"border": 1})
    bold_text = workbook.add_format({"border": 1, "bold": True})
    count = workbook.add_format({"border": 1, "num_format": "#,##0"})
    decimal = workbook.add_format({"border": 1, "num_format": "#,##0.00"})
    percent = workbook.add_format({"border": 1, "num_format": "0.0"})
    dash = workbook.add_format({"border": 1, "align": "center"})
    plain = workbook.add_format({})

    columns = table.columns
    width = len(columns) + 1
    sheet.merge_range(0, 0, 0, width - 1, table_title(table), title)
    sheet.set_row(0, 30)
    sheet.write_string(1, 0, _("Reporting body: %(scope)s") % {"scope": table.scope_label}, plain)
    sheet.write_string(
        1,
        width - 1,
        _("Unit: items, 10,000 yuan")
        + "  "
        + _("Period: %(start)s – %(end)s")
        % {"start": table.period.start.isoformat(), "end": table.period.end.isoformat()},
        plain,
    )

    # The two-row header: a group's label spans its columns; a column without a group spans both rows.
    first = _("Industry") if table.by == BY_INDUSTRY else _("Region")
    sheet.merge_range(2, 0, 3, 0, str(first), header)
    position = 1
    for group, members in table.groups:
        if group is None:
            for column in members:
                sheet.merge_range(
                    2,
                    position,
                    3,
                    position,
                    f"({column.number}) {column.label}" if column.number else str(column.label),
                    header,
                )
                position += 1
            continue
        if len(members) > 1:
            sheet.merge_range(2, position, 2, position + len(members) - 1, str(group), header)
        else:
            sheet.write_string(2, position, str(group), header)
        for column in members:
            sheet.write_string(
                3, position, f"({column.number}) {column.label}" if column.number else str(column.label), header
            )
            position += 1
    sheet.set_row(3, 48)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, width - 1, 11)

    line = 4
    for row in [*table.rows, table.total]:
        sheet.write_string(line, 0, row.label, bold_text if row.is_total else text)
        for index, cell in enumerate(row.cells, start=1):
            if cell.value is None:
                sheet.write_string(line, index, "—", dash)
            elif cell.column.measure == "rate":
                sheet.write_number(line, index, float(cell.value), percent)
            elif cell.column.measure == "funds":
                sheet.write_number(line, index, float(cell.value), decimal)
            else:
                sheet.write_number(line, index, int(cell.value), count)
        line += 1

    line += 1
    signatures = [_("Head of unit:"), _("Reviewed by:"), _("Filled in by:"), _("Telephone:")]
    step = max(width // len(signatures), 1)
    for index, label in enumerate(signatures):
        sheet.write_string(line, index * step, label, plain)
    sheet.write_string(line + 1, 0, _("Date filled in: %(day)s") % {"day": today.isoformat()}, plain)
    sheet.freeze_panes(4, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2, 3)
    workbook.close()
    return output.getvalue()
