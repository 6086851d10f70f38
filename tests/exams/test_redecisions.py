"""A new examination decision after publication: everything downstream follows."""

import datetime as dt

import pytest

from core.timeline import run_deadlines
from exams.models import Result
from exams.redecisions import result_redecide
from programmes.models import ExamPeriod
from students.models import Enrolment, EnrolmentStatus, ISPLine, LearningAccountEntry, Measure
from tests.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)

D = dt.date


def entries(student):
    return list(
        LearningAccountEntry.objects.filter(student=student).order_by("on", "id").values_list("on", "credits", "kind")
    )


@pytest.fixture
def first_year(db):
    """A starter with 60 credits; C01 (6 credits) failed with 7 in January."""
    year = AcademicYearFactory(first_year=2023)
    ba = ProgrammeFactory(code="BA-R", kind="initial_bachelor")
    student = StudentFactory(number="R1")
    enrolment = EnrolmentFactory(student=student, academic_year=year, programme=ba, enrolled_on=D(2023, 9, 15))
    lines = [
        ISPLineFactory(enrolment=enrolment, course=CourseFactory(programme=ba, code=f"C{i:02d}", credits=6))
        for i in range(1, 11)
    ]
    january = ExamPeriod.objects.get(academic_year=year, number=1)
    result = Result.objects.create(isp_line=lines[0], exam_period=january, opportunity=1, score=7)
    run_deadlines(today=D(2024, 2, 10))
    return student, lines[0], result


def test_an_appeal_that_passes_a_course_gives_the_certificate_and_the_refund_on_the_decision_day(first_year):
    student, line, result = first_year
    assert entries(student) == [(D(2023, 9, 15), 140, "opening"), (D(2023, 9, 15), -60, "deduction")]
    report = result_redecide(result=result, mark=12, on=D(2024, 2, 20), reason="appeal A-1")
    line.refresh_from_db()
    assert (line.mark, line.outcome, line.certified_on) == ("12", "passed", D(2024, 2, 20))
    assert report.certified and not report.withdrawn
    # 6 credits back, doubled by the bonus on the first 60 credits: 80 + 12 = 92.
    assert entries(student)[-2:] == [(D(2024, 2, 20), 6, "pass_refund"), (D(2024, 2, 20), 6, "bonus")]
    assert student.learning_account_balance() == 92
    assert result.history.count() == 2


def test_a_correction_against_the_student_withdraws_the_certificate_and_what_it_gave_back(first_year):
    student, line, result = first_year
    result_redecide(result=result, mark=12, on=D(2024, 2, 20), reason="appeal A-1")
    result_redecide(result=result, mark=8, on=D(2024, 2, 25), reason="material error (Art. 102)")
    line.refresh_from_db()
    assert (line.mark, line.outcome, line.certified_on) == ("8", "tolerable", None)
    assert entries(student)[-1] == (D(2024, 2, 25), -12, "correction")
    assert student.learning_account_balance() == 80


def test_a_mark_not_allowed_for_the_course_changes_nothing(first_year):
    from django.core.exceptions import ValidationError

    student, line, result = first_year
    with pytest.raises(ValidationError):
        result_redecide(result=result, mark="P", on=D(2024, 2, 20), reason="appeal")
    result.refresh_from_db()
    assert result.score == 7
    assert len(entries(student)) == 2


def test_a_new_decision_lifts_a_threshold_refusal_and_readmits_the_next_enrolment(db):
    years = [AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025)]
    ba = ProgrammeFactory(code="BA-T", kind="initial_bachelor")
    courses = [CourseFactory(programme=ba, code=f"T{i}", credits=30, semester="1") for i in (1, 2)]
    student = StudentFactory(number="T1")
    e1 = EnrolmentFactory(student=student, academic_year=years[0], programme=ba, enrolled_on=D(2023, 9, 15))
    e2 = EnrolmentFactory(student=student, academic_year=years[1], programme=ba, enrolled_on=D(2024, 9, 15))
    e3 = EnrolmentFactory(student=student, academic_year=years[2], programme=ba, enrolled_on=D(2025, 7, 15))
    l1 = [ISPLineFactory(enrolment=e1, course=c) for c in courses]
    l2 = ISPLineFactory(enrolment=e2, course=courses[1])
    ISPLineFactory(enrolment=e3, course=courses[1])
    p1 = ExamPeriod.objects.get(academic_year=years[0], number=1)
    Result.objects.create(isp_line=l1[0], exam_period=p1, opportunity=1, score=14)
    Result.objects.create(isp_line=l1[1], exam_period=p1, opportunity=1, score=4)
    second = Result.objects.create(
        isp_line=l2, exam_period=ExamPeriod.objects.get(academic_year=years[1], number=1), opportunity=1, score=5
    )
    run_deadlines(today=D(2025, 9, 20))
    # T2 not obtained after two years: the threshold package is not reached (Art. 30).
    measure = Measure.objects.get(student=student, kind="threshold_refusal")
    assert (measure.from_year_code, measure.until_year_code) == ("2025-2026", "2030-2031")
    e3.refresh_from_db()
    assert e3.status == EnrolmentStatus.REFUSED
    balance_refused = student.learning_account_balance()

    report = result_redecide(result=second, mark=11, on=D(2025, 9, 25), reason="appeal A-2")
    assert report.measures_lifted == 1
    measure.refresh_from_db()
    assert measure.lifted_on == D(2025, 9, 25)
    e3 = Enrolment.objects.get(pk=e3.pk)
    assert e3.status == EnrolmentStatus.ENROLLED
    # T2 passed: its 30 credits come back, doubled (T1 used 30 of the 60-credit bonus, 30 are left);
    # the readmitted 2025-2026 ISP takes its 30 credits again: +30 +30 -30.
    assert student.learning_account_balance() == balance_refused + 30 + 30 - 30
    assert ISPLine.objects.get(enrolment=e3).deducted_credits == 30
