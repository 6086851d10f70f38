"""A small college for the appeal tests, one user per role (tests/support/worlds.py), and a
clock to set (``on``)."""

import datetime as dt

import pytest

from core.timeline import run_deadlines
from exams.models import Result
from programmes.models import ExamPeriod
from students.models import Enrolment, EnrolmentStatus, Measure
from tests.support import personas
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)
from tests.support.worlds import appeals_college, on

D = dt.date


@pytest.fixture
def college(db):
    return appeals_college()


@pytest.fixture
def finalist(db):
    """As ``college``, but every course except C01 passed with 14 in January: C01 stands
    between R1 and the programme."""
    return appeals_college(others_score=14)


@pytest.fixture
def refused(db):
    """The Art. 34 case: in 2024-2025 (second year) a study efficiency of 0 % kept T2 (8) and T3
    (9) from tolerance, so the threshold package was not reached: refused from 2025-2026 on.
    The tolerance credit (12, a starter's cap) would tolerate both."""
    years = [AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025)]
    ba = ProgrammeFactory(code="BA-L", kind="initial_bachelor", credits=180)
    course = {
        code: CourseFactory(programme=ba, code=code, credits=6) for code in ("T1", "T2", "T3", "P1", "P2", "P3", "P4")
    }
    course["U1"] = CourseFactory(programme=ba, code="U1", credits=30)
    student = StudentFactory(number="L1")
    e1 = EnrolmentFactory(student=student, academic_year=years[0], programme=ba, enrolled_on=D(2023, 9, 15))
    e2 = EnrolmentFactory(student=student, academic_year=years[1], programme=ba, enrolled_on=D(2024, 9, 15))
    e3 = EnrolmentFactory(student=student, academic_year=years[2], programme=ba, enrolled_on=D(2025, 7, 15))
    p1 = [ExamPeriod.objects.get(academic_year=y, number=1) for y in years[:2]]
    for code, score in (("T1", 14), ("T2", 8), ("T3", 5), ("P1", 12), ("P2", 12), ("P3", 12), ("P4", 12)):
        Result.objects.create(
            isp_line=ISPLineFactory(enrolment=e1, course=course[code]), exam_period=p1[0], opportunity=1, score=score
        )
    second = {}
    for code, score in (("T2", 8), ("T3", 9), ("U1", 4)):
        second[code] = ISPLineFactory(enrolment=e2, course=course[code])
        Result.objects.create(isp_line=second[code], exam_period=p1[1], opportunity=1, score=score)
    ISPLineFactory(enrolment=e3, course=course["U1"])
    with on(D(2025, 9, 20)):
        run_deadlines(today=D(2025, 9, 20))
    measure = Measure.objects.get(student=student)
    assert (measure.kind, measure.from_year_code) == ("threshold_refusal", "2025-2026")
    assert Enrolment.objects.get(pk=e3.pk).status == EnrolmentStatus.REFUSED
    office = personas.make_user("office", password=None, email="office@college.example")
    return {"student": student, "measure": measure, "second": second, "refused": e3, "office": office}
