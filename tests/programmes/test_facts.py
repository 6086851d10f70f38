"""``programmes.facts.year_calendar``: the one function that turns an academic year into the
calendar the ISP, reschedule and fee rules read."""

import datetime

import pytest

from programmes.facts import year_calendar
from programmes.rules import CALENDAR_FIELDS
from tests.support.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_year_calendar_carries_every_date_of_the_year():
    year = AcademicYearFactory(first_year=2023)
    calendar = year_calendar(year)
    assert (calendar.code, calendar.starts_on, calendar.ends_on) == ("2023-2024", year.starts_on, year.ends_on)
    for name in CALENDAR_FIELDS:
        assert getattr(calendar, name) == getattr(year, name), name
    assert calendar.first_exam_period_ends_on == year.exam_periods.get(number=1).ends_on


def test_a_year_without_exam_period_1_has_no_end_of_it():
    year = AcademicYearFactory(first_year=2030, exam_periods=False)
    assert year_calendar(year).first_exam_period_ends_on is None
