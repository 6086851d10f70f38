"""``progress.facts.isp_context``'s reads that the ISP rules decide on: which enrolment of a
year is the main one (decided: the most ISP credits, the earliest on a tie), whether the student
is new to the programme and holds a bachelor's degree; read in one query since issue 19."""

import datetime

import pytest

from progress.facts import isp_context
from students.models import Degree
from tests.support.factories import AcademicYearFactory, EnrolmentFactory, ISPLineFactory, ProgrammeFactory

D = datetime.date
TODAY = D(2026, 11, 23)


def _with_credits(enrolment, *credits, removed=()):
    for n in credits:
        ISPLineFactory(enrolment=enrolment, course__credits=n)
    for n in removed:
        ISPLineFactory(enrolment=enrolment, course__credits=n, removed_on=D(2026, 10, 1))
    return enrolment


@pytest.fixture
def year(db):
    return AcademicYearFactory(first_year=2026)


@pytest.mark.parametrize(
    ("first", "second", "first_main", "second_main"),
    [
        # (credits, removed credits, status) of each enrolment of the same year
        (((12,), (), "enrolled"), ((18,), (), "enrolled"), False, True),
        (((18,), (), "enrolled"), ((12,), (), "enrolled"), True, False),
        # a tie: the earlier enrolment is the main one
        (((12,), (), "enrolled"), ((6, 6), (), "enrolled"), True, False),
        # removed lines do not count
        (((12,), (), "enrolled"), ((6,), (30,), "enrolled"), True, False),
        # an enrolment no longer enrolled does not compete
        (((6,), (), "enrolled"), ((30,), (), "deregistered"), True, True),
    ],
)
def test_the_main_enrolment_of_a_year(year, first, second, first_main, second_main):
    a = EnrolmentFactory(academic_year=year, status=first[2])
    b = EnrolmentFactory(academic_year=year, student=a.student, status=second[2])
    _with_credits(a, *first[0], removed=first[1])
    _with_credits(b, *second[0], removed=second[1])
    assert isp_context(a.pk, today=TODAY).facts.main_enrolment is first_main
    assert isp_context(b.pk, today=TODAY).facts.main_enrolment is second_main


def test_new_to_the_programme_and_the_bachelors_degree(year):
    earlier_year = AcademicYearFactory(first_year=2025)
    programme = ProgrammeFactory()
    now = EnrolmentFactory(academic_year=year, programme=programme)
    facts = isp_context(now.pk, today=TODAY)
    assert facts.facts.past.new_to_programme is True and facts.holds_bachelor is False
    # A refused earlier enrolment does not count; an admitted one does.
    before = EnrolmentFactory(academic_year=earlier_year, programme=programme, student=now.student, status="refused")
    assert isp_context(now.pk, today=TODAY).facts.past.new_to_programme is True
    before.status = "enrolled"
    before.save()
    assert isp_context(now.pk, today=TODAY).facts.past.new_to_programme is False
    # A bachelor's degree counts from the day it was obtained.
    Degree.objects.create(student=now.student, kind="bachelor", on=D(2026, 12, 1), programme=programme)
    assert isp_context(now.pk, today=TODAY).holds_bachelor is False
    assert isp_context(now.pk, today=D(2026, 12, 1)).holds_bachelor is True
