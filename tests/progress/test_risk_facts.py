"""The risk signals of Art. 28 worked out from real students (``progress.risk_facts``):
enrolments, ISP lines and results entered through the services, published by the timeline.

The college (``college`` below): academic years 2023-2024, 2024-2025 and 2025-2026 with the
calendar of DOMAIN §1 (tests/support/factories.py: the year starts on 18 September and ends on
15 September; the January results are published on 6 February, June's on 2 July, September's
on 13 September). BA-X is an initial bachelor of 180 credits: stage 1 X101-X110, stage 2
X201-X205, 6 credits each, all first semester. BA-Y, another initial bachelor, has Y101-Y105
and Y201, identical to X201 (Art. 31: "courses defined as identical"). AD-Z is an associate
degree of 120 credits: Z01-Z05 in the first semester, Z06-Z10 in the second, 6 credits each.

Every expected signal below is worked out by hand from Art. 29-31, 33 and 91 (and the
**(decided)** rules of ``progress.risk``) in the test's docstring.
"""

import datetime
from types import SimpleNamespace

import pytest

from core.dates import show_date
from core.timeline import run_deadlines
from exams.models import ProgrammeResult
from exams.results import result_record, tolerance_choice_record
from progress import risk
from progress.risk_facts import judged_students, student_signals
from students.ledger import balances
from students.models import Enrolment, EnrolmentStatus, Measure, MeasureKind
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    LearningAccountEntryFactory,
    ProgrammeFactory,
    StudentFactory,
)
from tests.support.worlds import on

D = datetime.date
STAGE_1 = [f"X1{i:02d}" for i in range(1, 11)]
STAGE_2 = [f"X20{i}" for i in range(1, 6)]
JANUARY_2026 = D(2026, 2, 6)  # the publication of 2025-2026's first exam period


# --- The college and its helpers ------------------------------------------------------------
@pytest.fixture
def college(db):
    years = {first: AcademicYearFactory(first_year=first) for first in (2023, 2024, 2025)}
    x = ProgrammeFactory(code="BA-X", kind="initial_bachelor", credits=180)
    y = ProgrammeFactory(code="BA-Y", kind="initial_bachelor", credits=180)
    z = ProgrammeFactory(code="AD-Z", kind="associate", credits=120)
    courses = {code: CourseFactory(programme=x, code=code, credits=6, stage=1) for code in STAGE_1}
    courses |= {code: CourseFactory(programme=x, code=code, credits=6, stage=2) for code in STAGE_2}
    courses |= {f"Y10{i}": CourseFactory(programme=y, code=f"Y10{i}", credits=6, stage=1) for i in range(1, 6)}
    courses["Y201"] = CourseFactory(programme=y, code="Y201", credits=6, stage=2)
    courses["Y201"].identical_to.add(courses["X201"])
    for i in range(1, 11):
        code = f"Z{i:02d}"
        courses[code] = CourseFactory(programme=z, code=code, credits=6, stage=1, semester="1" if i <= 5 else "2")
    return SimpleNamespace(years=years, x=x, y=y, z=z, courses=courses)


def enrol(college, student, programme, first_year, codes, *, contract="degree"):
    """An enrolment of ``student`` in ``programme`` for the academic year starting in
    ``first_year``, with an ISP line for each of ``codes``; returns its lines by code."""
    year = college.years[first_year]
    enrolment = EnrolmentFactory(
        student=student,
        programme=programme,
        academic_year=year,
        contract=contract,
        enrolled_on=year.starts_on - datetime.timedelta(days=3),
    )
    return {code: ISPLineFactory(enrolment=enrolment, course=college.courses[code]) for code in codes}


def marks(lines, given: dict, *, period: int = 1):
    """First-opportunity marks in exam period ``period`` of the lines' academic year."""
    for code, mark in given.items():
        line = lines[code]
        exam_period = line.enrolment.academic_year.exam_periods.get(number=period)
        with on(exam_period.ends_on):
            result_record(isp_line=line, exam_period=exam_period, opportunity=1, mark=mark)


def until(day):
    """The timeline up to ``day``: enrolments, ISP lines, publications, year ends."""
    with on(day):
        run_deadlines(today=day)


def summary(signals):
    return [(s.kind, s.level, s.programme, s.course) for s in signals]


def of_kind(signals, kind):
    return [s for s in signals if s.kind == kind]


def first_year_of(college, student, given, *, contract="degree", first_year=2024):
    """A year in BA-X with the whole first stage, the given marks in January."""
    lines = enrol(college, student, college.x, first_year, STAGE_1, contract=contract)
    marks(lines, given)
    return lines


ALL_PASSED = dict.fromkeys(STAGE_1, 14)


# --- 1. Decree threshold (Art. 30) ---------------------------------------------------------
def test_first_year_ended_with_the_package_incomplete_is_a_refusal_ahead_naming_the_codes(college):
    """2024-2025 (degree contract, 60 credits): X101 5, X102 6, the rest 14; 2024-2025 has
    ended (20 September 2025) and the student is not enrolled for 2025-2026 yet.

    Art. 30 §1: after the first year the package is incomplete: X101, X102 (12 credits) still
    to obtain; neither is a tolerable fail (8-9), so tolerance covers 0 of the 12 credits
    (tolerance credit of a starter: 12, Art. 91 §1): refusal ahead. Art. 31: each failed once,
    in a year of 48/60 = 80 %: a second failure does not refuse a third enrolment by itself
    (information). Art. 33: 140 - 60 + 48 + 48 (bonus on the first 60 credits) = 176; next
    year's ISP is 12 + 30 (stage 2) = 42: 134 left, no signal."""
    student = StudentFactory()
    first_year_of(college, student, {**ALL_PASSED, "X101": 5, "X102": 6})
    until(D(2025, 9, 20))
    signals = student_signals(student.pk, today=D(2025, 9, 20))
    assert summary(signals) == [
        ("decree_threshold", "refusal_ahead", "BA-X", None),
        ("repeated_failure", "information", "BA-X", "X101"),
        ("repeated_failure", "information", "BA-X", "X102"),
    ]
    grounds = str(signals[0].grounds)
    assert "threshold package is not complete: X101, X102 (12 credits) still to obtain" in grounds
    assert "Tolerance could cover 0 of these credits; tolerance credit left: 12" in grounds
    assert "refused for 6 academic years" in grounds
    assert str(signals[0].clears).endswith("X101, X102.")
    assert signals[0].computed_on == D(2025, 9, 20)
    assert "2024-2025" in str(signals[1].grounds)
    assert "in 2025-2026 does not refuse a third enrolment by itself" in str(signals[1].grounds)


def test_package_complete_no_signal(college):
    """Everything passed in 2024-2025: the threshold is reached, nothing failed, the learning
    account is 140 - 60 + 60 + 60 = 200 (200 - 30 of stage 2 = 170): no signal at all."""
    student = StudentFactory()
    first_year_of(college, student, ALL_PASSED)
    until(D(2025, 9, 20))
    assert balances([student.pk])[student.pk] == 200
    assert student_signals(student.pk, today=D(2025, 9, 20)) == []


def test_a_credit_contract_has_no_threshold(college):
    """The same X101 5 with a credit contract: Art. 30 counts degree-contract years only (no
    threshold signal). Art. 31 does apply to a credit contract: a second failure next year with a
    credit contract would refuse a third enrolment (§1: two consecutive years with a credit
    contract): a warning."""
    student = StudentFactory()
    first_year_of(college, student, {**ALL_PASSED, "X101": 5}, contract="credit")
    until(D(2025, 9, 20))
    signals = student_signals(student.pk, today=D(2025, 9, 20))
    assert of_kind(signals, risk.THRESHOLD) == []
    assert summary(of_kind(signals, risk.REPEATED_FAILURE)) == [("repeated_failure", "warning", "BA-X", "X101")]


def _second_year(college, *, x101):
    """2024-2025: X101 5, the rest 14 (54/60 = 90 %). 2025-2026: X101 again and stage 2."""
    student = StudentFactory()
    first_year_of(college, student, {**ALL_PASSED, "X101": 5})
    until(D(2025, 9, 16))
    lines = enrol(college, student, college.x, 2025, ["X101", *STAGE_2])
    if x101 is not None:
        marks(lines, {"X101": x101, **dict.fromkeys(STAGE_2, 14)})
        until(D(2026, 2, 10))
    else:
        until(D(2025, 11, 15))
    return student


def test_during_the_second_year_the_package_still_incomplete_is_a_refusal_ahead(college):
    """15 November 2025, in the second degree-contract year (no result yet): X101 still to
    obtain by the end of this year (Art. 30 §1): refusal ahead (its mark this year is not out:
    not a tolerable fail). X101, failed in 2024-2025 (90 %) and taken again now: one counted
    year, and a failure this year (2025-2026) does not by itself refuse a third enrolment
    (Art. 31 §1): information."""
    student = _second_year(college, x101=None)
    signals = student_signals(student.pk, today=D(2025, 11, 15))
    assert summary(signals) == [
        ("decree_threshold", "refusal_ahead", "BA-X", None),
        ("repeated_failure", "information", "BA-X", "X101"),
    ]
    assert "X101 (6 credits) still to obtain" in str(signals[0].grounds)
    repeated = str(signals[1].grounds)
    assert "X101 was not passed in 1 academic year: 2024-2025 (Art. 31)." in repeated
    assert "A second failure in 2025-2026 does not refuse a third enrolment by itself" in repeated


def test_once_the_second_year_has_ended_the_threshold_is_a_measure_not_a_risk(college):
    """X101 5 in 2024-2025 and again 5 in January 2026 (stage 2 passed): at the end of the
    second year (15 September 2026) the package is still incomplete: the refusal is taken
    (Art. 30 §1-2, a measure); on 20 September 2026 there is no threshold risk left to signal."""
    student = _second_year(college, x101=5)
    assert summary(of_kind(student_signals(student.pk, today=D(2026, 2, 10)), risk.THRESHOLD)) == [
        ("decree_threshold", "refusal_ahead", "BA-X", None)
    ]
    AcademicYearFactory(first_year=2026)
    until(D(2026, 9, 20))
    assert Measure.objects.filter(student=student, kind=MeasureKind.THRESHOLD_REFUSAL).exists()
    assert of_kind(student_signals(student.pk, today=D(2026, 9, 20)), risk.THRESHOLD) == []


def test_in_the_second_year_a_tolerable_fail_that_tolerance_covers_is_a_warning(college):
    """10 February 2026: X101 8 in January 2026 (a tolerable fail), stage 2 passed. Only X101
    is missing from the package, and tolerance could cover it: 6 credits of the 12 left (a
    starter still: 54 credits obtained before the year, fewer than 60, Art. 91 §1), applied
    automatically at the end of the second year at 50 % or more (Art. 91 §3): a warning."""
    student = _second_year(college, x101=8)
    signals = of_kind(student_signals(student.pk, today=D(2026, 2, 10)), risk.THRESHOLD)
    assert summary(signals) == [("decree_threshold", "warning", "BA-X", None)]
    grounds = str(signals[0].grounds)
    assert "Tolerance could cover 6 of these credits; tolerance credit left: 12" in grounds
    assert "applied to all of them automatically (Art. 91 §3)" in grounds


def test_passed_since_no_signal(college):
    """X101 passed in January 2026 (14): the package is complete and the course obtained,
    nothing failed is left: no signal (Art. 30, 31)."""
    student = _second_year(college, x101=14)
    assert student_signals(student.pk, today=D(2026, 2, 10)) == []


# --- 2. Repeated failure (Art. 31) ---------------------------------------------------------
def test_failed_in_a_year_under_50_and_taken_again_is_a_warning(college):
    """2024-2025: X101-X106 5, X107-X110 14 (24/60 = 40 %); 2025-2026: X101-X106 again.
    X101: one counted year under 50 %; failing it in 2025-2026 refuses a third enrolment when
    that year is a credit contract or under 50 % too (Art. 31 §1, the two years consecutive):
    a warning, next year = the running year 2025-2026."""
    student = StudentFactory()
    failed = STAGE_1[:6]
    first_year_of(college, student, {**ALL_PASSED, **dict.fromkeys(failed, 5)})
    until(D(2025, 9, 16))
    enrol(college, student, college.x, 2025, failed)
    until(D(2025, 11, 15))
    signals = of_kind(student_signals(student.pk, today=D(2025, 11, 15)), risk.REPEATED_FAILURE)
    assert summary(signals) == [("repeated_failure", "warning", "BA-X", code) for code in failed]
    grounds = str(signals[0].grounds)
    assert "X101 was not passed in 1 academic year: 2024-2025" in grounds
    assert "Not passing it in 2025-2026 refuses a third enrolment in it when that year is a credit contract" in grounds


def test_failed_in_two_counted_years_is_a_refusal_ahead(college):
    """2023-2024: stage 1 passed. 2024-2025: X201 5, X202-X205 14 (24/30 = 80 %). 2025-2026:
    X201 again, 5 in January 2026 (published 6 February). Two academic years in which X201 was
    not passed (2024-2025, 2025-2026): a failure in a third refuses any further enrolment in it
    (Art. 31 §2): refusal ahead. §1 does not refuse the third enrolment already (2024-2025 was
    80 % with a degree contract), so the grounds name the next year, 2026-2027."""
    student = StudentFactory()
    first_year_of(college, student, ALL_PASSED, first_year=2023)
    until(D(2024, 9, 16))
    lines = enrol(college, student, college.x, 2024, STAGE_2)
    marks(lines, {"X201": 5, "X202": 14, "X203": 14, "X204": 14, "X205": 14})
    until(D(2025, 9, 16))
    lines = enrol(college, student, college.x, 2025, ["X201"])
    marks(lines, {"X201": 5})
    until(D(2026, 2, 10))
    signals = student_signals(student.pk, today=D(2026, 2, 10))
    assert summary(signals) == [("repeated_failure", "refusal_ahead", "BA-X", "X201")]
    grounds = str(signals[0].grounds)
    assert "X201 was not passed in 2 academic years: 2024-2025, 2025-2026 (Art. 31)." in grounds
    assert "Not passing it in 2026-2027 as well refuses any further enrolment in it" in grounds


def test_an_identical_course_failed_in_another_programme_counts(college):
    """2023-2024 in BA-Y: Y201 5, Y101-Y105 14. 2024-2025 in BA-X: stage 1 passed, X201 5.
    2025-2026 in BA-X: X201 again (no result yet), with X202-X205. Y201 is identical to X201
    (Art. 31 "or courses defined as identical"): two counted years, refusal ahead (a third
    failure refuses any further enrolment, §2), next = the running year 2025-2026. Without the
    identity: X201 failed once (2024-2025, 60/66 = 91 %): information."""
    student = StudentFactory()
    lines = enrol(college, student, college.y, 2023, ["Y101", "Y102", "Y103", "Y104", "Y105", "Y201"])
    marks(lines, {"Y101": 14, "Y102": 14, "Y103": 14, "Y104": 14, "Y105": 14, "Y201": 5})
    until(D(2024, 9, 16))
    lines = enrol(college, student, college.x, 2024, [*STAGE_1, "X201"])
    marks(lines, {**ALL_PASSED, "X201": 5})
    until(D(2025, 9, 16))
    enrol(college, student, college.x, 2025, STAGE_2)
    until(D(2025, 11, 15))
    signals = of_kind(student_signals(student.pk, today=D(2025, 11, 15)), risk.REPEATED_FAILURE)
    assert summary(signals) == [("repeated_failure", "refusal_ahead", "BA-X", "X201")]
    grounds = str(signals[0].grounds)
    assert "X201 was not passed in 2 academic years: 2023-2024, 2024-2025" in grounds
    assert "Not passing it in 2025-2026 as well refuses any further enrolment in it" in grounds

    college.courses["Y201"].identical_to.remove(college.courses["X201"])
    signals = of_kind(student_signals(student.pk, today=D(2025, 11, 15)), risk.REPEATED_FAILURE)
    assert summary(signals) == [("repeated_failure", "information", "BA-X", "X201")]


def test_a_break_of_a_year_starts_the_count_again_except_for_the_threshold_package(college):
    """Art. 10: "Calculations are reset for the number of registration opportunities for each
    course, except for the courses that belong to the threshold package".

    BA-B, a bachelor-after-bachelor (Art. 31 applies, no threshold): B1 5 in 2023-2024 (B2-B5
    14), no enrolment in 2024-2025, B1 again in 2025-2026: the count starts in 2025-2026, where
    B1 has no result yet: no signal. BA-X: X101 5 in 2023-2024 (the rest 14, 90 %), the same
    break, X101 again in 2025-2026: X101 belongs to the threshold package, the failure of
    2023-2024 still counts: information (one counted year of 90 %), and the grounds say the
    break does not restart the count."""
    banaba = ProgrammeFactory(code="BA-B", kind="bachelor_after_bachelor", credits=60)
    for i in range(1, 6):
        college.courses[f"B{i}"] = CourseFactory(programme=banaba, code=f"B{i}", credits=6)
    restarted = StudentFactory()
    lines = enrol(college, restarted, banaba, 2023, ["B1", "B2", "B3", "B4", "B5"])
    marks(lines, {"B1": 5, "B2": 14, "B3": 14, "B4": 14, "B5": 14})
    kept = StudentFactory()
    first_year_of(college, kept, {**ALL_PASSED, "X101": 5}, first_year=2023)
    until(D(2024, 9, 16))
    enrol(college, restarted, banaba, 2025, ["B1"])
    enrol(college, kept, college.x, 2025, ["X101", *STAGE_2])
    until(D(2025, 11, 15))
    assert student_signals(restarted.pk, today=D(2025, 11, 15)) == []
    signals = of_kind(student_signals(kept.pk, today=D(2025, 11, 15)), risk.REPEATED_FAILURE)
    assert summary(signals) == [("repeated_failure", "information", "BA-X", "X101")]
    assert "X101 was not passed in 1 academic year: 2023-2024" in str(signals[0].grounds)
    assert "a break does not restart the count (Art. 10)" in str(signals[0].clears)


# --- 3. Associate degree (Art. 29) ---------------------------------------------------------
def _starter_in_ad(college, *, january: dict, june: dict):
    student = StudentFactory()
    lines = enrol(college, student, college.z, 2025, [f"Z{i:02d}" for i in range(1, 11)])
    marks(lines, january, period=1)
    until(D(2026, 2, 10))
    marks(lines, june, period=2)
    return student


FIRST_SEMESTER = [f"Z0{i}" for i in range(1, 6)]
SECOND_SEMESTER = [f"Z{i:02d}" for i in range(6, 11)]


def test_a_starter_under_50_after_the_second_exam_period_is_warned(college):
    """AD-Z, a starter of 2025-2026 (60 credits): Z01-Z04 14, Z05 5 in January, Z06-Z10 5 in
    June. After January's publication 24/60 = 40 %, but binding conditions follow only "after
    the second or third examination period" (Art. 29 §1): no signal. After June's (2 July
    2026): 24/60 = 40 % < 50 %: a warning, to be cleared after the third exam period."""
    student = _starter_in_ad(
        college,
        january={"Z01": 14, "Z02": 14, "Z03": 14, "Z04": 14, "Z05": 5},
        june=dict.fromkeys(SECOND_SEMESTER, 5),
    )
    assert of_kind(student_signals(student.pk, today=D(2026, 2, 10)), risk.ASSOCIATE) == []
    until(D(2026, 7, 5))
    signals = student_signals(student.pk, today=D(2026, 7, 5))
    assert summary(signals) == [("associate_degree", "warning", "AD-Z", None)]
    assert "the study efficiency is 40.00 %, under 50 %" in str(signals[0].grounds)
    assert str(signals[0].clears) == "A study efficiency of at least 50 % after the third exam period."


def test_a_starter_at_exactly_50_is_not_warned(college):
    """Z01-Z05 14 in January, Z06-Z10 5 in June: 30/60 = 50 %, "lower than 50%" it is not
    (Art. 29 §1): no signal."""
    student = _starter_in_ad(college, january=dict.fromkeys(FIRST_SEMESTER, 14), june=dict.fromkeys(SECOND_SEMESTER, 5))
    until(D(2026, 7, 5))
    assert student_signals(student.pk, today=D(2026, 7, 5)) == []


@pytest.mark.parametrize(
    ("passed", "expected"),
    [
        # Z03 passed: 6 of the 36 credits taken, 16.67 % < 50 %: refusal ahead.
        (["Z03"], [("associate_degree", "refusal_ahead", "AD-Z", None)]),
        # Z03-Z05 passed: 18/36 = 50 %, at least 50 %: nothing.
        (["Z03", "Z04", "Z05"], []),
    ],
)
def test_under_binding_conditions_under_50_after_the_first_publication_is_a_refusal_ahead(college, passed, expected):
    """2024-2025, a starter in AD-Z: Z01, Z02 (January) and Z06, Z07 (June) 14, the other six
    5: 24/60 = 40 %: the year end (15 September 2025) imposes binding conditions for 2025-2026
    (Art. 29 §1). 2025-2026: the six failed courses again (36 credits); after January's
    publication (10 February 2026), under 50 % so far under binding conditions: refusal ahead
    (§1-3); exactly 50 %: none."""
    student = StudentFactory()
    lines = enrol(college, student, college.z, 2024, [f"Z{i:02d}" for i in range(1, 11)])
    marks(lines, {"Z01": 14, "Z02": 14, "Z03": 5, "Z04": 5, "Z05": 5})
    marks(lines, {"Z06": 14, "Z07": 14, "Z08": 5, "Z09": 5, "Z10": 5}, period=2)
    until(D(2025, 9, 16))
    measure = Measure.objects.get(student=student, kind=MeasureKind.BINDING_CONDITIONS)
    assert (measure.from_year_code, measure.until_year_code) == ("2025-2026", "2025-2026")
    lines = enrol(college, student, college.z, 2025, ["Z03", "Z04", "Z05", "Z08", "Z09", "Z10"])
    marks(lines, {code: 14 if code in passed else 5 for code in ("Z03", "Z04", "Z05")})
    until(D(2026, 2, 10))
    signals = student_signals(student.pk, today=D(2026, 2, 10))
    assert summary(signals) == expected
    if expected:
        grounds = str(signals[0].grounds)
        assert "Under binding conditions the study efficiency so far is 16.67 %, under 50 %" in grounds


def test_once_the_year_under_binding_conditions_has_ended_the_refusal_is_a_measure_not_a_risk(college):
    """2023-2024, a starter in AD-Z at 24/60 = 40 %: binding conditions for 2024-2025.
    2024-2025: the six failed courses again, Z03 passed only: 6/36 = 16.67 %: the year end (15
    September 2025) refuses AD-Z for 2025-2026 (Art. 29 §1-3, a measure). On 20 September
    2025, not enrolled for 2025-2026: the refusal is no longer ahead, it is taken (as for the
    decree threshold once the second year has ended, ``progress.risk.threshold_signal``)."""
    student = StudentFactory()
    lines = enrol(college, student, college.z, 2023, [f"Z{i:02d}" for i in range(1, 11)])
    marks(lines, {"Z01": 14, "Z02": 14, "Z03": 5, "Z04": 5, "Z05": 5})
    marks(lines, {"Z06": 14, "Z07": 14, "Z08": 5, "Z09": 5, "Z10": 5}, period=2)
    until(D(2024, 9, 16))
    lines = enrol(college, student, college.z, 2024, ["Z03", "Z04", "Z05", "Z08", "Z09", "Z10"])
    marks(lines, {"Z03": 14, "Z04": 5, "Z05": 5})
    marks(lines, {"Z08": 5, "Z09": 5, "Z10": 5}, period=2)
    until(D(2025, 9, 20))
    assert Measure.objects.filter(student=student, kind=MeasureKind.BINDING_CONDITIONS_REFUSAL).exists()
    assert of_kind(student_signals(student.pk, today=D(2025, 9, 20)), risk.ASSOCIATE) == []


def test_once_the_starter_year_has_ended_the_binding_conditions_are_a_measure_not_a_risk(college):
    """A starter in AD-Z at 24/60 = 40 % in 2024-2025: the year end (15 September 2025) imposes
    the binding conditions (a measure). On 20 September 2025, not enrolled for 2025-2026 yet,
    the warning that they "follow" is no longer a risk."""
    student = StudentFactory()
    lines = enrol(college, student, college.z, 2024, [f"Z{i:02d}" for i in range(1, 11)])
    marks(lines, {"Z01": 14, "Z02": 14, "Z03": 5, "Z04": 5, "Z05": 5})
    marks(lines, {"Z06": 14, "Z07": 14, "Z08": 5, "Z09": 5, "Z10": 5}, period=2)
    until(D(2025, 9, 20))
    assert Measure.objects.filter(student=student, kind=MeasureKind.BINDING_CONDITIONS).exists()
    assert of_kind(student_signals(student.pk, today=D(2025, 9, 20)), risk.ASSOCIATE) == []


# --- 4. Learning account (Art. 33) ---------------------------------------------------------
def _learning_account_student(college, *, failed, correction):
    """A starter of 2025-2026 in BA-X with the first stage (140 - 60 = 80 credits left), the
    ``failed`` courses 5 in January (published 6 February 2026, nothing passed: no refund),
    and a correction of ``correction`` credits."""
    student = StudentFactory()
    lines = enrol(college, student, college.x, 2025, STAGE_1)
    marks(lines, dict.fromkeys(failed, 5))
    until(D(2026, 2, 10))
    assert balances([student.pk])[student.pk] == 80
    if correction:
        LearningAccountEntryFactory(student=student, on=D(2026, 2, 9), credits=correction, kind="correction")
    return student


@pytest.mark.parametrize(
    ("correction", "level", "after"),
    [
        # 80 - 44 = 36; next year's ISP X101 (6) + stage 2 (30) = 36: 36 - 36 = 0.
        (-44, "refusal_ahead", 0),
        (-50, "refusal_ahead", -6),
        (-43, "warning", 1),
        (15, "warning", 59),
        (16, None, 60),
    ],
)
def test_the_balance_after_next_years_isp(college, correction, level, after):
    """Art. 33: a balance of 0 or below refuses the next enrolment (refusal ahead); LA: 1-59 is
    a limited learning account (a warning); 60 or more: nothing. Next year's ISP is assumed to be
    the failed course X101 (6) and stage 2 (30): 36 credits."""
    student = _learning_account_student(college, failed=["X101"], correction=correction)
    signals = of_kind(student_signals(student.pk, today=D(2026, 2, 10)), risk.LEARNING_ACCOUNT)
    if level is None:
        assert signals == []
        return
    assert summary(signals) == [("learning_account", level, "BA-X", None)]
    assert f"after next year's ISP of 36 credits it would be {after}" in str(signals[0].grounds)


def test_next_years_isp_is_at_most_60_credits(college):
    """X101-X106 failed (36) and stage 2 (30) make 66: next year's ISP is taken as 60 (a
    full-time year, **(decided)** issue 18): 80 - 60 = 20, a limited learning account."""
    student = _learning_account_student(college, failed=STAGE_1[:6], correction=0)
    signals = of_kind(student_signals(student.pk, today=D(2026, 2, 10)), risk.LEARNING_ACCOUNT)
    assert summary(signals) == [("learning_account", "warning", "BA-X", None)]
    assert "after next year's ISP of 60 credits it would be 20" in str(signals[0].grounds)


# --- 5. Tolerance (Art. 91) ----------------------------------------------------------------
def _tolerable(college):
    """A starter of 2025-2026 in BA-X: X101 8 (a tolerable fail), X102-X106 14 in January
    (published 6 February 2026): 30/60 = 50 %, tolerance allowed (Art. 91 §1), 6 of the 12
    credits of a starter's tolerance credit. The choice closes on 6 + 15 = 21 February."""
    student = StudentFactory()
    lines = enrol(college, student, college.x, 2025, STAGE_1)
    marks(lines, {"X101": 8, "X102": 14, "X103": 14, "X104": 14, "X105": 14, "X106": 14})
    until(JANUARY_2026)
    return student, lines


@pytest.mark.parametrize(
    ("days_after", "level"),
    [
        (0, "information"),  # 15 days left
        (9, "information"),  # 6 days left
        (10, "warning"),  # 5 days left: closing within CLOSING_DAYS (5)
        (15, "warning"),  # the last day, 0 days left
        (16, None),  # closed: no choice means no tolerance
    ],
)
def test_a_tolerable_fail_without_a_choice(college, days_after, level):
    """Art. 91 §2: "within 15 calendar days from the day on which the exam results become
    available"; **(decided)** a window closing within 5 days is a warning, earlier information."""
    student, _lines = _tolerable(college)
    today = JANUARY_2026 + datetime.timedelta(days=days_after)
    signals = of_kind(student_signals(student.pk, today=today), risk.TOLERANCE)
    if level is None:
        assert signals == []
        return
    assert summary(signals) == [("tolerance", level, "BA-X", None)]
    grounds = str(signals[0].grounds)
    assert f"1 tolerable fail awaits a choice: X101; the choice closes on {show_date(D(2026, 2, 21))}" in grounds
    assert "Tolerance credit left: 12; the pending fails take 6." in grounds


def test_a_recorded_choice_leaves_no_tolerance_signal(college):
    """The student chose to tolerate X101 on 10 February 2026: nothing awaits a choice."""
    student, lines = _tolerable(college)
    with on(D(2026, 2, 10)):
        tolerance_choice_record(isp_line=lines["X101"], on=D(2026, 2, 10), today=D(2026, 2, 10))
    assert of_kind(student_signals(student.pk, today=D(2026, 2, 12)), risk.TOLERANCE) == []


# --- 6. Which programmes are judged ---------------------------------------------------------
def _failed_x101(college, first_year):
    student = StudentFactory()
    first_year_of(college, student, {**ALL_PASSED, "X101": 5}, first_year=first_year)
    return student


def test_a_last_enrolment_two_years_back_is_not_judged(college):
    """Enrolled only in 2023-2024 (X101 failed): on 15 November 2025 the years judged are
    2025-2026 and 2024-2025 (module docstring): not judged. Enrolled in 2024-2025 instead:
    judged (the year before the one under way)."""
    gone = _failed_x101(college, 2023)
    recent = _failed_x101(college, 2024)
    until(D(2025, 11, 15))
    assert student_signals(gone.pk, today=D(2025, 11, 15)) == []
    assert student_signals(recent.pk, today=D(2025, 11, 15)) != []
    assert judged_students(today=D(2025, 11, 15)) == [recent.pk]


def test_a_passed_programme_is_not_judged(college):
    """A programme the student has passed (a ``ProgrammeResult``) has no next enrolment to
    refuse: its signals go."""
    student = _failed_x101(college, 2024)
    until(D(2025, 9, 20))
    assert student_signals(student.pk, today=D(2025, 9, 20)) != []
    ProgrammeResult.objects.create(
        student=student,
        programme=college.x,
        academic_year=college.years[2024],
        passed_on=D(2025, 9, 13),
        percentage=70,
    )
    assert student_signals(student.pk, today=D(2025, 9, 20)) == []


def test_a_refused_latest_year_is_not_judged(college):
    """The student's latest year in the programme (2025-2026) is a refused enrolment: the
    refusal is a measure, not a risk any more; nothing is judged."""
    student = _failed_x101(college, 2024)
    until(D(2025, 9, 20))
    assert student_signals(student.pk, today=D(2025, 9, 20)) != []
    enrol(college, student, college.x, 2025, ["X101"])
    Enrolment.objects.filter(student=student, academic_year__code="2025-2026").update(status=EnrolmentStatus.REFUSED)
    assert student_signals(student.pk, today=D(2025, 9, 20)) == []


def test_what_the_caller_has_read_gives_the_same_facts_with_fewer_queries(college, django_assert_num_queries):
    """The what-if page reads the periods (with their publication), the courses and the measures
    itself and hands them over (``risk_facts(periods=, courses=, measures=)``): the facts are
    those ``risk_facts`` reads alone, in three queries fewer. The student: 2023-2024 in BA-Y
    (Y201 failed, identical to X201), 2024-2025 in AD-Z under 50 % (binding conditions for
    2025-2026), 2025-2026 in AD-Z again after January's publication; a BA-X year in 2024-2025
    with X201 failed: BA-X and AD-Z judged, the identical course and the measure read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exams.publication import with_publication
    from programmes.models import Course, ExamPeriod
    from progress.risk_facts import COURSE_FIELDS, risk_facts
    from students.refusals import REFUSALS, open_measures

    student = StudentFactory()
    lines = enrol(college, student, college.y, 2023, ["Y101", "Y201"])
    marks(lines, {"Y101": 14, "Y201": 5})
    lines = enrol(college, student, college.z, 2024, [f"Z{i:02d}" for i in range(1, 11)])
    marks(lines, {"Z01": 14, "Z02": 14, "Z03": 5, "Z04": 5, "Z05": 5})
    marks(lines, {"Z06": 14, "Z07": 14, "Z08": 5, "Z09": 5, "Z10": 5}, period=2)
    lines = enrol(college, student, college.x, 2024, ["X101", "X201"])
    marks(lines, {"X101": 14, "X201": 5})
    until(D(2025, 9, 16))
    assert Measure.objects.filter(student=student, kind=MeasureKind.BINDING_CONDITIONS).exists()
    lines = enrol(college, student, college.z, 2025, ["Z03", "Z04", "Z05"])
    marks(lines, {"Z03": 14, "Z04": 5, "Z05": 5})
    until(D(2026, 2, 10))
    today = D(2026, 2, 10)

    with CaptureQueriesContext(connection) as alone:
        read = risk_facts([student.pk], today=today)
    assert set(read[student.pk].programmes) == {college.x.pk, college.z.pk}
    assert read[student.pk].programmes[college.z.pk].under_binding_conditions
    assert read[student.pk].programmes[college.z.pk].last_period == 1
    assert read[student.pk].groups[college.courses["Y201"].pk] == read[student.pk].groups[college.courses["X201"].pk]

    years = [college.years[2024], college.years[2025]]
    periods = list(with_publication(ExamPeriod.objects.filter(academic_year__in=years), [college.x.pk, college.z.pk]))
    courses = list(Course.objects.filter(programme__in=[college.x, college.y, college.z]).values(*COURSE_FIELDS))
    measures = open_measures([student.pk], kinds=REFUSALS | {MeasureKind.BINDING_CONDITIONS})
    with django_assert_num_queries(len(alone.captured_queries) - 3):
        handed = risk_facts([student.pk], today=today, periods=periods, courses=courses, measures=measures)
    assert handed == read
    # The periods of 2025-2026 only (as the what-if reads them): BA-X's year, 2024-2025, is read.
    this_year = [period for period in periods if period.academic_year_id == college.years[2025].pk]
    with django_assert_num_queries(len(alone.captured_queries) - 2):
        handed = risk_facts([student.pk], today=today, periods=this_year, courses=courses, measures=measures)
    assert handed == read
