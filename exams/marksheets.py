"""Marksheet files: the CSV or XLSX that student administration uploads, and the blank
CSV it hands to examiners.

Columns: ``student`` (student number), ``opportunity`` (1 or 2), ``mark`` (0-20, P, F
or NA) and optionally ``parts`` (partial exams as ``credits:mark`` separated by
semicolons, ``3:12;3:6``) and ``name`` (ignored; the template fills it in for the
examiner). Row numbers are those a spreadsheet shows: the header is row 1.
Reading only turns cells into values; whether a result may be entered is decided by
``exams.results``.

Limits, checked while reading so that a small crafted file cannot make the server work for
minutes (issue 14; the times are in bench/uploads.py): at most 5 MB uploaded; at most
``MAX_ROWS`` rows of marks (5,000: a marksheet is one course's students, a few hundred at
the most). Of a workbook, only the first sheet's first ``MAX_COLUMNS`` columns are read (the
template has five; anything further right is not read) and no row after row ``MAX_ROWS + 1``:
a sheet with a row further down is refused, whatever size the sheet declares (a crafted file
declares ``A1:XFD20001`` for one cell, and a reader that believes it fills 327 million
cells). Before openpyxl opens it, a workbook that unpacks to more than
``MAX_UNPACKED_BYTES``, holds more than ``MAX_ELEMENTS`` XML elements or a row of more than
``MAX_COLUMNS`` cells is refused (``_check_workbook``). Every cell is text before it is a
value: a control character or a text longer than its field refuses the row (core.csv).
"""

import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core import csv as college_csv
from core.errors import Refused
from students.models import Student

from . import rules
from .results import RESULT_REFUSALS, MarksheetRow

REQUIRED_COLUMNS = ("student", "opportunity", "mark")
OPTIONAL_COLUMNS = ("parts", "name")
TEMPLATE_COLUMNS = ("student", "name", "opportunity", "mark", "parts")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000  # rows of marks; with the header, a file has at most MAX_ROWS + 1 rows
MAX_COLUMNS = 50  # of a workbook's sheet; a CSV row is as wide as its text
MAX_UNPACKED_BYTES = 10 * 1024 * 1024  # a workbook of 5,000 rows of marks unpacks to about 1.2 MB
MAX_ELEMENTS = 200_000  # XML elements in all its parts; that workbook has about 60,000
TOO_MANY_ROWS = _("A marksheet has at most %(count)s rows.")
TOO_MANY_COLUMNS = _(
    "A marksheet has at most %(count)s columns (A to %(column)s); this workbook has a row with more cells, "
    "perhaps only formatted ones: delete the columns after the marks, or save the sheet as CSV."
)
MAX_VALUE_LENGTH = 32  # of an opportunity's or a mark's cell
MAX_PARTS_LENGTH = 1_000  # of the partial exams' cell: far more than any course has
UNREADABLE_WORKBOOK = _("This file cannot be read as an XLSX workbook.")


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


def _too_many_rows() -> MarksheetFileError:
    return MarksheetFileError(TOO_MANY_ROWS % {"count": formats.number_format(MAX_ROWS, force_grouping=True)})


def _csv_table(data: bytes) -> list[list[str]]:
    # UTF-8 with or without BOM or Excel's Windows-1252, ";" (Excel in Belgium), "," or tab (core.csv).
    table = []
    try:
        for row in college_csv.iter_rows(data):
            if len(table) > MAX_ROWS:  # the header and MAX_ROWS rows read: this is one more
                raise _too_many_rows()
            table.append([_cell(c) for c in row])
    except college_csv.UnreadableFile as error:
        raise MarksheetFileError(error.messages[0]) from None
    return table


class _PartScan:
    """Counts a workbook part's XML elements and each row's cells as expat reads them, and
    refuses as soon as a limit is passed, before openpyxl builds anything."""

    def __init__(self, elements: int):
        self.elements = elements  # counted over all the parts
        self.cells = 0  # since the last row began: a cell is only ever inside a row

    def start(self, name, _attributes):
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _too_large_workbook()
        local = name.rpartition(" ")[2]  # "namespace local" (namespace_separator=" ")
        if local == "row":
            self.cells = 0
        elif local == "c":
            self.cells += 1
            if self.cells > MAX_COLUMNS:
                raise MarksheetFileError(
                    TOO_MANY_COLUMNS % {"count": MAX_COLUMNS, "column": _column_letter(MAX_COLUMNS)}
                )


def _doctype(*_args):
    raise MarksheetFileError(UNREADABLE_WORKBOOK)  # no part of a workbook has one; entities could multiply


def _too_large_workbook() -> MarksheetFileError:
    return MarksheetFileError(
        _("This workbook is far larger than a marksheet: check that it is the right file, or save its sheet as CSV.")
    )


def _check_workbook(upload) -> None:
    """Refuse, before openpyxl opens it, a workbook that would take it long or much memory:
    openpyxl builds a row's cells (and, before the rows, every other element) in memory,
    so a row is bounded by its cells and a part by its elements, not by the columns read.

    The parts may unpack to ``MAX_UNPACKED_BYTES`` as the zip directory declares them (a
    part is never read past its declared size) and hold ``MAX_ELEMENTS`` XML elements, no
    row more than ``MAX_COLUMNS`` cells. A part that is not XML is left to openpyxl."""
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = archive.infolist()
            if sum(info.file_size for info in parts) > MAX_UNPACKED_BYTES:
                raise _too_large_workbook()
            elements = 0
            for info in parts:
                scan = _PartScan(elements)
                parser = expat.ParserCreate(namespace_separator=" ")
                parser.ordered_attributes = True  # a list is cheaper to make than a dict, and never read
                parser.StartElementHandler = scan.start
                parser.StartDoctypeDeclHandler = _doctype
                with archive.open(info) as part:
                    try:
                        while chunk := part.read(64 * 1024):
                            parser.Parse(chunk, False)
                        parser.Parse(b"", True)
                    except expat.ExpatError:
                        pass  # not XML (an image), or damaged: openpyxl says whether it matters
                elements = scan.elements
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise MarksheetFileError(UNREADABLE_WORKBOOK) from error
    finally:
        upload.seek(0)


def _column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def _xlsx_table(upload) -> list[list[str]]:
    import openpyxl

    _check_workbook(upload)
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors for a damaged file
        raise MarksheetFileError(UNREADABLE_WORKBOOK) from error
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares is not trusted (nor needed): without it, openpyxl streams
        # the rows there are, as wide as asked, and fills a gap with one shared empty row.
        sheet.reset_dimensions()
        table = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            if len(table) > MAX_ROWS:  # a row after row MAX_ROWS + 1, empty or not
                raise _too_many_rows()
            table.append([_cell(c) for c in row])
        return table
    except MarksheetFileError:
        raise
    except Exception as error:  # a damaged part shows only when its rows are read
        raise MarksheetFileError(UNREADABLE_WORKBOOK) from error
    finally:
        workbook.close()


def read_table(upload) -> list[list[str]]:
    name = (upload.name or "").lower()
    too_large = MarksheetFileError(_("The file is larger than 5 MB."))
    if upload.size is not None and upload.size > MAX_BYTES:
        raise too_large
    if name.endswith(".xlsx"):
        return _xlsx_table(upload)
    if name.endswith((".csv", ".txt")):
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise too_large
        return _csv_table(data)
    raise MarksheetFileError(_("Upload a CSV file or an XLSX workbook."))


def _max_length(column: str) -> int:
    """The longest text a cell of ``column`` may hold: a student number as stored; an opportunity
    or a mark is a few characters; partial exams up to about 200 of them (``3:12;``)."""
    if column == "student":
        return Student._meta.get_field("number").max_length
    return MAX_PARTS_LENGTH if column == "parts" else MAX_VALUE_LENGTH


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
        cells = zip(("student", "opportunity", "mark", "parts"), (student, opportunity, mark, parts), strict=True)
        problem = next(
            (p for column, text in cells if (p := college_csv.text_problem(column, text, _max_length(column)))), None
        )
        if problem:  # the row is not read further; its student number is shown, never looked up as typed
            rows.append(MarksheetRow(number, college_csv.visible(student), problem=str(problem)))
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
