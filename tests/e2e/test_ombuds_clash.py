"""Issue 13 points 13 and 14 in the browser, in Dutch: the request form offers the exam
periods of the chosen course's year only and shows every error at once; a decision that puts
the exam on another exam of the student is refused until the ombudsperson keeps it with a
reason, and the schedule then marks the clash."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from tests.e2e.conftest import DESKTOP, fits, log_in, new_context, watch_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        call_command("load_demo", "--students", "40", "--today", "2026-11-23", verbosity=0)
        yield


def an_open_request_with_another_exam():
    """An open request the ombudsperson handles, and another exam of that student in the same period."""
    from django.contrib.auth import get_user_model

    from core import clock
    from reschedules.models import RescheduleRequest
    from reschedules.schedule import exam_schedule
    from reschedules.selectors import can_handle

    user = get_user_model().objects.get(username="ombudsperson")
    for request in RescheduleRequest.objects.filter(status="open").select_related(
        "isp_line__enrolment__student", "isp_line__enrolment__academic_year", "exam_period"
    ):
        enrolment = request.isp_line.enrolment
        if not can_handle(user, enrolment):
            continue
        schedule = exam_schedule(student=enrolment.student, year=enrolment.academic_year, today=clock.today())
        for exam in schedule.exams:
            same_period = exam.period.pk == request.exam_period_id and exam.on >= clock.today()
            if exam.line.pk != request.isp_line_id and same_period:
                return request, exam
    raise AssertionError("the demo has no open request of a student with another exam in that period")


def test_a_clashing_new_moment_is_kept_only_with_a_reason(demo, live_server, browser):
    request, other = an_open_request_with_another_exam()
    context = new_context(browser, viewport=DESKTOP, language="nl", base_url=live_server.url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, live_server.url, "ombudsperson", "demo")

    page.goto(f"{live_server.url}/exams/requests/{request.pk}/")
    page.check("input[name=accepted][value=yes]")
    page.fill("#id_reason", "Medisch attest")
    page.fill("#id_new_on", other.on.isoformat())
    page.fill("#id_new_starts_at", other.starts_at.strftime("%H:%M"))
    page.locator("#decision-form button[type=submit]").click()
    page.wait_for_selector("#id_clash_override_reason")
    form = page.locator("#decision-form").inner_text()
    assert "overlapt met het individuele examenrooster" in form and other.course.code in form

    page.fill("#id_clash_override_reason", "Het andere examen wordt ook verplaatst.")
    page.locator("#decision-form button[type=submit]").click()
    page.wait_for_selector("#clash-override")
    assert "Het andere examen wordt ook verplaatst." in page.locator("#clash-override").inner_text()

    student = request.isp_line.enrolment.student
    page.goto(f"{live_server.url}/exams/schedule/{student.number}/?year={request.exam_period.academic_year.code}")
    assert page.locator(f"[data-clash-with~='{other.course.code}']").count() == 1
    assert "behouden ondanks een overlapping" in page.locator("#schedule").inner_text()
    assert fits(page)
    assert [e for e in errors if "422" not in e] == []
    context.close()


def test_the_request_form_shows_every_error_at_once_and_follows_the_courses_year(demo, live_server, browser):
    from students.models import ISPLine

    line = (
        ISPLine.objects.filter(
            enrolment__academic_year__code="2026-2027", enrolment__programme__code="BA-NURS", exempted=False
        )
        .select_related("enrolment__student", "enrolment__academic_year")
        .first()
    )
    student = line.enrolment.student
    context = new_context(browser, viewport=DESKTOP, language="nl", base_url=live_server.url)
    page = context.new_page()
    log_in(page, live_server.url, "ombudsperson", "demo")
    page.goto(f"{live_server.url}/exams/requests/?log_for={student.number.upper()}")  # any case
    page.wait_for_selector("#request-form")
    assert page.locator("#id_kind").input_value() == ""  # no default kind

    page.select_option("#id_course", str(line.course_id))
    shown = page.eval_on_selector_all(
        "#id_exam_period option[data-year]", "options => options.filter(o => !o.hidden).map(o => o.dataset.year)"
    )
    assert shown and set(shown) == {str(line.enrolment.academic_year_id)}

    page.fill("#id_requested_on", "2027-03-01")
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_selector(".invalid-feedback")
    text = page.locator("#request-form").inner_text()
    for message in ("Kies de soort aanvraag.", "Geef de reden van de aanvraag.", "vooruit op vandaag"):
        assert message in text
    context.close()
