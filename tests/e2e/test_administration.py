"""Student administration in the Django admin (issue 13 points 18-20): a result is entered by
searching the student and the course in the admin's autocomplete boxes; a mark before the
student's exam is refused with one message; the exam periods show the publication planned and
done with the missing marks; the student's admin page and the study progress file link to each
other. In English on a desktop and in Dutch on a phone, in Brussels time."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from exams.models import Result
from exams.tasks import missing_marks_count
from reschedules.models import ExamMoment
from tests.e2e.conftest import DESKTOP, PHONE, fits, log_in, new_context, watch_console
from tests.support import personas
from tests.support.factories import AcademicYearFactory, CourseFactory, EnrolmentFactory, ISPLineFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = datetime.date


@pytest.fixture
def office_world(db):
    """2023-2024; student r0100001 (Lotte Claes) with NUM1 (exam on 15 January 2024) and NUM2
    (exam on 25 January 2024) in the ISP; today is 20 January 2024."""
    personas.administration("office")
    year = AcademicYearFactory()
    enrolment = EnrolmentFactory(
        academic_year=year,
        programme__code="BA-OFF",
        student__number="r0100001",
        student__first_name="Lotte",
        student__last_name="Claes",
    )
    period = year.exam_periods.get(number=1)
    for code, name, on in (("NUM1", "Anatomie", D(2024, 1, 15)), ("NUM2", "Fysiologie", D(2024, 1, 25))):
        course = CourseFactory(programme=enrolment.programme, code=code, name=name, semester="1")
        ISPLineFactory(enrolment=enrolment, course=course)
        ExamMoment.objects.create(
            course=course, exam_period=period, on=on, starts_at=datetime.time(9), announced_on=D(2023, 10, 16)
        )
    with time_machine.travel(datetime.datetime(2024, 1, 20, 10, 0), tick=False):
        yield period


def choose(page, field: str, term: str, option: str) -> None:
    """Pick ``option`` in the admin's autocomplete box of ``field`` after typing ``term``."""
    page.locator(f"#id_{field}").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option).first.click()


@pytest.mark.parametrize(
    ("language", "viewport", "words"),
    [
        (
            "en",
            DESKTOP,
            {
                "save": "Save",
                "ahead": "a mark can be entered from the day of the exam on",
                "period": "2023-2024 exam period 1",
                "missing": "1 missing, 1 entered",
                "not_yet": "not published yet",
                "file": "Open the study progress file of r0100001",
                "back": "Student in the admin",
            },
        ),
        (
            "nl",
            PHONE,
            {
                "save": "Opslaan",
                "ahead": "een cijfer kan worden ingevoerd vanaf de dag van het examen",
                "period": "2023-2024 examenperiode 1",
                "missing": "1 ontbrekend, 1 ingevoerd",
                "not_yet": "nog niet bekendgemaakt",
                "file": "Het studievoortgangsdossier van r0100001 openen",
                "back": "Student in het beheer",
            },
        ),
    ],
)
def test_the_office_enters_marks_and_follows_the_publication(
    office_world, live_server, browser, artifacts, language, viewport, words
):
    context = new_context(browser, viewport=viewport, language=language, base_url=live_server.url)
    page = context.new_page()
    console = watch_console(page)
    log_in(page, live_server.url, "office", personas.PASSWORD)

    # A result by student and course: NUM1 was examined on 15 January.
    page.goto(f"{live_server.url}/admin/exams/result/add/")
    assert page.locator("#id_isp_line").count() == 0
    choose(page, "student", "Claes", "r0100001")
    choose(page, "course", "NUM1", "NUM1")
    page.select_option("#id_exam_period", label=words["period"])
    page.select_option("#id_opportunity", "1")
    page.fill("#id_score", "14")
    page.locator(f"input[type=submit][name=_save][value='{words['save']}']").click()
    page.wait_for_url(lambda url: url.endswith("/admin/exams/result/"))
    assert Result.objects.get().score == 14

    # NUM2 is on 25 January: refused, said once, nothing entered.
    page.goto(f"{live_server.url}/admin/exams/result/add/")
    choose(page, "student", "r0100001", "r0100001")
    choose(page, "course", "NUM2", "NUM2")
    page.select_option("#id_exam_period", label=words["period"])
    page.select_option("#id_opportunity", "1")
    page.fill("#id_score", "9")
    page.locator("input[type=submit][name=_save]").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist li", has_text=words["ahead"]).count() == 1
    assert Result.objects.count() == 1
    assert fits(page)
    page.screenshot(path=artifacts / f"admin-result-refused-{language}.png", full_page=True)

    # The exam periods: planned, not published yet, one mark missing (NUM2), as counted by the
    # worker the result entered asked for (exams.tallies; here the test runs the task).
    missing_marks_count(office_world.pk)
    page.goto(f"{live_server.url}/admin/programmes/examperiod/")
    row = page.locator("tr", has_text=words["period"])
    assert words["not_yet"] in row.inner_text()
    row.get_by_role("link", name=words["missing"]).click()
    expect(page.locator("#course-marks tbody tr")).to_have_count(2)
    assert fits(page)
    page.screenshot(path=artifacts / f"admin-publication-{language}.png", full_page=True)

    # The student's admin page and the study progress file link to each other.
    page.goto(f"{live_server.url}/admin/students/student/?q=r0100001")
    page.get_by_role("link", name="r0100001").first.click()
    page.get_by_role("link", name=words["file"]).click()
    page.wait_for_url(lambda url: url.endswith("/students/r0100001/"))
    assert fits(page)
    page.get_by_role("link", name=words["back"]).click()
    page.wait_for_url(lambda url: "/admin/students/student/" in url)
    assert console == []
    context.close()


def office_pages(browser, live_server, language: str, path: str):
    """The office's page at ``path`` in ``language``, on a desktop and on a phone: yields (name,
    page) once it is open; then checks that it fits the window and logged no console error."""
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = new_context(browser, viewport=viewport, language=language, base_url=live_server.url)
        page = context.new_page()
        errors = watch_console(page)
        log_in(page, live_server.url, "office", personas.PASSWORD)
        page.goto(f"{live_server.url}{path}")
        yield name, page
        assert fits(page), name
        assert errors == []
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_long_admin_list_says_it_shows_its_first_rows(
    office_world, live_server, browser, artifacts, monkeypatch, language
):
    """Issue 19: an admin list longer than its cap (here 3 of 4 students, 2 a page) pages
    through the first rows and says so, in the reader's language, on a desktop and a phone."""
    from core import pagination
    from progress.admin import StudentAdmin
    from tests.support.factories import StudentFactory

    monkeypatch.setattr(pagination, "CAP", 3)
    monkeypatch.setattr(StudentAdmin, "list_per_page", 2)
    StudentFactory.create_batch(3)
    said = {
        "nl": "Meer dan 3 studenten: de pagina's tonen de eerste 3. Zoek of filter om de andere te vinden.",
        "en": "More than 3 students: the pages show the first 3. Search or filter to find the others.",
    }[language]
    for name, page in office_pages(browser, live_server, language, "/admin/students/student/"):
        expect(page.locator("p.paginator")).to_contain_text(said)
        expect(page.locator("p.paginator a[href='?p=2']")).to_be_visible()
        expect(page.locator("p.paginator a.showall")).to_have_count(0)
        expect(page.locator("#changelist-search")).to_contain_text(
            {"nl": "Meer dan 3 resultaten", "en": "More than 3 results"}[language]
        )
        page.screenshot(path=artifacts / f"admin-long-list-{language}-{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_enrolment_page_shows_the_apps_and_the_related_links_in_the_readers_language(
    office_world, live_server, browser, artifacts, language
):
    """Issue 19: the admin's sidebar of apps (kept per permissions and language, core.sites) and
    the related-object links around each course box of the ISP lines (written by the forms'
    renderer) on an enrolment's page, in the reader's language, on a desktop and a phone."""
    from students.models import Enrolment

    enrolment = Enrolment.objects.get(student__number="r0100001")
    students = {"nl": "Studenten", "en": "Students"}[language]
    english_titles = ("Change selected", "Add another", "Delete selected", "View selected")
    path = f"/admin/students/enrolment/{enrolment.pk}/change/"
    for name, page in office_pages(browser, live_server, language, path):
        expect(page.locator("#nav-sidebar a[href='/admin/students/student/']")).to_have_text(students)
        expect(page.locator("#nav-sidebar caption a[href='/admin/students/']")).to_have_text(students)
        wrapper = page.locator("#lines-0 .related-widget-wrapper")
        expect(wrapper.locator("select#id_lines-0-course")).to_have_count(1)
        links = wrapper.locator("a.related-widget-wrapper-link")
        titles = [links.nth(i).get_attribute("title") for i in range(links.count())]
        assert titles, name
        assert all(title.startswith(english_titles) == (language == "en") for title in titles), titles
        page.screenshot(path=artifacts / f"admin-enrolment-{language}-{name}.png", full_page=True)
