"""The ombudsperson at work on the demo college: log a force-majeure request for a demo
student, accept it with a new moment in the same exam period, and see the exam moved in the
student's individual exam schedule."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_day():
    # The live server runs in a thread of this process: time-machine moves its clock too.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        yield


@pytest.fixture
def demo(demo_day):
    call_command("load_demo", "--students", "40", "--today", "2026-11-23", verbosity=0)


def a_demo_exam():
    """A first-semester nursing exam in January 2027 of an enrolled demo student, not asked about yet."""
    from reschedules.models import ExamMoment, RescheduleRequest

    moments = ExamMoment.objects.filter(
        exam_period__academic_year__code="2026-2027", exam_period__number=1, course__programme__code="BA-NURS"
    ).select_related("course", "exam_period")
    asked = set(RescheduleRequest.objects.values_list("isp_line__enrolment__student_id", flat=True))
    from students.models import ISPLine

    for line in (
        ISPLine.objects.filter(
            enrolment__academic_year__code="2026-2027",
            enrolment__programme__code="BA-NURS",
            enrolment__status="enrolled",
            removed_on__isnull=True,
            exempted=False,
            course__semester="1",
        )
        .select_related("enrolment__student", "course")
        .order_by("enrolment__student__number", "course__code")
    ):
        moment = next((m for m in moments if m.course_id == line.course_id), None)
        if moment and line.enrolment.student_id not in asked:
            return line, moment
    raise AssertionError("the demo has no nursing student with a January exam")


def test_an_ombudsperson_logs_and_accepts_a_force_majeure_request(demo, live_server, page, artifacts):
    line, moment = a_demo_exam()
    student = line.enrolment.student
    new_day = moment.on + datetime.timedelta(days=7)
    assert new_day <= moment.exam_period.ends_on

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ombudsperson")
    page.fill("#id_password", "demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # The queue, then the request form for the student.
    page.get_by_role("link", name="Exam requests").first.click()
    page.wait_for_selector("#requests")
    page.fill("#log-for", student.number)
    page.get_by_role("button", name="Log a request").click()
    page.wait_for_selector("#request-form")
    page.select_option("#id_kind", "force_majeure")
    page.select_option("#id_course", str(line.course_id))
    page.select_option("#id_exam_period", str(moment.exam_period_id))
    page.fill("#id_reason", "Surgery after an accident, on the day of the exam.")
    page.fill("#id_evidence", "Letter of the hospital")
    page.get_by_role("button", name="Log the request").click()
    page.wait_for_selector("text=The request was logged.")
    assert "In time and eligible" in page.locator("#check").inner_text()

    # Accept it with a new moment in the same exam period.
    page.check("#id_accepted_0")
    page.fill("#id_reason", "Attested force majeure; a new moment a week later.")
    page.fill("#id_new_on", new_day.isoformat())
    page.fill("#id_new_starts_at", "13:30")
    page.fill("#id_new_room", "E.001")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_selector("text=The request was accepted")
    assert "13:30" in page.locator("#new-moment").inner_text()

    # The student's exam schedule shows the move.
    page.get_by_role("link", name="The student's individual exam schedule").click()
    row = page.locator(f"#exam-{line.course.code}-1")
    text = row.inner_text()
    assert "moved" in text and "13:30" in text and "E.001" in text
    assert new_day.strftime("%d/%m/%Y") in text
    assert moment.on.strftime("%d/%m/%Y") in text  # the original, struck through
    page.screenshot(path=str(artifacts / "ombudsperson-schedule-moved.png"), full_page=True)

    from reschedules.models import RescheduleRequest

    request = RescheduleRequest.objects.get(isp_line=line, kind="force_majeure")
    assert (request.status, request.new_on, request.decided_by.username) == ("accepted", new_day, "ombudsperson")
