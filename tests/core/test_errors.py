"""One refusal hierarchy (core.errors): every service's refusal is a ``Refused`` with
problems that carry a code and a message; a stale version is a ``Conflict``."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from appeals.services import Refused as AppealRefused
from core.admin import RefusedOnSave
from core.errors import Conflict, Problem, Refused, RefusedValidationError
from exams.marksheets import MarksheetFileError
from exams.results import MarksheetRefused, ResultsRefused, RowProblem
from exchange.records import RecordsInvalid
from progress.services import ISPConflict, ISPRefused
from reschedules.moments import MomentsFileError, MomentsRefused
from reschedules.services import RequestRefused
from students.rules import Problem as ISPProblem

REFUSALS = [
    ISPRefused,
    ISPConflict,
    ResultsRefused,
    MarksheetRefused,
    MarksheetFileError,
    RequestRefused,
    MomentsRefused,
    MomentsFileError,
    RecordsInvalid,
    AppealRefused,
    RefusedOnSave,
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda cls: cls.__name__)
def test_every_refusal_is_a_refused(refusal):
    assert issubclass(refusal, Refused)


def test_texts_become_problems_with_the_class_code():
    refused = AppealRefused(["Too late.", "No motivation."])
    assert refused.messages == ["Too late.", "No motivation."]
    assert refused.codes == ["appeal_refused", "appeal_refused"]
    assert str(refused) == "Too late.; No motivation."
    assert refused.problems[0] == Problem("appeal_refused", "Too late.")


def test_a_subclass_keeps_its_own_problems_and_text():
    refused = ISPRefused([ISPProblem("not_in_programme")])
    assert refused.codes == ["not_in_programme"]
    assert refused.messages == [refused.problems[0].message]

    rows = MarksheetRefused([RowProblem(3, "r0001", "Unknown student number.")])
    assert str(rows) == "1 rows refused"
    assert rows.problems[0].row == 3
    assert (rows.codes, rows.messages) == (["marksheet_row"], ["Unknown student number."])

    invalid = RecordsInvalid(["students[0].number: missing", "students[1]: duplicate"])
    assert invalid.problems == ["students[0].number: missing", "students[1]: duplicate"]
    assert invalid.messages == invalid.problems
    assert str(invalid) == "students[0].number: missing\nstudents[1]: duplicate"

    unreadable = MarksheetFileError("The file is empty.")
    assert (str(unreadable), unreadable.codes) == ("The file is empty.", ["marksheet_file"])


def test_a_conflict_keeps_the_versions():
    conflict = ISPConflict(expected=3, current=4)
    assert isinstance(conflict, Conflict)
    assert (conflict.expected, conflict.current) == (3, 4)
    assert str(conflict) == "ISP version 3 is out of date (now 4)"
    assert conflict.codes == ["stale_version"]
    assert "Someone else saved this ISP" in conflict.messages[0]


def test_a_refused_validation_error_is_a_forms_error():
    one = RequestRefused("no_reason")
    assert isinstance(one, ValidationError)
    assert (one.code, one.refusal, one.codes) == ("no_reason", "no_reason", ["no_reason"])
    assert one.messages == [one.message]

    several = ResultsRefused([(0, "Mark 21 is not a mark."), (2, "Published.")])
    assert several.problems == [(0, "Mark 21 is not a mark."), (2, "Published.")]
    assert several.messages == ["Mark 21 is not a mark.", "Published."]
    assert [error.code for error in several.error_list] == ["result_refused", "result_refused"]

    form = forms.Form({})
    form.is_valid()
    form.add_error(None, RefusedValidationError([Problem("late", "Too late."), Problem("void", "Void.")]))
    assert form.non_field_errors() == ["Too late.", "Void."]
