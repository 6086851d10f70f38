"""The one CSV writer of the app (core.csv): what a Belgian Excel opens as it stands."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from core import csv as college_csv


def test_a_file_starts_with_the_byte_order_mark_and_separates_with_semicolons():
    text = college_csv.csv_text([["number", "name", "note"], ["r0000001", "Janssens, Ann", "a; b"]])

    assert text.startswith("\ufeff")
    assert text == '\ufeffnumber;name;note\r\nr0000001;Janssens, Ann;"a; b"\r\n'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.50"), "12,50"),
        (Decimal("-1234.5"), "-1234,5"),  # a negative amount is a number, not a formula
        (Decimal("1E+2"), "100"),
        (2.25, "2,25"),
        (42, "42"),
        (True, "1"),
        (False, "0"),
        (None, ""),
        (datetime.date(2026, 12, 2), "2026-12-02"),  # ISO dates stay
        (datetime.time(9, 5), "09:05"),
        (datetime.datetime(2026, 12, 2, 14, 30, 59), "2026-12-02 14:30"),
    ],
)
def test_values_take_the_belgian_form(value, expected):
    assert college_csv.cell(value) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+32 470 12 34 56", "'+32 470 12 34 56"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Room A-1.05", "Room A-1.05"),  # only the first character counts
        ("", ""),
    ],
)
def test_typed_text_that_would_be_a_formula_is_neutralised(typed, expected):
    assert college_csv.cell(typed) == expected


def test_what_is_written_reads_back_as_it_was_typed():
    rows = [["student", "name", "reason"], ["r0000001", "=cmd|' /C calc'!A0", "-ill; see note"]]

    text = college_csv.csv_text(rows)
    raw = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))

    assert raw[1][1] == "'=cmd|' /C calc'!A0"  # what the spreadsheet gets
    assert college_csv.read_rows(text.encode("utf-8")) == rows  # what the importer takes back


@pytest.mark.parametrize(
    "data",
    [
        b"student;mark\r\nr1;12,5\r\n",
        "\ufeffstudent;mark\r\nr1;12,5\r\n".encode(),
        b'student,mark\r\nr1,"12,5"\r\n',
        "student\tmark\r\nr1\t12,5\r\n".encode("cp1252"),
        "student;mark\r\nr1;12,5\r\n".encode("cp1252"),
    ],
)
def test_the_reader_takes_semicolons_commas_tabs_and_a_byte_order_mark(data):
    assert college_csv.read_rows(data) == [["student", "mark"], ["r1", "12,5"]]


def test_the_reader_reads_windows_1252():
    assert college_csv.read_rows("naam;opo\r\nJosé;Hé\r\n".encode("cp1252"))[1] == ["José", "Hé"]


def test_decimal_comma_reads_back():
    assert college_csv.parse_decimal("12,50") == Decimal("12.50")
    assert college_csv.parse_decimal("12.5") == Decimal("12.5")
    with pytest.raises(ValueError):
        college_csv.parse_decimal("twelve")


def test_the_response_is_an_attachment_with_the_byte_order_mark():
    response, writer = college_csv.csv_response("open balances 2026-2027.csv")
    writer.row(["a", Decimal("1.5")])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="open_balances_2026-2027.csv"'
    assert response.content == "\ufeffa;1,5\r\n".encode()


# --- Files the reader cannot take (issue 14 points 5 and 12) ---------------------------------
UTF16_ADVICE = 'In Excel, choose Save as and the file type "CSV UTF-8 (comma delimited)"'


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf_16_file_is_refused_as_not_utf_8_with_how_to_save_it(encoding):
    """Excel's "Unicode text" is UTF-16 (with a byte order mark; without one, a NUL between the
    letters): read as Windows-1252 it would only be refused for its columns."""
    data = "student;opportunity;mark\r\nr0100001;1;12\r\n".encode(encoding)

    with pytest.raises(college_csv.UnreadableFile) as refused:
        college_csv.read_rows(data)

    assert "is not saved as UTF-8 or Windows-1252 text but as UTF-16" in refused.value.messages[0]
    assert UTF16_ADVICE in refused.value.messages[0]


def test_a_stray_nul_byte_in_utf_8_is_read_for_the_importer_to_refuse_with_its_row():
    assert college_csv.read_rows(b"room;course\r\nB.1\x00;A101\r\n") == [["room", "course"], ["B.1\x00", "A101"]]


def test_a_workbook_under_a_csv_name_is_refused_with_how_to_save_it():
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    with pytest.raises(college_csv.UnreadableFile) as refused:
        college_csv.read_rows(out.getvalue())
    assert refused.value.messages[0].startswith("This file is an Excel workbook, not a CSV file.")


@pytest.mark.parametrize("quote", ["", '"'])
def test_a_cell_over_the_field_limit_is_refused_with_its_row(quote):
    """Python's csv stops at 131,072 characters a field (``_csv.Error``); an unclosed quote
    makes the rest of the file one field."""
    data = ("a;b\r\n1;2\r\n3;" + quote + "x" * 140_000 + "\r\n4;5\r\n").encode()

    with pytest.raises(college_csv.UnreadableFile) as refused:
        college_csv.read_rows(data)

    assert refused.value.messages == [
        'Row 3 cannot be read: it has a cell of more than 131,072 characters, or a quote (") that is never closed.'
    ]


def test_rows_are_read_one_at_a_time():
    rows = college_csv.iter_rows(b"a;b\r\n1;2\r\n3;" + b"x" * 140_000)
    assert next(rows) == ["a", "b"] and next(rows) == ["1", "2"]  # the long cell is not read yet
    with pytest.raises(college_csv.UnreadableFile):
        next(rows)


@pytest.mark.parametrize(
    ("text", "control"), [("B.101", False), ("Aula Één", False), ("B\x00", True), ("B\t1", True), ("B\n1", True)]
)
def test_control_characters_are_found(text, control):
    assert college_csv.control_character(text) is control
