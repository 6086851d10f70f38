"""The coach's student list and study progress file in the browser, in Dutch and English at
the desktop and phone widths (issue 13 points 11 and 12): the column headers sort, the page
numbers page, the CSV and the PDF download, the print view has no navigation and fits."""

import datetime

import pytest
import time_machine

from .conftest import DESKTOP, PHONE, fits, log_in, new_context, watch_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coach_day():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        yield


@pytest.fixture
def thirty_more(coach_world):
    from tests.support.factories import EnrolmentFactory

    for n in range(30):
        EnrolmentFactory(
            programme=coach_world.programme,
            academic_year=coach_world.year,
            enrolled_on=datetime.date(2026, 9, 15),
            student__number=f"s{n:07d}",
            student__last_name=f"Name{n:02d}",
        )
    return coach_world


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_list_sorts_pages_and_exports(browser, thirty_more, coach_day, live_server, language, viewport):
    context = new_context(browser, viewport=viewport, language=language, base_url=live_server.url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, live_server.url, "coach", "a-long-password-1")
    page.goto(f"{live_server.url}/students/")
    assert fits(page)
    header = "Studentennummer" if language == "nl" else "Student number"
    page.locator("thead a.sort-link", has_text=header).click()
    page.wait_for_url(lambda url: "ordering=number" in url)
    assert page.locator("th[aria-sort='ascending']").count() == 1
    page.locator("thead a.sort-link", has_text=header).click()
    page.wait_for_url(lambda url: "ordering=-number" in url)
    first = page.locator("tbody tr td a").first.inner_text()
    assert first == "s0000029"
    # 31 enrolments: two pages, numbered.
    page.locator(".pagination a.page-link", has_text="2").click()
    page.wait_for_url(lambda url: "page=2" in url)
    assert page.locator(".pagination [aria-current='page']").inner_text() == "2"
    assert "ordering=-number" in page.url
    assert fits(page)
    with page.expect_download() as download:
        page.locator("#csv-export").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert errors == []
    context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_print_view_and_the_pdf(browser, coach_world, coach_day, live_server, artifacts, language, viewport):
    context = new_context(browser, viewport=viewport, language=language, base_url=live_server.url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, live_server.url, "coach", "a-long-password-1")
    page.goto(f"{live_server.url}/students/{coach_world.student.number}/")
    with page.expect_download() as download:
        page.locator("#file-pdf").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.goto(f"{live_server.url}/students/{coach_world.student.number}/print/")
    assert page.locator("nav, .navbar, button, form").count() == 0
    assert page.locator("#student-number").inner_text() == coach_world.student.number
    assert page.locator("#ledger tbody tr").count() == 2
    assert fits(page)
    page.screenshot(path=artifacts / f"study-progress-file-{language}-{viewport['width']}.png", full_page=True)
    assert errors == []
    context.close()
