"""The coach before a refusal (issue 18, Art. 27-28) in the browser, in Dutch and English at the
desktop and phone widths: the coach filters the risk list, opens a student, reads the grounds,
previews a deregistration without changing anything, and records study advice.

The student (BA-S, initial bachelor): 2025-2026 degree contract, S1-S5 (6 credits, stage 1),
S1 6/20 (failed, not tolerable) and the others 14/20 published on 3 February 2026; 2026-2027
degree contract with S1 again and T1-T3 (stage 2). Today 23 November 2026: the threshold package
misses S1 after the first year of enrolment and no tolerance can cover a 6/20 (Art. 30, 91):
refusal ahead."""

import datetime

import pytest
import time_machine

from .conftest import DESKTOP, PHONE, fits, log_in, new_context, watch_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = datetime.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def coach_day():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0)):
        yield


@pytest.fixture
def at_risk(coach_day):
    from core.timeline import run_deadlines
    from exams.results import result_record
    from progress.risk_store import risk_refresh
    from tests.support import personas
    from tests.support.factories import (
        AcademicYearFactory,
        CourseFactory,
        EnrolmentFactory,
        ISPLineFactory,
        ProgrammeFactory,
    )
    from tests.support.worlds import ensure_fee_schedule

    ensure_fee_schedule()
    first, year = AcademicYearFactory(first_year=2025), AcademicYearFactory(first_year=2026)
    programme = ProgrammeFactory(code="BA-S", name="Bachelor S", kind="initial_bachelor", credits=180)
    semesters = {"S1": "1", "S2": "1", "S3": "2", "S4": "2", "S5": "year", "T1": "1", "T2": "2", "T3": "year"}
    courses = {
        code: CourseFactory(programme=programme, code=code, credits=6, semester=sem, stage=1 if code[0] == "S" else 2)
        for code, sem in semesters.items()
    }
    earlier = EnrolmentFactory(
        programme=programme,
        academic_year=first,
        enrolled_on=D(2025, 9, 15),
        student__number="r0000042",
        student__first_name="Lotte",
        student__last_name="Peeters",
    )
    january = first.exam_periods.get(number=1)
    for code in ("S1", "S2", "S3", "S4", "S5"):
        line = ISPLineFactory(enrolment=earlier, course=courses[code])
        result_record(isp_line=line, exam_period=january, opportunity=1, mark=6 if code == "S1" else 14)
    enrolment = EnrolmentFactory(
        student=earlier.student, programme=programme, academic_year=year, enrolled_on=D(2026, 9, 15)
    )
    for code in ("S1", "T1", "T2", "T3"):
        ISPLineFactory(enrolment=enrolment, course=courses[code])
    # Another student of the programme without any risk: the filter leaves them out.
    calm = EnrolmentFactory(programme=programme, academic_year=year, enrolled_on=D(2026, 9, 15))
    ISPLineFactory(enrolment=calm, course=courses["S2"])
    run_deadlines(today=TODAY)
    personas.coach("coach", programme=programme, academic_year=year, first_name="Katrien", last_name="De Wilde")
    risk_refresh(today=TODAY)
    return earlier.student


WORDS = {
    "nl": {
        "refusal": "Weigering in zicht",
        "grounds": "drempelpakket",
        "nothing": "Er werd niets gewijzigd.",
        "deregistration": "Uitschrijving",
        "recorded": "Studieadvies",
    },
    "en": {
        "refusal": "Refusal ahead",
        "grounds": "threshold package",
        "nothing": "Nothing has been changed.",
        "deregistration": "Deregistration",
        "recorded": "Study advice",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_coach_sees_the_risk_previews_and_records_advice(browser, at_risk, live_server, language, viewport):
    from progress.models import StudyAdvice
    from students.models import Enrolment, LearningAccountEntry

    words = WORDS[language]
    entries_before = LearningAccountEntry.objects.count()
    context = new_context(browser, viewport=viewport, language=language, base_url=live_server.url)
    page = context.new_page()
    errors = watch_console(page)
    log_in(page, live_server.url, "coach", "a-long-password-1")

    # 1. The risk list, filtered to the refusals ahead.
    page.goto(f"{live_server.url}/students/risks/")
    assert fits(page)
    page.select_option("#id_level", "refusal_ahead")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(lambda url: "level=refusal_ahead" in url)
    rows = page.locator("#risk-table tbody tr")
    assert rows.count() == 1
    assert words["refusal"] in rows.first.inner_text()
    assert fits(page)
    page.screenshot(path=_artifact(f"risk-list-{language}-{viewport['width']}.png"), full_page=True)

    # 2. The student's page: the grounds, in the reader's language.
    rows.first.locator("a", has_text="r0000042").click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/students/r0000042"))
    risks = page.locator("#risks")
    assert words["grounds"] in risks.inner_text() and "S1" in risks.inner_text()
    assert risks.locator("[data-kind='decree_threshold'][data-level='refusal_ahead']").count() == 1
    assert fits(page)

    # 3. What if the student deregistered on 10 December? A preview: nothing is written.
    page.locator("#whatif-link").click()
    page.wait_for_url(lambda url: "/what-if/" in url)
    page.locator("input[name=kind][value=deregister]").check()
    page.fill("input[name=on]", "2026-12-10")
    page.locator("main form button[type=submit], form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "on=2026-12-10" in url)
    assert words["nothing"] in page.inner_text("body")
    assert words["deregistration"] in page.inner_text("body")
    assert fits(page)
    page.screenshot(path=_artifact(f"what-if-{language}-{viewport['width']}.png"), full_page=True)
    assert LearningAccountEntry.objects.count() == entries_before
    assert not Enrolment.objects.filter(student=at_risk, deregistered_on__isnull=False).exists()

    # 4. Study advice on record, with a follow-up.
    page.goto(f"{live_server.url}/students/r0000042/")
    page.locator("#advice-create").click()
    page.wait_for_url(lambda url: "/advice/new/" in url)
    page.fill("input[name=held_on]", "2026-11-23")
    page.locator("input[name=topics][value=threshold]").check()
    page.fill("textarea[name=advice]", "Retake S1 first; consider a lighter second semester.")
    page.fill("input[name=follow_up_on]", "2026-12-15")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/students/r0000042") or "#advice" in url)
    advice = page.locator("#advice")
    assert words["recorded"] in advice.inner_text()
    assert "Retake S1 first" in advice.inner_text()
    assert fits(page)
    assert StudyAdvice.objects.filter(student=at_risk, follow_up_on=D(2026, 12, 15)).count() == 1
    assert errors == []
    context.close()


def _artifact(name: str) -> str:
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / name)
