"""The values of an exam-moments CSV as the planning department types them: a duration that
is no number ("²" passes ``str.isdigit()``, ``int()`` refuses it) is a row problem, not a 500."""

import pytest

from reschedules.moments import parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("", 180),
        ("180", 180),
        (" 90 ", 90),
        ("3:00", 180),
        ("2u30", 150),
        ("3h", 180),
        ("14", None),  # under 15 minutes
        ("721", None),  # over 12 hours
        ("\u00b2", None),
        ("\u00b9\u00b2\u2070", None),  # "¹²⁰"
        ("9" * 5000, None),
        ("abc", None),
    ],
)
def test_a_duration_as_typed(text, minutes):
    assert parse_duration(text) == minutes
