"""Pages that fit the screen (issue 13, point 2) and a learning-account chart that draws in
Dutch (point 1), in Debian's Chromium in the college's time zone.

Every persona's main pages, in English and Dutch, on a laptop (1366 x 900) and a phone
(390 x 844): the page is never wider than the window (a table scrolls inside its own box),
the page loads without an error, the browser's console stays empty, and the dates it shows
are written day/month/year (point 3).

The pages are those of the demo college (``load_demo`` with 40 students: half a minute; the test about two) on
2 December 2026. To check a new page, add a line to ``PAGES``: the persona who opens it, a
name, and how to find its address in the demo's database."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.e2e.conftest import DESKTOP, PHONE, log_in, new_context, watch_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_DAY = datetime.date(2026, 12, 2)
# A date a page must not show (point 3): ISO (2026-12-01) is for files, and English month-name
# dates ("Dec. 1, 2026", "1 Dec 2026") were the US and mixed styles; pages write 01/12/2026.
NOT_A_PAGE_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}"
    r"|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{4}"
)
DEMO_PASSWORD = "demo"
LANGUAGES = ("en", "nl")
VIEWPORTS = {"laptop": DESKTOP, "phone": PHONE}


# --- Where the pages are, in the demo college ----------------------------------------------
def coached_enrolment():
    """The enrolment of the current year with the longest learning account history among the
    coach's students (its student page has the fullest chart, ledger and history)."""
    from django.db.models import Count

    from programmes.models import Assignment
    from students.models import Enrolment

    programmes = Assignment.objects.filter(user__username="coach", role="coach").values("programme")
    return (
        Enrolment.objects.filter(programme__in=programmes, academic_year__code="2026-2027", status="enrolled")
        .annotate(entries=Count("student__learning_account_entries"))
        .order_by("-entries", "student__number")
        .select_related("student")
        .first()
    )


def a_request():
    from reschedules.models import RescheduleRequest

    return RescheduleRequest.objects.select_related("isp_line__enrolment__student").order_by("pk").first()


def a_report():
    from reschedules.models import OmbudsReport

    return OmbudsReport.objects.select_related("programme", "academic_year").order_by("pk").first()


def an_appeal():
    from appeals.models import Appeal

    return Appeal.objects.order_by("pk").first()


def home():
    return reverse("home")


def a_deliberation():
    """Health Care's last signed deliberation (the demo's ``committee`` chairs it), with decisions."""
    from committee.models import Deliberation

    return (
        Deliberation.objects.filter(committee__name="Health Care", status="closed", decisions__isnull=False)
        .order_by("-exam_period__results_published_on")
        .first()
    )


def a_decided_student():
    return a_deliberation().decisions.order_by("pk").first().student


def a_fraud_page(name: str) -> str:
    """The demo's first fraud file (``"file"``) or first decision awaiting ratification
    (``"ratification"``); the list of files while the demo has none."""
    from fraud.models import FraudDecision, FraudFile

    if name == "ratification":
        decision = FraudDecision.objects.filter(status="awaiting_ratification").order_by("pk").first()
        if decision is not None:
            return reverse("fraud:ratification", args=[decision.pk])
    fraud_file = FraudFile.objects.order_by("pk").first()
    return reverse("fraud:file_detail", args=[fraud_file.pk]) if fraud_file else reverse("fraud:file_list")


@dataclass(frozen=True)
class Page:
    persona: str | None  # the demo user who opens the page; None: before logging in
    name: str
    url: Callable[[], str]


PAGES = [
    # Before logging in
    Page(None, "login", lambda: reverse("login")),
    # The learning path coach
    Page("coach", "home", home),
    Page("coach", "student list", lambda: reverse("students:student_list")),
    Page(
        "coach", "student page", lambda: reverse("students:student_detail", args=[coached_enrolment().student.number])
    ),
    Page("coach", "ISP editor", lambda: reverse("students:isp_editor", args=[coached_enrolment().pk])),
    Page(
        "coach",
        "study progress file, print view",
        lambda: reverse("students:student_file_print", args=[coached_enrolment().student.number]),
    ),
    # The ombudsperson
    Page("ombudsperson", "home", home),
    Page("ombudsperson", "exam requests queue", lambda: reverse("exams:request_list")),
    Page("ombudsperson", "exam request", lambda: reverse("exams:request_detail", args=[a_request().pk])),
    Page(
        "ombudsperson",
        "individual exam schedule",
        lambda: reverse("exams:schedule", args=[a_request().isp_line.enrolment.student.number]),
    ),
    Page(
        "ombudsperson",
        "individual exam schedule, print view",
        lambda: reverse("exams:schedule_print", args=[a_request().isp_line.enrolment.student.number]),
    ),
    Page("ombudsperson", "annual reports", lambda: reverse("exams:report_list")),
    Page(
        "ombudsperson",
        "annual report",
        lambda: reverse("exams:report_detail", args=[a_report().programme.code, a_report().academic_year.code]),
    ),
    # Student administration
    Page("administration", "home", home),
    Page("administration", "marksheet", lambda: reverse("exams:marksheet")),
    Page("administration", "appeal register", lambda: reverse("appeals:register")),
    Page("administration", "appeal form", lambda: reverse("appeals:appeal_create")),
    Page("administration", "appeal", lambda: reverse("appeals:appeal_detail", args=[an_appeal().pk])),
    Page("administration", "refusal lifting requests", lambda: reverse("appeals:lifting_list")),
    Page("administration", "corrections", lambda: reverse("appeals:correction_list")),
    Page("administration", "open balances (fees)", lambda: reverse("fees:open_balances")),
    Page("administration", "admin index", lambda: reverse("admin:index")),
    Page(
        "administration",
        "admin student change page",
        lambda: reverse("admin:students_student_change", args=[coached_enrolment().student.pk]),
    ),
    Page(
        "administration",
        "admin enrolment change page",
        lambda: reverse("admin:students_enrolment_change", args=[coached_enrolment().pk]),
    ),
    Page("administration", "admin exam periods", lambda: reverse("admin:programmes_examperiod_changelist")),
    Page("administration", "admin new result", lambda: reverse("admin:exams_result_add")),
    Page("administration", "committees", lambda: reverse("committee:home")),
    Page("administration", "fraud files", lambda: reverse("fraud:file_list")),
    Page("administration", "fraud file", lambda: a_fraud_page("file")),
    Page("administration", "fraud ratification", lambda: a_fraud_page("ratification")),
    # The examination committee (the demo's chair of Health Care)
    Page("committee", "home", home),
    Page("committee", "committees", lambda: reverse("committee:home")),
    Page("committee", "deliberation", lambda: reverse("committee:deliberation", args=[a_deliberation().pk])),
    Page("committee", "inventory", lambda: reverse("committee:inventory", args=[a_deliberation().pk])),
    Page(
        "committee",
        "student decisions",
        lambda: reverse("committee:student", args=[a_deliberation().pk, a_decided_student().number]),
    ),
    Page("committee", "deliberation report", lambda: reverse("committee:report", args=[a_deliberation().pk])),
    Page("committee", "fraud files", lambda: reverse("fraud:file_list")),
    Page("committee", "fraud file", lambda: a_fraud_page("file")),
    # The examiner (the demo's reports) and the fraud authority (the gross case awaiting it)
    Page("examiner", "fraud files", lambda: reverse("fraud:file_list")),
    Page("examiner", "fraud report form", lambda: reverse("fraud:report")),
    Page("examiner", "fraud file", lambda: a_fraud_page("file")),
    Page("fraudauthority", "fraud files", lambda: reverse("fraud:file_list")),
    Page("fraudauthority", "fraud ratification", lambda: a_fraud_page("ratification")),
]


@pytest.fixture
def demo_day():
    # The live server runs in a thread of this process: time-machine moves its clock too.
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0)):
        yield


@pytest.fixture
def demo(demo_day):
    call_command("load_demo", "--students", "40", "--today", DEMO_DAY.isoformat(), verbosity=0)


def test_every_main_page_fits_the_screen_in_both_languages(demo, live_server, browser, artifacts):
    urls = {(page.persona, page.name): page.url() for page in PAGES}
    problems = []
    for persona in dict.fromkeys(page.persona for page in PAGES):
        for language in LANGUAGES:
            for screen, viewport in VIEWPORTS.items():
                context = new_context(browser, viewport=viewport, language=language, base_url=live_server.url)
                tab = context.new_page()
                errors = watch_console(tab)
                if persona:
                    log_in(tab, live_server.url, persona, DEMO_PASSWORD)
                for page in (p for p in PAGES if p.persona == persona):
                    where = f"{persona or 'anonymous'} · {page.name} · {language} · {screen}"
                    errors.clear()
                    response = tab.goto(live_server.url + urls[persona, page.name])
                    tab.wait_for_load_state("load")
                    if not response.ok:
                        problems.append(f"{where}: HTTP {response.status}")
                        continue
                    width, window = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                    if width > window:
                        problems.append(f"{where}: {width} px wide in a window of {window} px")
                        name = f"too-wide-{persona}-{page.name}-{language}-{screen}".replace(" ", "-")
                        tab.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
                    if errors:
                        problems.append(f"{where}: console: {errors[:3]}")
                    dates = sorted(set(NOT_A_PAGE_DATE.findall(tab.evaluate("document.body.innerText"))))
                    if dates:
                        problems.append(f"{where}: dates not written day/month/year: {dates[:3]}")
                context.close()
    assert problems == []


def test_the_learning_account_chart_draws_in_dutch(coach_world, live_server, browser, artifacts):
    """The student page in Dutch: no console error (a decimal comma in an SVG coordinate is
    one per attribute), and the balance line is drawn across the chart with its two dots
    (opening 140, then 110 after the ISP's 30 credits)."""
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        context = new_context(browser, viewport=DESKTOP, language="nl", base_url=live_server.url)
        tab = context.new_page()
        errors = watch_console(tab)
        log_in(tab, live_server.url, "coach", "a-long-password-1")
        tab.goto(live_server.url + reverse("students:student_detail", args=[coach_world.student.number]))
        tab.wait_for_load_state("load")

        line = tab.locator("svg #balance-line")
        points = line.evaluate("l => l.points.numberOfItems")
        box = line.evaluate("l => { const b = l.getBBox(); return [b.width, b.height]; }")
        dots = tab.locator("svg circle").evaluate_all("cs => cs.map(c => [c.cx.baseVal.value, c.cy.baseVal.value])")
        tab.screenshot(path=str(artifacts / "chart-nl.png"), full_page=True)
        context.close()

    assert errors == []
    assert points == 3  # the opening, down to 110 on the same day, along to the right edge
    assert box == [640, pytest.approx(32, abs=0.1)]  # x 40 to 680; y 50.7 to 82.7
    assert dots == [[40, pytest.approx(50.7, abs=0.01)], [40, pytest.approx(82.7, abs=0.01)]]
