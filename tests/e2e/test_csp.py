"""The Content-Security-Policy in the browser (issue 14, point 13): the main pages of the site and
of the admin run under the enforced policy without a single violation (Chromium reports each one
as a console error and as a ``securitypolicyviolation`` event): the student page with its chart,
the student list filtering with htmx, the ISP editor with its credit band and its preview, the
study progress file's print view, the exam schedule's year switch and the request form, the admin's
change page, autocomplete boxes, date widgets, history page and periodic task form, and the
lockout page. A script injected into a page is refused, so a violation would fail these tests."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule

from tests.e2e.conftest import DESKTOP, log_in, new_context, watch_console
from tests.support import personas
from tests.support.factories import AcademicYearFactory, EnrolmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile || location.pathname}:${event.lineNumber}`;
  window.reportCspViolation(`${event.effectiveDirective} ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def coach_day():
    # The live server runs in a thread of this process: time-machine moves its clock too.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        yield


def watched(browser, base_url):
    """A desktop page whose CSP violations (events) and console errors are collected."""
    context = new_context(browser, viewport=DESKTOP, base_url=base_url)
    page = context.new_page()
    violations: list[str] = []
    page.expose_function("reportCspViolation", lambda text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    return context, page, violations, watch_console(page)


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_the_policy_refuses_an_injected_script(coach_world, coach_day, live_server, browser):
    context, page, violations, errors = watched(browser, live_server.url)
    log_in(page, live_server.url, "coach", personas.PASSWORD)
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injectedRan = true";
        document.body.appendChild(script);
    }"""
    )
    page.wait_for_timeout(200)  # the event is dispatched after the refusal
    assert page.evaluate("window.injectedRan") is None
    assert any(v.startswith("script-src-elem inline") for v in violations), violations
    assert any("Content Security Policy" in e for e in errors), errors
    context.close()


def test_the_coachs_pages_run_without_a_violation(coach_world, coach_day, live_server, browser):
    # A second academic year: the exam schedule offers a year switch (a choice list that sends its form).
    EnrolmentFactory(
        student=coach_world.student,
        programme=coach_world.programme,
        academic_year=AcademicYearFactory(first_year=2025),
        enrolled_on=datetime.date(2025, 9, 15),
    )
    base = live_server.url
    number = coach_world.student.number
    context, page, violations, errors = watched(browser, base)
    log_in(page, base, "coach", personas.PASSWORD)

    # The student list filters as the coach types (htmx swaps the results).
    visit(page, base + reverse("students:student_list"))
    page.fill("#id_q", coach_world.student.last_name)
    page.wait_for_load_state("networkidle")
    page.locator("#results").get_by_role("link", name=number).wait_for()

    # The student page with its learning-account chart.
    visit(page, base + reverse("students:student_detail", kwargs={"number": number}))
    assert page.locator("svg #balance-line").count() == 1

    # The ISP editor with its credit band, then a preview.
    visit(page, base + reverse("students:isp_editor", kwargs={"pk": coach_world.enrolment.pk}))
    # The band is drawn as the page says (its widths are SVG attributes, not style attributes).
    percent = int(page.locator("#credit-band .band-fill").get_attribute("width").rstrip("%"))
    fill = page.locator("#credit-band .band-fill").bounding_box()
    track = page.locator("#credit-band .band-track").bounding_box()
    assert 0 < percent < 100
    assert track["width"] > 100
    assert abs(100 * fill["width"] / track["width"] - percent) < 1
    page.locator("#course-A201").get_by_role("button", name="Add…").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#credits-after").inner_text() == "36"

    # The study progress file's print view (its own style sheets).
    visit(page, base + reverse("students:student_file_print", kwargs={"number": number}))
    assert page.evaluate("getComputedStyle(document.querySelector('.college')).textTransform") == "uppercase"
    context.close()

    # The ombudsperson: the exam schedule's year switch and the request form's script.
    context, page, more_violations, more_errors = watched(browser, base)
    log_in(page, base, "ombudsperson", personas.PASSWORD)
    visit(page, base + reverse("exams:schedule", kwargs={"number": number}))
    page.select_option("#year", "2025-2026")
    page.wait_for_url(lambda url: "year=2025-2026" in url)
    visit(page, base + reverse("exams:request_create", kwargs={"number": number}))
    assert page.locator("#id_course").count() == 1
    context.close()

    assert violations + more_violations == []
    assert errors + more_errors == []


def test_the_admin_runs_without_a_violation(coach_world, coach_day, live_server, browser):
    crontab = CrontabSchedule.objects.create(minute="5", hour="0")
    base = live_server.url
    student, enrolment = coach_world.student, coach_world.enrolment
    context, page, violations, errors = watched(browser, base)
    log_in(page, base, "admin", personas.PASSWORD)

    # A change page and its history (django-simple-history).
    visit(page, base + reverse("admin:students_student_change", args=[student.pk]))
    visit(page, base + reverse("admin:students_student_history", args=[student.pk]))
    assert page.locator("p.paginator").count() == 1

    # Date widgets: the calendar opens.
    visit(page, base + reverse("admin:students_enrolment_change", args=[enrolment.pk]))
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    assert page.locator(".calendarbox").first.is_visible()

    # Autocomplete boxes (select2): search a student.
    visit(page, base + reverse("admin:exams_result_add"))
    page.locator("#id_student").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(student.number)
    page.locator(".select2-results__option", has_text=student.number).first.wait_for()

    # django-celery-beat's periodic task form: its schedule in words, from a static script.
    visit(page, base + reverse("admin:django_celery_beat_periodictask_add"))
    page.select_option("#id_crontab", str(crontab.pk))
    assert "In words:" in page.locator(".field-crontab .help").inner_text()
    context.close()

    # The lockout page, in a fresh browser: five wrong passwords.
    context, page, more_violations, more_errors = watched(browser, base)
    for _ in range(5):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "committee_member")
        page.fill("#id_password", "wrong-password")
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
    assert "Too many failed logins for this user name." in page.locator("#lockout").inner_text()
    context.close()

    assert violations + more_violations == []
    # The lockout page answers 429, which the browser logs; nothing else may fail.
    assert [e for e in errors + more_errors if "429" not in e] == []
