"""A small college for the result entry tests: one student in 2023-2024 with a numeric
course, a second numeric course, a pass/fail course and a course without resit."""

import datetime
from types import SimpleNamespace

import pytest

from core.models import Transition
from exams.models import Result, ResultPart, ToleranceChoice
from exams.publication import publication_key
from students.models import ISPLine
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
)


@pytest.fixture
def college(db):
    year = AcademicYearFactory()  # 2023-2024: publications 6 Feb, 2 Jul, 13 Sep 2024
    programme = ProgrammeFactory(code="BA-RES", name="Bachelor Results")
    courses = {
        "NUM1": CourseFactory(programme=programme, code="NUM1", credits=6),
        "NUM2": CourseFactory(programme=programme, code="NUM2", credits=6),
        "PF1": CourseFactory(programme=programme, code="PF1", credits=3, pass_fail=True, tolerable=False),
        "NR1": CourseFactory(programme=programme, code="NR1", credits=3, resit=False),
        "OUT1": CourseFactory(programme=programme, code="OUT1", credits=3),  # in nobody's ISP
    }
    enrolment = EnrolmentFactory(
        programme=programme, academic_year=year, student__number="r0100001", enrolled_on=datetime.date(2023, 9, 15)
    )
    lines = {code: ISPLineFactory(enrolment=enrolment, course=courses[code]) for code in ("NUM1", "NUM2", "PF1", "NR1")}
    return SimpleNamespace(
        year=year,
        programme=programme,
        courses=courses,
        enrolment=enrolment,
        student=enrolment.student,
        lines=lines,
        periods={p.number: p for p in year.exam_periods.select_related("academic_year")},
    )


def publish_marker(period) -> None:
    """Mark ``period``'s publication as processed, as the timeline does."""
    Transition.objects.create(key=publication_key(period), due_on=period.results_published_on)


def snapshot():
    """Everything an entry could change."""
    return (
        list(
            Result.objects.order_by("pk").values_list("pk", "isp_line", "exam_period", "opportunity", "score", "grade")
        ),
        list(ResultPart.objects.order_by("pk").values_list("result", "position", "credits", "score")),
        list(
            ISPLine.objects.order_by("pk").values_list(
                "pk", "mark", "outcome", "certified_on", "tolerated_on", "tolerance_kind"
            )
        ),
        list(ToleranceChoice.objects.order_by("pk").values_list("isp_line", "on", "processed", "refusal")),
        Result.history.count(),
    )
