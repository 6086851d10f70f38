"""The bounds of a typed date (core.validators), table-driven: what each range admits and the
message that names it, day/month/year."""

import datetime

import pytest
from django import forms

from core.validators import (
    BoundedDatesMixin,
    DateRange,
    around_year,
    check_dates,
    from_1950,
    plausible,
    years_after,
)

D = datetime.date
TODAY = D(2026, 11, 23)
YEAR = (D(2025, 9, 14), D(2026, 9, 13))  # academic year 2025-2026


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2026, 11, 23), 1, D(2027, 11, 23)),
        (D(2026, 11, 23), -1, D(2025, 11, 23)),
        (D(2024, 2, 29), 1, D(2025, 2, 28)),  # no 29 February in 2025
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(9999, 6, 1), 1, D(9999, 6, 1)),  # the calendar ends in 9999
        (D(1, 6, 1), -1, D(1, 6, 1)),
    ],
)
def test_the_same_day_years_later(day, years, expected):
    assert years_after(day, years) == expected


@pytest.mark.parametrize(
    ("allowed", "earliest", "latest"),
    [
        # A year's own dates with the years before and after it, up to a year after today.
        (around_year(*YEAR, today=TODAY), D(2024, 9, 14), D(2027, 9, 13)),
        (around_year(D(2026, 9, 14), D(2027, 9, 12), today=TODAY), D(2025, 9, 14), D(2027, 11, 23)),
        (around_year(D(2027, 9, 13), D(2028, 9, 11), today=TODAY), D(2026, 9, 13), D(2027, 11, 23)),
        # Far ahead of today: a single day is left.
        (around_year(D(2030, 9, 16), D(2031, 9, 14), today=TODAY), D(2029, 9, 16), D(2029, 9, 16)),
        # A calendar planned ahead: no bound by today.
        (around_year(D(2030, 9, 16), D(2031, 9, 14), today=None), D(2029, 9, 16), D(2032, 9, 14)),
        # Never before 1950.
        (around_year(D(1950, 9, 1), D(1951, 8, 31), today=TODAY), D(1950, 1, 1), D(1952, 8, 31)),
        (from_1950(today=TODAY), D(1950, 1, 1), D(2027, 11, 23)),
        (plausible(today=D(2024, 2, 29)), D(1950, 1, 1), D(2025, 2, 28)),
    ],
)
def test_each_range(allowed, earliest, latest):
    assert (allowed.earliest, allowed.latest) == (earliest, latest)


@pytest.mark.parametrize(
    ("day", "admitted"),
    [
        (D(1, 1, 1), False),
        (D(1949, 12, 31), False),
        (D(2024, 9, 13), False),
        (D(2024, 9, 14), True),  # a year before the start
        (D(2025, 10, 1), True),
        (D(2027, 9, 13), True),  # a year after the end
        (D(2027, 9, 14), False),
        (D(2028, 11, 23), False),  # two years ahead
        (D(9999, 12, 31), False),
        (None, True),  # no date: the field's own "required" says so
    ],
)
def test_what_the_range_of_an_academic_year_admits(day, admitted):
    allowed = around_year(*YEAR, today=TODAY)
    assert (allowed.problem(day) is None) is admitted


def test_the_message_names_the_range_day_month_year():
    allowed = DateRange(D(2024, 9, 14), D(2027, 9, 13))
    assert allowed.message == "Give a date from 14/09/2024 to 13/09/2027."
    with pytest.raises(forms.ValidationError) as raised:
        allowed.check(D(1, 1, 1))
    assert raised.value.messages == ["Give a date from 14/09/2024 to 13/09/2027."]
    allowed.check(D(2025, 1, 1))  # no error


def test_the_dates_of_the_message_in_dutch_are_day_month_year_too():
    from django.utils import translation

    with translation.override("nl"):
        message = DateRange(D(2024, 9, 14), D(2027, 9, 13)).message
    assert "14/09/2024" in message and "13/09/2027" in message


class Dated(BoundedDatesMixin, forms.Form):
    on = forms.DateField()
    other = forms.DateField(required=False)


@pytest.mark.parametrize(
    ("data", "date_range", "errors"),
    [
        ({"on": "2025-10-01"}, None, {}),
        ({"on": "0001-01-01"}, None, {"on": ["Give a date from 01/01/1950 to 23/11/2027."]}),
        ({"on": "2028-11-23"}, None, {"on": ["Give a date from 01/01/1950 to 23/11/2027."]}),
        (
            {"on": "2023-10-01", "other": "2028-01-01"},
            around_year(*YEAR, today=TODAY),
            {
                "on": ["Give a date from 14/09/2024 to 13/09/2027."],
                "other": ["Give a date from 14/09/2024 to 13/09/2027."],
            },
        ),
        ({"on": "2025-10-01", "other": ""}, around_year(*YEAR, today=TODAY), {}),
    ],
)
def test_a_form_bounds_every_date_field(data, date_range, errors):
    form = Dated(data, date_range=date_range, today=TODAY)
    assert form.is_valid() is (not errors)
    assert form.errors == errors


def test_check_dates_skips_a_field_without_a_range():
    form = Dated({"on": "0001-01-01"}, today=TODAY)
    form.full_clean()
    form.errors.clear()
    form.cleaned_data = {"on": D(1, 1, 1)}
    check_dates(form, {"on": None})
    assert not form.errors
