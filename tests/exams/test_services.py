"""Entering results and tolerance choices through the services (Art. 25, 36-39, 44, 65-66, 89, 91).

Every refusal names its rule and changes nothing. At the end, a new examination decision after
publication (exams.redecisions): everything downstream follows.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.timeline import run_deadlines
from exams import rules
from exams.models import ProgrammeResult, Result, ResultPart, ToleranceChoice
from exams.redecisions import result_redecide
from exams.results import ResultEntry, result_record, results_check, tolerance_choice_record
from programmes.models import ExamPeriod
from students.models import Enrolment, EnrolmentStatus, ISPLine, LearningAccountEntry, Measure
from tests.exams.conftest import publish_marker, snapshot
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)

D = datetime.date


def record(college, code="NUM1", *, period=1, opportunity=1, mark=12, parts=None, line=None, by=None):
    return result_record(
        isp_line=line or college.lines[code],
        exam_period=college.periods[period],
        opportunity=opportunity,
        mark=mark,
        parts=parts,
        by=by,
    )


def refused(college, message, **kwargs):
    """Entering the result is refused with ``message`` (a part of it) and nothing changes."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        record(college, **kwargs)
    assert message in caught.value.messages[0], caught.value.messages
    assert snapshot() == before
    return caught.value.messages[0]


# --- Marks (Art. 65-66) --------------------------------------------------------------------


def test_a_valid_mark_is_recorded_with_who_entered_it(college, admin_user):
    result = record(college, mark=12, by=admin_user)
    assert (result.opportunity, result.score, result.grade, result.exam_period.number) == (1, 12, "", 1)
    assert result.history.get().history_user == admin_user


@pytest.mark.parametrize("mark", [0, 20, "NA", "12"])
def test_marks_of_a_numeric_course(college, mark):
    result = record(college, mark=mark)
    assert result.mark_display == str(mark)


@pytest.mark.parametrize("mark", ["P", "F", "NA"])
def test_marks_of_a_pass_fail_course(college, mark):
    assert record(college, "PF1", mark=mark).grade == mark


def test_p_on_a_numeric_course_is_refused(college):
    message = refused(college, "P is only for pass/fail courses", code="NUM1", mark="P")
    assert "Art. 65" in message


def test_f_on_a_numeric_course_is_refused(college):
    refused(college, "F is only for pass/fail courses", code="NUM1", mark="F")


def test_a_number_on_a_pass_fail_course_is_refused(college):
    message = refused(college, "This course is pass/fail: its mark is P, F or NA, not 12", code="PF1", mark=12)
    assert "Art. 65-66" in message


@pytest.mark.parametrize("mark", [21, -1, "X"])
def test_a_mark_outside_0_to_20_is_refused(college, mark):
    refused(college, f"A mark is an integer from 0 to 20, or P, F or NA (Art. 65-66); {mark} is not", mark=mark)


def test_partial_exams_make_the_course_mark(college):
    result = record(college, mark=None, parts=[(3, 12), (3, 6)])
    assert result.score is None and result.grade == ""
    assert list(result.parts.values_list("position", "credits", "score")) == [(1, 3, 12), (2, 3, 6)]
    assert result.mark_display == "parts"


def test_partial_exams_with_a_matching_mark_are_kept_as_parts(college):
    result = record(college, mark=11, parts=[(4, 12), (2, 9)])  # (48 + 18) / 6 = 11
    assert result.score is None
    assert ResultPart.objects.filter(result=result).count() == 2


def test_partial_exams_that_do_not_make_the_mark_are_refused(college):
    refused(
        college,
        "The mark 12 does not match the partial exams, which make 6 (Art. 65)",
        mark=12,
        parts=[(3, 12), (3, 6)],
    )


def test_partial_exams_on_a_pass_fail_course_are_refused(college):
    refused(college, "partial exams are only for courses marked 0-20", code="PF1", mark=None, parts=[(3, 12)])


def test_a_result_needs_a_mark_or_parts(college):
    refused(college, "A result needs a mark or partial exams", mark=None)


# --- The ISP (Art. 25, 44 §2) ---------------------------------------------------------------


def test_a_course_not_in_the_isp_of_that_year_is_refused(college):
    later_year_line = ISPLineFactory(
        enrolment=EnrolmentFactory(
            student=college.student,
            programme=college.programme,
            academic_year__first_year=2024,
            enrolled_on=D(2024, 9, 15),
        ),
        course=college.courses["NUM1"],
    )
    message = refused(college, "belongs to academic year 2024-2025, the exam period to 2023-2024", line=later_year_line)
    assert "Art. 44 §2" in message


def test_a_removed_line_is_refused(college):
    line = college.lines["NUM2"]
    ISPLine.objects.filter(pk=line.pk).update(removed_on=D(2023, 10, 20))
    line.refresh_from_db()
    message = refused(college, "This course was removed from the ISP on", code="NUM2")
    assert "Art. 44 §2" in message


def test_an_exempted_line_is_refused(college):
    ISPLine.objects.filter(pk=college.lines["NUM2"].pk).update(exempted=True)
    college.lines["NUM2"].refresh_from_db()
    refused(college, "This course is exempted in the ISP: an exempted course has no result (Art. 25)", code="NUM2")


# --- Opportunities (Art. 36, 39, 89) ---------------------------------------------------------


def test_two_opportunities_in_later_exam_periods(college):
    record(college, period=1, opportunity=1, mark=6)
    second = record(college, period=3, opportunity=2, mark=13)
    assert second.opportunity == 2
    assert Result.objects.filter(isp_line=college.lines["NUM1"]).count() == 2


def test_a_third_opportunity_is_refused(college):
    record(college, period=1, opportunity=1, mark=6)
    record(college, period=3, opportunity=2, mark=7)
    message = refused(college, "at most two exam opportunities per academic year", period=3, opportunity=3, mark=9)
    assert "Art. 89 §1" in message


def test_a_second_opportunity_of_a_course_without_resit_is_refused(college):
    record(college, "NR1", period=1, opportunity=1, mark=6)
    refused(
        college, "This course has no second exam opportunity (no resit, Art. 39", code="NR1", period=3, opportunity=2
    )


def test_the_second_opportunity_needs_the_first(college):
    refused(college, "Enter the first opportunity before the second (Art. 89 §1)", period=3, opportunity=2)


@pytest.mark.parametrize("period", [1, 2])
def test_the_second_opportunity_must_be_in_a_later_exam_period(college, period):
    record(college, period=2, opportunity=1, mark=6)
    refused(college, "must be in a later exam period than the first (exam period 2)", period=period, opportunity=2)


def test_the_first_opportunity_cannot_move_after_the_second(college):
    record(college, period=1, opportunity=1, mark=6)
    record(college, period=2, opportunity=2, mark=8)
    refused(college, "must be in an earlier exam period than the second (exam period 2)", period=3, opportunity=1)


def test_an_opportunity_used_on_a_removed_line_of_the_same_course_counts(college):
    old = college.lines["NUM2"]
    record(college, "NUM2", period=1, opportunity=1, mark=6)
    ISPLine.objects.filter(pk=old.pk).update(removed_on=D(2024, 2, 20))
    again = ISPLineFactory(enrolment=college.enrolment, course=old.course, added_on=D(2024, 2, 21))
    refused(college, "Opportunity 1 of this course was already taken this academic year", line=again)


def test_a_passed_course_cannot_be_taken_again(college):
    record(college, period=1, opportunity=1, mark=14)
    ISPLine.objects.filter(pk=college.lines["NUM1"].pk).update(certified_on=D(2024, 2, 6), outcome="passed")
    message = refused(college, "already has a credit certificate", period=3, opportunity=2, mark=16)
    assert "Art. 89 §3" in message


def test_a_tolerated_course_cannot_be_taken_again(college):
    record(college, period=2, opportunity=1, mark=9)
    ISPLine.objects.filter(pk=college.lines["NUM1"].pk).update(tolerated_on=D(2024, 7, 5), tolerance_kind="chosen")
    refused(college, "a tolerated course cannot be taken again (Art. 89 §2)", period=3, opportunity=2, mark=12)


# --- Publication (Art. 86): a published result changes only by appeal or correction ------------


def test_an_unpublished_result_is_changed_in_place(college, admin_user):
    record(college, mark=8)
    result = record(college, mark=11, by=admin_user)
    assert Result.objects.get().score == 11
    assert result.history.latest().history_user == admin_user


def test_a_published_result_cannot_be_changed(college):
    record(college, mark=8)
    publish_marker(college.periods[1])
    message = refused(college, "This result was published on", mark=11)
    assert "appeal (Art. 101)" in message and "material error (Art. 93, 102)" in message


def test_a_published_result_entered_again_unchanged_is_left_alone(college):
    first = record(college, mark=8)
    publish_marker(college.periods[1])
    before = snapshot()
    assert record(college, mark=8).pk == first.pk
    assert snapshot() == before


def test_a_result_cannot_be_added_to_a_published_exam_period(college):
    publish_marker(college.periods[1])
    refused(college, "The results of this exam period were published on", mark=12)


def test_the_check_alone_writes_nothing_and_sees_entries_together(college):
    line = college.lines["NUM1"]
    entries = [
        ResultEntry(isp_line=line, exam_period=college.periods[1], opportunity=1, mark=6),
        ResultEntry(isp_line=line, exam_period=college.periods[3], opportunity=2, mark=12),
        ResultEntry(isp_line=line, exam_period=college.periods[3], opportunity=2, mark=13, label="row 9"),
    ]
    problems = results_check(entries)
    assert problems == [(2, "Opportunity 2 of this student is given twice (also an earlier entry).")]
    assert not Result.objects.exists()


def test_the_result_rules_are_pure():
    line = rules.EntryLine(
        in_year=True, removed=False, exempted=False, pass_fail=False, resit=True, certified=False, tolerated=False
    )
    common = {"line": line, "used_elsewhere": False, "published": False}
    assert rules.result_refusal(opportunity=1, period=1, other_period=None, **common) is None
    assert rules.result_refusal(opportunity=2, period=3, other_period=1, **common) is None
    assert rules.result_refusal(opportunity=2, period=1, other_period=1, **common) == "not_later"
    assert rules.mark_refusal(21, pass_fail=False) == "mark_range"
    assert rules.mark_refusal(True, pass_fail=False) == "mark_range"
    assert rules.mark_refusal("NA", pass_fail=True) is None


# --- Tolerance choices (Art. 91 §2) ----------------------------------------------------------


@pytest.fixture
def published_first_period(college):
    """Published on 6 February 2024: NUM1 passed (14, 6 credits), PF1 passed (P, 3), NUM2 a
    tolerable fail (9, 6) and NR1 an intolerable fail (6, 3): a study efficiency of 9/18 = 50 %."""
    record(college, "NUM1", mark=14)
    record(college, "NUM2", mark=9)
    record(college, "PF1", mark="P")
    record(college, "NR1", mark=6)
    with time_machine.travel(datetime.datetime(2024, 2, 6, 12, 0), tick=False):
        run_deadlines(today=D(2024, 2, 6))
    for line in college.lines.values():
        line.refresh_from_db()
    assert college.lines["NUM2"].outcome == "tolerable"
    return college


def choose(college, code, on, *, today=None):
    with time_machine.travel(datetime.datetime.combine(today or on, datetime.time(12)), tick=False):
        return tolerance_choice_record(isp_line=college.lines[code], on=on, today=today or on, by=None)


def test_a_tolerance_choice_in_time_is_applied_at_once(published_first_period):
    college = published_first_period
    choice = choose(college, "NUM2", D(2024, 2, 10))
    assert choice.processed and choice.refusal == ""
    line = ISPLine.objects.get(pk=college.lines["NUM2"].pk)
    assert (line.tolerated_on, line.tolerance_kind) == (D(2024, 2, 10), "chosen")


def test_a_tolerance_choice_dated_later_waits_for_its_day(published_first_period):
    college = published_first_period
    choice = choose(college, "NUM2", D(2024, 2, 15), today=D(2024, 2, 8))
    assert not choice.processed
    assert ISPLine.objects.get(pk=college.lines["NUM2"].pk).tolerated_on is None
    before = snapshot()
    with pytest.raises(ValidationError, match="already recorded and waiting"):
        choose(college, "NUM2", D(2024, 2, 9))
    assert snapshot() == before


def choice_refused(college, code, on, message):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        choose(college, code, on)
    assert message in caught.value.messages[0], caught.value.messages
    assert snapshot() == before
    assert not ToleranceChoice.objects.exists()


def test_a_tolerance_choice_after_its_window_is_refused(published_first_period):
    choice_refused(
        published_first_period,
        "NUM2",
        D(2024, 2, 22),  # 6 February + 16
        "The 15 calendar days after the publication have passed (Art. 91 §2).",
    )


def test_a_tolerance_choice_on_the_last_day_of_the_window_stands(published_first_period):
    assert choose(published_first_period, "NUM2", D(2024, 2, 21)).refusal == ""


def test_a_tolerance_choice_for_a_passed_course_is_refused(published_first_period):
    choice_refused(
        published_first_period, "NUM1", D(2024, 2, 10), "This course is passed: there is nothing to tolerate"
    )


def test_a_tolerance_choice_for_an_intolerable_fail_is_refused(published_first_period):
    choice_refused(
        published_first_period, "NR1", D(2024, 2, 10), "Only a tolerable fail (8 or 9 in a tolerable course)"
    )


def test_a_tolerance_choice_before_any_result_is_refused(college):
    choice_refused(college, "NUM2", D(2024, 2, 10), "This course has no published result yet.")


@pytest.fixture
def three_tolerable_fails(college):
    """Two students of BA-RES-T (180 credits, an initial bachelor: a starter's tolerance credit
    is min(10 % of 180, 12) = 12, Art. 91 §1), each with P1-P3 passed (14, 6 credits each) and
    T1-T3 tolerable fails (9, 6 credits each) in January 2024: a study efficiency of 18/36 = 50 %,
    enough (Art. 91 §1). Published on 6 February 2024."""
    programme = ProgrammeFactory(code="BA-RES-T", credits=180)
    courses = {
        code: CourseFactory(programme=programme, code=code, credits=6) for code in ("P1", "P2", "P3", "T1", "T2", "T3")
    }
    period = college.periods[1]
    students = []
    for number in ("r0200001", "r0200002"):
        enrolment = EnrolmentFactory(
            programme=programme, academic_year=college.year, student__number=number, enrolled_on=D(2023, 9, 15)
        )
        lines = {code: ISPLineFactory(enrolment=enrolment, course=course) for code, course in courses.items()}
        for code, line in lines.items():
            result_record(isp_line=line, exam_period=period, opportunity=1, mark=14 if code.startswith("P") else 9)
        students.append(lines)
    with time_machine.travel(datetime.datetime(2024, 2, 6, 12, 0), tick=False):
        run_deadlines(today=D(2024, 2, 6))
    return students


def _choices_processed(lines_of, on):
    """The students' choices of T1, T2 and T3 made ``on``, processed by the timeline's stage;
    returns the queries it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exams.services import tolerance_choices_process

    for lines in lines_of:
        for code in ("T1", "T2", "T3"):
            ToleranceChoice.objects.create(isp_line=lines[code], on=on)
    with CaptureQueriesContext(connection) as captured:
        assert tolerance_choices_process(day=on) == 3 * len(lines_of)
    return len(captured.captured_queries)


def test_choices_of_a_day_use_the_credit_in_their_order_in_the_same_queries_for_more_students(
    three_tolerable_fails,
):
    """A student chooses to tolerate T1, T2 and T3 on 10 February: the credit of 12 covers T1
    and T2 (6 + 6); T3 is refused, not enough credit left (Art. 91 §1), as the choices came in
    that order. Both students' choices on 11 February: the same outcome for each, in as many
    queries as the one student's three (a fixed number of queries for a day's choices)."""
    first, second = three_tolerable_fails
    one = _choices_processed([first], D(2024, 2, 10))
    refusals = dict(
        ToleranceChoice.objects.filter(isp_line__enrolment=first["T1"].enrolment).values_list(
            "isp_line__course__code", "refusal"
        )
    )
    assert refusals == {
        "T1": "",
        "T2": "",
        "T3": "Not enough tolerance credit is left for this course (Art. 91 §1).",
    }
    tolerated = ISPLine.objects.filter(enrolment=first["T1"].enrolment, tolerated_on__isnull=False)
    assert sorted(tolerated.values_list("course__code", "tolerated_on", "tolerance_kind")) == [
        ("T1", D(2024, 2, 10), "chosen"),
        ("T2", D(2024, 2, 10), "chosen"),
    ]
    ToleranceChoice.objects.all().delete()
    ISPLine.objects.filter(pk__in=[line.pk for line in first.values()]).update(tolerated_on=None, tolerance_kind="")
    both = _choices_processed([first, second], D(2024, 2, 11))
    assert both == one
    for lines in (first, second):
        assert sorted(
            ISPLine.objects.filter(enrolment=lines["T1"].enrolment, tolerated_on=D(2024, 2, 11)).values_list(
                "course__code", flat=True
            )
        ) == ["T1", "T2"]


# --- A new examination decision after publication: everything downstream follows.
# (formerly tests/exams/test_redecisions.py)


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


# --- Programme results only under a degree or degree-exam contract (Art. 14) ----------------
def _small_programme_world(contract):
    """A 12-credit bachelor after bachelor (no learning account) with two 6-credit courses,
    one student in 2023-2024 under ``contract``."""
    year = AcademicYearFactory()
    programme = ProgrammeFactory(code=f"BANABA-{contract.upper()}", kind="bachelor_after_bachelor", credits=12)
    enrolment = EnrolmentFactory(programme=programme, academic_year=year, contract=contract)
    lines = [
        ISPLineFactory(enrolment=enrolment, course=CourseFactory(programme=programme, code=code, credits=6))
        for code in (f"{contract[:3].upper()}1", f"{contract[:3].upper()}2")
    ]
    periods = {p.number: p for p in year.exam_periods.all()}
    return enrolment, lines, periods


@pytest.mark.parametrize(
    ("contract", "recorded"),
    [("degree", True), ("exam_degree", True), ("credit", False), ("exam_credit", False)],
)
def test_a_programme_result_is_recorded_at_publication_only_under_a_degree_contract(db, contract, recorded):
    enrolment, lines, periods = _small_programme_world(contract)
    for line in lines:
        result_record(isp_line=line, exam_period=periods[1], opportunity=1, mark=14)
    run_deadlines(today=D(2024, 2, 6))
    # Both courses passed, whatever the contract: a credit certificate each.
    assert all(line.certified_on == D(2024, 2, 6) for line in ISPLine.objects.filter(enrolment=enrolment))
    # The programme (12 credits) is completed at 14/20 = 70 % (no level: fewer than 20 examined
    # credits, Art. 81), but a degree only under a degree or degree-exam contract (Art. 14).
    found = ProgrammeResult.objects.filter(student=enrolment.student, programme=enrolment.programme)
    assert found.exists() is recorded
    if recorded:
        assert (found.get().percentage, found.get().level) == (70, "")


@pytest.mark.parametrize(("contract", "recorded"), [("degree", True), ("credit", False)])
def test_a_new_decision_completing_the_programme_records_a_result_only_under_a_degree_contract(db, contract, recorded):
    enrolment, lines, periods = _small_programme_world(contract)
    result_record(isp_line=lines[0], exam_period=periods[1], opportunity=1, mark=14)
    failed = result_record(isp_line=lines[1], exam_period=periods[1], opportunity=1, mark=6)
    run_deadlines(today=D(2024, 2, 6))
    assert not ProgrammeResult.objects.exists()
    # An appeal turns the 6 into a 12: the programme is completed on 20 February 2024.
    result_redecide(result=failed, mark=12, on=D(2024, 2, 20), reason="appeal")
    assert ProgrammeResult.objects.filter(student=enrolment.student).exists() is recorded


def test_completing_the_programme_under_a_credit_contract_after_degree_years_gives_no_result(db):
    # Degree contract 2023-2024: one course passed, one failed; credit contract 2024-2025 with the
    # failed course, passed: the programme is completed in a credit-contract year (Art. 14).
    enrolment, lines, periods = _small_programme_world("degree")
    result_record(isp_line=lines[0], exam_period=periods[1], opportunity=1, mark=14)
    result_record(isp_line=lines[1], exam_period=periods[1], opportunity=1, mark=6)
    run_deadlines(today=D(2024, 9, 16))
    year2 = AcademicYearFactory(first_year=2024)
    later = EnrolmentFactory(
        student=enrolment.student, programme=enrolment.programme, academic_year=year2, contract="credit"
    )
    line = ISPLineFactory(enrolment=later, course=lines[1].course)
    result_record(isp_line=line, exam_period=year2.exam_periods.get(number=1), opportunity=1, mark=12)
    run_deadlines(today=D(2025, 2, 10))
    line.refresh_from_db()
    assert line.certified_on is not None
    assert not ProgrammeResult.objects.filter(student=enrolment.student).exists()
