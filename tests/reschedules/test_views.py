"""The ombudsperson's pages: the queue, the request form, the decision, the missed new moment,
the individual exam schedule and the annual report (page, CSV, submission)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from core.models import Transition
from exams.models import Result
from exams.publication import publication_key
from reschedules import services as ombuds
from reschedules.models import CourseExaminer, OmbudsReport, RescheduleRequest
from tests.reschedules.ombuds_world import D, T, add_ombuds_world, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coach_world, on_coach_day):
    return add_ombuds_world(coach_world)


@pytest.fixture
def ombuds_client(client, world):
    client.force_login(world.ombudsperson)
    return client


def snapshot():
    return (
        list(RescheduleRequest.objects.order_by("pk").values()),
        RescheduleRequest.history.count(),
        Result.objects.count(),
    )


def detail_url(request):
    return reverse("exams:request_detail", kwargs={"pk": request.pk})


# --- The queue ----------------------------------------------------------------------------
def test_the_queue_lists_the_open_requests_of_the_programme_most_urgent_first(ombuds_client, world):
    late = log(world, kind="unbalanced_isp", code="A103", period=2, on=D(2026, 10, 20))  # decide by 20 Oct: overdue
    fm = log(world)
    decided = ombuds.request_decide(
        request=log(world, code="A102"), accepted=False, reason="no", today=D(2026, 11, 23), by=world.ombudsperson
    )
    response = ombuds_client.get(reverse("exams:request_list"))
    assert response.status_code == 200
    rows = [row["request"] for row in response.context["rows"]]
    assert rows == [late, fm]  # open only by default; the overdue one first
    assert decided not in rows
    assert response.context["rows"][0]["overdue"] and response.context["rows"][0]["may_act"]
    content = response.content.decode()
    assert "overdue" in content and "late" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": ""}, {"fm", "rh", "isp"}),
        ({"status": "rejected"}, {"rh"}),
        ({"kind": "force_majeure"}, {"fm"}),
        ({"overdue": "on"}, {"isp"}),
        ({"late": "on"}, {"isp"}),
        ({"late": "on", "status": ""}, {"isp", "rh"}),
        ({"exam_period": "P2", "status": ""}, {"isp"}),
        ({"programme": "BA-A"}, {"fm", "isp"}),
        ({"q": "r0000001", "status": ""}, {"fm", "rh", "isp"}),
        ({"q": "nobody"}, set()),
    ],
)
def test_the_queue_filters(ombuds_client, world, query, expected):
    made = {
        "fm": log(world),
        "isp": log(world, kind="unbalanced_isp", code="A103", period=2, on=D(2026, 10, 20)),
        "rh": log(world, kind="religious_holiday", code="A102", on=D(2026, 11, 1)),
    }
    ombuds.request_decide(request=made["rh"], accepted=False, reason="late", today=D(2026, 11, 23), by=world.substitute)
    if query.get("exam_period") == "P2":
        query["exam_period"] = world.periods[2].pk
    if query.get("programme") == "BA-A":
        query["programme"] = world.programme.pk
    response = ombuds_client.get(reverse("exams:request_list"), query)
    assert response.status_code == 200
    found = {key for key, r in made.items() if r in [row["request"] for row in response.context["rows"]]}
    assert found == expected


def test_the_queue_is_a_bounded_number_of_queries(ombuds_client, world, django_assert_max_num_queries):
    from tests.support.factories import ISPLineFactory

    for code in ("A101", "A102", "A103", "A104", "A105"):
        log(world, code=code, period=2 if code in ("A103", "A104", "A105") else 1)
    for number in range(3, 9):
        from tests.support.factories import EnrolmentFactory

        enrolment = EnrolmentFactory(
            programme=world.programme, academic_year=world.year, student__number=f"r{number:07d}"
        )
        line = ISPLineFactory(enrolment=enrolment, course=world.courses["A101"])
        ombuds.request_log(
            student=line.enrolment.student,
            course=line.course,
            exam_period=world.periods[1],
            kind="force_majeure",
            requested_on=D(2026, 11, 23),
            reason="ill",
            today=D(2026, 11, 23),
            by=world.ombudsperson,
        )
    with django_assert_max_num_queries(14):
        response = ombuds_client.get(reverse("exams:request_list"))
    assert len(response.context["rows"]) == 11


def test_another_programmes_ombudsperson_sees_nothing_of_it(client, world):
    request = log(world)
    client.force_login(world.other_ombudsperson)
    queue = client.get(reverse("exams:request_list"), {"programme": world.programme.pk})
    assert queue.context["rows"] == []
    assert list(queue.context["filter"].filters["programme"].queryset) == [world.other_programme]
    assert client.get(detail_url(request)).status_code == 404
    assert client.post(reverse("exams:request_decide", kwargs={"pk": request.pk}), {}).status_code == 404
    assert client.get(reverse("exams:request_create", kwargs={"number": world.student.number})).status_code == 404
    url = reverse("exams:report_detail", kwargs={"programme": "BA-A", "year": "2026-2027"})
    assert client.get(url).status_code == 404


def test_log_for_a_student_number_opens_the_form(ombuds_client, world):
    response = ombuds_client.get(reverse("exams:request_list"), {"log_for": world.student.number})
    assert response["Location"] == reverse("exams:request_create", kwargs={"number": world.student.number})
    response = ombuds_client.get(reverse("exams:request_list"), {"log_for": "r0000002"}, follow=True)
    assert "No student r0000002 in your programmes." in response.content.decode()


# --- Logging a request --------------------------------------------------------------------
def create_url(world):
    return reverse("exams:request_create", kwargs={"number": world.student.number})


def form_data(world, **change):
    data = {
        "kind": "force_majeure",
        "course": world.courses["A101"].pk,
        "exam_period": world.periods[1].pk,
        "requested_on": "2026-11-23",
        "reason": "Surgery on the day of the exam",
        "evidence": "hospital letter",
        "evidence_received_on": "2026-11-23",
    }
    data.update(change)
    return data


def test_the_form_offers_the_courses_of_the_isp(ombuds_client, world):
    response = ombuds_client.get(create_url(world), {"course": world.courses["A102"].pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "A101 Course" not in content or "ISP 2026-2027" in content
    choices = dict(response.context["form"].fields["course"].choices)
    assert [code for code, _name in choices["ISP 2026-2027"]] == [
        world.courses[c].pk for c in ("A101", "A102", "A103", "A104", "A105")
    ]
    assert response.context["form"].initial["course"] == str(world.courses["A102"].pk)


def test_a_request_is_logged_and_its_check_shown(ombuds_client, world):
    response = ombuds_client.post(create_url(world), form_data(world))
    request = RescheduleRequest.objects.get()
    assert response["Location"] == detail_url(request)
    assert (request.kind, request.isp_line, request.evidence, request.logged_by) == (
        "force_majeure",
        world.lines["A101"],
        "hospital letter",
        world.ombudsperson,
    )
    page = ombuds_client.get(detail_url(request)).content.decode()
    assert "In time and eligible" in page
    assert 'id="decision-form"' in page


def test_a_late_request_is_logged_and_marked_with_its_rule(ombuds_client, world):
    response = ombuds_client.post(
        create_url(world), form_data(world, kind="religious_holiday", requested_on="2026-11-01"), follow=True
    )
    content = response.content.decode()
    assert "It is marked late or not eligible" in content
    assert "within 7 days after the exam schedule is announced (Art. 43)" in content
    assert RescheduleRequest.objects.get().late


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"course": "A201"}, "A201 Course A201 is not in this student&#x27;s ISP for 2026-2027"),
        ({"reason": ""}, "Give the reason of the request."),
        ({"requested_on": "2026-11-30"}, "A request cannot be logged ahead of today"),
    ],
)
def test_a_refused_request_shows_why_and_changes_nothing(ombuds_client, world, change, message):
    if change.get("course") == "A201":
        change["course"] = world.courses["A201"].pk
    before = snapshot()
    response = ombuds_client.post(create_url(world), form_data(world, **change))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot() == before


def test_read_only_roles_cannot_log(client, world):
    client.force_login(world.administration)
    assert client.post(create_url(world), form_data(world)).status_code == 403
    assert not RescheduleRequest.objects.exists()


# --- Deciding -----------------------------------------------------------------------------
def decide_url(request):
    return reverse("exams:request_decide", kwargs={"pk": request.pk})


def decision(**change):
    data = {
        "accepted": "yes",
        "reason": "certificate",
        "new_on": "2027-01-25",
        "new_starts_at": "13:30",
        "new_room": "B.201",
    }
    data.update(change)
    return data


def test_an_accepted_request_shows_in_the_students_exam_schedule(ombuds_client, world):
    request = log(world)
    response = ombuds_client.post(decide_url(request), decision(), follow=True)
    assert "The request was accepted: the exam moves to" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.new_on, request.new_room) == ("accepted", D(2027, 1, 25), "B.201")
    schedule = ombuds_client.get(reverse("exams:schedule", kwargs={"number": world.student.number}))
    content = schedule.content.decode()
    row = content[content.index('id="exam-A101-1"') :]
    row = row[: row.index("</tr>")]
    assert "Mon 25/01/2027" in row and "13:30–16:30" in row and "B.201" in row and "moved" in row
    assert "Mon 11/01/2027" in row  # the original, struck through


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"new_on": "2027-02-03"}, "outside exam period 1"),
        ({"reason": ""}, "A decision states its reason."),
        ({"new_starts_at": ""}, "An accepted request names the new moment"),
        ({"new_on": "not a date"}, "Enter a valid date."),
    ],
)
def test_a_refused_decision_shows_why_and_changes_nothing(ombuds_client, world, change, message):
    request = log(world)
    before = snapshot()
    response = ombuds_client.post(decide_url(request), decision(**change))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_rejection(ombuds_client, world):
    request = log(world)
    ombuds_client.post(decide_url(request), {"accepted": "no", "reason": "no evidence", "new_on": "2030-01-01"})
    request.refresh_from_db()
    assert (request.status, request.new_on, request.decision_reason) == ("rejected", None, "no evidence")


def test_an_ombudsperson_who_examines_the_student_leaves_it_to_the_substitute(client, world):
    request = log(world)
    CourseExaminer.objects.create(course=world.courses["A105"], academic_year=world.year, user=world.ombudsperson)
    client.force_login(world.ombudsperson)
    page = client.get(detail_url(request)).content.decode()
    assert "the substitute ombudsperson handles this request (Art. 58)" in page
    assert 'id="decision-form"' not in page
    assert client.post(decide_url(request), decision()).status_code == 403
    assert client.get(create_url(world)).status_code == 403
    queue = client.get(reverse("exams:request_list"))
    assert queue.context["rows"][0]["handler"] == {"user": world.substitute, "substitute": True}
    client.force_login(world.substitute)
    assert client.post(decide_url(request), decision())["Location"] == detail_url(request)


# --- The missed new moment --------------------------------------------------------------------
def test_a_missed_new_moment_enters_na(client, world):
    request = ombuds.request_decide(
        request=log(world),
        accepted=True,
        reason="ok",
        new_on=D(2027, 1, 25),
        new_starts_at=T(13, 30),
        today=D(2026, 11, 23),
        by=world.ombudsperson,
    )
    client.force_login(world.ombudsperson)
    assert 'id="missed-form"' not in client.get(detail_url(request)).content.decode()  # not come yet
    with time_machine.travel(datetime.datetime(2027, 1, 26, 9, 0), tick=False):
        client.force_login(world.ombudsperson)  # the session of November has expired
        page = client.get(detail_url(request)).content.decode()
        assert 'id="missed-form"' in page
        response = client.post(reverse("exams:request_missed", kwargs={"pk": request.pk}), {"note": "absent"})
        assert response.status_code == 302
    request.refresh_from_db()
    assert request.na_result.grade == "NA" and request.missed_on == D(2027, 1, 26)


# --- The individual exam schedule -------------------------------------------------------------
def schedule_url(world):
    return reverse("exams:schedule", kwargs={"number": world.student.number})


def test_the_schedule_before_ies_opens(ombuds_client, world):
    with time_machine.travel(datetime.datetime(2026, 10, 10, 9, 0), tick=False):
        content = ombuds_client.get(schedule_url(world)).content.decode()
    assert "The individual exam schedules of this academic year open on 16/10/2026" in content
    assert 'id="schedule"' not in content


def test_the_schedule_warns_of_two_compulsory_exams_on_one_day(ombuds_client, world):
    moment = world.moments["A102"]
    moment.on = D(2027, 1, 11)
    moment.save()
    content = ombuds_client.get(schedule_url(world)).content.decode()
    assert "Two compulsory exams on one day for a model-route student: A101, A102" in content
    assert "model route, stage 1" in content


def test_the_coach_sees_the_schedule_but_cannot_log(client, world):
    client.force_login(world.coach)
    content = client.get(schedule_url(world)).content.decode()
    assert 'id="schedule"' in content and "Log a request" not in content


# --- The annual report ------------------------------------------------------------------------
def report_url(name="exams:report_detail"):
    return reverse(name, kwargs={"programme": "BA-A", "year": "2026-2027"})


def test_the_report_page_and_csv_count_by_kind_and_outcome(ombuds_client, world):
    ombuds.request_decide(
        request=log(world),
        accepted=True,
        reason="ok",
        new_on=D(2027, 1, 25),
        new_starts_at=T(9),
        today=D(2026, 11, 23),
        by=world.ombudsperson,
    )
    log(world, code="A102", kind="special_status_deferral")
    response = ombuds_client.get(report_url())
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert counts["force majeure (Art. 43)"]["accepted"] == 1
    assert counts["exam deferral, special status (Art. 50-51)"]["ineligible"] == 1
    assert response.context["total"]["total"] == 2
    assert "Not prepared yet" in response.content.decode()

    download = ombuds_client.get(report_url("exams:report_csv"))
    assert download["Content-Type"].startswith("text/csv")
    assert 'filename="ombudsperson-report-BA-A-2026-2027.csv"' in download["Content-Disposition"]
    text = download.content.decode("utf-8")
    assert text.startswith("\ufeff")  # core.csv: UTF-8 with BOM and ";" for a Belgian Excel
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[2] == ["Kind", "accepted", "rejected", "open", "total", "late", "not eligible", "NA"]
    assert ["force majeure (Art. 43)", "1", "0", "0", "1", "0", "0", "0"] in rows
    assert ["Total", "1", "0", "1", "2", "0", "1", "0"] in rows
    header = next(row for row in rows if "Student number" in row)
    listed = [dict(zip(header, row, strict=True)) for row in rows if len(row) == len(header) and row[1] == "r0000001"]
    student = world.student
    assert {row["Course"] for row in listed} == {"A101", "A102"}
    assert {row["Name"] for row in listed} == {f"{student.last_name}, {student.first_name}"}
    accepted = next(row for row in listed if row["Course"] == "A101")
    assert (accepted["New date"], accepted["New start time"]) == ("2027-01-25", "09:00")  # ISO dates stay


def test_the_report_is_submitted_once_prepared(ombuds_client, world):
    response = ombuds_client.post(report_url("exams:report_submit"), follow=True)
    assert "prepared after the third exam period" in response.content.decode()
    Transition.objects.create(key=publication_key(world.periods[3]), due_on=D(2027, 9, 13))
    ombuds.ombuds_reports_prepare(today=D(2027, 9, 14))
    with time_machine.travel(datetime.datetime(2027, 11, 10, 9, 0), tick=False):
        ombuds_client.force_login(world.ombudsperson)
        listing = ombuds_client.get(reverse("exams:report_list")).content.decode()
        assert "prepared on" in listing
        response = ombuds_client.post(report_url("exams:report_submit"), follow=True)
    assert "marked as submitted to the cluster" in response.content.decode()
    report = OmbudsReport.objects.get(programme=world.programme)
    assert (report.submitted_on, report.submitted_by, report.overdue) == (D(2027, 11, 10), world.ombudsperson, False)


def test_the_report_list_shows_overdue_reports(client, world):
    Transition.objects.create(key=publication_key(world.periods[3]), due_on=D(2027, 9, 13))
    ombuds.ombuds_reports_prepare(today=D(2027, 11, 16))
    client.force_login(world.administration)
    response = client.get(reverse("exams:report_list"))
    rows = {(row["programme"].code, row["year"].code): row["report"] for row in response.context["rows"]}
    assert rows[("BA-A", "2026-2027")].overdue and rows[("BA-B", "2026-2027")].overdue
    assert "overdue" in response.content.decode()
    assert client.post(report_url("exams:report_submit")).status_code == 403


def test_the_navigation_shows_the_requests_to_the_ombudsperson_only(client, world):
    client.force_login(world.ombudsperson)
    assert reverse("exams:request_list") in client.get(reverse("home")).content.decode()
    client.force_login(world.coach)
    assert reverse("exams:request_list") not in client.get(reverse("home")).content.decode()
