"""Exam-moment files the planning import refuses (issue 14 points 1, 5, 11 and 12), the same in the
admin's "Import from CSV" and in ``manage.py import_exam_moments``: a room a spreadsheet would run
as a formula, a NUL byte or a text longer than its column (with the row), a cell over Python's
CSV field limit, a UTF-16 file, a file over 5 MB. Every refusal imports nothing."""

import contextlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.urls import reverse

from reschedules.models import ExamMoment
from reschedules.moments import MomentsRefused, exam_moments_import, read_moments_csv
from tests.reschedules.ombuds_world import D, add_ombuds_world

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:reschedules_exammoment_import")
HEADER = "academic_year;exam_period;programme;course;date;start;room\r\n"
GOOD = "2026-2027;1;BA-A;A201;2027-01-19;09:00;B.2\r\n"  # row 2


@pytest.fixture
def world(coach_world):
    return add_ombuds_world(coach_world)


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def stored():
    """Everything an import could change."""
    return list(ExamMoment.objects.order_by("pk").values()), ExamMoment.history.count()


def post(client, data: bytes):
    return client.post(IMPORT, {"file": SimpleUploadedFile("moments.csv", data, content_type="text/csv")})


def file_error(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].errors["file"])


def refused_rows(response) -> dict[int, str]:
    return {p.row: p.message for p in response.context["problems"]}


def command(tmp_path, data: bytes) -> tuple[str, str]:
    """Run the command on ``data``: (the CommandError's text, what it wrote to stderr)."""
    path = tmp_path / "moments.csv"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_exam_moments", str(path), stderr=err)
    return str(error.value), err.getvalue()


# --- Point 1: a room a spreadsheet would run as a formula ---------------------------------
FORMULA = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("room", [FORMULA, "+1", "-1+1", "@SUM(A1)", f"'{FORMULA}"])  # the last one: neutralised
def test_a_room_that_starts_like_a_formula_is_refused_with_its_row(world, room):
    before = stored()
    rows = read_moments_csv((HEADER + GOOD + f"2026-2027;1;BA-A;A102;2027-01-20;09:00;{room}\r\n").encode())
    with pytest.raises(MomentsRefused) as refused:
        exam_moments_import(rows=rows, today=D(2026, 11, 2))
    ((row, message),) = [(p.row, p.message) for p in refused.value.problems]
    assert row == 3 and message.startswith("A room cannot start with =, +, - or @")
    assert stored() == before


def test_the_admin_import_refuses_a_formula_room(admin_client, world):
    before = stored()
    response = post(admin_client, (HEADER + GOOD + f'2026-2027;1;BA-A;A102;2027-01-20;09:00;"{FORMULA}"\r\n').encode())
    assert refused_rows(response) == {
        3: f'A room cannot start with =, +, - or @: a spreadsheet would run "{FORMULA}" as a formula. '
        "Write the room's code as it is on its door."
    }
    assert "Nothing was imported: 1 row was refused." in response.content.decode()
    assert stored() == before


def test_the_command_refuses_a_formula_room(world, tmp_path):
    before = stored()
    text, err = command(tmp_path, (HEADER + GOOD + f"2026-2027;1;BA-A;A102;2027-01-20;09:00;{FORMULA}\r\n").encode())
    assert "1 rows refused; nothing was imported." in text
    assert "row 3 BA-A A102: A room cannot start with =, +, - or @" in err
    assert stored() == before


def test_a_room_with_a_dash_inside_is_a_room(world):
    (row,) = read_moments_csv((HEADER + "2026-2027;1;BA-A;A201;2027-01-19;09:00;B-1.05\r\n").encode())
    assert (row.problem, row.room) == ("", "B-1.05")


# --- Point 11: control characters and texts longer than their column ----------------------
def test_a_nul_byte_in_a_room_is_refused_with_its_row(admin_client, world):
    before = stored()
    response = post(admin_client, (HEADER + GOOD + "2026-2027;1;BA-A;A102;2027-01-20;09:00;B.1\x0005\r\n").encode())
    assert refused_rows(response) == {
        3: "The cell in column room holds a control character (such as a NUL byte, a tab or a line break)."
    }
    assert stored() == before


def test_a_room_longer_than_100_characters_is_refused_not_cut(admin_client, world):
    before = stored()
    response = post(admin_client, (HEADER + GOOD + f"2026-2027;1;BA-A;A102;2027-01-20;09:00;{'B' * 500}\r\n").encode())
    assert refused_rows(response) == {3: "The cell in column room has 500 characters; at most 100 fit."}
    assert stored() == before


def test_a_room_of_100_characters_is_imported_whole(world):
    rows = read_moments_csv((HEADER + f"2026-2027;1;BA-A;A201;2027-01-19;09:00;{'B' * 100}\r\n").encode())
    exam_moments_import(rows=rows, today=D(2026, 11, 2))
    assert ExamMoment.objects.get(course=world.courses["A201"]).room == "B" * 100


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            '2026-2027;1;BA-A;"A1\n02";2027-01-20;09:00;B.1',
            "The cell in column course holds a control character (such as a NUL byte, a tab or a line break).",
        ),
        ("2026-2027;1;BA-A\x00;A102;2027-01-20;09:00;B.1", "The cell in column programme holds a control character"),
        (
            f"2026-2027;1;{'P' * 33};A102;2027-01-20;09:00;B.1",
            "The cell in column programme has 33 characters; at most 32",
        ),
        (
            "2026-2027-x;1;BA-A;A102;2027-01-20;09:00;B.1",
            "The cell in column academic_year has 11 characters; at most 9",
        ),
        (f"2026-2027;1;BA-A;A102;{'9' * 40};09:00;B.1", "The cell in column date has 40 characters; at most 32"),
        ("2026-2027;1;BA-A;A102;2027-01-20;09:\x0700;B.1", "The cell in column start holds a control character"),
    ],
)
def test_every_column_is_checked_the_same_way(world, row, message):
    before = stored()
    rows = read_moments_csv((HEADER + GOOD + row + "\r\n").encode())
    with pytest.raises(MomentsRefused) as refused:
        exam_moments_import(rows=rows, today=D(2026, 11, 2))
    ((number, text),) = [(p.row, p.message) for p in refused.value.problems]
    assert number == 3 and text.startswith(message)
    assert stored() == before


def test_the_command_names_the_row_of_a_nul_byte(world, tmp_path):
    before = stored()
    text, err = command(tmp_path, (HEADER + GOOD + "2026-2027;1;BA-A;A102;2027-01-20;09:00;B\x00\r\n").encode())
    assert "1 rows refused" in text
    assert "row 3 BA-A A102: The cell in column room holds a control character" in err
    assert stored() == before


def test_a_refused_rows_codes_are_shown_short_and_visible(world):
    (row,) = read_moments_csv((HEADER + f"2026-2027;1;BA-A;A\x00{'9' * 200};2027-01-20;09:00;B.1\r\n").encode())
    assert row.problem
    assert row.label == "BA-A A\ufffd" + "9" * 37 + "…"


# --- Point 5: a cell over Python's CSV field limit; a file over 5 MB ----------------------
LONG_CELL = (HEADER + GOOD + '2026-2027;1;BA-A;A102;2027-01-20;09:00;"' + "B" * 140_000 + "\r\n").encode()
FIELD_LIMIT = (
    'Row 3 cannot be read: it has a cell of more than 131,072 characters, or a quote (") that is never closed.'
)


def test_the_admin_import_refuses_a_cell_over_the_field_limit(admin_client, world):
    before = stored()
    assert file_error(post(admin_client, LONG_CELL)) == FIELD_LIMIT
    assert stored() == before


def test_the_command_refuses_a_cell_over_the_field_limit_and_exits_non_zero(world, tmp_path):
    before = stored()
    text, _err = command(tmp_path, LONG_CELL)
    assert text == FIELD_LIMIT
    assert stored() == before


def test_the_command_exits_with_status_1_and_the_reason(world, tmp_path):
    """What a shell sees: ``CommandError`` ends ``manage.py`` with status 1 and its text on stderr."""
    path = tmp_path / "moments.csv"
    path.write_bytes(LONG_CELL)
    err = io.StringIO()
    utility = ManagementUtility(["manage.py", "import_exam_moments", str(path)])
    with pytest.raises(SystemExit) as exit_status, contextlib.redirect_stderr(err):
        utility.execute()
    assert exit_status.value.code == 1
    assert FIELD_LIMIT in err.getvalue()


OVER_5_MB = (HEADER + GOOD * 140_000).encode()  # 5.7 MB


def test_a_file_over_5_mb_is_refused_by_the_admin_and_the_command(admin_client, world, tmp_path):
    assert len(OVER_5_MB) > 5 * 2**20
    before = stored()
    assert file_error(post(admin_client, OVER_5_MB)) == "The file is larger than 5 MB."
    assert command(tmp_path, OVER_5_MB)[0] == "The file is larger than 5 MB."
    assert stored() == before


# --- Point 12: a UTF-16 file --------------------------------------------------------------
UTF16 = (
    'This file is not saved as UTF-8 or Windows-1252 text but as UTF-16 (what Excel calls "Unicode text"). '
    'In Excel, choose Save as and the file type "CSV UTF-8 (comma delimited)", then upload that file.'
)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf_16_file_is_refused_as_not_utf_8_by_the_admin_and_the_command(admin_client, world, tmp_path, encoding):
    data = (HEADER + GOOD).replace(";", "\t").encode(encoding)
    before = stored()
    assert file_error(post(admin_client, data)) == UTF16
    assert command(tmp_path, data)[0] == UTF16
    assert stored() == before


def test_a_workbook_is_refused_with_how_to_save_it(admin_client, world):
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    assert file_error(post(admin_client, out.getvalue())).startswith("This file is an Excel workbook, not a CSV file.")
