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


# --- rule 11: a written request on an enrolment already refused (Art. 33) -------------
REQUEST_DAY = datetime.date(2025, 10, 1)


def _refused_for_the_account(*, previous=(2023, 2024), obtained=150, balance=0, requested_on=None):
    """An initial bachelor of 180 credits; ``obtained`` credits certified in the first of the
    ``previous`` years the student was enrolled in it; an enrolment in 2025-2026 with an ISP of
    5 courses of 6 credits (30), processed at ``balance``: refused on the learning account."""
    programme = ProgrammeFactory(credits=180)
    student = _student(balance)
    years = {y: AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025)}
    for n, first_year in enumerate(previous):
        earlier = EnrolmentFactory(
            student=student, programme=programme, academic_year=years[first_year], enrolment_processed=True
        )
        if n == 0:
            for _ in range(obtained // 6):
                ISPLineFactory(enrolment=earlier, certified_on=datetime.date(first_year + 1, 2, 6))
    enrolment = EnrolmentFactory(
        student=student, programme=programme, academic_year=years[2025], exception_requested_on=requested_on
    )
    for _ in range(5):
        ISPLineFactory(enrolment=enrolment)
    services.enrolments_process(day=enrolment.enrolled_on)
    enrolment.refresh_from_db()
    return enrolment


def test_a_written_request_readmits_an_enrolment_refused_on_the_learning_account():
    """Art. 33: balance 0; enrolled in the same programme in 2023-2024 and 2024-2025; 180 - 150
    obtained = 30 credits left (at most 30): no request at the enrolment -> refused. The written
    request of 25 Sep 2025, recorded on 1 Oct 2025, admits it for one academic year, flagged:
    the ISP's 5 x 6 = 30 credits are deducted on 1 Oct -> 0 - 30 = -30; all 30 are credits
    without learning account (rule 12: max(0, 30 - max(0, 0)) = 30)."""
    from students.selectors import _credits_without_learning_account
    from tests.support import personas

    enrolment = _refused_for_the_account()
    assert (enrolment.status, enrolment.status_reason) == (EnrolmentStatus.REFUSED, services.ART_33_REFUSAL)
    assert _balance(enrolment.student) == 0
    office = personas.make_user("office-33", password=None)
    services.enrolment_exception_request(
        enrolment=enrolment, requested_on=datetime.date(2025, 9, 25), by=office, today=REQUEST_DAY
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert (enrolment.exception_requested_on, enrolment.admission_exception) == (datetime.date(2025, 9, 25), True)
    assert enrolment.balance_at_enrolment == 0
    assert _balance(enrolment.student) == -30
    (deduction,) = LearningAccountEntry.objects.filter(student=enrolment.student, kind=EntryKind.DEDUCTION)
    assert (deduction.on, deduction.credits) == (REQUEST_DAY, -30)
    assert sorted(enrolment.lines.values_list("deducted_credits", flat=True)) == [6] * 5
    entries = list(LearningAccountEntry.objects.filter(student=enrolment.student))
    assert _credits_without_learning_account(enrolment, entries) == 30
    # The history says who, when and why.
    latest = enrolment.history.latest()
    assert latest.history_user == office
    assert "Readmitted by the Art. 33 exception" in latest.history_change_reason
    assert "2025-09-25" in latest.history_change_reason
    # Recording it again changes nothing more (the enrolment is no longer refused).
    services.enrolment_exception_request(
        enrolment=enrolment, requested_on=datetime.date(2025, 9, 25), by=office, today=REQUEST_DAY
    )
    assert _balance(enrolment.student) == -30


@pytest.mark.parametrize(
    ("previous", "obtained", "codes", "shown"),
    [
        # Enrolled in 2024-2025 only: not "the two previous academic years".
        pytest.param((2024,), 150, ["exception_not_two_years"], "both previous", id="one-previous-year"),
        # 180 - 144 = 36 credits left, more than 30.
        pytest.param((2023, 2024), 144, ["exception_too_many_credits"], "36", id="36-credits-left"),
    ],
)
def test_a_written_request_that_does_not_meet_art_33_is_refused(previous, obtained, codes, shown):
    from core.errors import Refused

    enrolment = _refused_for_the_account(previous=previous, obtained=obtained)
    with pytest.raises(Refused) as excinfo:
        services.enrolment_exception_request(
            enrolment=enrolment, requested_on=datetime.date(2025, 9, 25), by=None, today=REQUEST_DAY
        )
    assert excinfo.value.codes == codes
    assert "Art. 33" in excinfo.value.messages[0] and shown in excinfo.value.messages[0]
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.exception_requested_on) == (EnrolmentStatus.REFUSED, None)
    assert _balance(enrolment.student) == 0


def test_a_written_request_is_dated_no_later_than_today():
    from core.errors import Refused

    enrolment = _refused_for_the_account()
    with pytest.raises(Refused) as excinfo:
        services.enrolment_exception_request(
            enrolment=enrolment, requested_on=REQUEST_DAY + datetime.timedelta(days=1), by=None, today=REQUEST_DAY
        )
    assert excinfo.value.codes == ["exception_request_date"]
    enrolment.refresh_from_db()
    assert enrolment.exception_requested_on is None


def test_a_written_request_on_an_enrolment_not_refused_is_only_recorded():
    """Balance 40 > 0: admitted at processing (30 deducted -> 10); the request is recorded
    and changes nothing else."""
    enrolment = _refused_for_the_account(balance=40)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    services.enrolment_exception_request(
        enrolment=enrolment, requested_on=datetime.date(2025, 9, 25), by=None, today=REQUEST_DAY
    )
    enrolment.refresh_from_db()
    assert (enrolment.exception_requested_on, enrolment.admission_exception) == (datetime.date(2025, 9, 25), False)
    assert _balance(enrolment.student) == 10


# --- rule 10: a readmitted enrolment reverses that year's rebuild ---------------------
def test_readmission_after_a_lifted_measure_reverses_that_years_rebuild():
    """Rule 10. Enrolled in 2023-2024 (balance 44 then), not in 2024-2025: +10 at the start of
    2025-2026 (18 Sep 2025) -> 54. A threshold refusal of the programme from 2025-2026 refuses
    the enrolment of 1 Oct 2025 (12 credits): a refused enrolment is no enrolment, so nothing is
    deducted and the rebuild stays: 54. The refusal-lifting committee lifts it on 20 Oct 2025
    (Art. 34): the enrolment is admitted again, 12 deducted and, as the student is now enrolled
    in 2025-2026, that year's rebuild is reversed by a correction of -10 on the same day:
    54 - 12 - 10 = 32 (the enrolment measured at 54 - 10 = 44). At the start of 2026-2027 the
    student was enrolled the year before and the rebuild is stopped: still 32."""
    from students.models import Measure, MeasureKind
    from students.refusals import measure_lift

    years = {y: AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025, 2026)}
    programme = ProgrammeFactory(credits=180)
    student = _student(44)
    EnrolmentFactory(student=student, programme=programme, academic_year=years[2023], enrolment_processed=True)
    services.rebuild_grant(year=years[2024])  # enrolled the year before: nothing
    assert _balance(student) == 44
    services.rebuild_grant(year=years[2025])
    assert _balance(student) == 54
    measure = Measure.objects.create(
        student=student,
        kind=MeasureKind.THRESHOLD_REFUSAL,
        programme=programme,
        from_year_code="2025-2026",
        until_year_code="2030-2031",
        decided_on=datetime.date(2025, 9, 14),
        decided_in=years[2024],
    )
    enrolment = EnrolmentFactory(
        student=student, programme=programme, academic_year=years[2025], enrolled_on=datetime.date(2025, 10, 1)
    )
    ISPLineFactory(enrolment=enrolment)
    ISPLineFactory(enrolment=enrolment)
    services.enrolments_process(day=datetime.date(2025, 10, 1))
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REFUSED
    assert _balance(student) == 54
    assert not LearningAccountEntry.objects.filter(student=student, kind=EntryKind.CORRECTION).exists()

    lifted_on = datetime.date(2025, 10, 20)
    assert measure_lift(measure=measure, on=lifted_on, reason="Special circumstances (Art. 34).") == 1
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    # Measured, as an enrolment of that year, without its rebuild: 54 - 10 = 44 (rule 12).
    assert enrolment.balance_at_enrolment == 44
    (correction,) = LearningAccountEntry.objects.filter(student=student, kind=EntryKind.CORRECTION)
    assert (correction.on, correction.credits, correction.academic_year_id) == (lifted_on, -10, years[2025].pk)
    assert _balance(student) == 32
    services.rebuild_grant(year=years[2026])
    assert _balance(student) == 32


def test_readmission_by_the_written_request_reverses_that_years_rebuild():
    """Rule 10 with rule 11. Enrolled in the programme in 2023-2024 and 2024-2025, 150 of 180
    obtained (30 left); balance 120 until a first master's degree (obtained elsewhere) on
    1 Jul 2025: -140 -> -20. Start of 2025-2026: min(10, 60 - (-20)) = +10 -> -10. The
    2025-2026 enrolment of 1 Oct 2025 (after the start of 18 Sep) is judged without that
    year's rebuild: -10 - 10 = -20 <= 0, no written request: refused, the
    rebuild stays (-10). The request, recorded on 6 Oct 2025, readmits it: the rebuild is
    reversed (-10) and the 30 credits deducted, both on 6 Oct: -10 - 10 - 30 = -50; judged at
    -20 (balance_at_enrolment)."""
    programme = ProgrammeFactory(credits=180)
    student = _student(120)
    years = {y: AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025)}
    for first_year in (2023, 2024):
        earlier = EnrolmentFactory(
            student=student, programme=programme, academic_year=years[first_year], enrolment_processed=True
        )
        if first_year == 2023:
            for _ in range(25):
                ISPLineFactory(enrolment=earlier, certified_on=datetime.date(2024, 2, 6))
    DegreeFactory(student=student, kind="master", on=datetime.date(2025, 7, 1))
    services.degrees_process(day=datetime.date(2025, 7, 1))
    services.rebuild_grant(year=years[2025])
    assert _balance(student) == -10
    enrolment = EnrolmentFactory(
        student=student, programme=programme, academic_year=years[2025], enrolled_on=datetime.date(2025, 10, 1)
    )
    for _ in range(5):
        ISPLineFactory(enrolment=enrolment)
    services.enrolments_process(day=datetime.date(2025, 10, 1))
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REFUSED
    assert _balance(student) == -10

    day = datetime.date(2025, 10, 6)
    services.enrolment_exception_request(enrolment=enrolment, requested_on=day, by=None, today=day)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.admission_exception, enrolment.balance_at_enrolment) == (
        EnrolmentStatus.ENROLLED,
        True,
        -20,
    )
    later = [(e.on, e.credits, e.kind) for e in LearningAccountEntry.objects.filter(student=student, on=day)]
    assert sorted(later) == sorted([(day, -10, EntryKind.CORRECTION), (day, -30, EntryKind.DEDUCTION)])
    assert _balance(student) == -50
