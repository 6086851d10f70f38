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
