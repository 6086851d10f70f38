"""Every worked example, shared and ours (tests/cases/): import_records -> run_deadlines
-> study_progress --json."""

import pytest

from tests.support.examples import all_cases, differences, load, replay, study_progress_json


def _params(*, strict: bool) -> list:
    """One parameter per case. An expected file with ``"xfail": "reason"`` shows a known
    bug: the full comparison must fail (strict) until the bug is fixed; the learning
    account alone may or may not be hit by it (not strict)."""
    params = []
    for directory, name in all_cases():
        _records, expected = load(name, directory)
        marks = [pytest.mark.xfail(strict=strict, reason=expected["xfail"])] if "xfail" in expected else []
        params.append(pytest.param(directory, name, marks=marks, id=f"{directory.name}/{name}"))
    return params


@pytest.mark.django_db
@pytest.mark.parametrize(("directory", "name"), _params(strict=True))
def test_example_matches_every_field(directory, name):
    records, expected = load(name, directory)
    replay(records, expected["today"])
    problems = []
    for number, shown in expected["students"].items():
        problems += differences(shown, study_progress_json(number), number)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(("directory", "name"), _params(strict=False))
def test_example_learning_account_matches(directory, name):
    records, expected = load(name, directory)
    replay(records, expected["today"])
    for number, shown in expected["students"].items():
        actual = study_progress_json(number)
        assert differences({"learning_account": shown.get("learning_account", {})}, actual, number) == []
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
