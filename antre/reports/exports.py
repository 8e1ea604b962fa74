"""A report's table as CSV (streamed line by line, stdlib ``csv``) or XLSX
(``xlsxwriter``, in memory). No HTTP here: the back office and the API wrap
these in their responses.

Tables hold no personal data (``antre.reports.definitions``); a text cell that
a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return at its start) is prefixed with an apostrophe, so that a site or service
name can never run as a formula where the file is opened (CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import xlsxwriter

from antre.reports.tables import Cell, Column, ColumnKind, Table

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose ``write`` hands back what it was given, so
    that ``csv.writer`` produces one line at a time for a streaming response."""

    def write(self, value: str) -> str:
        return value


def defuse(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def plain(cell: Cell, column: Column) -> str | int | float:
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, str):
        return defuse(cell)
    return cell


def csv_lines(table: Table) -> Iterator[str]:
    """The header, then one CSV line per row (RFC 4180, CRLF line ends)."""
    writer = csv.writer(_Line())
    yield writer.writerow([str(column.key) for column in table.columns])
    for row in table.rows:
        yield writer.writerow(
            [
                plain(cell, column)
                for cell, column in zip(table.cells(row), table.columns, strict=True)
            ]
        )


def xlsx_bytes(table: Table, *, title: str, sheet: str = "antre") -> bytes:
    """One worksheet: a title line, translated headers, typed cells (dates as
    dates, figures as numbers), frozen headers and an autofilter."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    formats = {
        ColumnKind.DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        ColumnKind.COUNT: workbook.add_format({"num_format": "0"}),
        ColumnKind.MINUTES: workbook.add_format({"num_format": "0.0"}),
        ColumnKind.HOURS: workbook.add_format({"num_format": "0.00"}),
        ColumnKind.PERCENT: workbook.add_format({"num_format": "0.0"}),
        ColumnKind.NUMBER: workbook.add_format({"num_format": "0.0"}),
    }
    worksheet.write_string(0, 0, title, bold)
    first = 2
    for index, column in enumerate(table.columns):
        worksheet.write_string(first, index, str(column.label), header)
        worksheet.set_column(index, index, _width(column, table))
    for offset, row in enumerate(table.rows, start=1):
        for index, (cell, column) in enumerate(zip(table.cells(row), table.columns, strict=True)):
            _write(worksheet, first + offset, index, cell, column, formats)
    if table.columns:
        worksheet.freeze_panes(first + 1, 0)
        worksheet.autofilter(first, 0, first + len(table.rows), len(table.columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _width(column: Column, table: Table) -> float:
    longest = max(
        [len(str(column.label)), *(len(str(row.get(column.key) or "")) for row in table.rows)]
    )
    return float(min(max(longest + 2, 8), 48))


def _write(
    worksheet: xlsxwriter.worksheet.Worksheet,
    row: int,
    column_index: int,
    cell: Cell,
    column: Column,
    formats: dict[ColumnKind, xlsxwriter.format.Format],
) -> None:
    if cell is None:
        return
    if isinstance(cell, dt.date):
        worksheet.write_datetime(
            row, column_index, dt.datetime.combine(cell, dt.time.min), formats[ColumnKind.DATE]
        )
    elif isinstance(cell, int | float):
        worksheet.write_number(row, column_index, cell, formats.get(column.kind))
    else:
        worksheet.write_string(row, column_index, defuse(str(cell)))


def file_name(kind: str, start: dt.date, end: dt.date, extension: str) -> str:
    return f"antre-{kind}-{start.isoformat()}-{end.isoformat()}.{extension}"
