"""The appeal services: registering, following up and deciding appeals, refusal lifting and
corrections, with the rules at their boundaries; and end to end, a new examination decision
with everything downstream."""

import datetime as dt

import pytest
from django.core import mail
from django.utils.formats import date_format

from appeals import services
from appeals.models import Appeal, Correction, LiftingStatus
from core.timeline import run_deadlines
from exams.models import ProgrammeResult, Result
from programmes.models import ExamPeriod
from students.models import Enrolment, EnrolmentStatus, ISPLine, LearningAccountEntry, Measure
from tests.support import personas
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)
from tests.support.worlds import on

D = dt.date
FILED = D(2024, 2, 10)
OCTOBER_10 = D(2025, 10, 10)


def register(world, *, posted_on=FILED, today=None, **kwargs):
    values = {
        "student": world.student,
        "category": "f",
        "posted_on": posted_on,
        "result": world.result,
        "facts_and_objections": "Question 3 was not marked.",
        "by": world.administration,
    }
    values.update(kwargs)
    with on(today or posted_on):
        return services.appeal_register(**values)


def decide(appeal, *, outcome, day, by, **kwargs):
    with on(day):
        return services.appeal_decide(
            appeal=appeal, outcome=outcome, on=day, by=by, reason=kwargs.pop("reason", "Motivated."), **kwargs
        )


# --- Registering -------------------------------------------------------------------------------
def test_an_appeal_against_a_result_takes_the_publication_date_and_describes_the_decision(college):
    appeal = register(college)
    assert appeal.reference == f"A-{appeal.pk:04d}"
    assert (appeal.status, appeal.decision_on, appeal.exam_period, appeal.programme) == (
        "open",
        D(2024, 2, 6),
        college.january,
        college.programme,
    )
    assert "C01" in appeal.decision_text and ": 7" in appeal.decision_text
    assert appeal.decision_due_on == D(2024, 2, 29)
    assert appeal.registered_by == college.administration
    assert appeal.procedure_email == "r1@student.example"  # none given: the college's address
    assert services.admissibility(appeal).admissible
    assert appeal.history.count() == 1


def test_for_an_examination_decision_the_publication_counts_whatever_date_is_typed(college):
    appeal = register(college, decision_on=D(2024, 2, 9))
    assert appeal.decision_on == D(2024, 2, 6)


@pytest.mark.parametrize(("posted_on", "admissible"), [(D(2024, 2, 13), True), (D(2024, 2, 14), False)])
def test_day_7_is_in_time_and_day_8_late(college, posted_on, admissible):
    appeal = register(college, posted_on=posted_on)
    check = services.admissibility(appeal)
    assert check.last_day == D(2024, 2, 13)
    assert check.admissible is admissible
    if not admissible:
        last = date_format(D(2024, 2, 13), "DATE_FORMAT")  # the one date format of the language (issue 13)
        assert check.messages == [f"Filed too late: the last day to file was {last} (seven calendar days)."]


def test_another_decision_counts_from_its_notification(college):
    appeal = register(
        college,
        category="h",
        result=None,
        decision_text="Refusal of extra exam time",
        decision_on=D(2024, 3, 1),
        posted_on=D(2024, 3, 8),
    )
    assert services.admissibility(appeal).admissible
    late = register(
        college, category="h", result=None, decision_text="Refusal", decision_on=D(2024, 3, 1), posted_on=D(2024, 3, 9)
    )
    assert services.admissibility(late).problems == ["late"]


def test_an_appeal_without_facts_is_registered_and_inadmissible(college):
    appeal = register(college, facts_and_objections="")
    assert services.admissibility(appeal).problems == ["no_facts"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"category": "d"}, "cannot be appealed under this category"),
        ({"category": "z"}, "Choose a category"),
        ({"posted_on": D(2024, 2, 11), "today": D(2024, 2, 10)}, "cannot lie in the future"),
        ({"result": None}, "Give the date"),
        ({"result": None, "decision_on": D(2024, 2, 1)}, "Describe the decision"),
        (
            {
                "category": "h",
                "result": None,
                "decision_text": "x",
                "decision_on": D(2024, 2, 8),
                "pending_feedback": True,
            },
            "pending feedback",
        ),
    ],
)
def test_registering_refuses(college, kwargs, message):
    with pytest.raises(services.Refused, match=message):
        register(college, **kwargs)
    assert not Appeal.objects.exists()


def test_the_decision_must_be_the_students_own(college):
    with pytest.raises(services.Refused, match="not one of this student's"):
        register(college, student=college.other)


def test_only_one_decision_is_linked(college):
    with pytest.raises(services.Refused, match="one decision only"):
        register(college, exam_period=college.january)


# --- Pending feedback -------------------------------------------------------------------------
def test_an_elaboration_on_day_5_is_in_time(college):
    appeal = register(college, pending_feedback=True, facts_and_objections="")
    assert services.admissibility(appeal).admissible  # the facts come with the elaboration
    with on(D(2024, 2, 15)):
        appeal = services.appeal_elaborate(
            appeal=appeal, on=D(2024, 2, 15), facts_and_objections="Part B unmarked.", by=college.administration
        )
    assert appeal.elaborated_on == D(2024, 2, 15)
    assert appeal.facts_and_objections == "Part B unmarked."
    with on(D(2024, 2, 20)):
        run_deadlines(today=D(2024, 2, 20))
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_an_elaboration_on_day_6_is_too_late_and_the_appeal_is_void(college):
    appeal = register(college, pending_feedback=True)
    with on(D(2024, 2, 16)), pytest.raises(services.Refused, match="too late"):
        services.appeal_elaborate(appeal=appeal, on=D(2024, 2, 16), facts_and_objections="x", by=college.administration)
    with on(D(2024, 2, 16)):
        run_deadlines(today=D(2024, 2, 16))
    appeal.refresh_from_db()
    assert (appeal.status, appeal.voided_on) == ("void", D(2024, 2, 16))
    with on(D(2024, 2, 16)), pytest.raises(services.Refused, match="void"):
        services.appeal_decide(appeal=appeal, outcome="unfounded", on=D(2024, 2, 16), reason="x", by=college.admin)


def test_an_elaboration_posted_in_time_but_recorded_after_the_clock_reopens_the_appeal(college):
    appeal = register(college, pending_feedback=True, facts_and_objections="Waiting for the feedback.")
    with on(D(2024, 2, 18)):
        run_deadlines(today=D(2024, 2, 18))
        appeal.refresh_from_db()
        assert appeal.status == "void"
        appeal = services.appeal_elaborate(
            appeal=appeal, on=D(2024, 2, 15), facts_and_objections="Part B unmarked.", by=college.administration
        )
    assert (appeal.status, appeal.voided_on, appeal.elaborated_on) == ("open", None, D(2024, 2, 15))
    assert (
        "Waiting for the feedback." in appeal.facts_and_objections and "Part B unmarked." in appeal.facts_and_objections
    )


def test_a_pending_appeal_is_not_decided_on_its_merits_before_its_elaboration(college):
    appeal = register(college, pending_feedback=True)
    with pytest.raises(services.Refused, match="not elaborated yet"):
        decide(appeal, outcome="unfounded", day=D(2024, 2, 12), by=college.administration)
    decided = decide(appeal, outcome="inadmissible", day=D(2024, 2, 12), by=college.administration)
    assert decided.outcome == "inadmissible"


# --- The decision's date ------------------------------------------------------------------------
def test_a_later_date_announced_on_day_19_moves_the_due_day(college):
    appeal = register(college)
    with on(D(2024, 2, 29)):
        appeal = services.appeal_postpone(
            appeal=appeal,
            announced_on=D(2024, 2, 29),
            later_on=D(2024, 3, 15),
            reasons="The examiner is abroad until 10 March.",
            by=college.administration,
        )
    assert appeal.decision_due_on == D(2024, 3, 15)
    with on(D(2024, 3, 15)):
        run_deadlines(today=D(2024, 3, 15))
    appeal.refresh_from_db()
    assert appeal.overdue_since is None
    with on(D(2024, 3, 16)):
        run_deadlines(today=D(2024, 3, 16))
    appeal.refresh_from_db()
    assert appeal.overdue_since == D(2024, 3, 16)


def test_a_later_date_announced_on_day_20_is_refused(college):
    appeal = register(college)
    with on(D(2024, 3, 1)), pytest.raises(services.Refused, match="within the twenty days"):
        services.appeal_postpone(
            appeal=appeal, announced_on=D(2024, 3, 1), later_on=D(2024, 3, 15), reasons="x", by=college.administration
        )
    appeal.refresh_from_db()
    assert appeal.decision_due_on == D(2024, 2, 29)


def test_an_announcement_recorded_after_the_flag_clears_it(college):
    appeal = register(college)
    with on(D(2024, 3, 2)):
        run_deadlines(today=D(2024, 3, 2))
        appeal.refresh_from_db()
        assert appeal.overdue_since == D(2024, 3, 1)
        appeal = services.appeal_postpone(
            appeal=appeal, announced_on=D(2024, 2, 28), later_on=D(2024, 3, 20), reasons="Hearing.", by=college.admin
        )
    assert (appeal.decision_due_on, appeal.overdue_since) == (D(2024, 3, 20), None)


def test_a_decision_after_the_due_day_is_flagged_late(college):
    appeal = register(college)
    decided = decide(appeal, outcome="unfounded", day=D(2024, 3, 4), by=college.administration)
    assert decided.overdue_since == D(2024, 3, 1)
    on_time = decide(register(college), outcome="unfounded", day=D(2024, 2, 29), by=college.administration)
    assert on_time.overdue_since is None


# --- Outcomes -----------------------------------------------------------------------------------
def test_a_late_appeal_can_only_be_declared_inadmissible(college):
    appeal = register(college, posted_on=D(2024, 2, 14))
    for outcome in ("unfounded", "new_decision"):
        with pytest.raises(services.Refused, match="inadmissible by rule"):
            decide(appeal, outcome=outcome, day=D(2024, 2, 20), by=college.administration, mark=12)
    decided = decide(appeal, outcome="inadmissible", day=D(2024, 2, 20), by=college.administration, reason="Late.")
    assert (decided.status, decided.outcome, decided.decision_reason) == ("decided", "inadmissible", "Late.")
    assert Result.objects.get(pk=college.result.pk).score == 7


def test_an_outcome_needs_a_motivation(college):
    with pytest.raises(services.Refused, match="motivation"):
        decide(register(college), outcome="unfounded", day=D(2024, 2, 20), by=college.admin, reason=" ")


def test_a_new_examination_decision_needs_a_new_mark_allowed_for_the_course(college):
    appeal = register(college)
    with pytest.raises(services.Refused, match="Give the new mark"):
        decide(appeal, outcome="new_decision", day=D(2024, 2, 20), by=college.admin)
    with pytest.raises(services.Refused, match="same mark"):
        decide(appeal, outcome="new_decision", day=D(2024, 2, 20), by=college.admin, mark=7)
    with pytest.raises(services.Refused, match="not allowed"):
        decide(appeal, outcome="new_decision", day=D(2024, 2, 20), by=college.admin, mark="P")
    with pytest.raises(services.Refused, match="only to a new examination decision"):
        decide(appeal, outcome="unfounded", day=D(2024, 2, 20), by=college.admin, mark=12)
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_a_new_decision_of_another_category_is_recorded(college):
    appeal = register(
        college, category="h", result=None, decision_text="Refusal of extra time", decision_on=D(2024, 2, 8)
    )
    decided = decide(appeal, outcome="new_decision", day=D(2024, 2, 20), by=college.admin, reason="Extra time granted.")
    assert (decided.outcome, decided.new_mark) == ("new_decision", "")


def test_an_appeal_is_decided_once(college):
    appeal = register(college)
    decide(appeal, outcome="unfounded", day=D(2024, 2, 20), by=college.admin)
    with pytest.raises(services.Refused, match="decided already"):
        decide(appeal, outcome="inadmissible", day=D(2024, 2, 21), by=college.admin)


# --- The daily summary ---------------------------------------------------------------------------
def test_the_daily_summary_goes_to_student_administration(college, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    overdue = register(college, posted_on=D(2024, 2, 8))  # due 27 February
    soon = register(college, posted_on=D(2024, 2, 13))  # due 3 March
    later = register(
        college, posted_on=D(2024, 2, 13), category="h", result=None, decision_text="x", decision_on=D(2024, 2, 12)
    )
    pending = register(
        college,
        posted_on=D(2024, 2, 27),
        category="g",
        result=None,
        decision_text="y",
        decision_on=D(2024, 2, 26),
        pending_feedback=True,
    )
    with on(D(2024, 2, 28)):
        summary = services.appeals_summary(today=D(2024, 2, 28))
        sent = services.appeals_summary_send(today=D(2024, 2, 28))
    assert [a.pk for a in summary.overdue] == [overdue.pk]
    assert [a.pk for a in summary.due_soon] == [soon.pk, later.pk]
    assert [a.pk for a in summary.awaiting_elaboration] == [pending.pk]
    assert sent == 1
    (message,) = mail.outbox
    assert message.to == ["administration@college.example"]
    assert "1 overdue, 2 due soon" in message.subject
    assert overdue.reference in message.body and pending.reference in message.body


def test_no_summary_when_nothing_is_to_follow_up(college, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.appeals_summary_send(today=D(2024, 2, 28)) == 0
    assert mail.outbox == []


# --- Refusal lifting (Art. 34) --------------------------------------------------------------------
def lifting_request(refused, submitted_on=OCTOBER_10, **kwargs):
    with on(max(submitted_on, D(2025, 10, 10))):
        return services.refusal_lifting_request_register(
            measure=refused["measure"],
            submitted_on=submitted_on,
            grounds=kwargs.pop("grounds", "My father was seriously ill during the second year."),
            by=refused["office"],
        )


def test_lifting_a_threshold_refusal_applies_the_tolerances_and_readmits(refused):
    request = lifting_request(refused)
    assert (request.status, request.academic_year_code) == ("pending", "2025-2026")
    with on(D(2025, 10, 20)):
        decided = services.refusal_lifting_decide(
            request=request, granted=True, on=D(2025, 10, 20), reason="Exceptional circumstances.", by=refused["office"]
        )
    assert (decided.status, decided.tolerated_courses) == ("granted", "T2, T3")
    for line in refused["second"].values():
        line.refresh_from_db()
    assert (refused["second"]["T2"].tolerated_on, refused["second"]["T2"].tolerance_kind) == (
        D(2025, 10, 20),
        "automatic",
    )
    assert refused["second"]["T3"].tolerated_on == D(2025, 10, 20)
    assert refused["second"]["U1"].tolerated_on is None
    refused["measure"].refresh_from_db()
    assert refused["measure"].lifted_on == D(2025, 10, 20)
    assert Enrolment.objects.get(pk=refused["refused"].pk).status == EnrolmentStatus.ENROLLED
    assert ISPLine.objects.get(enrolment=refused["refused"]).deducted_credits == 30


def test_a_late_request_is_registered_but_only_rejected(refused):
    lifting_request(refused, submitted_on=D(2025, 10, 1))
    with on(D(2025, 10, 1)):
        services.refusal_lifting_decide(
            request=refused["measure"].lifting_requests.get(),
            granted=False,
            on=D(2025, 10, 1),
            reason="No special circumstances.",
            by=refused["office"],
        )
    # A second request that academic year: 10 October was the last day.
    late = lifting_request(refused, submitted_on=D(2025, 10, 11))
    with on(D(2025, 10, 20)), pytest.raises(services.Refused, match="too late"):
        services.refusal_lifting_decide(
            request=late, granted=True, on=D(2025, 10, 20), reason="x", by=refused["office"]
        )
    refused["measure"].refresh_from_db()
    assert refused["measure"].lifted_on is None


def test_a_first_request_before_25_february_is_in_time(refused):
    request = lifting_request(refused, submitted_on=D(2026, 2, 24))
    assert (
        services.lifting_check(
            measure=refused["measure"],
            submitted_on=request.submitted_on,
            grounds=request.grounds,
            exclude_pk=request.pk,
        ).problems
        == []
    )
    late = services.lifting_check(measure=refused["measure"], submitted_on=D(2026, 2, 25), grounds="x", exclude_pk=None)
    assert late.problems == ["late"]


def test_a_request_needs_grounds_and_a_refusal_not_yet_lifted(refused):
    with pytest.raises(services.Refused, match="special individual circumstances"):
        lifting_request(refused, grounds=" ")
    refused["measure"].lifted_on = D(2025, 9, 30)
    refused["measure"].save()
    with pytest.raises(services.Refused, match="lifted already"):
        lifting_request(refused)


def test_a_rejection_is_appealed_and_the_new_decision_lifts_the_refusal(refused):
    request = lifting_request(refused)
    with on(D(2025, 10, 15)):
        services.refusal_lifting_decide(
            request=request, granted=False, on=D(2025, 10, 15), reason="Not exceptional.", by=refused["office"]
        )
    request.refresh_from_db()
    assert request.status == LiftingStatus.REJECTED
    with on(D(2025, 10, 20)):
        appeal = services.appeal_register(
            student=refused["student"],
            category="a",
            posted_on=D(2025, 10, 20),
            refusal_lifting_request=request,
            facts_and_objections="The committee ignored the medical certificate.",
            by=refused["office"],
        )
    assert (appeal.decision_on, services.admissibility(appeal).last_day) == (D(2025, 10, 15), D(2025, 10, 22))
    with on(D(2025, 10, 30)):
        services.appeal_decide(
            appeal=appeal,
            outcome="new_decision",
            on=D(2025, 10, 30),
            reason="Certificate accepted.",
            by=refused["office"],
        )
    refused["measure"].refresh_from_db()
    assert refused["measure"].lifted_on == D(2025, 10, 30)
    assert refused["second"]["T2"].__class__.objects.get(pk=refused["second"]["T2"].pk).tolerated_on == D(2025, 10, 30)
    assert Enrolment.objects.get(pk=refused["refused"].pk).status == EnrolmentStatus.ENROLLED


def test_a_pending_or_granted_request_cannot_be_appealed(refused):
    request = lifting_request(refused)
    with on(D(2025, 10, 20)), pytest.raises(services.Refused, match="Only a rejected"):
        services.appeal_register(
            student=refused["student"],
            category="a",
            posted_on=D(2025, 10, 20),
            refusal_lifting_request=request,
            facts_and_objections="x",
            by=refused["office"],
        )


# --- Corrections (Art. 102) --------------------------------------------------------------------
def correct(world, mark, day, **kwargs):
    with on(day):
        return services.result_correct(
            result=world.result,
            mark=mark,
            on=day,
            reason=kwargs.pop("reason", "Typing error."),
            by=world.committee,
            **kwargs,
        )


def test_a_correction_in_the_students_favour_is_always_possible(college):
    correction = correct(college, 12, D(2024, 6, 1))
    assert (correction.in_favour, correction.old_value, correction.new_value, correction.decision_on) == (
        True,
        "7",
        "12",
        D(2024, 2, 6),
    )
    assert correction.recorded_by == college.committee and correction.reason == "Typing error."
    line = ISPLine.objects.get(pk=college.lines["C01"].pk)
    assert line.certified_on == D(2024, 6, 1)


def test_an_appeal_against_a_corrected_mark_runs_from_the_correction(college):
    """Art. 101-102: a corrected mark is a new examination decision; an appeal against the result
    runs from the correction's day, not from the publication (6 February), whatever date is typed."""
    correct(college, 12, D(2024, 6, 1))
    appeal = register(college, posted_on=D(2024, 6, 8), decision_on=D(2024, 2, 6))
    assert appeal.decision_on == D(2024, 6, 1)
    assert appeal.status == "open"
    assert register(college, posted_on=D(2024, 6, 9)).decision_on == D(2024, 6, 1)


def test_a_correction_against_the_student_on_day_10_and_not_on_day_11(college):
    with pytest.raises(services.Refused, match="within ten calendar days"):
        correct(college, 5, D(2024, 2, 17))
    assert not Correction.objects.exists()
    correction = correct(college, 5, D(2024, 2, 16))
    assert (correction.in_favour, correction.new_value) == (False, "5")
    assert Result.objects.get(pk=college.result.pk).score == 5


def test_a_late_correction_against_the_student_in_the_exceptional_cases(college):
    correction = correct(college, 5, D(2024, 3, 1), exception="student_negligence")
    assert correction.exception == "student_negligence"


def test_the_ten_days_run_from_the_latest_decision_on_the_mark(college):
    correct(college, 12, D(2024, 3, 1))  # in favour; the mark now stands on the decision of 1 March
    correction = correct(college, 11, D(2024, 3, 11))  # against, day 10 after it
    assert correction.decision_on == D(2024, 3, 1)
    with pytest.raises(services.Refused, match="within ten"):
        correct(college, 10, D(2024, 3, 22))


def test_a_correction_to_the_same_mark_is_refused(college):
    with pytest.raises(services.Refused, match="nothing to correct"):
        correct(college, 7, D(2024, 2, 10))


def test_another_administrative_correction_is_recorded_with_who_when_and_why(college):
    with on(D(2024, 3, 1)):
        correction = services.correction_record(
            student=college.student,
            subject="Exemption credits",
            decision_on=D(2024, 2, 1),
            on=D(2024, 3, 1),
            in_favour=True,
            old_value="3",
            new_value="6",
            reason="Wrong number of credits typed.",
            by=college.administration,
        )
        assert correction.recorded_by == college.administration and correction.history.count() == 1
        with pytest.raises(services.Refused, match="within ten"):
            services.correction_record(
                student=college.student,
                subject="Exemption credits",
                decision_on=D(2024, 2, 1),
                on=D(2024, 3, 1),
                in_favour=False,
                reason="x",
                by=college.administration,
            )


def test_a_decision_taken_in_time_but_recorded_after_the_flag_was_never_overdue(college):
    appeal = register(college)
    with on(D(2024, 3, 5)):
        run_deadlines(today=D(2024, 3, 5))
        appeal.refresh_from_db()
        assert appeal.overdue_since == D(2024, 3, 1)
        decided = services.appeal_decide(
            appeal=appeal, outcome="unfounded", on=D(2024, 2, 28), reason="The mark stands.", by=college.admin
        )
    assert decided.overdue_since is None


# --- End to end: an appeal against an examination decision ends in a new decision, and
# everything downstream follows on the decision day (Art. 101; exams.redecisions).
# (formerly tests/appeals/test_redecision.py)


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


def test_a_new_decision_after_the_year_end_lifts_the_threshold_refusal_and_readmits(db):
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
    office = personas.make_user("office", password=None)

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
