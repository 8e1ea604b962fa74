"""CSV and XLSX exports of a report table."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from antre.reports.exports import csv_lines, file_name, xlsx_bytes
from antre.reports.tables import Column, ColumnKind, Table

TABLE = Table(
    columns=(
        Column("date", "Tanggal", ColumnKind.DATE),
        Column("site", "Gerai"),
        Column("tickets", "Nomor antrean", ColumnKind.COUNT),
        Column("waiting_median_min", "Median tunggu (menit)", ColumnKind.MINUTES),
    ),
    rows=[
        {
            "date": dt.date(2026, 6, 1),
            "site": "MPP, Lantai 2",
            "tickets": 5,
            "waiting_median_min": 14.0,
        },
        {
            "date": dt.date(2026, 6, 2),
            "site": '=HYPERLINK("x")',
            "tickets": 0,
            "waiting_median_min": None,
        },
    ],
)


def test_csv_streams_a_header_and_one_line_per_row():
    lines = list(csv_lines(TABLE))

    assert lines == [
        "date,site,tickets,waiting_median_min\r\n",
        '2026-06-01,"MPP, Lantai 2",5,14.0\r\n',
        '2026-06-02,"\'=HYPERLINK(""x"")",0,\r\n',
    ]


def test_xlsx_holds_labels_typed_cells_and_no_formulas():
    content = xlsx_bytes(TABLE, title="Kunjungan · 2026-06-01 – 2026-06-02", sheet="kunjungan")

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        workbook = archive.read("xl/workbook.xml").decode()
    assert 'name="kunjungan"' in workbook
    for text in ("Tanggal", "Median tunggu (menit)", "MPP, Lantai 2", "'=HYPERLINK"):
        assert text in strings.replace("&quot;", '"')
    assert "<f>" not in sheet
    # 1 June 2026 is Excel serial day 46174.
    assert re.search(r"<v>46174</v>", sheet)
    assert "<v>14</v>" in sheet


def test_file_names_say_what_and_when():
    assert file_name("loket", dt.date(2026, 5, 1), dt.date(2026, 5, 31), "xlsx") == (
        "antre-loket-2026-05-01-2026-05-31.xlsx"
    )
