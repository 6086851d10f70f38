"""The examination committee at work (issue 15 point 7): the chair walks the Education
deliberation on January 2024 from the select committee's inventory to the signed report — home,
the committees' home, the inventory with the flagged E1 profile, the meeting opened, the
attendance recorded, S5's page with a decision and its reason, the meeting closed, the report
signed by the chair — then the secretary logs in and signs, and the report is signed and frozen.
In Dutch on a desktop and in English on a phone; every page fits its window and logs no error.

The world is ``tests.support.worlds.committee_world`` (built inside the test: a transactional test
has no fixture data), on its meeting day, 1 February 2024."""

import datetime

import pytest
import time_machine

from committee.models import Decision, Report
from students.models import ISPLine
from tests.e2e.conftest import DESKTOP, PHONE, fits, follow_menu, log_in, new_context, watch_console
from tests.support.personas import PASSWORD
from tests.support.worlds import committee_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MEETING_DAY = datetime.date(2024, 2, 1)
REASON = "Hospitalised during the exam period (file of the ombudsperson)."


@pytest.fixture
def meeting_day():
    # The live server runs in a thread of this process: time-machine moves its clock too.
    with time_machine.travel(datetime.datetime.combine(MEETING_DAY, datetime.time(10))):
        yield


def _check(page, errors, artifacts, name):
    """Every page: no horizontal overflow, no console error so far, a screenshot."""
    assert fits(page), f"{name} is wider than the window"
    assert errors == [], f"{name}: {errors}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("language", "viewport"), [("nl", DESKTOP), ("en", PHONE)], ids=["nl-desktop", "en-phone"])
def test_the_chair_walks_a_deliberation_to_the_signed_report(
    meeting_day, live_server, browser, artifacts, language, viewport
):
    w = committee_world()
    deliberation = w.deliberation
    s5 = w.students[4]
    e2 = w.lines[s5.number, "E2"]
    url = live_server.url
    tag = f"committee-{language}-{viewport['width']}"

    context = new_context(browser, viewport=viewport, language=language, base_url=url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, url, "chair", PASSWORD)
    _check(page, errors, artifacts, f"{tag}-1-home")

    # The committees' home: Education's deliberation on January is to prepare.
    follow_menu(page, url, "/committee/")
    prepared = page.locator("#prepared")
    assert prepared.locator(f'a[href="/committee/deliberations/{deliberation.pk}/"]').count() >= 1
    _check(page, errors, artifacts, f"{tag}-2-committee-home")

    # The inventory: E1 (1 pass in 6) flagged; S5, with an intolerable fail, has a decision open.
    # The profiles are computed when asked for; the students with a decision open are on the
    # students' pages, a page at a time.
    prepared.locator(f'a[href="/committee/deliberations/{deliberation.pk}/inventory/"]').click()
    page.locator("#profiles-link").click()
    page.wait_for_selector("#profile-table")
    assert "table-warning" in (page.locator("#profile-e1").get_attribute("class") or "")
    assert "table-warning" not in (page.locator("#profile-e3").get_attribute("class") or "")
    _check(page, errors, artifacts, f"{tag}-3-inventory")
    page.locator("#students-link").click()
    page.wait_for_selector("#open-students")
    assert page.locator("#open-students").get_by_role("link", name=s5.full_name).count() == 1
    _check(page, errors, artifacts, f"{tag}-3-students")

    # Open the deliberation from its meeting page.
    page.locator(f'a[href="/committee/deliberations/{deliberation.pk}/"]').first.click()
    page.wait_for_selector("#open-deliberation")
    page.locator("#open-deliberation").click()
    page.wait_for_selector("#close-deliberation")
    _check(page, errors, artifacts, f"{tag}-4-opened")

    # The attendance: chair, secretary and Mo present, Noor excused, the ombudsperson online;
    # 3 of the 4 members with a vote: the quorum is met (Art. 71).
    form = page.locator("#attendance form")
    for member, presence in (
        (w.chair, "present"),
        (w.secretary, "present"),
        (w.member_mo, "present"),
        (w.member_noor, "excused"),
        (w.ombuds, "online"),
    ):
        form.locator(f'select[name="presence_{member.pk}"]').select_option(presence)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#quorum-met")
    assert "3" in page.locator("#quorum p").first.inner_text() and "4" in page.locator("#quorum p").first.inner_text()
    _check(page, errors, artifacts, f"{tag}-5-attendance")

    # S5's page, from the inventory: preview the proposal, then record it with its reason.
    page.locator(f'a[href="/committee/deliberations/{deliberation.pk}/inventory/"]').first.click()
    page.locator("#students-link").click()
    page.locator("#open-students").get_by_role("link", name=s5.full_name).click()
    page.wait_for_selector("#preview-form")
    _check(page, errors, artifacts, f"{tag}-6-student")
    preview = page.locator("#preview-form")
    preview.locator('select[name="kind"]').select_option("tolerated")
    preview.locator('select[name="line"]').select_option(str(e2.pk))
    preview.locator("button[type=submit]").click()
    page.wait_for_selector("#decision-form")
    # The preview by the rules: E2's intolerable fail (6) becomes tolerated with the proposal.
    assert page.locator("#period-results th").count() == 5  # course, credits, examiner, as it is, with the proposal
    assert page.locator("#period-results tr", has_text="E2").locator("td.text-primary-emphasis").count() == 1
    decision_form = page.locator("#decision-form")
    decision_form.locator('textarea[name="reason"]').fill(REASON)
    decision_form.locator("button[type=submit]").click()
    page.wait_for_selector("#decisions table")
    assert REASON in page.locator("#decisions").inner_text()
    _check(page, errors, artifacts, f"{tag}-7-decision")

    # Close the meeting.
    page.goto(f"{url}/committee/deliberations/{deliberation.pk}/")
    assert page.locator(f"#decision-{Decision.objects.get().pk}").count() == 1
    page.locator("#close-deliberation").click()
    page.wait_for_selector("#deliberation-status .text-bg-warning")  # closed, the report to sign
    assert page.locator("#close-deliberation").count() == 0
    _check(page, errors, artifacts, f"{tag}-8-closed")

    # The report: the chair signs.
    page.locator(f'a[href="/committee/deliberations/{deliberation.pk}/report/"]').first.click()
    page.wait_for_selector("#sign")
    assert page.locator("#sign button").count() == 1
    assert REASON in page.locator(".report-sheet").inner_text()
    page.locator("#sign button").click()
    page.wait_for_load_state("load")
    assert page.locator("#sign").count() == 0  # the chair's seat has signed; no other seat of theirs signs
    assert page.locator("#report-status strong").count() == 0  # not frozen yet
    _check(page, errors, artifacts, f"{tag}-9-chair-signed")
    context.close()

    # The secretary logs in and signs: the report is signed by both and frozen (Art. 82).
    context = new_context(browser, viewport=viewport, language=language, base_url=url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, url, "secretary", PASSWORD)
    page.goto(f"{url}/committee/deliberations/{deliberation.pk}/report/")
    page.wait_for_selector("#sign")
    _check(page, errors, artifacts, f"{tag}-10-secretary")
    page.locator("#sign button").click()
    page.wait_for_selector("#report-status strong")
    assert page.locator("#sign").count() == 0
    assert page.locator("#correct").count() == 1  # a signed report is corrected by a new version
    _check(page, errors, artifacts, f"{tag}-11-signed")
    context.close()

    report = Report.objects.get(deliberation=deliberation)
    assert report.signed
    assert (report.chair_signed_by, report.secretary_signed_by) == (w.chair, w.secretary)
    decision = Decision.objects.get()
    assert (decision.student, decision.kind, decision.isp_line_id, decision.reason, decision.outcome) == (
        s5,
        "tolerated",
        e2.pk,
        REASON,
        "adopted",
    )
    assert [s["number"] for s in report.content["students"]] == [s5.number]
    assert report.content["students"][0]["decisions"][0]["reason"] == REASON
    # Nothing published yet: the publication applies the decision (6 February).
    assert ISPLine.objects.get(pk=e2.pk).tolerated_on is None
