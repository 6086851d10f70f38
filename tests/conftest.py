import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests assert English messages; the Dutch translation is tested on its own."""
    settings.LANGUAGE_CODE = "en"


# --- The coach's pages: a small college and one user per persona ---------------------------
COACH_TODAY = __import__("datetime").date(2026, 11, 23)  # before the 1 December lock


class CoachWorld:
    """Programme BA-A (coached by ``coach``, ombudsperson ``ombudsperson``, substitute
    ``substitute``) and BA-B (coached by ``other_coach``) in 2026-2027; ``student`` is new in
    BA-A with the whole first stage. ``committee`` is a member of the examination committee,
    ``administration`` of student administration, ``admin`` a superuser."""


@pytest.fixture
def coach_world(db, django_user_model):
    import datetime

    import time_machine

    from core import roles
    from core.timeline import run_deadlines
    from programmes.models import Assignment, Prerequisite
    from tests.factories import AcademicYearFactory, CourseFactory, EnrolmentFactory, ISPLineFactory, ProgrammeFactory

    world = CoachWorld()
    groups = roles.ensure_groups()
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
        programme=programme, academic_year=year, enrolled_on=datetime.date(2026, 9, 15), student__number="r0000001"
    )
    world.student = world.enrolment.student
    world.lines = {
        code: ISPLineFactory(enrolment=world.enrolment, course=c[code])
        for code in ("A101", "A102", "A103", "A104", "A105")
    }
    world.other_enrolment = EnrolmentFactory(
        programme=other, academic_year=year, enrolled_on=datetime.date(2026, 9, 15), student__number="r0000002"
    )
    ISPLineFactory(enrolment=world.other_enrolment, course=world.other_course)
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        run_deadlines(today=COACH_TODAY)

    def user(name, group=None, **kw):
        account = django_user_model.objects.create_user(name, password="a-long-password-1", **kw)
        if group:
            account.groups.add(groups[group])
        return account

    world.coach = user("coach", roles.COACH, first_name="Katrien", last_name="De Wilde")
    world.other_coach = user("other_coach", roles.COACH)
    world.ombudsperson = user("ombudsperson", roles.OMBUDSPERSON)
    world.substitute = user("substitute", roles.OMBUDSPERSON, first_name="Sam", last_name="Stand-In")
    world.committee = user("committee_member", roles.COMMITTEE, is_staff=True)
    world.administration = user("administration", roles.ADMINISTRATION, is_staff=True)
    world.admin = user("admin", is_staff=True, is_superuser=True)
    Assignment.objects.create(user=world.coach, programme=programme, academic_year=year, role="coach")
    Assignment.objects.create(user=world.other_coach, programme=other, academic_year=year, role="coach")
    Assignment.objects.create(user=world.ombudsperson, programme=programme, academic_year=year, role="ombudsperson")
    Assignment.objects.create(user=world.substitute, programme=programme, academic_year=year, role="substitute")
    return world


@pytest.fixture
def on_coach_day():
    """Today is 2026-11-23 (time-machine), before the 1 December lock."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False) as traveller:
        yield traveller
