"""Every shared worked example: import_records -> run_deadlines -> study_progress --json."""

import pytest

from tests.examples import cases, differences, load, replay, study_progress_json

@pytest.mark.django_db
@pytest.mark.parametrize("name", cases())
def test_example_matches_every_field(name):
    records, expected = load(name)
    replay(records, expected["today"])
    problems = []
    for number, shown in expected["students"].items():
        problems += differences(shown, study_progress_json(number), number)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("name", cases())
def test_example_learning_account_matches(name):
    records, expected = load(name)
    replay(records, expected["today"])
    for number, shown in expected["students"].items():
        actual = study_progress_json(number)
        assert differences({"learning_account": shown["learning_account"]}, actual, number) == []
        for enrolment in shown.get("enrolments", []):
            wanted = {k: enrolment[k] for k in ("academic_year", "programme", "status") if k in enrolment}
            if "status" in wanted:
                assert differences({"enrolments": [wanted]}, actual, number) == []


def test_comparison_reports_a_wrong_value():
    # The comparison itself can fail: a different balance and a missing course are reported.
    expected = {
        "learning_account": {"balance": 88},
        "enrolments": [{"academic_year": "a", "programme": "p", "courses": [{"course": "X"}]}],
    }
    actual = {
        "learning_account": {"balance": 87},
        "enrolments": [{"academic_year": "a", "programme": "p", "courses": []}],
    }
    assert differences(expected, actual) == [
        ".learning_account.balance: expected 88, got 87",
        ".enrolments[a/p].courses[X]: missing",
    ]
