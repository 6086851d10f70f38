"""The ombudsperson's world on top of the coach issue's ``coach_world`` (tests/conftest.py,
which has BA-A's ombudsperson and substitute): exam moments of BA-A in 2026-2027 and an
ombudsperson for BA-B.

2026-2027 (tests.support.factories): exam period 1 from 8 January to 2 February 2027 (published
6 February), period 2 from 27 May to 28 June, period 3 from 16 August to 11 September.
Student r0000001 follows the model route of stage 1 (A101-A105).
"""

import datetime

from tests.support import personas

D = datetime.date
T = datetime.time

# course -> (exam period, date, start, room)
MOMENTS = {
    "A101": (1, D(2027, 1, 11), T(9, 0), "B.101"),
    "A102": (1, D(2027, 1, 14), T(9, 0), "B.102"),
    "A105": (2, D(2027, 6, 1), T(13, 30), "C.001"),
    "A103": (2, D(2027, 6, 3), T(9, 0), "B.101"),
    "A104": (2, D(2027, 6, 7), T(9, 0), "B.101"),
}
RESITS = {
    "A101": D(2027, 8, 20),
    "A102": D(2027, 8, 23),
}


def add_ombuds_world(world, django_user_model=None):
    """Add the exam moments and the ombudspersons to ``world`` (once)."""
    if getattr(world, "moments", None) is not None:
        return world
    from reschedules.models import ExamMoment

    periods = {p.number: p for p in world.year.exam_periods.select_related("academic_year")}
    world.periods = periods
    world.moments = {}
    for code, (number, on, starts_at, room) in MOMENTS.items():
        world.moments[code] = ExamMoment.objects.create(
            course=world.courses[code],
            exam_period=periods[number],
            on=on,
            starts_at=starts_at,
            room=room,
            announced_on=D(2026, 10, 1),
        )
    for code, on in RESITS.items():
        world.moments[f"{code}-3"] = ExamMoment.objects.create(
            course=world.courses[code], exam_period=periods[3], on=on, starts_at=T(9, 0), room="A.001"
        )
    world.other_ombudsperson = personas.ombudsperson(
        "other_ombudsperson", programme=world.other_programme, academic_year=world.year
    )
    return world


TODAY = D(2026, 11, 23)


def log(world, *, kind="force_majeure", code="A101", period=1, on=TODAY, reason="ill", by=None, **kw):
    """Log a request through the service (as the ombudsperson by default), on ``TODAY``."""
    from reschedules.services import request_log

    return request_log(
        student=world.student,
        course=world.courses[code],
        exam_period=world.periods[period],
        kind=kind,
        requested_on=on,
        reason=reason,
        today=kw.pop("today", TODAY),
        by=by or world.ombudsperson,
        **kw,
    )


def ombuds_admin_records(line, user):
    """One of each of the ombudsperson's models around ISP line ``line`` (tests/core/test_admin.py)."""
    from reschedules.models import CourseExaminer, ExamMoment, OmbudsReport, RescheduleRequest, SpecialStatus

    enrolment = line.enrolment
    year = enrolment.academic_year
    period = year.exam_periods.get(number=1)
    moment = ExamMoment.objects.create(
        course=line.course, exam_period=period, on=period.starts_on, starts_at=T(9), room="B.101"
    )
    CourseExaminer.objects.create(course=line.course, academic_year=year, user=user)
    SpecialStatus.objects.create(
        student=enrolment.student, academic_year=year, kind="athlete", level="A", granted_by="committee",
        granted_on=year.starts_on,
    )  # fmt: skip
    RescheduleRequest.objects.create(
        kind="force_majeure",
        isp_line=line,
        exam_period=period,
        exam_moment=moment,
        requested_on=period.starts_on,
        reason="ill",
        logged_by=user,
    )
    OmbudsReport.objects.create(
        programme=enrolment.programme, academic_year=year, prepared_on=year.ends_on, due_on=year.ends_on
    )
