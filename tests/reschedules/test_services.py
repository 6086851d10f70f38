"""The ombudsperson's services: requests logged and checked, decided, a missed new moment,
the individual exam schedule, the exam moment import and the annual report."""

import datetime

import pytest
import time_machine

from core.models import Transition
from exams.models import Result
from exams.publication import publication_key
from reschedules import services as ombuds
from reschedules.models import ExamMoment, OmbudsReport, RescheduleRequest, SpecialStatus
from reschedules.moments import MomentsRefused, exam_moments_import, read_moments_csv
from reschedules.schedule import exam_schedule
from tests.reschedules.ombuds_world import D, T, add_ombuds_world, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coach_world):
    return add_ombuds_world(coach_world)


def snapshot():
    return (
        list(RescheduleRequest.objects.order_by("pk").values()),
        RescheduleRequest.history.count(),
        list(Result.objects.order_by("pk").values_list("pk", "isp_line", "opportunity", "grade")),
    )


# --- Logging a request --------------------------------------------------------------------
def test_a_request_in_time_is_logged_with_its_exam_and_who_logged_it(world):
    request = log(world, evidence="medical certificate", evidence_received_on=D(2026, 11, 23))
    assert request.isp_line == world.lines["A101"]
    assert request.exam_moment == world.moments["A101"]
    assert (request.late, request.ineligible, request.findings) == (False, False, [])
    assert request.deadline == D(2027, 1, 11)
    assert request.decide_by == D(2027, 2, 2)  # the end of the exam period
    assert request.status == "open"
    assert request.logged_by == world.ombudsperson
    assert request.history.get().history_user == world.ombudsperson


def test_a_late_request_is_logged_all_the_same_and_marked_with_its_rule(world):
    request = log(world, kind="religious_holiday", on=D(2026, 10, 24), today=D(2026, 11, 23))
    assert request.late and request.findings == ["religious_holiday_late"]
    messages = ombuds.finding_messages(request)
    assert messages[0]["article"] == "Art. 43"
    assert "within 7 days" in messages[0]["message"]


def test_a_deferral_without_a_status_is_ineligible_with_one_it_is_not(world):
    request = log(world, kind="special_status_deferral", on=D(2026, 11, 20))
    assert request.ineligible and request.findings == ["deferral_no_status"]
    request.status, request.decided_on, request.decision_reason = "rejected", D(2026, 11, 23), "no status"
    request.save()
    SpecialStatus.objects.create(
        student=world.student,
        academic_year=world.year,
        kind="disability",
        granted_by="care coordinator",
        granted_on=D(2026, 10, 1),
    )
    again = log(world, kind="special_status_deferral", on=D(2026, 11, 20))
    assert not again.ineligible and again.findings == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "A201"}, "is not in this student's ISP"),
        ({"reason": "   "}, "Give the reason"),
        ({"on": D(2026, 11, 24)}, "ahead of today"),
    ],
)
def test_a_refused_request_changes_nothing(world, change, message):
    before = snapshot()
    with pytest.raises(ombuds.RequestRefused, match=message):
        log(world, **change)
    assert snapshot() == before


def test_an_exempted_course_or_a_course_of_another_year_has_no_exam(world):
    line = world.lines["A102"]
    line.exempted = True
    line.save()
    with pytest.raises(ombuds.RequestRefused, match="exempted"):
        log(world, code="A102")
    from tests.support.factories import AcademicYearFactory

    other_year = AcademicYearFactory(first_year=2027)
    with pytest.raises(ombuds.RequestRefused, match="not in this student's ISP for 2027-2028"):
        ombuds.request_log(
            student=world.student,
            course=world.courses["A101"],
            exam_period=other_year.exam_periods.get(number=1),
            kind="force_majeure",
            requested_on=D(2026, 11, 23),
            reason="x",
            today=D(2026, 11, 23),
            by=world.ombudsperson,
        )


def test_a_second_open_request_for_the_same_exam_is_refused(world):
    log(world)
    with pytest.raises(ombuds.RequestRefused, match="already logged"):
        log(world, kind="religious_holiday")
    log(world, code="A102")  # another exam is fine


# --- Deciding ------------------------------------------------------------------------------
NEW_ON = D(2027, 1, 25)


def decide(request, world, *, accepted=True, reason="certificate received", new_on=NEW_ON, **kw):
    return ombuds.request_decide(
        request=request,
        accepted=accepted,
        reason=reason,
        new_on=new_on if accepted else None,
        new_starts_at=kw.pop("new_starts_at", T(13, 30)) if accepted else None,
        new_room=kw.pop("new_room", "B.201"),
        today=kw.pop("today", D(2026, 11, 23)),
        by=kw.pop("by", world.ombudsperson),
    )


def test_an_accepted_request_moves_the_exam_in_the_schedule(world):
    request = decide(log(world), world)
    assert (request.status, request.new_on, request.new_starts_at, request.new_room) == (
        "accepted",
        D(2027, 1, 25),
        T(13, 30),
        "B.201",
    )
    assert (request.decided_on, request.decided_by) == (D(2026, 11, 23), world.ombudsperson)
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23))
    exam = next(e for e in schedule.exams if e.course.code == "A101")
    assert exam.moved_by == request
    assert (exam.on, exam.starts_at, exam.room) == (D(2027, 1, 25), T(13, 30), "B.201")
    assert exam.moment.on == D(2027, 1, 11)  # the original is still shown
    assert [e.course.code for e in schedule.exams][:2] == ["A102", "A101"]  # sorted on the new date


def test_a_rejection_needs_only_a_reason(world):
    request = decide(log(world), world, accepted=False, reason="no evidence")
    assert (request.status, request.new_on) == ("rejected", None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"new_on": D(2027, 2, 3)}, "outside exam period 1"),
        ({"new_on": D(2027, 6, 3)}, "outside exam period 1"),
        ({"reason": ""}, "states its reason"),
        ({"new_starts_at": None}, "names the new moment"),
        ({"new_on": D(2026, 11, 22)}, "cannot lie before the decision"),
    ],
)
def test_a_refused_decision_changes_nothing(world, change, message):
    request = log(world)
    before = snapshot()
    with pytest.raises(ombuds.RequestRefused, match=message):
        decide(request, world, **change)
    assert snapshot() == before


def test_a_decision_is_final(world):
    request = decide(log(world), world, accepted=False, reason="no")
    before = snapshot()
    with pytest.raises(ombuds.RequestRefused, match="final"):
        decide(request, world)
    assert snapshot() == before


def test_an_eligible_deferral_may_leave_the_exam_period(world):
    SpecialStatus.objects.create(
        student=world.student, academic_year=world.year, kind="athlete", level="A", granted_by="committee",
        granted_on=D(2026, 10, 1),
    )  # fmt: skip
    request = decide(log(world, kind="special_status_deferral"), world, new_on=D(2027, 3, 15))
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23))
    exam = next(e for e in schedule.exams if e.course.code == "A101")
    assert exam.outside_period and exam.on == D(2027, 3, 15) and request.status == "accepted"


def test_an_unbalanced_isp_moves_the_exam_to_the_other_semester(world):
    request = log(world, kind="unbalanced_isp", on=D(2026, 10, 10))
    assert not request.late
    request = decide(request, world, new_on=D(2027, 6, 10), today=D(2026, 10, 20))
    assert request.new_on == D(2027, 6, 10)


# --- The missed new moment (Art. 43) -----------------------------------------------------
def accepted_request(world):
    return decide(log(world), world, new_on=D(2027, 1, 25))


def test_a_missed_new_moment_loses_the_opportunity_with_an_na_result(world):
    request = accepted_request(world)
    with pytest.raises(ombuds.RequestRefused, match="has not come yet"):
        ombuds.request_missed_record(
            request=request, very_serious_case=False, today=D(2027, 1, 24), by=world.substitute
        )
    request = ombuds.request_missed_record(
        request=request, very_serious_case=False, note="did not show", today=D(2027, 1, 25), by=world.substitute
    )
    result = request.na_result
    assert (result.isp_line, result.exam_period, result.opportunity, result.grade) == (
        world.lines["A101"],
        world.periods[1],
        1,
        "NA",
    )
    assert result.history.get().history_user == world.substitute
    assert request.missed_on == D(2027, 1, 25) and not request.very_serious_case
    before = snapshot()
    with pytest.raises(ombuds.RequestRefused, match="already recorded"):
        ombuds.request_missed_record(request=request, very_serious_case=True, today=D(2027, 1, 26), by=world.substitute)
    assert snapshot() == before


def test_a_very_serious_case_keeps_the_opportunity(world):
    request = ombuds.request_missed_record(
        request=accepted_request(world),
        very_serious_case=True,
        note="hospital",
        today=D(2027, 1, 26),
        by=world.ombudsperson,
    )
    assert request.very_serious_case and request.na_result is None
    assert not Result.objects.exists()


def test_no_na_when_a_result_is_already_entered_or_the_period_is_published(world):
    request = accepted_request(world)
    Result.objects.create(isp_line=world.lines["A101"], exam_period=world.periods[1], opportunity=1, score=12)
    before = snapshot()
    with pytest.raises(ombuds.RequestRefused, match="already entered"):
        ombuds.request_missed_record(
            request=request, very_serious_case=False, today=D(2027, 1, 26), by=world.ombudsperson
        )
    assert snapshot() == before
    Result.objects.all().delete()
    Transition.objects.create(key=publication_key(world.periods[1]), due_on=D(2027, 2, 6))
    with pytest.raises(ombuds.RequestRefused, match="published"):
        ombuds.request_missed_record(
            request=request, very_serious_case=False, today=D(2027, 2, 7), by=world.ombudsperson
        )
    request.refresh_from_db()
    assert request.missed_on is None


def test_only_force_majeure_records_a_missed_moment(world):
    request = decide(log(world, kind="religious_holiday", on=D(2026, 10, 20)), world)
    with pytest.raises(ombuds.RequestRefused, match="only for force majeure"):
        ombuds.request_missed_record(
            request=request, very_serious_case=False, today=D(2027, 1, 26), by=world.ombudsperson
        )


# --- The individual exam schedule ---------------------------------------------------------
def test_the_schedule_opens_on_ies_opens(world):
    before = exam_schedule(student=world.student, year=world.year, today=D(2026, 10, 15))
    assert not before.is_open and before.exams == [] and before.not_announced == 5
    opened = exam_schedule(student=world.student, year=world.year, today=D(2026, 10, 16))
    assert opened.is_open
    assert [e.course.code for e in opened.exams] == ["A101", "A102", "A105", "A103", "A104"]
    assert all(e.opportunity == 1 for e in opened.exams)
    assert opened.model_route == {world.enrolment.pk: 1}


def test_an_exam_announced_later_appears_from_its_announcement(world):
    moment = world.moments["A104"]
    moment.announced_on = D(2026, 12, 1)
    moment.save()
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23))
    assert "A104" not in [e.course.code for e in schedule.exams] and schedule.not_announced == 1
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 12, 1))
    assert "A104" in [e.course.code for e in schedule.exams]


def test_a_model_route_student_is_warned_of_two_compulsory_exams_on_one_day(world):
    moment = world.moments["A102"]
    moment.on = D(2027, 1, 11)
    moment.save()
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23))
    assert schedule.clashes == {D(2027, 1, 11): ["A101", "A102"]}
    # Moving one of them away removes the warning.
    decide(log(world), world, new_on=D(2027, 1, 20))
    assert exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23)).clashes == {}


def test_an_individualised_route_gets_no_clash_warning(world):
    from tests.support.factories import ISPLineFactory

    ISPLineFactory(enrolment=world.enrolment, course=world.courses["A203"])  # a stage-2 course
    moment = world.moments["A102"]
    moment.on = D(2027, 1, 11)
    moment.save()
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23))
    assert schedule.model_route == {} and schedule.clashes == {}
    assert [line.course.code for line in schedule.unscheduled] == ["A203"]


def test_the_second_opportunity_appears_when_the_course_is_still_to_be_obtained(world):
    line = world.lines["A101"]
    line.outcome, line.mark = "failed", "6"
    line.save()
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 23))
    resits = [(e.course.code, e.opportunity, e.on) for e in schedule.exams if e.period.number == 3]
    assert resits == [("A101", 2, D(2027, 8, 20))]


# --- Exam moments from the planning department ----------------------------------------------
CSV = (
    "academiejaar;examenperiode;opleiding;opo;datum;start;lokaal\n"
    "2026-2027;1;BA-A;A101;12/01/2027;10:00;B.105\n"
    "2026-2027;1;BA-A;A201;2027-01-15;9u00;\n"
)


def test_the_planning_csv_creates_and_moves_moments_announced_today(world):
    summary = exam_moments_import(rows=read_moments_csv(CSV.encode()), today=D(2026, 11, 2), by=world.admin)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 0)
    moved = ExamMoment.objects.get(course=world.courses["A101"], exam_period=world.periods[1])
    assert (moved.on, moved.starts_at, moved.room, moved.announced_on) == (
        D(2027, 1, 12),
        T(10),
        "B.105",
        D(2026, 11, 2),
    )
    new = ExamMoment.objects.get(course=world.courses["A201"])
    assert (new.starts_at, new.room, new.announced_on) == (T(9), "", D(2026, 11, 2))
    assert moved.history.first().history_user == world.admin
    again = exam_moments_import(rows=read_moments_csv(CSV.encode()), today=D(2026, 11, 3), by=world.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_the_planning_csv_is_all_or_nothing(world):
    bad = CSV + (
        "2026-2027;1;BA-A;A999;12/01/2027;10:00;X\n"
        "2026-2027;1;BA-A;A102;12/03/2027;10:00;X\n"
        "2026-2027;4;BA-A;A102;12/01/2027;10:00;X\n"
        "2026-2027;1;BA-A;A103;31/02/2027;25:00;X\n"
        "2026-2027;1;BA-A;A101;13/01/2027;10:00;X\n"
    )
    before = list(ExamMoment.objects.order_by("pk").values())
    with pytest.raises(MomentsRefused) as refused:
        exam_moments_import(rows=read_moments_csv(bad.encode()), today=D(2026, 11, 2), by=world.admin)
    messages = {p.row: p.message for p in refused.value.problems}
    assert sorted(messages) == [4, 5, 6, 7, 8]
    assert "no course A999" in messages[4]
    assert "outside exam period 1" in messages[5]
    assert "no exam period 4" in messages[6]
    assert "not a date" in messages[7] and "not a start time" in messages[7]
    assert "already scheduled in this exam period on row 2" in messages[8]
    assert list(ExamMoment.objects.order_by("pk").values()) == before


# --- Who handles a request (Art. 58) ------------------------------------------------------
def test_an_ombudsperson_who_examines_the_student_hands_the_request_to_the_substitute(world):
    from reschedules.models import CourseExaminer
    from reschedules.selectors import can_handle_request

    request = log(world, by=world.substitute)
    assert can_handle_request(world.ombudsperson, request)
    assert can_handle_request(world.substitute, request)
    CourseExaminer.objects.create(course=world.courses["A104"], academic_year=world.year, user=world.ombudsperson)
    for user in (world.ombudsperson, world.substitute):
        user.__dict__.pop("_college_scope", None)
    assert not can_handle_request(world.ombudsperson, request)
    assert can_handle_request(world.substitute, request)
    assert not can_handle_request(world.other_ombudsperson, request)


# --- The annual report (Art. 59) -------------------------------------------------------------
def publish_period_3(world):
    Transition.objects.create(key=publication_key(world.periods[3]), due_on=D(2027, 9, 13))


def test_the_report_is_prepared_after_the_third_period_and_overdue_after_15_november(world):
    decide(log(world), world)
    decide(log(world, code="A102", kind="religious_holiday", on=D(2026, 10, 30)), world, accepted=False, reason="no")
    log(world, code="A103", period=2, kind="special_status_deferral")
    assert ombuds.ombuds_reports_prepare(today=D(2027, 9, 12)).prepared == 0
    publish_period_3(world)
    summary = ombuds.ombuds_reports_prepare(today=D(2027, 9, 13))
    assert (summary.prepared, summary.flagged_overdue) == (2, 0)  # BA-A and BA-B have an ombudsperson
    report = OmbudsReport.objects.get(programme=world.programme)
    assert (report.programme, report.academic_year) == (world.programme, world.year)
    assert (report.prepared_on, report.due_on, report.overdue) == (D(2027, 9, 13), D(2027, 11, 15), False)
    assert report.counts["force_majeure"]["accepted"] == 1
    assert report.counts["religious_holiday"]["rejected"] == 1 and report.counts["religious_holiday"]["late"] == 1
    assert report.counts["special_status_deferral"]["open"] == 1
    assert report.counts["special_status_deferral"]["ineligible"] == 1
    assert report.counts["total"]["total"] == 3
    assert OmbudsReport.objects.get(programme=world.other_programme).counts["total"]["total"] == 0
    assert ombuds.ombuds_reports_prepare(today=D(2027, 11, 15)).flagged_overdue == 0
    assert ombuds.ombuds_reports_prepare(today=D(2027, 11, 16)).flagged_overdue == 2
    report.refresh_from_db()
    assert report.overdue and report.prepared_on == D(2027, 9, 13)
    assert ombuds.ombuds_reports_prepare(today=D(2027, 11, 17)).flagged_overdue == 0  # once


def test_a_report_submitted_in_time_is_never_overdue(world):
    publish_period_3(world)
    ombuds.ombuds_reports_prepare(today=D(2027, 9, 20))
    report = OmbudsReport.objects.get(programme=world.programme)
    report = ombuds.ombuds_report_submit(report=report, today=D(2027, 11, 10), by=world.ombudsperson)
    assert report.submitted_by == world.ombudsperson
    ombuds.ombuds_reports_prepare(today=D(2027, 11, 20))
    report.refresh_from_db()
    assert not report.overdue
    with pytest.raises(ombuds.RequestRefused, match="submitted"):
        ombuds.ombuds_report_submit(report=report, today=D(2027, 11, 21), by=world.ombudsperson)


def test_the_report_task_runs_the_service_for_today_in_brussels(world):
    from reschedules.tasks import ombuds_reports_prepare_today

    publish_period_3(world)
    brussels = datetime.timezone(datetime.timedelta(hours=1))
    with time_machine.travel(datetime.datetime(2027, 11, 16, 0, 30, tzinfo=brussels)):
        result = ombuds_reports_prepare_today()
    assert result == {"today": "2027-11-16", "prepared": 2, "flagged_overdue": 2}
    assert set(OmbudsReport.objects.values_list("programme__code", "overdue")) == {("BA-A", True), ("BA-B", True)}


def test_the_beat_schedule_prepares_the_reports_every_night():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["ombuds-reports-nightly"]
    assert entry["task"] == "reschedules.tasks.ombuds_reports_prepare_today"
    assert entry["schedule"].hour == {1}
