"""The small colleges that tests of several apps share, built from the factories and the
personas (tests/support). The fixtures that hand them out live in the conftest files:
``coach_world`` in tests/conftest.py, ``college`` and ``finalist`` in tests/appeals/conftest.py
and tests/demo/conftest.py."""

import datetime
from contextlib import contextmanager

import time_machine

from tests.support import personas
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)

D = datetime.date


@contextmanager
def on(day: datetime.date):
    """``core.clock.today()`` is ``day`` (noon in Brussels)."""
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, 0), tick=False):
        yield


# --- The coach's pages: a small college and one user per persona ---------------------------
COACH_TODAY = D(2026, 11, 23)  # before the 1 December lock


class CoachWorld:
    """Programme BA-A (coached by ``coach``, ombudsperson ``ombudsperson``, substitute
    ``substitute``) and BA-B (coached by ``other_coach``) in 2026-2027; ``student`` is new in
    BA-A with the whole first stage. ``committee`` is a member of the examination committee,
    ``administration`` of student administration, ``admin`` a superuser."""


def ensure_fee_schedule() -> None:
    """The fee schedule a data migration loads (2023-2024): a browser test's database is
    flushed after each test (TransactionTestCase), data migrations' rows with it, so a world
    that shows fees loads it again (idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("fees.migrations.0002_fee_schedule_2023_2024").load(apps, None)


def coach_world() -> CoachWorld:
    from core.timeline import run_deadlines
    from programmes.models import Prerequisite

    ensure_fee_schedule()
    world = CoachWorld()
    world.year = year = AcademicYearFactory(first_year=2026)
    world.programme = programme = ProgrammeFactory(code="BA-A", name="Bachelor A")
    world.other_programme = other = ProgrammeFactory(code="BA-B", name="Bachelor B")
    spec = [
        # code, credits, semester, stage
        ("A101", 6, "1", 1),
        ("A102", 6, "1", 1),
        ("A103", 6, "2", 1),
        ("A104", 6, "2", 1),
        ("A105", 6, "year", 1),
        ("A201", 6, "1", 2),  # SQ A101
        ("A202", 6, "2", 2),  # SSQ A103
        ("A203", 5, "2", 2),
        ("A204", 4, "1", 2),  # identical to A102
    ]
    world.courses = {
        code: CourseFactory(programme=programme, code=code, credits=credits, semester=semester, stage=stage)
        for code, credits, semester, stage in spec
    }
    c = world.courses
    Prerequisite.objects.create(course=c["A201"], required=c["A101"], kind="SQ")
    Prerequisite.objects.create(course=c["A202"], required=c["A103"], kind="SSQ")
    c["A204"].identical_to.add(c["A102"])
    world.other_course = CourseFactory(programme=other, code="B101", credits=6)

    world.enrolment = EnrolmentFactory(
        programme=programme, academic_year=year, enrolled_on=D(2026, 9, 15), student__number="r0000001"
    )
    world.student = world.enrolment.student
    world.lines = {
        code: ISPLineFactory(enrolment=world.enrolment, course=c[code])
        for code in ("A101", "A102", "A103", "A104", "A105")
    }
    world.other_enrolment = EnrolmentFactory(
        programme=other, academic_year=year, enrolled_on=D(2026, 9, 15), student__number="r0000002"
    )
    ISPLineFactory(enrolment=world.other_enrolment, course=world.other_course)
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        run_deadlines(today=COACH_TODAY)

    world.coach = personas.coach(
        "coach", programme=programme, academic_year=year, first_name="Katrien", last_name="De Wilde"
    )
    world.other_coach = personas.coach("other_coach", programme=other, academic_year=year)
    world.ombudsperson = personas.ombudsperson("ombudsperson", programme=programme, academic_year=year)
    world.substitute = personas.substitute(
        "substitute", programme=programme, academic_year=year, first_name="Sam", last_name="Stand-In"
    )
    world.committee = personas.committee("committee_member")
    world.administration = personas.administration("administration")
    world.admin = personas.superuser("admin")
    return world


# --- The appeal register: a small college, one user per role -------------------------------
PUBLISHED = D(2024, 2, 6)  # the January exam period's publication (tests.support.factories)


class College:
    """Programme BA-R (60 credits, ten courses C01-C10 of 6 credits) in 2023-2024; student R1
    took all ten; C01 was failed with 7 in January, published on 6 February 2024."""


def appeals_college(*, others_score=None) -> College:
    """The appeal tests' college; with ``others_score`` every course but C01 has that mark in January."""
    from core import roles
    from core.timeline import run_deadlines
    from exams.models import Result
    from programmes.models import ExamPeriod

    world = College()
    world.groups = roles.ensure_groups()
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

    def email(name):
        return f"{name}@college.example"

    world.administration = personas.administration("administration", email=email("administration"))
    world.committee = personas.committee("committee", email=email("committee"))
    world.coach = personas.coach("coach", email=email("coach"))
    world.ombudsperson = personas.ombudsperson("ombudsperson", email=email("ombudsperson"))
    world.admin = personas.superuser("admin", email=email("admin"))
    return world
