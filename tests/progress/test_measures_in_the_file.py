"""Study progress measures after a new decision, and the entries of issue 12 the study
progress file shows.

- A binding-conditions refusal (Art. 29) is judged again when an appeal or a correction
  changes the results it rests on: lifted, with the reason, once the student no longer
  stays under 50 % in the year under binding conditions, or is no longer under binding
  conditions at all (a new decision about the starter year); the refused enrolment is then
  admitted again (worked case tests/cases/binding-conditions-refusal-next-year).
- The Art. 33 written request and the approved retake of a tolerated course are shown on
  the student's page (the JSON and text files: tests/cases/test_tolerated_retake_...).
"""

import datetime as dt

import pytest
from django.urls import reverse

from exams.models import Result
from exams.redecisions import result_redecide
from students.models import Enrolment, EnrolmentStatus, Measure, MeasureKind
from tests.support.examples import replay, study_progress_json
from tests.support.paths import OWN_CASES
from tests.support.worlds import on

D = dt.date
CASE = OWN_CASES / "binding-conditions-refusal-next-year.records.json"
REASON = "Appeal granted by the internal appeal body"


@pytest.fixture
def refused(db):
    """S2901 (see the case's ``why``): 2023-2024 40 % as a starter -> binding conditions for
    2024-2025; 2024-2025 C05-C07 obtained = 18 of 60 = 30 % -> refusal for 2025-2026; its
    2025-2026 enrolment refused."""
    replay(CASE, "2025-10-01")
    enrolment = Enrolment.objects.get(student__number="S2901", academic_year__code="2025-2026")
    assert enrolment.status == EnrolmentStatus.REFUSED
    return enrolment


def _redecide(year: str, course: str, mark: int, day: D):
    result = Result.objects.get(
        isp_line__enrolment__student__number="S2901",
        isp_line__enrolment__academic_year__code=year,
        isp_line__course__code=course,
    )
    with on(day):
        return result_redecide(result=result, mark=mark, on=day, reason=REASON)


def _measure(kind) -> Measure:
    return Measure.objects.get(student__number="S2901", kind=kind)


def test_a_new_decision_that_leaves_the_year_under_50_keeps_the_refusal(refused):
    """C08 5 -> 12 in 2024-2025: 24 of 60 = 40 %, still under 50 %: the refusal stands."""
    report = _redecide("2024-2025", "C08", 12, D(2025, 10, 5))
    assert (report.measures_lifted, report.measures_taken) == (0, 0)
    assert _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL).lifted_on is None
    refused.refresh_from_db()
    assert refused.status == EnrolmentStatus.REFUSED


def test_the_refusal_is_lifted_once_the_year_under_binding_conditions_reaches_50(refused):
    """C08 then C09 5 -> 12: 30 of 60 = 50 %, "at least 50 %" (Art. 29 §1): the refusal no
    longer rests on anything; lifted on the day of the decision with the reason, and the
    2025-2026 enrolment admitted again (an associate degree: no learning account, 140 stays)."""
    _redecide("2024-2025", "C08", 12, D(2025, 10, 5))
    report = _redecide("2024-2025", "C09", 12, D(2025, 10, 6))
    assert report.measures_lifted == 1
    measure = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    assert measure.lifted_on == D(2025, 10, 6)
    assert measure.lifted_reason == f"{REASON}: study efficiency 50.00 % in 2024-2025, at least 50 % (Art. 29)"
    # The measure's history records the change with its reason (cut to the history's column).
    assert measure.lifted_reason.startswith(measure.history.latest().history_change_reason)
    refused.refresh_from_db()
    assert refused.status == EnrolmentStatus.ENROLLED
    data = study_progress_json("S2901")
    assert [m["kind"] for m in data["measures"]] == ["binding_conditions"]
    assert data["learning_account"]["balance"] == 140
    (year,) = [e for e in data["enrolments"] if e["academic_year"] == "2025-2026"]
    assert year["status"] == "enrolled"


def test_a_new_decision_about_the_starter_year_lifts_the_conditions_and_the_refusal(refused):
    """C05 of 2023-2024 5 -> 12: the starter year becomes 30 of 60 = 50 %, not lower than 50 %:
    no binding conditions for 2024-2025 (lifted). The refusal taken at the end of 2024-2025
    rested on them: judged again, it is lifted too ("no longer under binding conditions"),
    and the 2025-2026 enrolment is admitted again."""
    report = _redecide("2023-2024", "C05", 12, D(2025, 10, 5))
    assert report.measures_lifted == 2
    conditions = _measure(MeasureKind.BINDING_CONDITIONS)
    assert (conditions.lifted_on, conditions.lifted_reason) == (D(2025, 10, 5), REASON)
    refusal = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    assert refusal.lifted_on == D(2025, 10, 5)
    assert refusal.lifted_reason == f"{REASON}: no longer under binding conditions in 2024-2025 (Art. 29)"
    refused.refresh_from_db()
    assert refused.status == EnrolmentStatus.ENROLLED
    assert study_progress_json("S2901")["measures"] == []


def test_a_new_decision_before_the_year_end_leaves_the_measures_to_the_year_end(refused):
    """A new decision about 2025-2026, whose measures are still to come, reviews nothing."""
    from programmes.models import AcademicYear
    from progress.measures import measures_review_onwards

    year = AcademicYear.objects.get(code="2025-2026")
    student_ids = [refused.student_id]
    assert measures_review_onwards(year=year, student_ids=student_ids, on=D(2025, 10, 5), reason=REASON) == (0, 0)


# --- Issue 12 entries on the student's page ------------------------------------------------------
def test_the_student_page_shows_the_written_request_and_the_approved_retake(client, tolerated_retake_world):
    """The Art. 33 written request of 25 Sep 2024 (the enrolment admitted by the exception) and
    the cluster's approval of 1 Oct 2024 of the student's request of 25 Sep 2024 to retake R5."""
    from progress import services

    world = tolerated_retake_world
    Enrolment.objects.filter(pk=world.enrolment.pk).update(
        exception_requested_on=D(2024, 9, 25), admission_exception=True
    )
    with on(D(2024, 10, 1)):
        services.tolerated_retake_approve(
            enrolment=world.enrolment,
            course=world.courses["R5"],
            requested_on=D(2024, 9, 25),
            expected_version=1,
            by=world.coach,
            today=D(2024, 10, 1),
        )
    client.force_login(world.coach)
    client.cookies["django_language"] = "en"
    with on(D(2024, 10, 1)):
        response = client.get(reverse("students:student_detail", kwargs={"number": world.student.number}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Art. 33 written request" in page
    assert 'data-exception-requested-on="2024-09-25"' in page
    assert "admitted for one academic year despite a learning account of 0 or less" in page
    assert 'data-tolerated-retake="R5"' in page
    assert "approved by the cluster on" in page and "(Art. 90 §3)" in page
    data = study_progress_json(world.student.number)
    (year,) = [e for e in data["enrolments"] if e["academic_year"] == "2024-2025"]
    assert (year["exception_requested_on"], year["admission_exception"]) == ("2024-09-25", True)
    assert year["tolerated_retakes"] == [{"course": "R5", "requested_on": "2024-09-25", "approved_on": "2024-10-01"}]
    # Without the exception (admitted on the learning account, not refused) the request the
    # import assumes is not worth a line on the page.
    Enrolment.objects.filter(pk=world.enrolment.pk).update(admission_exception=False)
    with on(D(2024, 10, 1)):
        page = client.get(reverse("students:student_detail", kwargs={"number": world.student.number})).content
    assert b"Art. 33 written request" not in page
    (earlier,) = [e for e in data["enrolments"] if e["academic_year"] == "2023-2024"]
    assert (earlier["exception_requested_on"], earlier["admission_exception"], earlier["tolerated_retakes"]) == (
        None,
        False,
        [],
    )
