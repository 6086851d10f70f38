"""Fuzzed marksheet upload (issue 14 point 15): a valid marksheet, mutated, uploaded as CSV
(separators, encodings, byte order mark, line ends) or XLSX (numbers as numbers) through the
page, as the office does (exams/marksheets.py, exams/results.py).

The properties, for every mutated file:

- the page answers 200, never a server error (the test client raises what a view raises);
- refused: nothing is written (row count and checksum of every table but the session's), and
  the refusal is either the file's as a whole (a form error saying why) or a list of refused
  rows, each named by its row number (a row of the file: the header is row 1) with a reason;
- accepted: uploading the same file again is accepted and changes nothing.

The mutations: marks out of range, text, decimals, empty cells, opportunities other than 1
and 2, partial exams (huge credits, malformed, out-of-range marks), unknown and duplicated
students and rows, odd unicode (NUL, control characters, right-to-left marks, emoji), very
long cells, columns missing, renamed, swapped, added, rows short or long, and other
courses (pass/fail, no resit) and exam periods.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.support import personas
from tests.support.factories import EnrolmentFactory, ISPLineFactory
from tests.support.fuzz import (
    REQUEST_TABLES,
    as_number,
    cells,
    csv_bytes,
    csv_options,
    csv_row_count,
    database_state,
    mutate_table,
    rolled_back,
    state_difference,
    xlsx_bytes,
)

URL = reverse("exams:marksheet")
CI_EXAMPLES = hypothesis_settings.default.max_examples

# The marksheet of NUM1, exam period 1, for the four students of ``class_of_four``: a mark,
# NA, partial exams and a row without a mark (skipped).
BASE = [
    ["student", "name", "opportunity", "mark", "parts"],
    ["r0100001", "An Peeters", "1", "12", ""],
    ["r0100002", "Bram Claes", "1", "NA", ""],
    ["r0100003", "Chloë Maes", "1", "", "3:12;3:6"],
    ["r0100004", "Dries Wouters", "1", "", ""],
]
MARKSHEET_CELLS = st.one_of(
    cells(),
    st.sampled_from(
        ["0", "10", "20", "21", "-1", "100", "P", "F", "NA", "na", "p", "AB", "12.5", "12,5", " 12 ", "١٢",
         "3:12;3:6", "4:12;2:9", "0:12", "3:21", "3:-1", "99999999999999999999:1", "1:99999999999999999999",
         "3:12,3:6", "3:12;", ":12", "3:", "3:12;3:6;" * 300, "1", "2", "3", "0", "1.0", "r9999999",
         "R0100001", "r0100001 ", "r0100002", "'=1+1", "=1+1", "@SUM(A1)"]
    ),
)  # fmt: skip


@pytest.fixture
def office(client, db):
    client.force_login(personas.administration("office"))
    return client


@pytest.fixture
def class_of_four(college):
    """r0100001 (tests/exams/conftest.py) and three more students with NUM1 in their ISP."""
    for number in ("r0100002", "r0100003", "r0100004"):
        enrolment = EnrolmentFactory(programme=college.programme, academic_year=college.year, student__number=number)
        ISPLineFactory(enrolment=enrolment, course=college.courses["NUM1"])
    return college


def upload_file(data, table) -> tuple[SimpleUploadedFile, int]:
    """The table as an XLSX or CSV file, and how many rows the file has."""
    if data.draw(st.booleans(), label="xlsx"):
        numbers = data.draw(st.booleans(), label="numbers as numbers")
        rows = [table[0], *([as_number(v) if numbers else v for v in row] for row in table[1:])]
        note(f"xlsx, numbers as numbers: {numbers}")
        return SimpleUploadedFile("marks.xlsx", xlsx_bytes(rows)), len(table)
    options = data.draw(csv_options(), label="csv")
    content = csv_bytes(table, **options)
    if content is None:  # characters the encoding lacks: as Excel would, write UTF-8
        options["encoding"] = "utf-8"
        content = csv_bytes(table, **options)
    note(f"csv {options}")
    name = data.draw(st.sampled_from(["marks.csv", "MARKS.CSV", "marks.txt"]))
    return SimpleUploadedFile(name, content), csv_row_count(content, **options)


def post(client, college, course, period, content: SimpleUploadedFile):
    content.seek(0)
    data = {"course": college.courses[course].pk, "exam_period": college.periods[period].pk, "file": content}
    return client.post(URL, data)


def test_the_marksheet_the_properties_mutate_is_entered_and_a_second_upload_changes_nothing(office, class_of_four):
    content = SimpleUploadedFile("marks.csv", csv_bytes(BASE, delimiter=";", encoding="utf-8-sig", line_end="\r\n"))
    response = post(office, class_of_four, "NUM1", 1, content)
    assert response.templates[0].name == "exams/marksheet_done.html"
    summary = response.context["summary"]
    assert (summary.created, summary.updated, response.context["skipped"]) == (3, 0, 1)
    after = database_state(leave_out=REQUEST_TABLES)
    again = post(office, class_of_four, "NUM1", 1, content)
    assert (again.context["summary"].created, again.context["summary"].updated) == (0, 0)
    assert database_state(leave_out=REQUEST_TABLES) == after


@hypothesis_settings(max_examples=CI_EXAMPLES)
@given(data=st.data())
def test_a_mutated_marksheet_is_refused_row_by_row_or_entered_once(data, office, class_of_four):
    college = class_of_four
    table = [list(row) for row in BASE]
    for done in mutate_table(data, table, cell_values=MARKSHEET_CELLS):
        note(done)
    course = data.draw(st.sampled_from(["NUM1", "NUM1", "NUM2", "PF1", "NR1"]), label="course")
    period = data.draw(st.sampled_from([1, 1, 2, 3]), label="exam period")
    content, row_count = upload_file(data, table)
    with rolled_back():
        before = database_state(leave_out=REQUEST_TABLES)
        response = post(office, college, course, period, content)
        after = database_state(leave_out=REQUEST_TABLES)
        assert response.status_code == 200
        if response.templates[0].name == "exams/marksheet_done.html":
            event("accepted")
            again = post(office, college, course, period, content)
            assert again.templates[0].name == "exams/marksheet_done.html", again.context["problems"]
            summary = again.context["summary"]
            assert (summary.created, summary.updated) == (0, 0)
            assert database_state(leave_out=REQUEST_TABLES) == after, "uploading again wrote rows"
            return
        assert after == before, f"a refused marksheet wrote rows: {state_difference(before, after)}"
        form, problems = response.context["form"], response.context["problems"]
        if form.errors:
            event("refused: the file")
            assert problems is None
            assert list(form.errors) == ["file"], form.errors
            assert all(str(message).strip() for message in form.errors["file"])
        else:
            event("refused: rows")
            assert problems, "refused without a reason"
            rows = range(2, row_count + 1)  # the rows of the file after the header (row 1)
            for problem in problems:
                note(f"row {problem.row} {problem.student!r}: {problem.message}")
                assert problem.row in rows, f"row {problem.row} is not a row of the file"
                assert str(problem.message).strip()
