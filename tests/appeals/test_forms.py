"""The appeal forms read a mark with the exams' one mark parser and keep their own message."""

import pytest

from appeals.forms import DecisionForm

MESSAGE = "A mark is a whole number from 0 to 20, or P, F or NA."


@pytest.mark.parametrize(
    ("typed", "mark"),
    [
        ("14", 14),
        (" na", "NA"),
        ("p", "P"),
        ("", None),
        ("21", MESSAGE),
        ("-1", MESSAGE),
        ("X", MESSAGE),
        # "²" passes str.isdigit() but is no number: the form's own parser crashed on it.
        ("\u00b2", MESSAGE),
    ],
)
def test_the_new_mark_of_a_decision(typed, mark):
    form = DecisionForm(data={"outcome": "new_decision", "on": "2024-03-01", "mark": typed, "reason": "Heard."})
    if mark == MESSAGE:
        assert not form.is_valid()
        assert form.errors["mark"] == [MESSAGE]
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["mark"] == mark
