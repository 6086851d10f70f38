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


# --- The examination committees: two committees, a deliberation to hold --------------------------
class CommitteeWorld:
    """2023-2024. Committee Education (cluster Education: programmes BA-E and BA-E2) and committee
    (Bio)Technology (clusters Technology and Biotechnology: BA-T, BA-B). Education's seats: chair
    Cato (user ``chair``), secretary Sien (user ``secretary``), members Mo and Noor (no user),
    Wim substitute for the chair (user ``chair_substitute``), ombudsperson Olga (user
    ``ombuds_edu``). (Bio)Technology: chair Tom (user ``chair_tech``), secretary Tess, member Tijl.

    BA-E stage 1 has courses E1, E2, E3 (6 credits each), six students S1-S6 (numbers s0000001..6)
    who took all three in January (not yet published on 6 February 2024):
    E1 marks 4, 6, 7, 9, 12, 5 (1 of 6 passes: an unreasonable profile), E2 12, 13, 14, 11, 6, 15,
    E3 13, 12, 14, 15, 11, 12. S5 has an intolerable fail (E2: 6). The deliberation of Education
    on January is prepared, meeting on 1 February 2024."""


COMMITTEE_MARKS = {
    "E1": (4, 6, 7, 9, 12, 5),
    "E2": (12, 13, 14, 11, 6, 15),
    "E3": (13, 12, 14, 15, 11, 12),
}


def committee_world() -> CommitteeWorld:
    from committee.models import Committee, CommitteeCluster, Deliberation, Member
    from core import roles
    from exams.models import Result
    from programmes.models import ExamPeriod

    world = CommitteeWorld()
    roles.ensure_groups()
    world.year = year = AcademicYearFactory(first_year=2023)
    world.january = ExamPeriod.objects.get(academic_year=year, number=1)
    world.programme = ProgrammeFactory(code="BA-E", name="Bachelor Education", cluster="Education", credits=180)
    world.programme_2 = ProgrammeFactory(code="BA-E2", name="Bachelor Pre-school", cluster="Education", credits=180)
    world.tech = ProgrammeFactory(code="BA-T", name="Bachelor Technology", cluster="Technology", credits=180)
    world.bio = ProgrammeFactory(code="BA-B", name="Bachelor Biotechnology", cluster="Biotechnology", credits=180)
    world.courses = {
        code: CourseFactory(programme=world.programme, code=code, name=f"Course {code}", credits=6, stage=1)
        for code in COMMITTEE_MARKS
    }
    world.students, world.lines = [], {}
    for i in range(6):
        student = StudentFactory(number=f"s{i + 1:07d}", first_name=f"Student{i + 1}", last_name=f"Surname{i + 1}")
        enrolment = EnrolmentFactory(
            student=student, academic_year=year, programme=world.programme, enrolled_on=D(2023, 9, 15)
        )
        world.students.append(student)
        for code, marks in COMMITTEE_MARKS.items():
            line = ISPLineFactory(enrolment=enrolment, course=world.courses[code])
            world.lines[student.number, code] = line
            Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=marks[i])

    world.education = Committee.objects.create(academic_year=year, name="Education", approved_on=D(2023, 9, 20))
    CommitteeCluster.objects.create(committee=world.education, cluster="Education")
    world.technology = Committee.objects.create(academic_year=year, name="(Bio)Technology")
    CommitteeCluster.objects.create(committee=world.technology, cluster="Technology")
    CommitteeCluster.objects.create(committee=world.technology, cluster="Biotechnology")

    world.chair_user = personas.committee("chair", first_name="Cato", last_name="Chair")
    world.secretary_user = personas.committee("secretary", first_name="Sien", last_name="Secretary")
    world.substitute_user = personas.committee("chair_substitute", first_name="Wim", last_name="Substitute")
    world.ombuds_user = personas.ombudsperson("ombuds_edu", programme=world.programme, academic_year=year)
    world.chair_tech_user = personas.committee("chair_tech", first_name="Tom", last_name="Tech")
    world.administration = personas.administration("administration")
    world.coach = personas.coach("coach", programme=world.programme, academic_year=year)
    world.admin = personas.superuser("admin")

    def seat(committee, name, role, user=None, programme=None):
        return Member.objects.create(committee=committee, name=name, role=role, user=user, programme=programme)

    world.chair = seat(world.education, "Cato Chair", "chair", world.chair_user)
    world.secretary = seat(world.education, "Sien Secretary", "secretary", world.secretary_user, world.programme)
    world.member_mo = seat(world.education, "Mo Member", "member", programme=world.programme_2)
    world.member_noor = seat(world.education, "Noor Member", "member")
    world.chair_substitute = seat(world.education, "Wim Substitute", "chair_substitute", world.substitute_user)
    world.ombuds = seat(world.education, "Olga Ombuds", "ombudsperson", world.ombuds_user, world.programme)
    world.chair_tech = seat(world.technology, "Tom Tech", "chair", world.chair_tech_user)
    world.secretary_tech = seat(world.technology, "Tess Tech", "secretary", programme=world.tech)
    world.member_tech = seat(world.technology, "Tijl Tech", "member", programme=world.bio)

    world.deliberation = Deliberation.objects.create(
        committee=world.education, exam_period=world.january, meets_on=D(2024, 2, 1), place="Room A.101"
    )
    return world
