"""Fuzzed exam moments import (issue 14 point 15): the planning department's CSV, mutated,
through ``manage.py import_exam_moments`` and through the admin's *Import from CSV*
(reschedules/moments.py), as the existing tests call them.

The properties, for every mutated file:

- never a traceback: the command imports or ends in ``CommandError``; the admin page answers
  200 (refused) or a redirect to the list (imported);
- refused: nothing is written (row count and checksum of every table; the admin's leave out
  the session's), and the refusal is either the file's as a whole (one message) or a list
  of refused rows, each named by its row number (a row of the file; the header is row 1)
  with a reason;
- accepted: importing the same file again is accepted and changes nothing.

The mutations: dates impossible, outside the exam period or in other forms, start times and
durations out of range or unreadable, unknown academic years, exam periods, programmes and
courses, the same course twice in a period, odd unicode (NUL, control characters, emoji,
right-to-left marks), very long rooms and codes, formulas in rooms, columns missing, renamed,
swapped, added and in Dutch, rows short or long; written with ``;``, ``,`` or a tab, in
UTF-8 with or without byte order mark, Windows-1252, Latin-1 or UTF-16, with any line end.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.reschedules.ombuds_world import add_ombuds_world
from tests.support.fuzz import (
    REQUEST_TABLES,
    cells,
    csv_bytes,
    csv_options,
    csv_row_count,
    database_state,
    mutate_table,
    rolled_back,
    state_difference,
)

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:reschedules_exammoment_import")
CHANGELIST = reverse("admin:reschedules_exammoment_changelist")
CI_EXAMPLES = hypothesis_settings.default.max_examples

# Over ``add_ombuds_world``: A101 moved, A201 and A202 new, A103 unchanged, B101 of BA-B new.
BASE = [
    ["academic_year", "exam_period", "programme", "course", "date", "start", "room", "duration"],
    ["2026-2027", "1", "BA-A", "A101", "2027-01-12", "10:00", "B.105", ""],
    ["2026-2027", "1", "BA-A", "A201", "15/01/2027", "9u00", "", "180"],
    ["2026-2027", "2", "BA-A", "A103", "2027-06-03", "09:00", "B.101", ""],
    ["2026-2027", "3", "BA-A", "A202", "2027-08-20", "13:30", "C.001", "2:30"],
    ["2026-2027", "1", "BA-B", "B101", "20.01.2027", "9.00", "A.001", "3u"],
]
DUTCH = ["academiejaar", "examenperiode", "opleiding", "opo", "datum", "beginuur", "lokaal", "duur"]
MOMENT_CELLS = st.one_of(
    cells(),
    st.sampled_from(
        ["2027-01-08", "2027-02-02", "2027-02-03", "2027-01-07", "31/02/2027", "2027-13-01", "0001-01-01",
         "9999-12-31", "12/01/27", "2027-1-12", "24:00", "23:59", "00:00", "9:60", "9u", "09:00:00", "9h30",
         "14", "15", "720", "721", "0", "12:00", "12u01", "1", "2", "3", "4", "01", "2025-2026", "2026-2027 ",
         "BA-A", "BA-B", "BA-C", "A101", "A102", "A104", "A105", "A203", "A204", "B101", "a101",
         "=cmd|' /C calc'!A0", "+1", "-1", "@A1", "B.105" * 30]
    ),
)  # fmt: skip
_ROW = re.compile(r"row (\d+) ")


@pytest.fixture
def world(coach_world):
    return add_ombuds_world(coach_world)


def mutated(data) -> tuple[int, bytes]:
    """A mutated file, and how many rows it has."""
    table = [list(row) for row in BASE]
    if data.draw(st.booleans(), label="Dutch header"):
        table[0] = list(DUTCH)
    for done in mutate_table(data, table, cell_values=MOMENT_CELLS):
        note(done)
    options = data.draw(csv_options(), label="csv")
    content = csv_bytes(table, **options)
    if content is None:  # characters the encoding lacks: as Excel would, write UTF-8
        options["encoding"] = "utf-8"
        content = csv_bytes(table, **options)
    note(f"csv {options}")
    return csv_row_count(content, **options), content


def run_command(path) -> tuple[CommandError | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_exam_moments", str(path), stdout=out, stderr=err)
    except CommandError as refused:
        return refused, out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def test_the_file_the_properties_mutate_imports_and_a_second_import_changes_nothing(world, tmp_path):
    path = tmp_path / "moments.csv"
    path.write_bytes(csv_bytes(BASE, delimiter=";", encoding="utf-8-sig", line_end="\r\n"))
    refused, out, err = run_command(path)
    assert refused is None, err
    assert out.startswith("3 new, 1 moved or changed, 1 unchanged")
    after = database_state()
    refused, out, err = run_command(path)
    assert refused is None and out.startswith("0 new, 0 moved or changed, 5 unchanged")
    assert database_state() == after


@hypothesis_settings(max_examples=CI_EXAMPLES)
@given(data=st.data())
def test_a_mutated_moments_file_is_refused_row_by_row_or_imported_once_by_the_command(data, world, tmp_path):
    row_count, content = mutated(data)
    path = tmp_path / "moments.csv"
    path.write_bytes(content)
    with rolled_back():
        before = database_state()
        refused, _out, err = run_command(path)
        after = database_state()
        if refused is None:
            event("accepted")
            again, out, err = run_command(path)
            assert again is None, f"refused the second time: {again}\n{err[:2000]}"
            assert out.startswith("0 new, 0 moved or changed,"), out
            assert database_state() == after, "importing again wrote rows"
            return
        note(f"refused: {refused}\n{err[:2000]}")
        assert after == before, f"a refused file wrote rows: {state_difference(before, after)}"
        assert str(refused).strip()
        lines = re.split(r"\r\n?|\n", err.rstrip("\r\n")) if err else []  # lines as a terminal shows them
        if not lines:
            event("refused: the file")
            return
        event("refused: rows")
        assert str(refused) == f"{len(lines)} rows refused; nothing was imported."
        for line in lines:
            match = _ROW.match(line)
            assert match, f"a refused row without its number: {line!r}"
            assert 2 <= int(match[1]) <= row_count, f"row {match[1]} is not a row of the file"


@hypothesis_settings(max_examples=CI_EXAMPLES // 2)
@given(data=st.data())
def test_a_mutated_moments_file_is_refused_row_by_row_or_imported_once_in_the_admin(data, world, client):
    row_count, content = mutated(data)
    client.force_login(world.admin)

    def post():
        return client.post(IMPORT, {"file": SimpleUploadedFile("moments.csv", content, content_type="text/csv")})

    with rolled_back():
        before = database_state(leave_out=REQUEST_TABLES)
        response = post()
        after = database_state(leave_out=REQUEST_TABLES)
        if response.status_code == 302:
            event("accepted")
            assert response["Location"] == CHANGELIST
            again = post()
            assert again.status_code == 302, again.context["problems"] or again.context["form"].errors
            assert database_state(leave_out=REQUEST_TABLES) == after, "importing again wrote rows"
            return
        assert response.status_code == 200
        assert after == before, f"a refused file wrote rows: {state_difference(before, after)}"
        form, problems = response.context["form"], response.context["problems"]
        if form.errors:
            event("refused: the file")
            assert problems is None
            assert list(form.errors) == ["file"] and all(str(m).strip() for m in form.errors["file"])
        else:
            event("refused: rows")
            assert problems, "refused without a reason"
            for problem in problems:
                note(f"row {problem.row} {problem.label}: {problem.message}")
                assert 2 <= problem.row <= row_count, f"row {problem.row} is not a row of the file"
                assert str(problem.message).strip()
