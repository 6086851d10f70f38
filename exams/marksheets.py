"""Marksheet files: the CSV or XLSX that student administration uploads, and the blank
CSV it hands to examiners.

Columns: ``student`` (student number), ``opportunity`` (1 or 2), ``mark`` (0-20, P, F
or NA) and optionally ``parts`` (partial exams as ``credits:mark`` separated by
semicolons, ``3:12;3:6``) and ``name`` (ignored; the template fills it in for the
examiner). Row numbers are those a spreadsheet shows: the header is row 1.
Reading only turns cells into values; whether a result may be entered is decided by
``exams.results``.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core import csv as college_csv
from core.errors import Refused

from . import rules
from .results import RESULT_REFUSALS, MarksheetRow

REQUIRED_COLUMNS = ("student", "opportunity", "mark")
OPTIONAL_COLUMNS = ("parts", "name")
TEMPLATE_COLUMNS = ("student", "name", "opportunity", "mark", "parts")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000


class MarksheetFileError(Refused):
    """The file as a whole cannot be used (format, columns, empty); the text says why."""

    default_code = "marksheet_file"

    def __init__(self, message):
        super().__init__([message])


@dataclass
class Marksheet:
    rows: list[MarksheetRow]
    skipped: int  # rows with a student but neither mark nor parts: nothing to enter yet


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store 12 as 12.0
    return str(value).strip()


def _csv_table(data: bytes) -> list[list[str]]:
    # UTF-8 with or without BOM or Excel's Windows-1252, ";" (Excel in Belgium), "," or tab (core.csv).
    return [[_cell(c) for c in row] for row in college_csv.read_rows(data)]


def _xlsx_table(upload) -> list[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors for a damaged file
        raise MarksheetFileError(_("This file cannot be read as an XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append([_cell(c) for c in row])
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        workbook.close()


def read_table(upload) -> list[list[str]]:
    name = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_BYTES:
        raise MarksheetFileError(_("The file is larger than 5 MB."))
    if name.endswith(".xlsx"):
        return _xlsx_table(upload)
    if name.endswith((".csv", ".txt")):
        return _csv_table(upload.read())
    raise MarksheetFileError(_("Upload a CSV file or an XLSX workbook."))


def parse_parts(text: str) -> tuple[tuple[int, int], ...]:
    """``3:12;3:6`` -> ((3, 12), (3, 6)); ValueError when not in that form."""
    parts = []
    for piece in re.split(r"[;,\s]+", text.strip()):
        if not piece:
            continue
        match = re.fullmatch(r"(\d+):(-?\d+)", piece)
        if not match:
            raise ValueError(text)
        parts.append((int(match.group(1)), int(match.group(2))))
    if not parts:
        raise ValueError(text)
    return tuple(parts)


def read_marksheet(upload) -> Marksheet:
    """The rows of an uploaded marksheet; raises ``MarksheetFileError`` for the file as a whole."""
    table = read_table(upload)
    numbered = [(number, row) for number, row in enumerate(table, start=1) if any(row)]
    if not numbered:
        raise MarksheetFileError(_("The file is empty."))
    _header_number, header = numbered[0]
    columns = [c.strip().lower() for c in header]
    named = [c for c in columns if c]
    missing = [c for c in REQUIRED_COLUMNS if c not in named]
    unknown = [c for c in named if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    twice = sorted({c for c in named if named.count(c) > 1})
    if missing or unknown or twice:
        details = []
        if missing:
            details.append(_("missing: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            details.append(_("unknown: %(columns)s") % {"columns": ", ".join(unknown)})
        if twice:
            details.append(_("given twice: %(columns)s") % {"columns": ", ".join(twice)})
        raise MarksheetFileError(
            _(
                "The first row must name the columns student, opportunity and mark (and optionally parts "
                "and name); %(details)s."
            )
            % {"details": "; ".join(str(d) for d in details)}
        )
    if len(numbered) - 1 > MAX_ROWS:
        raise MarksheetFileError(_("A marksheet has at most %(count)s rows.") % {"count": MAX_ROWS})
    index = {c: i for i, c in enumerate(columns) if c}

    def value(row, column):
        i = index.get(column)
        return row[i].strip() if i is not None and i < len(row) else ""

    rows, skipped = [], 0
    for number, row in numbered[1:]:
        student, opportunity, mark, parts = (value(row, c) for c in ("student", "opportunity", "mark", "parts"))
        if not student:
            rows.append(MarksheetRow(number, "", problem=str(_("No student number."))))
            continue
        if not mark and not parts:
            skipped += 1
            continue
        problem, parsed = "", {}
        try:
            parsed["opportunity"] = int(opportunity)
        except ValueError:
            problem = str(RESULT_REFUSALS["third_opportunity"])
        if not problem and mark:
            try:
                parsed["mark"] = rules.parse_mark(mark)
            except rules.MarkError:
                problem = str(RESULT_REFUSALS["mark_range"] % {"mark": mark})
        if not problem and parts:
            try:
                parsed["parts"] = parse_parts(parts)
            except ValueError:
                problem = str(_("Write partial exams as credits:mark separated by semicolons, for example 3:12;3:6."))
        rows.append(MarksheetRow(number, student, problem=problem, **({} if problem else parsed)))
    if not rows:
        raise MarksheetFileError(_("The file has no marks: fill in the mark column."))
    return Marksheet(rows=rows, skipped=skipped)


def template_csv(rows: list[dict]) -> str:
    """A blank marksheet as CSV text in the college's one CSV form (core.csv: BOM, ";")."""
    return college_csv.csv_text(
        [TEMPLATE_COLUMNS, *([row.get(column, "") for column in TEMPLATE_COLUMNS] for row in rows)]
    )
