"""The learning-account services of issue 12: the rebuild after a first master's degree
without an enrolment at the college, its correction by a later enrolment (DOMAIN §2
rule 10), and admission on the learning account (rule 11, Art. 33)."""

import datetime

import pytest

from students import services
from students.models import EnrolmentStatus, EntryKind, LearningAccountEntry
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    DegreeFactory,
    EnrolmentFactory,
    ISPLineFactory,
    LearningAccountEntryFactory,
    ProgrammeFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def _student(balance: int, on=datetime.date(2023, 6, 1)):
    student = StudentFactory(account_opened=True)
    LearningAccountEntryFactory(student=student, credits=balance, on=on)
    return student


def _balance(student) -> int:
    return sum(LearningAccountEntry.objects.filter(student=student).values_list("credits", flat=True))


def _kinds(student):
    return [(e.on, e.credits, e.kind) for e in LearningAccountEntry.objects.filter(student=student)]


# --- rule 10 -----------------------------------------------------------------------
def test_rebuild_after_master_without_enrolment_at_the_college():
    """Issue 12: opening 184, first master's degree -> 44, never enrolled: 54, then 60, then 60."""
    years = [AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025)]
    student = _student(184)
    DegreeFactory(student=student, kind="master", on=datetime.date(2023, 7, 1))
    services.degrees_process(day=datetime.date(2023, 7, 1))
    assert _balance(student) == 44
    seen = []
    for year in years:
        services.rebuild_grant(year=year)
        services.rebuild_grant(year=year)  # a second run books nothing more
        seen.append(_balance(student))
    assert seen == [54, 60, 60]


def test_no_rebuild_without_enrolment_nor_master_degree():
    """The leaving path needs an earlier enrolment: an imported 44 alone is not rebuilt."""
    AcademicYearFactory(first_year=2022)
    year = AcademicYearFactory(first_year=2023)
    student = _student(44)
    assert services.rebuild_grant(year=year) == 0
    assert _balance(student) == 44


def test_later_enrolment_reverses_that_years_rebuild_once():
    """44 -> +10 at the start of 2023-2024 -> 54; two enrolments later that year: one
    correction of -10 (source-keyed), then each ISP deduction; the next year is stopped."""
    year = AcademicYearFactory(first_year=2023)
    next_year = AcademicYearFactory(first_year=2024)
    student = _student(184)
    DegreeFactory(student=student, kind="master", on=datetime.date(2023, 7, 1))
    services.degrees_process(day=datetime.date(2023, 7, 1))
    services.rebuild_grant(year=year)
    assert _balance(student) == 54
    for code in ("MA-A", "MA-B"):
        programme = ProgrammeFactory(code=code, kind="initial_master", credits=60)
        enrolment = EnrolmentFactory(
            student=student, academic_year=year, programme=programme, enrolled_on=datetime.date(2023, 10, 2)
        )
        ISPLineFactory(enrolment=enrolment, course=CourseFactory(programme=programme, credits=6))
    services.enrolments_process(day=datetime.date(2023, 10, 2))
    corrections = LearningAccountEntry.objects.filter(student=student, kind=EntryKind.CORRECTION)
    assert [(c.on, c.credits) for c in corrections] == [(datetime.date(2023, 10, 2), -10)]
    assert _balance(student) == 44 - 6 - 6
    services.rebuild_grant(year=next_year)
    assert _balance(student) == 32


def test_refused_enrolment_does_not_reverse_the_rebuild():
    """Balance -20 after the master's degree: +10 -> -10; an initial-bachelor enrolment
    later that year is refused (Art. 33) and reverses nothing (rule 10)."""
    year = AcademicYearFactory(first_year=2023)
    student = _student(120)
    DegreeFactory(student=student, kind="master", on=datetime.date(2023, 7, 1))
    services.degrees_process(day=datetime.date(2023, 7, 1))
    services.rebuild_grant(year=year)
    enrolment = EnrolmentFactory(student=student, academic_year=year, enrolled_on=datetime.date(2023, 10, 2))
    services.enrolments_process(day=datetime.date(2023, 10, 2))
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REFUSED
    assert _balance(student) == -10
    assert not LearningAccountEntry.objects.filter(student=student, kind=EntryKind.CORRECTION).exists()


# --- rule 11 -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("contract", "kind", "holds_bachelor", "refused"),
    [
        # Art. 33 "any type of contract for a bachelor's degree programme".
        pytest.param("exam_degree", "initial_bachelor", False, True, id="exam-contract-initial-bachelor"),
        pytest.param("exam_credit", "education_bachelor", False, True, id="exam-credit-education-bachelor"),
        pytest.param("degree", "initial_bachelor", False, True, id="degree-initial-bachelor"),
        # "This does not apply ... bachelor of education ... already obtained a bachelor's degree".
        pytest.param("degree", "education_bachelor", True, False, id="education-bachelor-holder"),
        pytest.param("exam_degree", "education_bachelor", True, False, id="education-bachelor-holder-exam"),
        # Not a bachelor's programme and not using the account: not refused.
        pytest.param("exam_degree", "initial_master", False, False, id="exam-contract-master"),
    ],
)
def test_admission_at_zero(contract, kind, holds_bachelor, refused):
    year = AcademicYearFactory(first_year=2023)
    student = _student(0)
    if holds_bachelor:
        DegreeFactory(student=student, kind="bachelor", on=datetime.date(2023, 7, 1))
    enrolment = EnrolmentFactory(
        student=student, academic_year=year, programme=ProgrammeFactory(kind=kind), contract=contract
    )
    services.enrolments_process(day=enrolment.enrolled_on)
    enrolment.refresh_from_db()
    assert (enrolment.status == EnrolmentStatus.REFUSED) is refused


@pytest.mark.parametrize(
    ("requested_on", "refused", "exception"),
    [
        # Art. 33 "on condition of a written request": none recorded -> refused ...
        pytest.param(None, True, False, id="no-written-request"),
        # ... recorded -> one more academic year, flagged.
        pytest.param(datetime.date(2025, 9, 1), False, True, id="written-request"),
    ],
)
def test_admission_exception_needs_the_written_request(requested_on, refused, exception):
    """Enrolled in the same programme in 2023-2024 and 2024-2025, 30 credits left (a
    30-credit programme, nothing obtained), balance 0."""
    programme = ProgrammeFactory(credits=30)
    student = _student(0)
    for first_year in (2023, 2024):
        EnrolmentFactory(
            student=student,
            programme=programme,
            academic_year=AcademicYearFactory(first_year=first_year),
            enrolment_processed=True,
        )
    enrolment = EnrolmentFactory(
        student=student,
        programme=programme,
        academic_year=AcademicYearFactory(first_year=2025),
        exception_requested_on=requested_on,
    )
    services.enrolments_process(day=enrolment.enrolled_on)
    enrolment.refresh_from_db()
    assert (enrolment.status == EnrolmentStatus.REFUSED) is refused
    assert enrolment.admission_exception is exception
