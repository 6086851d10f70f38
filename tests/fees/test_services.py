"""Recalculation into dated fee statements, through the timeline and live changes."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.timeline import run_deadlines
from fees.models import FeeSchedule, FeeStatement
from fees.services import fees_recalculate
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2023, 9, 18)  # the factory's 2023-2024 starts on 18 September
SECOND = datetime.date(2024, 2, 3)  # the day after exam period 1 ends (fees.rules)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def enrolment():
    year = AcademicYearFactory(first_year=2023)
    programme = ProgrammeFactory(code="BA-FEE")
    enrolment = EnrolmentFactory(
        programme=programme, academic_year=year, enrolled_on=datetime.date(2023, 9, 15), student__number="f0001"
    )
    for index in range(10):
        course = CourseFactory(programme=programme, code=f"F{index}", credits=6, semester="1" if index < 5 else "2")
        ISPLineFactory(enrolment=enrolment, course=course)
    return enrolment


def approve(enrolment, on, callbacks):
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(10)), tick=False), callbacks(execute=True):
        run_deadlines(today=on)
        enrolment.refresh_from_db()
        enrolment.isp_status = "approved"
        enrolment.isp_approved_on = on
        enrolment.save()


def amounts(student):
    return [(s.on, s.total, s.reason) for s in FeeStatement.objects.filter(student=student).order_by("on", "id")]


def test_the_fixed_part_on_enrolment_then_the_variable_part_after_isp_approval(
    enrolment, django_capture_on_commit_callbacks
):
    approve(enrolment, datetime.date(2023, 10, 2), django_capture_on_commit_callbacks)
    assert amounts(enrolment.student) == [
        (datetime.date(2023, 9, 15), Decimal("282.10"), "enrolment"),
        (datetime.date(2023, 10, 2), Decimal("1092.10"), "isp_approved"),
    ]
    latest = FeeStatement.objects.filter(student=enrolment.student).last()
    assert latest.change == Decimal("810.00")


def test_a_recalculation_that_gives_the_same_amount_adds_no_statement(enrolment, django_capture_on_commit_callbacks):
    approve(enrolment, datetime.date(2023, 10, 2), django_capture_on_commit_callbacks)
    before = FeeStatement.objects.count()
    run_deadlines(today=datetime.date(2023, 10, 2))
    on = datetime.date(2023, 10, 3)
    assert fees_recalculate(student=enrolment.student, academic_year=enrolment.academic_year, on=on, reason="x") == []
    assert FeeStatement.objects.count() == before


def test_adding_and_removing_courses_and_the_grant_status_each_add_a_statement(
    enrolment, django_capture_on_commit_callbacks
):
    approve(enrolment, datetime.date(2023, 10, 2), django_capture_on_commit_callbacks)
    extra = CourseFactory(programme=enrolment.programme, code="F99", credits=4, semester="2")
    ISPLineFactory(enrolment=enrolment, course=extra, added_on=datetime.date(2023, 10, 10))
    line = enrolment.lines.get(course__code="F0")
    line.removed_on = datetime.date(2023, 10, 20)
    line.save()
    run_deadlines(today=datetime.date(2023, 10, 20))
    with (
        time_machine.travel(datetime.datetime(2023, 11, 6, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enrolment.refresh_from_db()
        enrolment.grant_status = "scholarship"
        enrolment.save()
    assert amounts(enrolment.student)[2:] == [
        (datetime.date(2023, 10, 10), Decimal("1146.10"), "isp_change"),
        (datetime.date(2023, 10, 20), Decimal("1065.10"), "isp_change"),
        (datetime.date(2023, 11, 6), Decimal("128.80"), "grant_status"),
    ]


def test_credits_without_learning_account_are_charged_the_surcharge(django_capture_on_commit_callbacks):
    year = AcademicYearFactory(first_year=2023)
    programme = ProgrammeFactory(code="BA-LOW")
    enrolment = EnrolmentFactory(
        programme=programme,
        academic_year=year,
        enrolled_on=datetime.date(2023, 9, 15),
        student__opening_balance=40,
        student__opening_on=datetime.date(2023, 9, 1),
    )
    for _index in range(10):
        ISPLineFactory(enrolment=enrolment, course=CourseFactory(programme=programme, credits=6))
    approve(enrolment, datetime.date(2023, 10, 2), django_capture_on_commit_callbacks)
    latest = FeeStatement.objects.filter(student=enrolment.student).last()
    assert (latest.surcharge_credits, latest.surcharge) == (20, Decimal("270.00"))
    assert latest.total == Decimal("1362.10")


@pytest.mark.parametrize(
    ("deregistered_on", "total"),
    [
        (START + 28 * DAY, "282.10"),  # within 4 weeks: the fixed part
        (START + 29 * DAY, "484.60"),  # within 8 weeks: + half of the 30 first-semester credits
        (START + 57 * DAY, "687.10"),  # later: + all first-semester credits
        (SECOND + 28 * DAY, "687.10"),  # semester 2 within 4 weeks: the first-semester credits
        (SECOND + 29 * DAY, "889.60"),  # within 8 weeks: + half of the second-semester credits
        (SECOND + 57 * DAY, "1092.10"),  # later: everything
    ],
)
def test_deregistration_refunds_by_date(enrolment, django_capture_on_commit_callbacks, deregistered_on, total):
    approve(enrolment, datetime.date(2023, 10, 2), django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    enrolment.deregistered_on = deregistered_on
    enrolment.status = "deregistered"
    enrolment.save()
    run_deadlines(today=deregistered_on)
    latest = FeeStatement.objects.filter(student=enrolment.student).last()
    assert latest.total == Decimal(total)
    if total != "1092.10":
        assert (latest.on, latest.reason) == (deregistered_on, "deregistration")


def test_a_later_year_without_a_schedule_uses_the_latest_earlier_one(db):
    assert FeeSchedule.for_year("2026-2027").academic_year_code == "2023-2024"
    assert FeeSchedule.for_year("2022-2023") is None


def test_an_isp_never_approved_is_charged_from_the_first_semester_lock(enrolment):
    lock = enrolment.academic_year.first_semester_lock
    run_deadlines(today=lock)
    assert amounts(enrolment.student) == [
        (datetime.date(2023, 9, 15), Decimal("282.10"), "enrolment"),
        (lock, Decimal("1092.10"), "isp_final"),
    ]
    run_deadlines(today=lock + DAY)
    assert len(amounts(enrolment.student)) == 2


def _enrolled(year, programme, courses, n, *, start, on):
    for index in range(start, start + n):
        enrolment = EnrolmentFactory(
            programme=programme,
            academic_year=year,
            enrolled_on=on,
            student__number=f"b{index:04d}",
            grant_status="scholarship" if index % 2 else "none",
        )
        for course in courses:
            ISPLineFactory(enrolment=enrolment, course=course, added_on=on)


def test_a_day_recalculates_its_students_with_as_many_queries_for_many_as_for_few(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Issue 19 §3: the tuition fee of the day's students is recalculated in one batch, its
    queries growing with the batches, not with the students; each student gets the statement
    the regulation gives (appendix Art. 3-4: before the ISP's approval only the fixed part,
    282.10, or 128.80 for a scholarship student)."""
    from fees.services import fees_process

    year = AcademicYearFactory(first_year=2023)
    programme = ProgrammeFactory(code="BA-BAT")
    courses = [CourseFactory(programme=programme, code=f"B{i}", credits=6, semester="1") for i in range(3)]
    few_day, many_day = datetime.date(2023, 9, 14), datetime.date(2023, 9, 15)
    _enrolled(year, programme, courses, 2, start=0, on=few_day)
    _enrolled(year, programme, courses, 12, start=100, on=many_day)
    with django_capture_on_commit_callbacks(execute=False):
        with CaptureQueriesContext(connection) as few:
            fees_process(day=few_day)
        with django_assert_num_queries(len(few.captured_queries)):
            fees_process(day=many_day)
    statements = list(
        FeeStatement.objects.order_by("student__number").values_list("student__number", "on", "total", "reason")
    )
    expected = [
        (f"b{i:04d}", on, Decimal("128.80") if i % 2 else Decimal("282.10"), "enrolment")
        for i, on in [(0, few_day), (1, few_day)] + [(i, many_day) for i in range(100, 112)]
    ]
    assert statements == expected
    # Once more: the same amounts add nothing.
    fees_process(day=many_day)
    assert FeeStatement.objects.count() == len(expected)
