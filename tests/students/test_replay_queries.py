"""The timeline's handlers of enrolments, learning accounts and fees take as many queries for a
day with many students as for a day with few, whatever the balances and credits involved."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fees.services import fees_process
from students.deadlines import openings_pending_on
from students.models import Enrolment, ISPLine, LearningAccountEntry, Student
from students.services import accounts_open, enrolments_process
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    LearningAccountEntryFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def _enrol(count: int, *, year, programme, courses, on: datetime.date, opened: bool) -> list[Enrolment]:
    """``count`` students enrolled on ``on``, each with other balances and other courses."""
    enrolments = []
    for i in range(count):
        enrolment = EnrolmentFactory(academic_year=year, programme=programme, enrolled_on=on)
        if opened:
            LearningAccountEntryFactory(student=enrolment.student, credits=140 - 7 * i, on=on - datetime.timedelta(30))
            Student.objects.filter(pk=enrolment.student_id).update(account_opened=True)
        for course in courses[: 1 + i % len(courses)]:
            ISPLineFactory(enrolment=enrolment, course=course, added_on=on)
        enrolments.append(enrolment)
    return enrolments


def _queries(process, day) -> int:
    with CaptureQueriesContext(connection) as captured:
        process(day=day)
    return len(captured)


@pytest.fixture
def college():
    year = AcademicYearFactory(first_year=2025)
    programme = ProgrammeFactory()
    courses = [CourseFactory(programme=programme, credits=credits) for credits in (3, 4, 5, 6, 9)]
    return year, programme, courses


def test_enrolments_and_fees_of_a_day_in_the_same_queries_for_more_students(college):
    year, programme, courses = college
    few_day, many_day = year.starts_on - datetime.timedelta(20), year.starts_on - datetime.timedelta(10)
    few = _enrol(2, year=year, programme=programme, courses=courses, on=few_day, opened=True)
    many = _enrol(9, year=year, programme=programme, courses=courses, on=many_day, opened=True)

    counts = {}
    for label, day in (("few", few_day), ("many", many_day)):
        counts[label] = (_queries(enrolments_process, day), _queries(fees_process, day))
    assert counts["many"] == counts["few"]

    # Every enrolment judged with its own balance, every line with its own credits.
    for enrolment in few + many:
        enrolment.refresh_from_db()
        balance = LearningAccountEntry.objects.filter(student_id=enrolment.student_id, kind="opening").get().credits
        assert enrolment.enrolment_processed and enrolment.balance_at_enrolment == balance
    lines = ISPLine.objects.filter(enrolment__in=few + many)
    assert {line.deducted_credits for line in lines} == {3, 4, 5, 6, 9}
    assert all(line.add_processed and line.deducted_credits == line.course.credits for line in lines)


def test_accounts_open_in_the_same_queries_for_more_students(college):
    year, programme, courses = college
    few_day, many_day = year.starts_on - datetime.timedelta(20), year.starts_on - datetime.timedelta(10)
    _enrol(2, year=year, programme=programme, courses=courses, on=few_day, opened=False)
    many = _enrol(9, year=year, programme=programme, courses=courses, on=many_day, opened=False)

    assert openings_pending_on() == few_day
    few_queries = _queries(accounts_open, few_day)
    assert openings_pending_on() == many_day
    assert _queries(accounts_open, many_day) == few_queries
    assert openings_pending_on() is None
    assert set(
        LearningAccountEntry.objects.filter(kind="opening", student__in=[e.student_id for e in many]).values_list(
            "student_id", "on"
        )
    ) == {(e.student_id, many_day) for e in many}


def test_deregistrations_of_a_day_in_the_same_queries_for_more_students(college):
    """Issue 19 §3: the exam opportunities a deregistration's refund depends on (rule 5) are read
    once for the day's deregistrations, not once per deregistration."""
    from students.services import deregistrations_process

    year, programme, courses = college
    enrolled = year.starts_on - datetime.timedelta(30)
    few = _enrol(2, year=year, programme=programme, courses=courses, on=enrolled, opened=True)
    many = _enrol(9, year=year, programme=programme, courses=courses, on=enrolled, opened=True)
    enrolments_process(day=enrolled)
    few_day, many_day = year.starts_on + datetime.timedelta(10), year.starts_on + datetime.timedelta(20)
    assert many_day < year.first_semester_lock
    Enrolment.objects.filter(pk__in=[e.pk for e in few]).update(deregistered_on=few_day)
    Enrolment.objects.filter(pk__in=[e.pk for e in many]).update(deregistered_on=many_day)

    assert _queries(deregistrations_process, few_day) == _queries(deregistrations_process, many_day)
    # Deregistered before the first-semester lock: every deducted credit comes back.
    for enrolment in few + many:
        enrolment.refresh_from_db()
        assert enrolment.deregistration_processed and enrolment.status == "deregistered"
        refund = LearningAccountEntry.objects.get(source=f"enrolment:{enrolment.pk}:deregistration")
        assert refund.credits == sum(line.course.credits for line in enrolment.lines.all())
    assert not ISPLine.objects.filter(enrolment__in=few + many, deducted_credits__gt=0).exists()


def test_pending_days_and_openings_read_from_the_day_the_run_processes(college):
    """Within a run of the timeline (``core.timeline.pending_from``), the students' pending days
    are read from the run's day on, and the accounts to open among the enrolments of that day
    on; outside a run, from the beginning. Two students enrolled 20 and 10 days before the
    year's start, accounts not opened."""
    from core import timeline

    year, programme, courses = college
    early_day, late_day = year.starts_on - datetime.timedelta(20), year.starts_on - datetime.timedelta(10)
    early = _enrol(1, year=year, programme=programme, courses=courses, on=early_day, opened=False)
    late = _enrol(1, year=year, programme=programme, courses=courses, on=late_day, opened=False)
    assert openings_pending_on() == early_day
    token = timeline._from.set(late_day)
    try:
        assert openings_pending_on() == late_day
        # The accounts to open on the late day: the late student's only (the early one's enrolment
        # is before the run's day: the run's last look, reading from the beginning, opens it).
        assert accounts_open(day=late_day) == 1
    finally:
        timeline._from.reset(token)
    opened = set(Student.objects.filter(account_opened=True).values_list("pk", flat=True))
    assert opened == {late[0].student_id}
    assert openings_pending_on() == early_day
    assert accounts_open(day=late_day) == 1
    assert openings_pending_on() is None
    assert early[0].student_id in set(Student.objects.filter(account_opened=True).values_list("pk", flat=True))


def test_the_fact_kinds_read_their_facts_from_the_day_the_run_processes(college):
    """Within a run of the timeline, the enrolments, the lines added and removed, the
    deregistrations and the degrees to process are read from the run's day on, as their pending
    days are (``core.timeline.pending_from``): within a replay's one transaction their pending
    partial indexes keep an entry for every fact processed, which a read from the beginning walks
    past each day. Outside a run (a live change) every one due is read. Two of each kind, dated 20
    and 10 days before the year's start."""
    from core import timeline
    from students.services import (
        degrees_process,
        deregistrations_process,
        isp_additions_process,
        isp_removals_process,
    )
    from tests.support.factories import DegreeFactory

    year, programme, courses = college
    early_day, late_day = year.starts_on - datetime.timedelta(20), year.starts_on - datetime.timedelta(10)
    before = early_day - datetime.timedelta(5)
    # Enrolled and processed before both days; a line added and one removed, a deregistration and a
    # degree on each day.
    processed = _enrol(2, year=year, programme=programme, courses=courses[:1], on=before, opened=True)
    assert enrolments_process(day=before) == 2
    for enrolment, day in zip(processed, (early_day, late_day), strict=True):
        ISPLineFactory(enrolment=enrolment, course=courses[1], added_on=day)
        ISPLine.objects.filter(enrolment=enrolment, course=courses[0]).update(removed_on=day)
        Enrolment.objects.filter(pk=enrolment.pk).update(deregistered_on=day)
        DegreeFactory(student=enrolment.student, on=day)
    _enrol(1, year=year, programme=programme, courses=courses, on=early_day, opened=True)
    _enrol(1, year=year, programme=programme, courses=courses, on=late_day, opened=True)
    kinds = (
        enrolments_process,
        isp_additions_process,
        isp_removals_process,
        deregistrations_process,
        degrees_process,
    )

    token = timeline._from.set(late_day)
    try:
        # Within a run at the late day: the late day's fact of each kind only.
        assert [process(day=late_day) for process in kinds] == [1, 1, 1, 1, 1]
    finally:
        timeline._from.reset(token)
    # Outside a run: the early ones, left for the run's last look, which reads from the beginning.
    assert [process(day=late_day) for process in kinds] == [1, 1, 1, 1, 1]
    assert [process(day=late_day) for process in kinds] == [0, 0, 0, 0, 0]
