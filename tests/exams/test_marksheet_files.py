"""Marksheet files that used to cost the server minutes or end in a 500 (issue 14 points 3, 5, 6
and 12): each is refused with a clear message and nothing is recorded. The time these files
take is in bench/uploads.py, not here."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from bench.uploads import xlsx_bomb, xlsx_elements, xlsx_wide
from exams.marksheets import read_marksheet
from exams.models import Result, ResultPart
from tests.exams import test_views
from tests.exams.conftest import snapshot
from tests.exams.test_views import csv_file, file_error, refused_rows, upload, xlsx_file

# The marksheet page's fixtures: the office (student administration) and four students with NUM1.
users, office, class_of_three = test_views.users, test_views.office, test_views.class_of_three

# The limits a marksheet is read within (exams/marksheets.py's docstring).
ROWS_OF_MARKS = 5_000
COLUMNS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_file(data: bytes, name="marks.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


class ReadTooMuch(BaseException):
    """Raised by the counting reader past the limits; a BaseException, so that no handler
    of the code under test can take it for a damaged file."""


@pytest.fixture
def rows_read(monkeypatch):
    """Count the rows (and their widths) openpyxl hands over; stop the test at once when
    more are read than the limits allow (the header, the rows of marks, and one to see
    that there are more)."""
    read = {"rows": 0, "widest": 0}
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counting(self, *args, **kwargs):
        for row in iter_rows(self, *args, **kwargs):
            read["rows"] += 1
            read["widest"] = max(read["widest"], len(row))
            if read["widest"] > COLUMNS or read["rows"] > ROWS_OF_MARKS + 2:
                raise ReadTooMuch(f"{read['rows']} rows read, the widest {read['widest']} cells")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    return read


# --- Point 3: a workbook that declares a vast sheet ---------------------------------------
def test_the_probes_workbook_bomb_is_refused_having_read_only_the_allowed_rows_and_columns(
    office, class_of_three, rows_read
):
    """4.8 KB: one cell at A20001, the dimension A1:XFD20001 (16,384 columns x 20,001 rows for
    a reader that believes it: 18.5 s and 2.75 GB on the probe's server)."""
    data = xlsx_bomb()
    assert len(data) < 6_000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b'<dimension ref="A1:XFD20001"/>' in archive.read("xl/worksheets/sheet1.xml")
    before = snapshot()

    response = upload(office, class_of_three, workbook_file(data))

    assert file_error(response) == "A marksheet has at most 5,000 rows."
    assert snapshot() == before
    assert rows_read["rows"] <= ROWS_OF_MARKS + 2 and rows_read["widest"] <= COLUMNS


def test_a_sheet_is_read_up_to_its_last_allowed_row(db):
    """The header in row 1 and 5,000 rows of marks: the last of them is read, a row after it refused."""

    def sheet(last_row: int):
        workbook = openpyxl.Workbook()
        workbook.active.append(["student", "opportunity", "mark"])
        workbook.active[f"A{last_row}"], workbook.active[f"B{last_row}"] = "r0100001", 1
        workbook.active[f"C{last_row}"] = 12
        out = io.BytesIO()
        workbook.save(out)
        return workbook_file(out.getvalue())

    (row,) = read_marksheet(sheet(ROWS_OF_MARKS + 1)).rows
    assert (row.number, row.student, row.mark) == (ROWS_OF_MARKS + 1, "r0100001", 12)
    with pytest.raises(Exception, match="A marksheet has at most 5,000 rows."):
        read_marksheet(sheet(ROWS_OF_MARKS + 2))


def test_a_row_wider_than_the_limit_is_refused_before_it_is_built(office, class_of_three, rows_read):
    before = snapshot()
    response = upload(office, class_of_three, workbook_file(xlsx_wide(16_384)))
    assert file_error(response) == (
        "A marksheet has at most 50 columns (A to AX); this workbook has a row with more cells, perhaps only "
        "formatted ones: delete the columns after the marks, or save the sheet as CSV."
    )
    assert rows_read["rows"] == 0  # refused before openpyxl read a row
    assert snapshot() == before


def test_a_cell_far_to_the_right_is_not_read(office, class_of_three, rows_read):
    workbook = openpyxl.Workbook()
    workbook.active.append(["student", "opportunity", "mark"])
    workbook.active.append(["r0100001", 1, 12])
    workbook.active["XFD1"] = "remarks"  # column 16,384: beyond what is read, so no unknown column
    out = io.BytesIO()
    workbook.save(out)
    response = upload(office, class_of_three, workbook_file(out.getvalue()))
    assert response.context["summary"].created == 1
    assert rows_read["widest"] <= COLUMNS


def test_a_workbook_of_more_elements_than_a_marksheet_has_is_refused(office, class_of_three, rows_read):
    """4,000 rows of 50 empty cells: 204,000 XML elements, where 5,000 rows of marks make about 60,000."""
    before = snapshot()
    response = upload(office, class_of_three, workbook_file(xlsx_elements(4_000)))
    assert file_error(response) == (
        "This workbook is far larger than a marksheet: check that it is the right file, or save its sheet as CSV."
    )
    assert rows_read["rows"] == 0
    assert snapshot() == before


def rewritten(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info.filename, change(part) if info.filename == name else part)
    return out.getvalue()


def test_a_workbook_that_unpacks_to_more_than_10_mb_is_refused(office, class_of_three, rows_read):
    small = xlsx_file([["student", "opportunity", "mark"], ["r0100001", 1, 12]]).read()
    padded = rewritten(small, "xl/styles.xml", lambda part: part + b" " * (11 * 2**20))  # about 11 KB zipped
    assert len(padded) < 100_000
    response = upload(office, class_of_three, workbook_file(padded))
    assert file_error(response).startswith("This workbook is far larger than a marksheet")
    assert rows_read["rows"] == 0
    assert not Result.objects.exists()


def test_a_workbook_part_with_a_doctype_is_refused(office, class_of_three):
    """Entities declared in a DOCTYPE can multiply a small part ("billion laughs"); no part of a
    workbook has a DOCTYPE."""
    small = xlsx_file([["student", "opportunity", "mark"], ["r0100001", 1, 12]]).read()
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    bad = rewritten(
        small, "xl/worksheets/sheet1.xml", lambda part: re.sub(rb"(<\?xml[^>]*\?>)?", doctype, part, count=1)
    )
    response = upload(office, class_of_three, workbook_file(bad))
    assert file_error(response) == "This file cannot be read as an XLSX workbook."
    assert not Result.objects.exists()


# --- Point 5: a CSV cell over Python's field limit; the size of an upload ----------------
@pytest.mark.parametrize("quote", ["", '"'])
def test_a_csv_cell_over_131072_characters_is_refused_with_its_row(office, class_of_three, quote):
    before = snapshot()
    text = "student;opportunity;mark;parts\r\nr0100001;1;12;\r\nr0100002;1;" + quote + "9" * 140_000 + "\r\n"
    response = upload(office, class_of_three, csv_file(text))
    assert file_error(response) == (
        'Row 3 cannot be read: it has a cell of more than 131,072 characters, or a quote (") that is never closed.'
    )
    assert snapshot() == before


@pytest.mark.parametrize("name", ["marks.csv", "marks.xlsx"])
def test_a_file_over_5_mb_is_refused(office, class_of_three, name):
    data = b"student;opportunity;mark\r\n" + b"r0100001;1;12\r\n" * 400_000  # 5.6 MB
    response = upload(office, class_of_three, SimpleUploadedFile(name, data))
    assert file_error(response) == "The file is larger than 5 MB."
    assert not Result.objects.exists()


def test_a_csv_of_more_rows_than_allowed_is_refused():
    rows = "".join(f"r{n:07d};1;12\r\n" for n in range(ROWS_OF_MARKS + 1))
    with pytest.raises(Exception, match="A marksheet has at most 5,000 rows."):
        read_marksheet(csv_file("student;opportunity;mark\r\n" + rows))
    assert len(read_marksheet(csv_file("student;opportunity;mark\r\n" + rows.split("\r\n", 1)[1])).rows) == 5_000


# --- Point 12: a UTF-16 CSV --------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])  # with the byte order mark, and without
def test_a_utf_16_csv_is_refused_as_not_utf_8_with_how_to_save_it(office, class_of_three, encoding):
    """What Excel saves as "Unicode text": tab-separated UTF-16; it used to be refused for missing columns."""
    before = snapshot()
    data = "student\topportunity\tmark\r\nr0100001\t1\t12\r\n".encode(encoding)
    response = upload(office, class_of_three, SimpleUploadedFile("marks.csv", data, content_type="text/csv"))
    assert file_error(response) == (
        'This file is not saved as UTF-8 or Windows-1252 text but as UTF-16 (what Excel calls "Unicode text"). '
        'In Excel, choose Save as and the file type "CSV UTF-8 (comma delimited)", then upload that file.'
    )
    assert snapshot() == before


def test_a_workbook_saved_under_a_csv_name_is_refused_with_how_to_save_it(office, class_of_three):
    data = xlsx_file([["student", "opportunity", "mark"], ["r0100001", 1, 12]]).read()
    response = upload(office, class_of_three, SimpleUploadedFile("marks.csv", data, content_type="text/csv"))
    assert file_error(response).startswith("This file is an Excel workbook, not a CSV file.")
    assert not Result.objects.exists()


# --- Point 6: partial exams with more credits than can be stored ---------------------------
def test_partial_exam_credits_beyond_what_is_stored_are_refused_on_their_row(office, class_of_three):
    before = snapshot()
    text = "student;opportunity;mark;parts\r\nr0100001;1;12;\r\nr0100002;1;;99999999999999999999:1\r\n"
    response = upload(office, class_of_three, csv_file(text))
    assert response.status_code == 200
    assert refused_rows(response) == [(3, "r0100002", "A partial exam has at most 32,767 credits.")]
    assert snapshot() == before


def test_partial_exam_credits_up_to_what_is_stored_are_recorded(office, class_of_three):
    text = 'student;opportunity;mark;parts\r\nr0100002;1;;"32767:12;1:14"\r\n'
    response = upload(office, class_of_three, csv_file(text))
    assert response.context["summary"].created == 1
    assert sorted(ResultPart.objects.values_list("credits", "score")) == [(1, 14), (32767, 12)]


# --- Texts a cell cannot hold (as the exam-moment import, point 11) ------------------------
@pytest.mark.parametrize(
    ("row", "student", "message"),
    [
        # A NUL byte: PostgreSQL refuses to look it up (a 500 before), SQLite found nobody.
        (
            "r01\x0000002;1;12;",
            "r01\ufffd00002",
            "The cell in column student holds a control character (such as a NUL byte, a tab or a line break).",
        ),
        ("r0100002;1;1\x002;", "r0100002", "The cell in column mark holds a control character"),
        (f"r{'0' * 40};1;12;", f"r{'0' * 38}…", "The cell in column student has 41 characters; at most 32 fit."),
        (f"r0100002;1;;{'3:12,' * 201}", "r0100002", "The cell in column parts has 1005 characters; at most 1000 fit."),
    ],
)
def test_a_cell_with_a_control_character_or_too_long_is_refused_on_its_row(
    office, class_of_three, row, student, message
):
    before = snapshot()
    response = upload(office, class_of_three, csv_file("student;opportunity;mark;parts\r\nr0100001;1;12;\r\n" + row))
    ((number, shown, text),) = refused_rows(response)
    assert (number, shown) == (3, student) and text.startswith(message)
    assert snapshot() == before


# --- Point 1: the blank template is covered by tests/exams/test_views.py:
# test_the_template_survives_download_fill_in_in_excel_and_upload (a name "=José" is written "'=José").
