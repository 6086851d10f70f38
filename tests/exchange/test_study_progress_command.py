"""``manage.py study_progress``: the JSON contract and the readable text."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.examples import load, replay, study_progress_json


@pytest.fixture
def perfect_year(db):
    records, expected = load("perfect-first-year")
    replay(records, expected["today"])


def _text(number: str) -> str:
    out = io.StringIO()
    call_command("study_progress", number, stdout=out)
    return out.getvalue()


def test_the_text_reads_like_the_official_file(perfect_year):
    text = _text("S0001")
    assert text.startswith("STUDY PROGRESS FILE\n")
    assert "Student number: S0001" in text
    assert "Balance: 200 credits; bonus on the first 60 credits still to earn: 0" in text
    assert "Academic year 2023-2024 - BA-NURS (degree contract, enrolled)" in text
    assert "Study efficiency: 100.00 %" in text
    assert "Tolerance credit 12, used 0, left 12." in text
    assert "Decree threshold reached." in text
    # Each course with its name, mark and status; the running balance after each entry.
    assert "A01        Academic English" in text
    assert "passed - credit certificate" in text
    assert "=  200" in text


def test_json_and_text_tell_the_same_balance(perfect_year):
    data = study_progress_json("S0001")
    assert f"Balance: {data['learning_account']['balance']} credits" in _text("S0001")


def test_an_unknown_student_number_exits_with_a_reason(db):
    with pytest.raises(CommandError, match="Unknown student number 'NOPE'"):
        call_command("study_progress", "NOPE", "--json", stdout=io.StringIO())
