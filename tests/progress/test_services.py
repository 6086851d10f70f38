"""The ISP editor's services: rules enforced on write, the ledger updated at once, the
history kept with who and when, and a stale version refused (optimistic concurrency)."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from progress import services
from students.models import ExemptionApproval, ISPDerogation, ISPLine, LearningAccountEntry

pytestmark = pytest.mark.django_db


def balance(student):
    return student.learning_account_balance()


def refused_codes(excinfo):
    return [p.code for p in excinfo.value.problems]


def test_the_world_starts_with_the_first_stage_deducted(coach_world):
    assert balance(coach_world.student) == 140 - 30
    assert coach_world.enrolment.isp_status == "draft"


def test_adding_a_course_books_its_deduction_at_once_and_keeps_who_did_it(coach_world, on_coach_day):
    enrolment = coach_world.enrolment
    line = services.isp_line_add(
        enrolment=enrolment, course=coach_world.courses["A201"], expected_version=1, by=coach_world.coach
    )
    assert line.added_on == datetime.date(2026, 11, 23)
    assert line.deducted_credits == 6
    assert balance(coach_world.student) == 104
    entry = LearningAccountEntry.objects.get(source=f"isp_line:{line.pk}", kind="deduction")
    assert entry.credits == -6
    enrolment.refresh_from_db()
    assert enrolment.version == 2
    record = line.history.earliest()
    assert record.history_user == coach_world.coach
    assert record.history_change_reason == "A201 added"
    assert enrolment.history.order_by("-history_id").first().history_user == coach_world.coach


@pytest.mark.parametrize(
    ("code", "reason"),
    [("A202", "ssq_missing"), ("A204", "identical_in_isp"), ("A101", "already_in_isp")],
)
def test_a_refused_course_writes_nothing(coach_world, on_coach_day, code, reason):
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_add(
            enrolment=coach_world.enrolment, course=coach_world.courses[code], expected_version=1, by=coach_world.coach
        )
    assert reason in refused_codes(excinfo)
    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.version == 1
    assert coach_world.enrolment.lines.count() == 5
    assert balance(coach_world.student) == 110


def test_a_course_of_another_programme_is_refused(coach_world, on_coach_day):
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_add(
            enrolment=coach_world.enrolment, course=coach_world.other_course, expected_version=1, by=coach_world.coach
        )
    assert refused_codes(excinfo) == ["not_in_programme"]


def test_adding_beyond_72_credits_needs_a_derogation(coach_world, on_coach_day):
    from tests.support.factories import CourseFactory

    big = CourseFactory(programme=coach_world.programme, code="A299", credits=45, stage=2)
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_add(enrolment=coach_world.enrolment, course=big, expected_version=1, by=coach_world.coach)
    assert refused_codes(excinfo) == ["above_maximum"]
    services.isp_derogation_record(
        enrolment=coach_world.enrolment,
        kind="more_credits",
        credits=80,
        ground="outstanding_efficiency",
        expected_version=1,
        by=coach_world.coach,
    )
    services.isp_line_add(enrolment=coach_world.enrolment, course=big, expected_version=2, by=coach_world.coach)
    assert coach_world.enrolment.lines.filter(removed_on__isnull=True).count() == 6


def test_removing_before_the_lock_refunds(coach_world, on_coach_day):
    services.isp_derogation_record(
        enrolment=coach_world.enrolment,
        kind="model_route",
        ground="special_status",
        expected_version=1,
        by=coach_world.coach,
    )
    line = services.isp_line_remove(line=coach_world.lines["A101"], expected_version=2, by=coach_world.coach)
    assert line.removed_on == datetime.date(2026, 11, 23)
    assert balance(coach_world.student) == 116
    assert line.history.order_by("-history_id").first().history_change_reason == "A101 removed"


def test_a_new_student_keeps_the_first_stage_unless_derogated(coach_world, on_coach_day):
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_remove(line=coach_world.lines["A101"], expected_version=1, by=coach_world.coach)
    assert refused_codes(excinfo) == ["model_route_course"]


def test_after_the_first_semester_lock_only_second_semester_lines_change(coach_world):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False):
        services.isp_derogation_record(
            enrolment=coach_world.enrolment,
            kind="model_route",
            ground="special_status",
            expected_version=1,
            by=coach_world.coach,
        )
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0), tick=False):
        with pytest.raises(services.ISPRefused) as excinfo:
            services.isp_line_remove(line=coach_world.lines["A101"], expected_version=2, by=coach_world.coach)
        assert refused_codes(excinfo) == ["first_semester_final"]
        services.isp_line_remove(line=coach_world.lines["A103"], expected_version=2, by=coach_world.coach)
    # A second-semester line removed before 15 March is refunded (DOMAIN §2 rule 4).
    assert balance(coach_world.student) == 116
    # The save ran the timeline up to today: the 1 December lock made A101 final.
    assert ISPLine.objects.get(pk=coach_world.lines["A101"].pk).locked_on == datetime.date(2026, 12, 1)


def test_an_exemption_is_recorded_with_its_approval_and_gives_the_credits_back(coach_world, on_coach_day):
    approval = services.isp_line_exempt(
        line=coach_world.lines["A102"],
        basis="credit certificate KU Leuven 2019",
        expected_version=1,
        by=coach_world.coach,
    )
    line = approval.isp_line
    line.refresh_from_db()
    assert line.exempted and line.deducted_credits == 0
    assert approval.approved_by == coach_world.coach
    assert approval.approved_on == datetime.date(2026, 11, 23)
    assert balance(coach_world.student) == 116
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_exempt(line=line, basis="again", expected_version=2, by=coach_world.coach)
    assert refused_codes(excinfo) == ["already_exempted"]
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_remove(line=line, expected_version=2, by=coach_world.coach)
    assert "exemption_definitive" in refused_codes(excinfo)


def test_an_exemption_needs_its_basis(coach_world, on_coach_day):
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_exempt(line=coach_world.lines["A102"], basis=" ", expected_version=1, by=coach_world.coach)
    assert refused_codes(excinfo) == ["no_exemption_basis"]
    assert not ExemptionApproval.objects.exists()


def test_derogations_never_for_ssq_and_only_once(coach_world, on_coach_day):
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_derogation_record(
            enrolment=coach_world.enrolment,
            kind="sequencing",
            course=coach_world.courses["A202"],
            ground="special_status",
            expected_version=1,
            by=coach_world.coach,
        )
    assert refused_codes(excinfo) == ["no_sq_prerequisite"]
    derogation = services.isp_derogation_record(
        enrolment=coach_world.enrolment,
        kind="sequencing",
        course=coach_world.courses["A201"],
        ground="work_route",
        motivation="works nights",
        expected_version=1,
        by=coach_world.coach,
    )
    assert derogation.approved_by == coach_world.coach
    assert derogation.history.order_by("-history_id").first().history_user == coach_world.coach
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_derogation_record(
            enrolment=coach_world.enrolment,
            kind="sequencing",
            course=coach_world.courses["A201"],
            ground="work_route",
            expected_version=2,
            by=coach_world.coach,
        )
    assert refused_codes(excinfo) == ["derogation_exists"]
    assert ISPDerogation.objects.count() == 1


def test_workflow_submit_by_the_deadline_approve_before_the_lock(coach_world):
    enrolment = coach_world.enrolment
    with time_machine.travel(datetime.datetime(2026, 10, 10, 10, 0), tick=False):
        with pytest.raises(services.ISPRefused) as excinfo:
            services.isp_approve(enrolment=enrolment, expected_version=1, by=coach_world.coach)
        assert refused_codes(excinfo) == ["not_submitted_yet"]
        services.isp_submit(enrolment=enrolment, expected_version=1, by=coach_world.coach)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 10, 0), tick=False):
        approved = services.isp_approve(enrolment=enrolment, expected_version=2, by=coach_world.coach)
    assert approved.isp_status == "approved"
    assert approved.isp_submitted_on == datetime.date(2026, 10, 10)
    assert approved.isp_approved_on == datetime.date(2026, 11, 30)
    assert approved.isp_approved_by == coach_world.coach
    statuses = [h.isp_status for h in enrolment.history.order_by("history_id")]
    assert statuses[-2:] == ["submitted", "approved"]


def test_after_the_deadlines_submission_and_approval_need_the_reason_of_the_late_route(coach_world):
    """DOMAIN §3: a passed deadline does not freeze the workflow; without a reason it refuses."""
    with (
        time_machine.travel(datetime.datetime(2026, 10, 16, 10, 0), tick=False),
        pytest.raises(services.ISPRefused) as excinfo,
    ):
        services.isp_submit(enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach)
    assert refused_codes(excinfo) == ["submission_deadline_passed", "late_reason_missing"]
    with (
        time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0), tick=False),
        pytest.raises(services.ISPRefused) as excinfo,
    ):
        services.isp_approve(
            enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach, late_reason="   "
        )
    assert refused_codes(excinfo) == ["approval_deadline_passed", "late_reason_missing"]
    coach_world.enrolment.refresh_from_db()
    assert (coach_world.enrolment.version, coach_world.enrolment.isp_status) == (1, "draft")


def test_a_late_submission_and_a_late_approval_are_recorded_with_the_reason_and_who_allowed_it(coach_world):
    enrolment = coach_world.enrolment
    with time_machine.travel(datetime.datetime(2026, 10, 20, 10, 0), tick=False):
        submitted = services.isp_submit(
            enrolment=enrolment, expected_version=1, by=coach_world.coach, late_reason="Student was ill (doctor's note)"
        )
    assert submitted.isp_status == "submitted"
    assert submitted.isp_submitted_on == datetime.date(2026, 10, 20)
    assert submitted.isp_submitted_by == coach_world.coach
    assert submitted.isp_submitted_late_reason == "Student was ill (doctor's note)"
    assert submitted.isp_submitted_late_allowed_by == coach_world.coach
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0), tick=False):
        approved = services.isp_approve(
            enrolment=enrolment, expected_version=2, by=coach_world.coach, late_reason="Cluster met on 2 December"
        )
    assert (approved.isp_status, approved.isp_approved_on) == ("approved", datetime.date(2026, 12, 2))
    assert approved.isp_approved_late_reason == "Cluster met on 2 December"
    assert approved.isp_approved_late_allowed_by == coach_world.coach
    history = list(enrolment.history.order_by("history_id"))
    assert [h.history_change_reason for h in history[-2:]] == [
        "ISP submitted late: Student was ill (doctor's note)",
        "ISP approved late: Cluster met on 2 December",
    ]
    assert history[-1].history_user == coach_world.coach
    assert history[-1].isp_approved_late_reason == "Cluster met on 2 December"


def test_a_step_in_time_records_no_lateness_even_with_a_reason(coach_world):
    with time_machine.travel(datetime.datetime(2026, 10, 15, 10, 0), tick=False):
        submitted = services.isp_submit(
            enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach, late_reason="not needed"
        )
    assert submitted.isp_submitted_on == datetime.date(2026, 10, 15)
    assert (submitted.isp_submitted_late_reason, submitted.isp_submitted_late_allowed_by) == ("", None)


def test_the_late_route_does_not_lift_the_other_problems(coach_world):
    """Without A105 the ISP holds 24 credits (under 27) and misses a course of the model
    route: a reason for lateness lifts neither."""
    coach_world.lines["A105"].removed_on = datetime.date(2026, 10, 1)
    coach_world.lines["A105"].save()
    with (
        time_machine.travel(datetime.datetime(2026, 10, 20, 10, 0), tick=False),
        pytest.raises(services.ISPRefused) as excinfo,
    ):
        services.isp_submit(
            enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach, late_reason="ill"
        )
    assert refused_codes(excinfo) == ["below_minimum", "model_route_incomplete"]


def test_an_isp_of_a_year_that_ended_is_read_only(coach_world):
    """2026-2027 ends on 31 August 2027 (or later): after it nothing moves, not even late."""
    end = coach_world.year.ends_on
    with (
        time_machine.travel(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(10)), tick=False),
        pytest.raises(services.ISPRefused) as excinfo,
    ):
        services.isp_approve(enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach, late_reason="x")
    assert refused_codes(excinfo) == ["year_closed"]


def test_a_change_to_an_approved_isp_goes_back_to_the_coach(coach_world, on_coach_day):
    services.isp_approve(enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach)
    services.isp_line_add(
        enrolment=coach_world.enrolment, course=coach_world.courses["A203"], expected_version=2, by=coach_world.coach
    )
    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.isp_status == "submitted"
    services.isp_approve(enrolment=coach_world.enrolment, expected_version=3, by=coach_world.coach)


def test_the_second_of_two_saves_on_the_same_version_is_refused_and_nothing_is_lost_silently(coach_world, on_coach_day):
    services.isp_line_add(
        enrolment=coach_world.enrolment, course=coach_world.courses["A201"], expected_version=1, by=coach_world.coach
    )
    with pytest.raises(services.ISPConflict) as excinfo:
        services.isp_line_add(
            enrolment=coach_world.enrolment,
            course=coach_world.courses["A203"],
            expected_version=1,
            by=coach_world.admin,
        )
    assert (excinfo.value.expected, excinfo.value.current) == (1, 2)
    codes = set(coach_world.enrolment.lines.values_list("course__code", flat=True))
    assert "A201" in codes and "A203" not in codes


def test_the_preview_shows_the_effect_and_writes_nothing(coach_world, on_coach_day, django_assert_max_num_queries):
    before = (LearningAccountEntry.objects.count(), ISPLine.objects.count())
    preview = services.isp_preview(enrolment=coach_world.enrolment, action="add", course=coach_world.courses["A201"])
    assert preview.allowed
    assert (preview.credits_before, preview.credits_after) == (30, 36)
    assert (preview.balance_before, preview.balance_after) == (110, 104)
    assert preview.ledger_change == -6
    assert (preview.without_account_before, preview.without_account_after) == (0, 0)
    refused = services.isp_preview(enrolment=coach_world.enrolment, action="add", course=coach_world.courses["A202"])
    assert [p.code for p in refused.problems] == ["ssq_missing"]
    removal = services.isp_preview(enrolment=coach_world.enrolment, action="remove", line=coach_world.lines["A101"])
    assert [p.code for p in removal.problems] == ["model_route_course"]
    assert removal.ledger_change == 6
    assert (LearningAccountEntry.objects.count(), ISPLine.objects.count()) == before


def test_the_preview_counts_credits_without_learning_account(coach_world, on_coach_day):
    from tests.support.factories import LearningAccountEntryFactory

    # The student spent most of the account elsewhere: 4 credits are left before A201.
    LearningAccountEntryFactory(
        student=coach_world.student, credits=-106, kind="correction", on=datetime.date(2026, 11, 1)
    )
    enrolment = coach_world.enrolment
    enrolment.balance_at_enrolment = 34  # 30 credits charged: 4 left at enrolment
    enrolment.save(update_fields=["balance_at_enrolment"])
    preview = services.isp_preview(enrolment=enrolment, action="add", course=coach_world.courses["A201"])
    assert (preview.balance_before, preview.balance_after) == (4, -2)
    assert (preview.without_account_before, preview.without_account_after) == (0, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections: PostgreSQL")
def test_two_coaches_saving_at_the_same_moment_on_postgresql(coach_world):
    """Two threads (two connections) save on version 1 at once: exactly one wins."""
    barrier = threading.Barrier(2)
    outcomes = []

    def save(course_code, user):
        from django.db import connections

        try:
            barrier.wait()
            with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False):
                services.isp_line_add(
                    enrolment=coach_world.enrolment.pk,
                    course=coach_world.courses[course_code].pk,
                    expected_version=1,
                    by=user,
                )
            outcomes.append("saved")
        except services.ISPConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("A201", coach_world.coach)),
        threading.Thread(target=save, args=("A203", coach_world.admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert coach_world.enrolment.lines.count() == 6


@pytest.mark.parametrize(("score", "grade"), [(None, "NA"), (4, "")])
def test_a_line_whose_exam_was_taken_cannot_be_removed_na_included(coach_world, score, grade):
    """Art. 89 §1: a student who does not take an exam has used that opportunity. The ISP
    editor decides from the same definition as the learning account (exams.facts), so an
    NA in a started exam period blocks the removal as a mark does (it did not before)."""
    from tests.support.factories import ResultFactory

    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False):
        services.isp_derogation_record(
            enrolment=coach_world.enrolment,
            kind="model_route",
            ground="special_status",
            expected_version=1,
            by=coach_world.coach,
        )
    ResultFactory(isp_line=coach_world.lines["A103"], score=score, grade=grade)
    with (
        time_machine.travel(datetime.datetime(2027, 1, 20, 10, 0), tick=False),
        pytest.raises(services.ISPRefused) as excinfo,
    ):
        services.isp_line_remove(line=coach_world.lines["A103"], expected_version=2, by=coach_world.coach)
    assert refused_codes(excinfo) == ["opportunity_taken"]
    assert ISPLine.objects.get(pk=coach_world.lines["A103"].pk).removed_on is None


# --- The tolerance file first (Art. 91 §2) ---------------------------------------------------
def _submit(world, on):
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(12)), tick=False):
        return services.isp_submit(enrolment=world.enrolment, expected_version=1, by=None, today=on)


def test_an_isp_is_not_submitted_while_the_tolerance_file_is_open(tolerance_file_world):
    with pytest.raises(services.ISPRefused) as excinfo:
        _submit(tolerance_file_world, datetime.date(2024, 9, 20))
    assert refused_codes(excinfo) == ["tolerance_file_open"]
    message = excinfo.value.problems[0].message
    assert "T3, T4" in message and "28/09/2024" in message  # day-month-year (issue 13 point 3)
    # The window's last day still blocks it.
    with pytest.raises(services.ISPRefused):
        _submit(tolerance_file_world, datetime.date(2024, 9, 28))
    tolerance_file_world.enrolment.refresh_from_db()
    assert tolerance_file_world.enrolment.isp_status == "draft"


def test_the_isp_is_submitted_once_the_window_has_closed(tolerance_file_world):
    # 29 September: no choice made, so no tolerance (Art. 91 §2); the ISP can go.
    assert _submit(tolerance_file_world, datetime.date(2024, 9, 29)).isp_status == "submitted"


def test_the_isp_is_submitted_once_the_choice_is_made(tolerance_file_world):
    from exams.results import tolerance_choice_record

    day = datetime.date(2024, 9, 20)
    with time_machine.travel(datetime.datetime(2024, 9, 20, 12, 0), tick=False):
        tolerance_choice_record(isp_line=tolerance_file_world.lines["T3"], on=day, today=day)
    # T3 tolerated uses the 6 credits of tolerance credit: T4 can no longer be tolerated (Art. 91 §1),
    # so nothing is left to decide.
    assert ISPLine.objects.get(pk=tolerance_file_world.lines["T3"].pk).tolerated_on == day
    assert _submit(tolerance_file_world, day).isp_status == "submitted"


# --- Retaking a tolerated course (Art. 90 §3, DOMAIN §3) ----------------------------------------
def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False)


OCT_1 = datetime.date(2024, 10, 1)


def _add_r5(world, *, version, on=OCT_1):
    with _at(on):
        return services.isp_line_add(
            enrolment=world.enrolment, course=world.courses["R5"], expected_version=version, by=world.coach, today=on
        )


def _approve_r5(world, *, version, on=OCT_1, requested_on=datetime.date(2024, 9, 25)):
    with _at(on):
        return services.tolerated_retake_approve(
            enrolment=world.enrolment,
            course=world.courses["R5"],
            requested_on=requested_on,
            expected_version=version,
            by=world.coach,
            today=on,
        )


def _standing(world):
    from exams.standing import standings

    return standings([(world.student.pk, world.programme.pk)])[(world.student.pk, world.programme.pk)]


def test_a_tolerated_course_is_refused_without_the_clusters_approval(tolerated_retake_world):
    world = tolerated_retake_world
    before = balance(world.student)
    with pytest.raises(services.ISPRefused) as excinfo:
        _add_r5(world, version=1)
    assert refused_codes(excinfo) == ["tolerated_retake_unapproved"]
    assert "Art. 90 §3" in excinfo.value.problems[0].message
    assert not world.enrolment.lines.filter(course__code="R5").exists()
    assert balance(world.student) == before


def test_with_the_approval_it_is_added_and_uses_the_learning_account_like_any_line(tolerated_retake_world):
    from students.models import ToleratedRetakeApproval

    world = tolerated_retake_world
    before = balance(world.student)
    approval = _approve_r5(world, version=1)
    assert (approval.requested_on, approval.approved_on, approval.approved_by) == (
        datetime.date(2024, 9, 25),
        OCT_1,
        world.coach,
    )
    assert approval.history.earliest().history_user == world.coach
    line = _add_r5(world, version=2)
    assert line.deducted_credits == 6
    assert balance(world.student) == before - 6
    assert LearningAccountEntry.objects.get(source=f"isp_line:{line.pk}", kind="deduction").credits == -6
    # The other lines (30) complete the programme (30 credits left): it can be submitted.
    with _at(OCT_1):
        assert services.isp_submit(enrolment=world.enrolment, expected_version=3, by=None, today=OCT_1).isp_status == (
            "submitted"
        )
    # Recorded once only.
    with pytest.raises(services.ISPRefused) as excinfo:
        _approve_r5(world, version=4)
    assert refused_codes(excinfo) == ["tolerated_retake_exists"]
    assert ToleratedRetakeApproval.objects.count() == 1


def test_the_retake_is_added_no_later_than_the_isp_deadline(tolerated_retake_world):
    world = tolerated_retake_world
    _approve_r5(world, version=1, on=datetime.date(2024, 10, 15))
    with pytest.raises(services.ISPRefused) as excinfo:
        _add_r5(world, version=2, on=datetime.date(2024, 10, 16))
    assert refused_codes(excinfo) == ["tolerated_retake_late"]


def test_the_approval_needs_a_tolerated_course_and_a_request_date(tolerated_retake_world):
    world = tolerated_retake_world
    with pytest.raises(services.ISPRefused) as excinfo, _at(OCT_1):
        services.tolerated_retake_approve(
            enrolment=world.enrolment,
            course=world.courses["R1"],
            requested_on=OCT_1 + datetime.timedelta(days=1),
            expected_version=1,
            by=world.coach,
            today=OCT_1,
        )
    assert refused_codes(excinfo) == ["not_tolerated", "tolerated_retake_request_date"]
    world.enrolment.refresh_from_db()
    assert world.enrolment.version == 1


def test_not_at_the_end_of_the_programme_the_isp_is_not_submitted(tolerated_retake_world):
    world = tolerated_retake_world
    _approve_r5(world, version=1)
    _add_r5(world, version=2)
    with _at(OCT_1):
        services.isp_line_remove(
            line=world.enrolment.lines.get(course__code="R7"), expected_version=3, by=world.coach, today=OCT_1
        )
        with pytest.raises(services.ISPRefused) as excinfo:
            services.isp_submit(enrolment=world.enrolment, expected_version=4, by=None, today=OCT_1)
    assert "tolerated_retake_not_final" in refused_codes(excinfo)


@pytest.mark.parametrize(
    ("mark", "done", "tolerated"),
    [
        (12, True, False),  # a pass: the tolerance credit comes back
        (6, False, False),  # an intolerable fail: no longer tolerated
    ],
)
def test_the_new_mark_replaces_the_tolerated_one_and_the_tolerance_credit_comes_back(
    tolerated_retake_world, mark, done, tolerated
):
    from core.timeline import run_deadlines
    from exams.results import result_record

    world = tolerated_retake_world
    _approve_r5(world, version=1)
    line = _add_r5(world, version=2)
    standing = _standing(world)
    year = standing.year(world.enrolment.pk)
    # Before the new result: still tolerated with the old 9, 6 of 6 tolerance credits used.
    assert standing.tolerance(year)["used"] == 6
    (r5,) = [r for r in standing.records() if r.course == world.courses["R5"].pk]
    assert r5.tolerated and r5.done
    period = world.enrolment.academic_year.exam_periods.get(number=1)
    result_record(isp_line=line, exam_period=period, opportunity=1, mark=mark)
    with _at(period.results_published_on):
        run_deadlines(today=period.results_published_on)
    standing = _standing(world)
    year = standing.year(world.enrolment.pk)
    assert standing.tolerance(year)["used"] == 0
    (r5,) = [r for r in standing.records() if r.course == world.courses["R5"].pk]
    assert str(r5.mark) == str(mark) or r5.mark == mark
    assert (r5.done, r5.tolerated) == (done, tolerated)
    # The earlier year's own tolerance is unchanged as a fact of that year.
    assert standing.tolerance(standing.year(world.earlier.pk))["used"] == 6


def _isp_writes(world):
    """Every ISP write that takes a version, called on version 1 (refusals after the claim
    are fine here: the test is about what comes first)."""
    line, course, by = world.lines["A105"].pk, world.courses["A203"], world.coach
    enrolment = world.enrolment.pk
    return {
        "add": lambda: services.isp_line_add(enrolment=enrolment, course=course, expected_version=1, by=by),
        "remove": lambda: services.isp_line_remove(line=line, expected_version=1, by=by),
        "exempt": lambda: services.isp_line_exempt(line=line, basis="certificate", expected_version=1, by=by),
        "derogation": lambda: services.isp_derogation_record(
            enrolment=enrolment, kind="model_route", ground="work_route", expected_version=1, by=by
        ),
        "tolerated retake": lambda: services.tolerated_retake_approve(
            enrolment=enrolment, course=course, requested_on=datetime.date(2026, 11, 1), expected_version=1, by=by
        ),
        "submit": lambda: services.isp_submit(enrolment=enrolment, expected_version=1, by=by, late_reason="late"),
        "approve": lambda: services.isp_approve(enrolment=enrolment, expected_version=1, by=by, late_reason="late"),
    }


@pytest.mark.parametrize("write", ["add", "remove", "exempt", "derogation", "tolerated retake", "submit", "approve"])
def test_every_isp_write_claims_the_version_before_it_reads(coach_world, on_coach_day, write):
    """The conditional UPDATE of the version is the transaction's first statement: on SQLite a
    transaction that has read cannot wait for the write lock ("database is locked" at once, a
    500 for the second of two coaches); claimed first, the second waits and gets the conflict."""
    from contextlib import suppress

    from django.test.utils import CaptureQueriesContext

    from core.errors import Refused

    with CaptureQueriesContext(connection) as queries, suppress(Refused):
        _isp_writes(coach_world)[write]()
    savepoints = ("SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(savepoints)]
    first = statements[0].upper()
    assert first.startswith("UPDATE") and '"VERSION"' in first and "STUDENTS_ENROLMENT" in first, statements[:2]


@pytest.mark.parametrize("write", ["remove", "exempt"])
def test_a_stale_line_change_is_a_conflict_and_a_missing_line_is_said_so(coach_world, on_coach_day, write):
    line = coach_world.lines["A105"]
    call = {
        "remove": lambda pk, version: services.isp_line_remove(line=pk, expected_version=version, by=coach_world.coach),
        "exempt": lambda pk, version: services.isp_line_exempt(
            line=pk, basis="certificate", expected_version=version, by=coach_world.coach
        ),
    }[write]
    with pytest.raises(services.ISPConflict) as excinfo:
        call(line.pk, 7)
    assert (excinfo.value.expected, excinfo.value.current) == (7, 1)
    with pytest.raises(ISPLine.DoesNotExist):
        call(999_999, 1)
    line.refresh_from_db()
    assert (line.removed_on, line.exempted) == (None, False)
    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.version == 1
