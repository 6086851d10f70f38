"""End to end: an appeal against an examination decision ends in a new decision, and
everything downstream follows on the decision day (Art. 101; exams.redecisions)."""

import datetime as dt

from appeals import services
from core.timeline import run_deadlines
from exams.models import ProgrammeResult, Result
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

from .conftest import on

D = dt.date
FILED = D(2024, 2, 10)


def ledger(student):
    return list(
        LearningAccountEntry.objects.filter(student=student).order_by("on", "id").values_list("on", "credits", "kind")
    )


def appeal_against_c01(world, *, posted_on=FILED):
    with on(posted_on):
        return services.appeal_register(
            student=world.student,
            category="f",
            posted_on=posted_on,
            result=world.result,
            facts_and_objections="Question 3 was not marked.",
            by=world.administration,
        )


def test_a_new_examination_decision_gives_the_certificate_the_refund_with_bonus_and_the_programme(finalist):
    world = finalist
    # Before: 140 - 60 + 2 x 54 (nine courses passed, all inside the first 60 credits) = 188.
    assert world.student.learning_account_balance() == 188
    assert not ProgrammeResult.objects.filter(student=world.student).exists()
    appeal = appeal_against_c01(world)
    assert appeal.decision_on == D(2024, 2, 6) and appeal.decision_due_on == D(2024, 2, 29)
    assert appeal.programme == world.programme

    with on(D(2024, 2, 20)):
        decided = services.appeal_decide(
            appeal=appeal,
            outcome="new_decision",
            on=D(2024, 2, 20),
            mark=12,
            reason="Recounted: 12/20.",
            by=world.committee,
        )

    assert (decided.status, decided.outcome, decided.old_mark, decided.new_mark) == (
        "decided",
        "new_decision",
        "7",
        "12",
    )
    result = Result.objects.get(pk=world.result.pk)
    assert result.score == 12
    assert result.history.order_by("-history_id").first().history_change_reason.startswith(f"Appeal {appeal.reference}")
    line = ISPLine.objects.get(pk=world.lines["C01"].pk)
    # The credit certificate on the decision day ...
    assert (line.mark, line.outcome, line.certified_on) == ("12", "passed", D(2024, 2, 20))
    # ... the 6 credits back with the bonus on the first 60 credits, on the decision day ...
    assert ledger(world.student)[-2:] == [(D(2024, 2, 20), 6, "pass_refund"), (D(2024, 2, 20), 6, "bonus")]
    assert world.student.learning_account_balance() == 200
    # ... and the programme passed on the decision day.
    programme_result = ProgrammeResult.objects.get(student=world.student, programme=world.programme)
    assert programme_result.passed_on == D(2024, 2, 20)


def test_a_new_decision_that_makes_the_fail_tolerable_tolerates_it_and_passes_the_programme(finalist):
    world = finalist
    appeal = appeal_against_c01(world)
    with on(D(2024, 2, 20)):
        services.appeal_decide(
            appeal=appeal,
            outcome="new_decision",
            on=D(2024, 2, 20),
            mark=9,
            reason="Recounted: 9/20.",
            by=world.administration,
        )
    line = ISPLine.objects.get(pk=world.lines["C01"].pk)
    # Final stage (Art. 91 §3 (a)): the tolerance makes R1 pass the programme; tolerated credits never come back.
    assert (line.outcome, line.tolerated_on, line.tolerance_kind, line.certified_on) == (
        "tolerable",
        D(2024, 2, 20),
        "automatic",
        None,
    )
    assert world.student.learning_account_balance() == 188
    assert ProgrammeResult.objects.get(student=world.student).passed_on == D(2024, 2, 20)


def test_an_unfounded_appeal_changes_nothing(finalist):
    world = finalist
    before = ledger(world.student)
    appeal = appeal_against_c01(world)
    with on(D(2024, 2, 20)):
        services.appeal_decide(
            appeal=appeal, outcome="unfounded", on=D(2024, 2, 20), reason="The mark stands.", by=world.administration
        )
    assert Result.objects.get(pk=world.result.pk).score == 7
    assert ledger(world.student) == before
    assert not ProgrammeResult.objects.exists()


def test_a_new_decision_after_the_year_end_lifts_the_threshold_refusal_and_readmits(db, django_user_model):
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
    # Published on 13 September 2025 (exam period 3 of 2024-2025), the resit of T2: 5.
    resit = Result.objects.create(
        isp_line=l2, exam_period=ExamPeriod.objects.get(academic_year=years[1], number=3), opportunity=1, score=5
    )
    with on(D(2025, 9, 16)):
        run_deadlines(today=D(2025, 9, 16))
    measure = Measure.objects.get(student=student, kind="threshold_refusal")
    assert Enrolment.objects.get(pk=e3.pk).status == EnrolmentStatus.REFUSED
    office = django_user_model.objects.create_user("office")

    with on(D(2025, 9, 18)):
        appeal = services.appeal_register(
            student=student,
            category="f",
            posted_on=D(2025, 9, 18),
            result=resit,
            facts_and_objections="My answers to part B were not marked.",
            by=office,
        )
    with on(D(2025, 9, 25)):
        services.appeal_decide(
            appeal=appeal, outcome="new_decision", on=D(2025, 9, 25), mark=11, reason="Part B marked.", by=office
        )
    measure.refresh_from_db()
    assert measure.lifted_on == D(2025, 9, 25)
    assert Enrolment.objects.get(pk=e3.pk).status == EnrolmentStatus.ENROLLED
    assert ISPLine.objects.get(pk=l2.pk).certified_on == D(2025, 9, 25)
