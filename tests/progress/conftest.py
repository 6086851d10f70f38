"""Fixtures of the progress tests."""

import datetime

import pytest
import time_machine

from students.models import ISPLine


@pytest.fixture
def tolerance_file_world(db):
    """BANABA-T (bachelor after bachelor, 60 credits: tolerance credit 10 % = 6, no decree
    threshold, no learning account). 2023-2024 (degree contract): T1 14, T2 14, T3 9, T4 8,
    6 credits each, all in the third exam period, published on 13 September 2024: T3 and T4
    are tolerable fails, study efficiency 12/24 = 50 %; the choice window runs to 13 + 15 =
    28 September 2024. 2024-2025: a draft ISP of 30 credits (T3-T7)."""
    from types import SimpleNamespace

    from core.timeline import run_deadlines
    from exams.results import result_record
    from tests.support.factories import (
        AcademicYearFactory,
        CourseFactory,
        EnrolmentFactory,
        ISPLineFactory,
        ProgrammeFactory,
    )

    first, second = AcademicYearFactory(first_year=2023), AcademicYearFactory(first_year=2024)
    programme = ProgrammeFactory(code="BANABA-T", kind="bachelor_after_bachelor", credits=60)
    courses = {f"T{n}": CourseFactory(programme=programme, code=f"T{n}", credits=6) for n in range(1, 8)}
    earlier = EnrolmentFactory(programme=programme, academic_year=first, enrolled_on=datetime.date(2023, 9, 15))
    period = first.exam_periods.get(number=3)
    lines = {}
    for code, mark in (("T1", 14), ("T2", 14), ("T3", 9), ("T4", 8)):
        lines[code] = ISPLineFactory(enrolment=earlier, course=courses[code])
        result_record(isp_line=lines[code], exam_period=period, opportunity=1, mark=mark)
    with time_machine.travel(datetime.datetime(2024, 9, 13, 12, 0), tick=False):
        run_deadlines(today=datetime.date(2024, 9, 13))
    enrolment = EnrolmentFactory(
        student=earlier.student, programme=programme, academic_year=second, enrolled_on=datetime.date(2024, 9, 16)
    )
    for code in ("T3", "T4", "T5", "T6", "T7"):
        ISPLineFactory(enrolment=enrolment, course=courses[code])
    assert {line.outcome for line in ISPLine.objects.filter(enrolment=earlier, course__code__in=["T3", "T4"])} == {
        "tolerable"
    }
    return SimpleNamespace(enrolment=enrolment, lines=lines, student=earlier.student)


def _noon(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False)


@pytest.fixture
def tolerated_retake_world(db):
    """BA-R (initial bachelor, 60 credits: tolerance credit 10 % = 6). 2023-2024 (degree
    contract): R1-R4 14, R5 9, 6 credits each, published on 13 September 2024: R5 is a
    tolerable fail, study efficiency 24/30 = 80 %, tolerated (6 of the 6 credits of
    tolerance credit). 2024-2025, the end of the programme: R6 (6) and R7 (24), the 30
    credits left to the degree; R5 may be retaken on request with the cluster's approval."""
    from types import SimpleNamespace

    from core.timeline import run_deadlines
    from exams.results import result_record, tolerance_choice_record
    from tests.support.factories import (
        AcademicYearFactory,
        CourseFactory,
        EnrolmentFactory,
        ISPLineFactory,
        ProgrammeFactory,
    )
    from tests.support.personas import coach

    first, second = AcademicYearFactory(first_year=2023), AcademicYearFactory(first_year=2024)
    programme = ProgrammeFactory(code="BA-R", kind="initial_bachelor", credits=60)
    courses = {f"R{n}": CourseFactory(programme=programme, code=f"R{n}", credits=6) for n in range(1, 7)}
    courses["R7"] = CourseFactory(programme=programme, code="R7", credits=24, stage=2)
    with _noon(datetime.date(2023, 9, 15)):
        earlier = EnrolmentFactory(programme=programme, academic_year=first, enrolled_on=datetime.date(2023, 9, 15))
        lines = {
            code: ISPLineFactory(enrolment=earlier, course=courses[code]) for code in ("R1", "R2", "R3", "R4", "R5")
        }
        run_deadlines(today=datetime.date(2023, 9, 15))
    period = first.exam_periods.get(number=3)
    for code, mark in (("R1", 14), ("R2", 14), ("R3", 14), ("R4", 14), ("R5", 9)):
        result_record(isp_line=lines[code], exam_period=period, opportunity=1, mark=mark)
    published = datetime.date(2024, 9, 13)
    with _noon(published):
        run_deadlines(today=published)
        if ISPLine.objects.get(pk=lines["R5"].pk).tolerated_on is None:
            tolerance_choice_record(isp_line=lines["R5"], on=published, today=published)
    assert ISPLine.objects.get(pk=lines["R5"].pk).tolerated_on is not None
    with _noon(datetime.date(2024, 9, 16)):
        enrolment = EnrolmentFactory(
            student=earlier.student, programme=programme, academic_year=second, enrolled_on=datetime.date(2024, 9, 16)
        )
        for code in ("R6", "R7"):
            ISPLineFactory(enrolment=enrolment, course=courses[code])
        run_deadlines(today=datetime.date(2024, 9, 16))
    return SimpleNamespace(
        enrolment=enrolment,
        earlier=earlier,
        lines=lines,
        courses=courses,
        student=earlier.student,
        programme=programme,
        coach=coach("retake-coach", programme=programme, academic_year=second),
    )
