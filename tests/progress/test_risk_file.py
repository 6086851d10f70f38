"""The risk signals of Art. 28 kept and shown: ``progress.risk_store.risk_refresh`` (the rows of
the coach's risk list, in English and Dutch), the refresh after a live decision
(``progress.receivers.risks_after_decision``), and the study progress file: its JSON
(EXCHANGE.md ``risk_signals``), the student page (stored rows), the issued file (computed
afresh), the text of ``manage.py study_progress`` and the "compute again" button.

The student (``world`` below): BA-X, an initial bachelor (X101-X110 stage 1, X201-X205 stage
2, 6 credits each). 2024-2025 (degree contract): X101 5, the rest 14 (54/60 = 90 %);
2025-2026: X101 again and stage 2, no result yet. On 15 November 2025 (worked out by hand,
as in tests/progress/test_risk_facts.py): the threshold package still lacks X101 after the
first year (Art. 30 §1): refusal ahead; X101 failed in one counted year of 90 %: a second
failure in 2025-2026 does not refuse a third enrolment by itself (Art. 31 §1): information.
"""

import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core import events
from core.timeline import run_deadlines
from exams.results import result_record
from progress.models import RiskSignal
from progress.risk_store import risk_refresh
from progress.selectors import study_progress
from students.models import Enrolment
from tests.support import personas
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)
from tests.support.worlds import on

D = datetime.date
TODAY = D(2025, 11, 15)
STAGE_1 = [f"X1{i:02d}" for i in range(1, 11)]
STAGE_2 = [f"X20{i}" for i in range(1, 6)]
THRESHOLD_EN = "After the first academic year of enrolment the threshold package is not complete: X101 (6 credits)"
THRESHOLD_NL = "drempelpakket"


def _enrol(student, programme, year, courses, codes):
    enrolment = EnrolmentFactory(
        student=student, programme=programme, academic_year=year, enrolled_on=year.starts_on - datetime.timedelta(3)
    )
    return {code: ISPLineFactory(enrolment=enrolment, course=courses[code]) for code in codes}


def _student(world, number, *, x101_mark=5):
    student = StudentFactory(number=number)
    lines = _enrol(student, world.programme, world.years[2024], world.courses, STAGE_1)
    period = world.years[2024].exam_periods.get(number=1)
    with on(period.ends_on):
        for code, line in lines.items():
            result_record(isp_line=line, exam_period=period, opportunity=1, mark=x101_mark if code == "X101" else 14)
    return student


@pytest.fixture
def world(db):
    years = {first: AcademicYearFactory(first_year=first) for first in (2023, 2024, 2025)}
    programme = ProgrammeFactory(code="BA-X", kind="initial_bachelor", credits=180)
    courses = {code: CourseFactory(programme=programme, code=code, credits=6, stage=1) for code in STAGE_1}
    courses |= {code: CourseFactory(programme=programme, code=code, credits=6, stage=2) for code in STAGE_2}
    w = SimpleNamespace(years=years, programme=programme, courses=courses)
    w.student = _student(w, "r0100001")
    # A student with everything passed: no signal.
    w.clean = _student(w, "r0100002", x101_mark=14)
    with on(D(2025, 9, 16)):
        run_deadlines(today=D(2025, 9, 16))
    _enrol(w.student, programme, years[2025], courses, ["X101", *STAGE_2])
    _enrol(w.clean, programme, years[2025], courses, STAGE_2)
    with on(TODAY):
        run_deadlines(today=TODAY)
    w.coach = personas.coach("risk-coach", programme=programme, academic_year=years[2025])
    w.ombudsperson = personas.ombudsperson("risk-ombuds", programme=programme, academic_year=years[2025])
    return w


def _rows(student):
    return list(RiskSignal.objects.filter(student=student).order_by("-urgency", "course_code"))


# --- risk_refresh -------------------------------------------------------------------------
def test_risk_refresh_stores_the_signals_with_urgency_and_grounds_in_english_and_dutch(world):
    assert risk_refresh([world.student.pk, world.clean.pk], today=TODAY) == 2
    threshold, repeated = _rows(world.student)
    assert (threshold.kind, threshold.level, threshold.urgency, threshold.programme, threshold.course_code) == (
        "decree_threshold",
        "refusal_ahead",
        2,
        world.programme,
        "",
    )
    assert (repeated.kind, repeated.level, repeated.urgency, repeated.course_code) == (
        "repeated_failure",
        "information",
        0,
        "X101",
    )
    assert threshold.computed_on == TODAY
    # Stored as messages and values, read in the reader's language.
    with translation.override("en"):
        english = (threshold.grounds_text, threshold.clears_text, repeated.grounds_text)
    with translation.override("nl"):
        dutch = (threshold.grounds_text, threshold.clears_text, repeated.grounds_text)
    assert english[0].startswith(THRESHOLD_EN)
    assert THRESHOLD_NL in dutch[0]
    assert all(nl != en for nl, en in zip(dutch, english, strict=True))
    assert _rows(world.clean) == []


def test_risk_refresh_replaces_the_earlier_rows_of_the_same_students(world):
    risk_refresh([world.student.pk], today=TODAY)
    first = {row.pk for row in _rows(world.student)}
    later = TODAY + datetime.timedelta(days=1)
    assert risk_refresh([world.student.pk], today=later) == 2
    rows = _rows(world.student)
    assert len(rows) == 2 and not ({row.pk for row in rows} & first)
    assert {row.computed_on for row in rows} == {later}


def test_a_full_refresh_removes_the_signals_of_students_no_longer_judged(world):
    """A student whose only enrolment is two years back (2023-2024) is not judged on 15 November
    2025: a row of theirs from an earlier refresh goes; the others are computed again."""
    gone = StudentFactory(number="r0100003")
    _enrol(gone, world.programme, world.years[2023], world.courses, ["X101"])
    RiskSignal.objects.create(
        student=gone,
        kind="decree_threshold",
        level="refusal_ahead",
        urgency=2,
        programme=world.programme,
        computed_on=D(2024, 10, 1),
        grounds={"en": "old", "nl": "oud"},
        clears={"en": "old", "nl": "oud"},
    )
    assert risk_refresh(today=TODAY) == 2
    assert not RiskSignal.objects.filter(student=gone).exists()
    assert len(_rows(world.student)) == 2
    assert set(RiskSignal.objects.values_list("computed_on", flat=True)) == {TODAY}


# --- The receiver: after a live decision --------------------------------------------------------
def _announce(world, decided_on):
    period = world.years[2025].exam_periods.get(number=1)
    events.decision_announce(
        sender="tests",
        kind="results_published",
        decided_on=decided_on,
        object_label="programmes.ExamPeriod",
        object_id=period.pk,
        enrolment_ids=list(Enrolment.objects.filter(student=world.student).values_list("pk", flat=True)),
        data={"exam_period": 1, "academic_year": "2025-2026", "published_on": decided_on},
    )


def test_a_live_decision_refreshes_the_signals_of_its_students_on_commit(world, django_capture_on_commit_callbacks):
    with on(TODAY), django_capture_on_commit_callbacks(execute=True):
        _announce(world, TODAY)
    assert [(r.kind, r.level) for r in _rows(world.student)] == [
        ("decree_threshold", "refusal_ahead"),
        ("repeated_failure", "information"),
    ]
    assert not RiskSignal.objects.filter(student=world.clean).exists()


def test_a_past_dated_decision_leaves_the_signals_to_the_nightly_refresh(world, django_capture_on_commit_callbacks):
    with on(TODAY), django_capture_on_commit_callbacks(execute=True):
        _announce(world, TODAY - datetime.timedelta(days=1))
    assert not RiskSignal.objects.exists()


# --- The study progress file ----------------------------------------------------------------------
def test_the_json_file_has_the_risk_signals_with_the_exchange_keys(world):
    with on(TODAY):
        data = study_progress(world.student)
    assert data["risk_signals"] == [
        {
            "kind": "decree_threshold",
            "level": "refusal_ahead",
            "programme": "BA-X",
            "course": None,
            "grounds": data["risk_signals"][0]["grounds"],
            "computed_on": "2025-11-15",
        },
        {
            "kind": "repeated_failure",
            "level": "information",
            "programme": "BA-X",
            "course": "X101",
            "grounds": data["risk_signals"][1]["grounds"],
            "computed_on": "2025-11-15",
        },
    ]
    assert data["risk_signals"][0]["grounds"].startswith(THRESHOLD_EN)
    assert "X101 was not passed in 1 academic year: 2024-2025" in data["risk_signals"][1]["grounds"]
    with on(TODAY):
        assert study_progress(world.clean)["risk_signals"] == []
        # The command's JSON is the same file (EXCHANGE.md).
        out = io.StringIO()
        call_command("study_progress", world.student.number, "--json", stdout=out)
    assert json.loads(out.getvalue())["risk_signals"] == data["risk_signals"]


def test_the_text_file_has_the_risk_of_refusal_section(world):
    out = io.StringIO()
    with on(TODAY):
        call_command("study_progress", world.student.number, stdout=out)
    text = out.getvalue()
    assert "Risk of refusal" in text
    section = text[text.index("Risk of refusal") :]
    assert "[refusal ahead] decree threshold (Art. 30): BA-X" in section
    assert "[information] repeated failure (Art. 31): BA-X (X101)" in section
    assert THRESHOLD_EN in section
    assert "computed on 2025-11-15" in section
    out = io.StringIO()
    with on(TODAY):
        call_command("study_progress", world.clean.number, stdout=out)
    clean = out.getvalue()
    assert "Risk of refusal" in clean and "None." in clean[clean.index("Risk of refusal") :]


def _page(client, world, language="en"):
    client.cookies["django_language"] = language
    with on(TODAY):
        response = client.get(reverse("students:student_detail", kwargs={"number": world.student.number}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_student_page_shows_the_stored_signals_in_english_and_dutch(client, world):
    client.force_login(world.coach)
    # Nothing stored yet: the page reads the stored rows, not a fresh computation.
    assert 'id="risks-none"' in _page(client, world)
    risk_refresh([world.student.pk], today=TODAY)
    page = _page(client, world)
    assert 'data-kind="decree_threshold" data-level="refusal_ahead"' in page
    assert 'data-kind="repeated_failure" data-level="information"' in page
    assert THRESHOLD_EN in page
    assert 'id="risks-refresh"' in page  # a coach may compute them again
    row = RiskSignal.objects.get(student=world.student, kind="decree_threshold")
    dutch = _page(client, world, "nl")
    with translation.override("nl"):
        assert escape(row.grounds_text) in dutch
    assert THRESHOLD_EN not in dutch


def test_the_issued_file_shows_the_signals_computed_afresh(client, world):
    client.force_login(world.coach)
    client.cookies["django_language"] = "en"
    assert not RiskSignal.objects.exists()
    with on(TODAY):
        response = client.get(reverse("students:student_file_print", kwargs={"number": world.student.number}))
    assert response.status_code == 200
    page = response.content.decode()
    assert THRESHOLD_EN in page
    assert "X101 was not passed in 1 academic year: 2024-2025" in page


def test_the_coach_computes_them_again(client, world):
    client.force_login(world.coach)
    url = reverse("students:student_risks_refresh", kwargs={"number": world.student.number})
    with on(TODAY):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("students:student_detail", kwargs={"number": world.student.number}) + "#risks"
    )
    assert [(r.kind, r.computed_on) for r in _rows(world.student)] == [
        ("decree_threshold", TODAY),
        ("repeated_failure", TODAY),
    ]


def test_without_isp_write_the_refresh_is_forbidden_and_stores_nothing(client, world):
    client.force_login(world.ombudsperson)
    url = reverse("students:student_risks_refresh", kwargs={"number": world.student.number})
    with on(TODAY):
        response = client.post(url)
    assert response.status_code == 403
    assert not RiskSignal.objects.exists()
    # Reading the page, the ombudsperson gets no button.
    assert 'id="risks-refresh"' not in _page(client, world)
