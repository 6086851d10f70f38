"""The fee facts from rows a caller has read (the what-if preview, issue 19) are the facts the
recalculation reads itself."""

import datetime

import pytest

from fees.services import _facts, facts_from_read
from students.models import Enrolment, ISPLine, LearningAccountEntry
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_facts_from_rows_read_are_the_facts_read(django_assert_num_queries):
    year = AcademicYearFactory(first_year=2023)
    earlier = AcademicYearFactory(first_year=2022)
    ba, ma, other = ProgrammeFactory(code="BA-P"), ProgrammeFactory(code="MA-P"), ProgrammeFactory(code="X-P")
    first = EnrolmentFactory(
        programme=ba, academic_year=year, enrolled_on=D(2023, 9, 15), student__number="p0001", balance_at_enrolment=20
    )
    student = first.student
    first.deregistered_on, first.status = D(2023, 11, 20), "deregistered"
    first.save()
    EnrolmentFactory(student=student, programme=other, academic_year=year, enrolled_on=D(2023, 9, 16), status="refused")
    second = EnrolmentFactory(
        student=student, programme=ma, academic_year=year, enrolled_on=D(2023, 11, 21), contract="credit"
    )
    EnrolmentFactory(student=student, programme=ba, academic_year=earlier, enrolled_on=D(2022, 9, 15))
    for index, (enrolment, semester, added, removed, exempted) in enumerate(
        [
            (first, "1", D(2023, 9, 15), None, False),
            (first, "2", D(2023, 9, 15), D(2023, 10, 10), False),
            (first, "1", D(2023, 10, 1), None, True),
            (second, "2", D(2023, 11, 21), None, False),
            (second, "1", D(2023, 12, 5), None, False),
        ]
    ):
        course = CourseFactory(programme=enrolment.programme, code=f"P{index}", credits=3 + index, semester=semester)
        ISPLineFactory(enrolment=enrolment, course=course, added_on=added, removed_on=removed, exempted=exempted)
    for on, credits, kind, source, entry_year, programme in [
        (D(2023, 9, 15), -30, "deduction", "isp:1", year, ba),
        (D(2023, 11, 20), 6, "refund", "deregistration:1", year, ba),
        (D(2023, 11, 21), -9, "deduction", "isp:2", year, ma),
        (D(2023, 11, 21), 4, "refund", "switch:generation", year, ma),
        (D(2022, 9, 15), -60, "deduction", "isp:0", earlier, ba),
    ]:
        LearningAccountEntry.objects.create(
            student=student,
            on=on,
            credits=credits,
            kind=kind,
            source=source,
            academic_year=entry_year,
            programme=programme,
        )
    enrolments = list(Enrolment.objects.filter(student=student, academic_year=year).select_related("programme"))
    lines = list(ISPLine.objects.filter(enrolment__in=enrolments).select_related("course"))
    entries = list(
        LearningAccountEntry.objects.filter(student=student).values(
            "kind", "credits", "source", "academic_year_id", "programme_id", "on"
        )
    )
    for on in (D(2023, 9, 14), D(2023, 9, 20), D(2023, 10, 10), D(2023, 11, 21), D(2023, 12, 5), D(2024, 3, 1)):
        with django_assert_num_queries(0):
            found = facts_from_read(student.pk, year, on, enrolments=enrolments, lines=lines, entries=entries)
        assert found == _facts(student, year, on), on
