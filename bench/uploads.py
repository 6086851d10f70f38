"""Reading marksheet uploads (``exams.marksheets.read_marksheet``): how long a file takes to be
read or refused, and the memory it takes, for the files of issue 14 point 3 and 5.

* ``bomb``: the 4.8 KB workbook with one cell at A20001 that declares the dimension
  ``A1:XFD20001`` (before the fix: 18.5 s and 2.75 GB on the probe's server; 54 s and
  2.65 GB here). Refused: a marksheet has at most 5,000 rows.
* ``wide``: a workbook whose first row has a value in each of the 16,384 columns (openpyxl
  would build every cell of a row before it could skip the columns not read); refused.
* ``elements``: a workbook whose sheet is rows of 50 empty cells nearly up to the 10 MB a
  workbook may unpack to (9 MB, 2.4 million elements); refused at 200,000 elements.
* ``cells``: the largest such sheet that is read (3,900 rows of 50 empty cells, just under
  200,000 elements): the longest a workbook within the limits takes; refused as empty.
* ``xlsx N``: a real workbook of N rows of marks (header + N rows, 5 columns); read.
* ``csv N``: the same as CSV (the template's form); read.
* ``long cell``: a CSV whose third row has a cell of 140,000 characters; refused.

Nothing is written, and no database is used: reading comes before any check of the rows.
Each file is read once for the time and once more under ``tracemalloc`` for the peak.
"""

import io
import re
import time
import tracemalloc
import zipfile
from dataclasses import dataclass

DEFAULT_N = 5_000  # the most rows of marks a marksheet may have
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bomb(row: int = 20_001) -> bytes:
    """A workbook with one cell, ``student`` at A``row``, whose sheet declares ``A1:XFD<row>``:
    16,384 columns by ``row`` rows for a reader that believes it."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active[f"A{row}"] = "student"
    written = io.BytesIO()
    workbook.save(written)
    out = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:XFD{row}"/>'.encode(), data)
                assert count == 1, "openpyxl wrote no dimension to replace"
            target.writestr(info.filename, data)
    return out.getvalue()


def xlsx_wide(columns: int = 16_384) -> bytes:
    """A workbook whose first row has ``columns`` cells."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    workbook.create_sheet().append(list(range(columns)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_elements(rows: int) -> bytes:
    """A workbook whose sheet holds ``rows`` rows of 50 empty cells."""
    rows = (b"<row>" + b"<c/>" * 50 + b"</row>") * rows
    return _with_sheet_data(xlsx_wide(1), b"<sheetData>" + rows + b"</sheetData>")


def _with_sheet_data(workbook: bytes, sheet_data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb"<sheetData>.*</sheetData>", lambda _m: sheet_data, data, flags=re.S)
                assert count == 1, "openpyxl wrote no sheetData to replace"
            target.writestr(info.filename, data)
    return out.getvalue()


def marksheet_rows(n: int) -> list[list]:
    return [["student", "name", "opportunity", "mark", "parts"]] + [
        [f"r{i:07d}", f"Student {i}", 1, i % 21, ""] for i in range(1, n + 1)
    ]


def marksheet_xlsx(n: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in marksheet_rows(n):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def marksheet_csv(n: int) -> bytes:
    from core import csv as college_csv

    return college_csv.csv_text(marksheet_rows(n)).encode("utf-8")


def long_cell_csv() -> bytes:
    return b"student;opportunity;mark\r\nr0000001;1;12\r\nr0000002;1;" + b"9" * 140_000 + b"\r\n"


@dataclass
class Reading:
    name: str
    size: int  # bytes uploaded
    seconds: float
    peak_mb: float
    outcome: str  # "read N rows" or the refusal


def read(name: str, filename: str, data: bytes) -> Reading:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from exams.marksheets import MarksheetFileError, read_marksheet

    def once() -> str:
        upload = SimpleUploadedFile(filename, data, content_type=XLSX if filename.endswith(".xlsx") else "text/csv")
        try:
            return f"read {len(read_marksheet(upload).rows):,} rows"
        except MarksheetFileError as refused:
            return f"refused: {refused.messages[0]}"

    started = time.perf_counter()
    outcome = once()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        once()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Reading(name, len(data), seconds, peak / 2**20, outcome)


def measure(n: int = DEFAULT_N) -> list[Reading]:
    return [
        read("bomb", "bomb.xlsx", xlsx_bomb()),
        read("wide", "wide.xlsx", xlsx_wide()),
        read("elements", "elements.xlsx", xlsx_elements(9 * 1024 * 1024 // 211)),  # 211 bytes a row
        read("cells", "cells.xlsx", xlsx_elements(3_900)),
        read(f"xlsx {n:,}", "marks.xlsx", marksheet_xlsx(n)),
        read(f"csv {n:,}", "marks.csv", marksheet_csv(n)),
        read("long cell", "marks.csv", long_cell_csv()),
    ]


def run(n: int | None = None) -> list[Reading]:
    n = n or DEFAULT_N
    print("uploads: reading marksheets (exams.marksheets.read_marksheet)", flush=True)
    readings = measure(n)
    for r in readings:
        print(f"  {r.name:<12} {r.size:>9,} B  {r.seconds:7.3f} s  peak {r.peak_mb:6.1f} MB  {r.outcome[:70]}")
    return readings
