"""A learning path coach at work: find a student, see why a blocked course cannot be added,
add an allowed one, read the preview's effect (learning account, tuition fee), save and
approve the ISP; after the deadlines, submit and approve on the late route; a failed
derogation puts the error and the focus where the eye is. In English on a desktop and in
Dutch on a phone."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, fits, log_in, new_context, watch_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-1"


def _travel(day):
    # The live server runs in a thread of this process: time-machine moves its clock too.
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def coach_day():
    with _travel(datetime.date(2026, 11, 23)):
        yield


@pytest.fixture
def after_the_lock():
    """2 December 2026: the submission (15 October) and approval (before 1 December) deadlines passed."""
    with _travel(datetime.date(2026, 12, 2)):
        yield


def test_a_coach_edits_and_approves_an_isp(coach_world, coach_day, live_server, page, artifacts):
    log_in(page, live_server.url, "coach", PASSWORD)

    # Find the student.
    page.get_by_role("link", name="Students").first.click()
    page.fill("#id_q", coach_world.student.last_name)
    page.get_by_role("button", name="Filter").click()
    # The unfiltered list shows the student too: wait for the filtered one, or the click may
    # land on the old page while the search's response replaces it.
    page.wait_for_url("**/students/?q=*")
    page.get_by_role("link", name=coach_world.student.number).click()
    assert page.locator("#balance").inner_text() == "110"
    page.get_by_role("link", name="Edit the ISP").click()
    assert page.locator("#isp-total").inner_text() == "30"

    # A course that is blocked cannot be clicked and says why, in view.
    blocked = page.locator("#course-A202").get_by_role("button", name="Add…")
    assert blocked.is_disabled()
    why = page.locator("#why-A202")
    assert why.is_visible()
    assert "requires A103 to have been passed earlier (SSQ)" in why.inner_text()
    assert "strict sequentiality" in page.locator("#sequencing-legend").inner_text()

    # An allowed one: preview, then save.
    page.locator("#course-A201").get_by_role("button", name="Add…").click()
    assert page.locator("#balance-after").inner_text() == "104"
    assert page.locator("#credits-after").inner_text() == "36"
    effects = page.locator("#effects").inner_text()
    assert "the balance goes from 110 to 104 credits" in effects
    # 282.10 + 30 x 13.50 = 687.10 -> 282.10 + 36 x 13.50 = 768.10
    assert "€ 687.10 to € 768.10" in page.locator("#effect-fee").inner_text()
    page.locator("#save").click()
    page.wait_for_selector("text=was added to the ISP")
    assert page.locator("#isp-total").inner_text() == "36"

    # Approve (before 1 December: in time).
    page.locator("#approve-form button[type=submit]").click()
    page.wait_for_selector("text=The ISP was approved.")
    assert page.locator("#isp-status").inner_text() == "approved"
    approval = page.locator("#step-approval")
    assert "by Katrien De Wilde" in approval.inner_text()
    assert approval.locator("[data-state]").get_attribute("data-state") == "met"
    page.screenshot(path=str(artifacts / "coach-isp-approved.png"), full_page=True)

    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.isp_status == "approved"
    assert coach_world.student.learning_account_balance() == 104


def test_the_student_list_follows_the_search_as_typed(coach_world, coach_day, live_server, page):
    """The list follows what is typed, without the Filter button; leaving the search box sends
    nothing (its answer, pushing the list's address, could cancel the click on a student that
    left it); a choice list and the Filter button each send one request; the student's link
    then opens the student."""
    log_in(page, live_server.url, "coach", PASSWORD)
    page.get_by_role("link", name="Students").first.click()
    page.wait_for_url("**/students/")  # and its scripts loaded: what is typed before htmx is not followed
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.headers.get("hx-request") else None)

    page.fill("#id_q", coach_world.student.last_name)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [coach_world.student.last_name])
    assert len(sent) == 1
    # Leaving the box for the programme's list, and choosing in it: one request, the list's.
    with page.expect_response(lambda response: "programme=" in response.url):
        page.select_option("#id_programme", str(coach_world.programme.pk))
    assert len(sent) == 2
    with page.expect_response(lambda response: response.request.headers.get("hx-request") is not None):
        page.get_by_role("button", name="Filter").click()
    assert len(sent) == 3

    page.get_by_role("link", name=coach_world.student.number).click()
    assert page.locator("#balance").inner_text() == "110"
    assert len(sent) == 3


def test_the_late_route_in_dutch_on_a_phone(coach_world, after_the_lock, live_server, browser, artifacts):
    context = new_context(browser, viewport=PHONE, language="nl", base_url=live_server.url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, live_server.url, "coach", PASSWORD)
    page.goto(f"{live_server.url}/isp/{coach_world.enrolment.pk}/")
    assert fits(page)
    # Every "Toevoegen…" button of the catalogue lies within the screen.
    width = page.evaluate("window.innerWidth")
    for box in page.locator("#catalogue-list form button").evaluate_all(
        "buttons => buttons.map(b => b.getBoundingClientRect().right)"
    ):
        assert box <= width
    submission = page.locator("#step-submission")
    assert submission.locator("[data-state]").get_attribute("data-state") == "missed"

    # Submit late: the reason is required; it is recorded with the coach's name.
    page.fill("#id_submit_late_reason", "Inschrijvingsdossier pas op 20 oktober volledig.")
    page.locator("#submit-form button[type=submit]").click()
    page.wait_for_selector("#approve-form")
    assert "Inschrijvingsdossier pas op 20 oktober volledig." in page.locator("#step-submission").inner_text()
    assert "Katrien De Wilde" in page.locator("#step-submission").inner_text()

    # Approve late without a reason: the error at the top, the focus in the reason field.
    page.locator("#id_approve_late_reason").evaluate("el => el.removeAttribute('required')")
    page.locator("#approve-form button[type=submit]").click()
    page.wait_for_selector("#form-errors")
    # Polled by Playwright's own matcher: a string predicate would be evaluated, which the policy refuses.
    expect(page.locator("#id_approve_late_reason")).to_be_focused()
    page.fill("#id_approve_late_reason", "Opleiding besliste op 2 december.")
    page.locator("#approve-form button[type=submit]").click()
    page.wait_for_selector("#isp-status")
    approval = page.locator("#step-approval")
    assert approval.locator("[data-state]").get_attribute("data-state") == "missed"
    assert "Opleiding besliste op 2 december." in approval.inner_text()
    assert fits(page)
    page.screenshot(path=str(artifacts / "coach-isp-late-nl-phone.png"), full_page=True)
    # The refused approval answers 422 (the browser logs it); nothing else may fail.
    assert [e for e in errors if "422" not in e] == []
    context.close()

    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.isp_status == "approved"
    assert coach_world.enrolment.isp_approved_late_reason == "Opleiding besliste op 2 december."
    assert coach_world.enrolment.isp_approved_late_allowed_by == coach_world.coach


def test_a_failed_derogation_shows_the_error_on_top_and_focuses_the_field(coach_world, coach_day, live_server, browser):
    context = new_context(browser, language="nl", base_url=live_server.url)
    page = context.new_page()
    log_in(page, live_server.url, "coach", PASSWORD)
    page.goto(f"{live_server.url}/isp/{coach_world.enrolment.pk}/")
    page.locator("#derogation-form summary").click()
    page.select_option("#id_kind", "fewer_credits")
    page.locator("#derogation-form [type=submit]").click()
    page.wait_for_selector("#form-errors")
    # The browser moves the focus to the autofocus field in its next rendering step.
    page.wait_for_load_state("load")
    expect(page.locator("#derogation-form [name=credits]")).to_be_focused()
    # The error sits above the ISP, and the focused field is on screen.
    assert page.locator("#form-errors").bounding_box()["y"] < page.locator("#workflow").bounding_box()["y"]
    assert page.evaluate(
        "(() => { const r = document.activeElement.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    context.close()
