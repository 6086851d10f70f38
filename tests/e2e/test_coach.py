"""A learning path coach at work: find a student, try a course that is blocked and read
why, add an allowed one, check the preview, save and approve the ISP."""

import datetime

import pytest
import time_machine

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coach_day():
    # The live server runs in a thread of this process: time-machine moves its clock too.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        yield


def test_a_coach_edits_and_approves_an_isp(coach_world, coach_day, live_server, page, artifacts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "coach")
    page.fill("#id_password", "a-long-password-1")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # Find the student.
    page.get_by_role("link", name="Students").first.click()
    page.fill("#id_q", coach_world.student.last_name)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=coach_world.student.number).click()
    assert page.locator("#balance").inner_text() == "110"
    page.get_by_role("link", name="Edit the ISP").click()
    assert page.locator("#isp-total").inner_text() == "30"

    # A course that is blocked says why.
    page.locator("#course-A202").get_by_role("button", name="Add…").click()
    refusal = page.locator("#refusal")
    assert "This change is not possible" in refusal.inner_text()
    assert "requires A103 to have been passed earlier (SSQ)" in refusal.inner_text()
    assert page.locator("#save").count() == 0
    page.get_by_role("link", name="Back to the ISP").click()

    # An allowed one: preview, then save.
    page.locator("#course-A201").get_by_role("button", name="Add…").click()
    assert page.locator("#balance-after").inner_text() == "104"
    assert page.locator("#credits-after").inner_text() == "36"
    page.locator("#save").click()
    page.wait_for_selector("text=was added to the ISP")
    assert page.locator("#isp-total").inner_text() == "36"

    # Approve.
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=The ISP was approved.")
    assert page.locator("#isp-status").inner_text() == "approved"
    page.screenshot(path=str(artifacts / "coach-isp-approved.png"), full_page=True)

    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.isp_status == "approved"
    assert coach_world.student.learning_account_balance() == 104
