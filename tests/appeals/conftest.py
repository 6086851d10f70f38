"""A small college for the appeal tests, one user per role, and a clock to set."""

import datetime as dt
from contextlib import contextmanager

import pytest
import time_machine

from core import roles
from core.timeline import run_deadlines
from exams.models import Result
from programmes.models import ExamPeriod
from students.models import Enrolment, EnrolmentStatus, Measure
from tests.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)

D = dt.date
PUBLISHED = D(2024, 2, 6)  # the January exam period's publication (tests.factories)


@contextmanager
def on(day: dt.date):
    """``core.clock.today()`` is ``day`` (noon in Brussels)."""
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, 0), tick=False):
        yield


class College:
    """Programme BA-R (60 credits, ten courses C01-C10 of 6 credits) in 2023-2024; student R1
    took all ten; C01 was failed with 7 in January, published on 6 February 2024."""


def build(django_user_model, *, others_score=None) -> College:
    world = College()
    world.groups = groups = roles.ensure_groups()
    world.year = year = AcademicYearFactory(first_year=2023)
    world.programme = ProgrammeFactory(code="BA-R", kind="initial_bachelor", credits=60)
    world.student = StudentFactory(number="R1", email="r1@student.example")
    world.enrolment = EnrolmentFactory(
        student=world.student, academic_year=year, programme=world.programme, enrolled_on=D(2023, 9, 15)
    )
    world.lines = {
        f"C{i:02d}": ISPLineFactory(
            enrolment=world.enrolment, course=CourseFactory(programme=world.programme, code=f"C{i:02d}", credits=6)
        )
        for i in range(1, 11)
    }
    world.january = ExamPeriod.objects.get(academic_year=year, number=1)
    world.result = Result.objects.create(isp_line=world.lines["C01"], exam_period=world.january, opportunity=1, score=7)
    if others_score is not None:
        for code, line in world.lines.items():
            if code != "C01":
                Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=others_score)
    world.other = StudentFactory(number="R2")
    with on(D(2024, 2, 10)):
        run_deadlines(today=D(2024, 2, 10))

    def user(name, group=None, **kw):
        account = django_user_model.objects.create_user(
            name, password="a-long-password-1", email=f"{name}@college.example", **kw
        )
        if group:
            account.groups.add(groups[group])
        return account

    world.administration = user("administration", roles.ADMINISTRATION, is_staff=True)
    world.committee = user("committee", roles.COMMITTEE, is_staff=True)
    world.coach = user("coach", roles.COACH)
    world.ombudsperson = user("ombudsperson", roles.OMBUDSPERSON)
    world.admin = user("admin", is_staff=True, is_superuser=True)
    return world


@pytest.fixture
def college(db, django_user_model):
    return build(django_user_model)


@pytest.fixture
def finalist(db, django_user_model):
    """As ``college``, but every course except C01 passed with 14 in January: C01 stands
    between R1 and the programme."""
    return build(django_user_model, others_score=14)


@pytest.fixture
def refused(db, django_user_model):
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
    office = django_user_model.objects.create_user("office", email="office@college.example")
    return {"student": student, "measure": measure, "second": second, "refused": e3, "office": office}
