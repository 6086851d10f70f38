"""Exam fraud from the examiner's report to the ratified sanction (issue 16 point 8; Art. 74,
84-85): the examiner Eva reports S1's gross irregularity at the E1 exam of 15 January 2024 with
the exam sheet as evidence; the chair Cato opens the file, downloads the evidence, hears the
examiner (17 January) and the student with the ombudsperson Olga present (18 January), is refused
a decision without reasons and a 7° without 6°, and decides 6° + 7° (one year) on 20 January;
the fraud authority records the ombudsperson's advice and the time the Student Council's chair
was asked (22 January 09:00), sees the 48 hours end on 24 January 09:00, sees on 24 January 09:30
that the chair's advice may be disregarded, and ratifies. The timeline carries the sanction out
(exactly once), and the coach sees FR on S1's three January results and the two measures that
refuse enrolment.

In Dutch on a phone (390 px): every page fits its window and logs no error; the file page and the
ratification page are also photographed at 1366 px. The coach's page in English on a desktop.

The world is ``tests.support.worlds.committee_world`` (built inside the test, on the clock of the
day), with the January exam moment of E1 and the evidence stored under a temporary directory."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.timeline import run_deadlines
from exams.models import Result
from fraud.models import Evidence, FraudDecision, FraudFile, FraudHearing
from reschedules.models import ExamMoment
from students.models import Measure
from tests.e2e.conftest import DESKTOP, PHONE, fits, follow_menu, log_in, new_context, watch_console
from tests.support import personas
from tests.support.personas import PASSWORD
from tests.support.worlds import committee_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = datetime.date
BRUSSELS = ZoneInfo("Europe/Brussels")
PDF = b"%PDF-1.4 the exam sheet with the notes\n"
WHAT = "A smartphone with the course notes under the exam sheet."
REASON = "A smartphone with the notes at the exam, the third time this year."


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BRUSSELS)


@pytest.fixture
def evidence_root(settings, tmp_path):
    settings.FRAUD_EVIDENCE_ROOT = str(tmp_path / "evidence")
    settings.FRAUD_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    settings.FRAUD_EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "txt", "zip"]
    return tmp_path / "evidence"


def _check(page, errors, artifacts, name, *, refused=False):
    """Every page: no horizontal overflow, no console error so far, a screenshot. A refused form
    answers 422, which the browser logs: that one is expected, nothing else may fail."""
    assert fits(page), f"{name} is wider than the window"
    if refused:
        assert errors and all("422" in e for e in errors), f"{name}: {errors}"
        errors.clear()
    assert errors == [], f"{name}: {errors}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def _wide(page, artifacts, name):
    """The same page at 1366 px too (a screenshot), then back on the phone."""
    page.set_viewport_size(DESKTOP)
    assert fits(page), f"{name} at {DESKTOP['width']} px is wider than the window"
    page.screenshot(path=str(artifacts / f"{name}-{DESKTOP['width']}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def _nav_to_files(page, url):
    follow_menu(page, url, "/fraud/")


def _session(browser, url, username, *, language="nl", viewport=PHONE):
    context = new_context(browser, viewport=viewport, language=language, base_url=url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, url, username, PASSWORD)
    return context, page, errors


def test_from_the_examiner_s_report_to_the_ratified_sanction(live_server, browser, artifacts, evidence_root):
    url = live_server.url
    tag = "fraud-nl-390"
    with time_machine.travel(_at(D(2024, 1, 15), 14)) as clock:
        w = committee_world()
        e1, s1 = w.courses["E1"], w.students[0]
        moment = ExamMoment.objects.create(
            course=e1, exam_period=w.january, on=D(2024, 1, 15), starts_at=datetime.time(9, 0), room="B.204"
        )
        personas.examiner("eva", course=e1, academic_year=w.year, first_name="Eva", last_name="Examiner")
        personas.fraud_authority("authority", first_name="Fien", last_name="Authority")

        # --- 15 January: Eva reports, with the exam sheet as evidence (Art. 84).
        context, page, errors = _session(browser, url, "eva")
        _nav_to_files(page, url)
        _check(page, errors, artifacts, f"{tag}-1-examiner-list")
        page.locator("#report-link").click()
        page.wait_for_selector("#report-form")
        _check(page, errors, artifacts, f"{tag}-2-report")
        form = page.locator("#report-form")
        form.locator('select[name="kind"]').select_option("fraud")
        form.locator('input[name="student"]').fill(s1.number)
        form.locator('select[name="course"]').select_option(str(e1.pk))
        form.locator('select[name="exam_period"]').select_option(str(w.january.pk))
        form.locator('select[name="exam_moment"]').select_option(str(moment.pk))
        assert form.locator('input[name="reported_on"]').input_value() == "2024-01-15"  # today
        form.locator('textarea[name="what_happened"]').fill(WHAT)
        form.locator('input[name="evidence"]').set_input_files(
            [{"name": "sheet.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#report")
        fraud_file = FraudFile.objects.get()
        assert page.url == f"{url}/fraud/{fraud_file.pk}/"
        assert (fraud_file.student, fraud_file.course, fraud_file.exam_moment) == (s1, e1, moment)
        assert (fraud_file.reported_on, fraud_file.reported_by_user.username) == (D(2024, 1, 15), "eva")
        assert fraud_file.committee == w.education
        assert fraud_file.what_happened == WHAT
        (evidence,) = Evidence.objects.all()
        assert evidence.name == "sheet.pdf"
        # The examiner sees the report, not the evidence nor the hearings (the committee's only).
        assert page.locator(f'a[href="/fraud/{fraud_file.pk}/evidence/{evidence.pk}/"]').count() == 0
        assert page.locator("#hearings").count() == 0
        _check(page, errors, artifacts, f"{tag}-3-examiner-file")
        context.close()

        # --- 20 January: the chair opens the file from the list and reads the evidence.
        clock.move_to(_at(D(2024, 1, 20), 10))
        context, page, errors = _session(browser, url, "chair")
        _nav_to_files(page, url)
        page.locator(f'#files a[href="/fraud/{fraud_file.pk}/"]').click()
        page.wait_for_selector("#hearing-form")
        assert page.locator("#hearing-missing").count() == 1  # nobody heard yet (Art. 74, 84)
        with page.expect_download() as download:
            page.locator(f'#evidence a[href="/fraud/{fraud_file.pk}/evidence/{evidence.pk}/"]').click()
        assert download.value.suggested_filename == "sheet.pdf"
        with open(download.value.path(), "rb") as handle:
            assert handle.read() == PDF
        _check(page, errors, artifacts, f"{tag}-4-chair-file")

        # The examiner heard on 17 January, then the student on 18 January with Olga present.
        hearing = page.locator("#hearing-form")
        assert hearing.locator('select[name="kind"]').input_value() == "examiner"
        hearing.locator('input[name="held_on"]').fill("2024-01-17")
        assert hearing.locator('input[name="heard_by"]').input_value() == "Cato Chair"
        hearing.locator("button[type=submit]").click()
        page.wait_for_selector("#hearings li")
        hearing = page.locator("#hearing-form")
        assert hearing.locator('select[name="kind"]').input_value() == "student"
        hearing.locator('input[name="held_on"]').fill("2024-01-18")
        hearing.locator('input[name="ombudsperson"]').fill("Olga Ombuds")
        hearing.locator('textarea[name="notes"]').fill("The student admits the notes were theirs.")
        hearing.locator("button[type=submit]").click()
        page.wait_for_selector("#hearings li >> nth=1")
        assert page.locator("#hearing-missing").count() == 0
        assert list(FraudHearing.objects.order_by("held_on").values_list("kind", "held_on", "ombudsperson")) == [
            ("examiner", D(2024, 1, 17), ""),
            ("student", D(2024, 1, 18), "Olga Ombuds"),
        ]

        # Bad input: 6° + 7° without reasons; the reasons field says why, with the article.
        page.locator("#decisions summary").click()
        decision = page.locator("#decision-form")
        decision.locator('input[name="sanctions"][value="programme_exclusion"]').check()
        decision.locator('input[name="sanctions"][value="enrolment_ban"]').check()
        decision.locator('select[name="ban_years"]').select_option("1")
        decision.locator('input[name="judged_gross"]').check()
        assert decision.locator('input[name="decided_on"]').input_value() == "2024-01-20"
        decision.locator("button[type=submit]").click()
        page.wait_for_selector('#decision-form textarea[name="reason"].is-invalid')
        feedback = page.locator("#decision-form .invalid-feedback").inner_text()
        assert "art. 85" in feedback.lower(), feedback
        assert FraudDecision.objects.count() == 0
        _check(page, errors, artifacts, f"{tag}-5-no-reason", refused=True)

        # Bad input: 7° without 6° (the form kept what was typed); refused with the article.
        decision = page.locator("#decision-form")
        assert decision.locator('input[name="sanctions"][value="enrolment_ban"]').is_checked()
        decision.locator('input[name="sanctions"][value="programme_exclusion"]').uncheck()
        decision.locator('textarea[name="reason"]').fill(REASON)
        decision.locator("button[type=submit]").click()
        page.wait_for_selector("#decision-errors")
        assert "art. 85 §1 7°" in page.locator("#decision-errors").inner_text().lower()
        assert FraudDecision.objects.count() == 0
        _check(page, errors, artifacts, f"{tag}-5-ban-without-exclusion", refused=True)

        # 6° + 7° (one year), with reasons: waiting for the fraud authority (Art. 85 §2).
        decision = page.locator("#decision-form")
        decision.locator('input[name="sanctions"][value="programme_exclusion"]').check()
        assert decision.locator('textarea[name="reason"]').input_value() == REASON
        decision.locator("button[type=submit]").click()
        page.wait_for_selector("#decisions .decision")
        recorded = FraudDecision.objects.get()
        assert (recorded.sanctions, recorded.ban_years, recorded.judged_gross, recorded.reason) == (
            ["programme_exclusion", "enrolment_ban"],
            1,
            True,
            REASON,
        )
        assert (recorded.decided_on, recorded.status) == (D(2024, 1, 20), "awaiting_ratification")
        shown = page.locator(f"#decision-{recorded.pk}")
        assert shown.locator(".badge.text-bg-warning").count() == 1
        assert shown.locator("li").count() == 3  # 6°, 7°, one academic year
        assert REASON in shown.inner_text()
        assert shown.locator(f'a[href="/fraud/decisions/{recorded.pk}/ratification/"]').count() == 1
        assert page.locator("#decision-form").count() == 0  # one decision in force
        _check(page, errors, artifacts, f"{tag}-6-decided")
        _wide(page, artifacts, f"{tag}-6-decided")
        context.close()

        # --- 22 January 10:00: the fraud authority records the advice; the 48 hours run.
        clock.move_to(_at(D(2024, 1, 22), 10))
        context, page, errors = _session(browser, url, "authority")
        _nav_to_files(page, url)
        page.locator(f'#awaiting-ratification a[href="/fraud/decisions/{recorded.pk}/ratification/"]').click()
        page.wait_for_selector("#advice-form", state="attached")
        assert page.locator("#advice-deadline").count() == 0  # not requested yet
        page.locator("#advice summary").click()
        advice = page.locator("#advice-form")
        advice.locator('textarea[name="ombudsperson_advice"]').fill("The sanction is proportionate.")
        assert advice.locator('input[name="ombudsperson_advice_on"]').input_value() == "2024-01-22"
        advice.locator('input[name="council_advice_requested_at"]').fill("2024-01-22T09:00")
        advice.locator("button[type=submit]").click()
        page.wait_for_selector("#advice-deadline")
        assert page.locator("#advice-deadline").inner_text() == "24/01/2024 09:00"  # 48 hours after the request
        assert page.locator("#may-disregard").count() == 0
        assert "The sanction is proportionate." in page.locator("#ombudsperson-advice").inner_text()
        _check(page, errors, artifacts, f"{tag}-7-advice")
        context.close()

        # --- 24 January 09:30: no advice from the Student Council's chair within 48 hours.
        clock.move_to(_at(D(2024, 1, 24), 9, 30))
        context, page, errors = _session(browser, url, "authority")
        page.goto(f"{url}/fraud/decisions/{recorded.pk}/ratification/")
        page.wait_for_selector("#may-disregard")
        _check(page, errors, artifacts, f"{tag}-8-may-disregard")
        _wide(page, artifacts, f"{tag}-8-may-disregard")
        ratify = page.locator("#ratification-form")
        ratify.locator('input[name="ratified"][value="yes"]').check()
        assert ratify.locator('input[name="on"]').input_value() == "2024-01-24"
        ratify.locator("button[type=submit]").click()
        page.wait_for_selector("#ratification-outcome")
        assert "24/01/2024" in page.locator("#ratification-outcome").inner_text()
        assert page.locator("#decision-status.text-bg-success").count() == 1
        assert page.locator("#ratification-form").count() == 0
        _check(page, errors, artifacts, f"{tag}-9-ratified")
        _wide(page, artifacts, f"{tag}-9-ratified")
        context.close()
        recorded.refresh_from_db()
        assert recorded.status == "final"
        assert recorded.applied_on is None  # the timeline carries it out

        # --- The timeline carries the sanction out on the day of the ratification, once.
        run_deadlines(today=D(2024, 1, 24))
        recorded.refresh_from_db()
        assert recorded.applied_on == D(2024, 1, 24)
        # 6°: S1 loses every result of January (4, 12, 13 become 0); the others keep theirs.
        january = Result.objects.filter(exam_period=w.january, isp_line__enrolment__student=s1)
        assert sorted(january.values_list("isp_line__course__code", "score")) == [("E1", 0), ("E2", 0), ("E3", 0)]
        assert Result.objects.get(exam_period=w.january, isp_line=w.lines["s0000002", "E1"]).score == 6
        # 6° until 2023-2024; 7° one year: 2024-2025.
        measures = sorted(Measure.objects.filter(student=s1).values_list("kind", "from_year_code", "until_year_code"))
        assert measures == [
            ("fraud_enrolment_ban", "2024-2025", "2024-2025"),
            ("fraud_exclusion", "2023-2024", "2023-2024"),
        ]
        run_deadlines(today=D(2024, 1, 24))
        assert Measure.objects.filter(student=s1).count() == 2

        # --- The coach opens S1's study progress file: FR on the three results, the two measures.
        context, page, errors = _session(browser, url, "coach", language="en", viewport=DESKTOP)
        page.goto(f"{url}/students/{s1.number}/")
        page.wait_for_selector("#balance")
        assert page.locator('[data-code="FR"]').count() == 3
        measures_text = page.locator("section", has_text="Study progress measures").last.inner_text()
        assert "exclusion from the programme after exam fraud (Art. 85 §1 6°)" in measures_text
        assert "loss of the right to enrol in every programme after exam fraud (Art. 85 §1 7°)" in measures_text
        assert "2024-2025" in measures_text
        _check(page, errors, artifacts, "fraud-en-1366-10-progress")
        page.goto(f"{url}/students/s0000002/")
        page.wait_for_selector("#balance")
        assert page.locator('[data-code="FR"]').count() == 0
        context.close()
