"""Small Excel lists (the blind spots, who has not reconciled): a header and rows, written as they come."""

import tempfile
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.http import FileResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(title: str, header: list[str], rows: Iterable[list[Any]], *, file_name: str) -> FileResponse:
    """A one-sheet workbook: bold frozen header, an autofilter, no cell read as a formula."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count, 0, ["" if value is None else str(value) for value in row])
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    sheet.set_column(0, len(header) - 1, 18)
    workbook.close()
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=file_name, content_type=XLSX_CONTENT_TYPE)
