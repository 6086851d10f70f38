"""Worked cases of issue 12 points 6 and 7 that the import format cannot hold: the
cluster's approval of a tolerated retake (Art. 90 §3) and the ISP submission while a
tolerance choice window is open (Art. 91 §2) are live steps, not imported facts
(imported ISPs are facts and are not checked, DOMAIN §3). Each case imports its
history in the records format, runs the deadlines, then takes the steps through the
services, with every expected value worked out by hand from the seed in its docstring.
The effects of a retake alone (new mark, tolerance credit, learning account) are also an
imported case: ``tolerated-retake-new-mark-replaces``."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from core.timeline import run_deadlines
from exams.results import result_record
from programmes.models import Course
from progress import services
from students.models import Enrolment, ISPLine
from tests.support import personas
from tests.support.examples import study_progress_json
from tests.support.worlds import on

D = datetime.date
pytestmark = pytest.mark.django_db

YEARS = [
    {
        "code": "2023-2024",
        "starts_on": "2023-09-18",
        "ends_on": "2024-09-15",
        "exam_periods": [
            {"number": 1, "starts_on": "2024-01-08", "ends_on": "2024-02-02", "results_published_on": "2024-02-06"},
            {"number": 2, "starts_on": "2024-05-27", "ends_on": "2024-06-28", "results_published_on": "2024-07-02"},
            {"number": 3, "starts_on": "2024-08-16", "ends_on": "2024-09-11", "results_published_on": "2024-09-13"},
        ],
    },
    {
        "code": "2024-2025",
        "starts_on": "2024-09-23",
        "ends_on": "2025-09-14",
        "exam_periods": [
            {"number": 1, "starts_on": "2025-01-06", "ends_on": "2025-01-31", "results_published_on": "2025-02-04"},
            {"number": 2, "starts_on": "2025-05-26", "ends_on": "2025-06-27", "results_published_on": "2025-07-01"},
            {"number": 3, "starts_on": "2025-08-18", "ends_on": "2025-09-10", "results_published_on": "2025-09-12"},
        ],
    },
]


def _import(tmp_path, programme: dict, student: dict, today: D) -> None:
    records = {"format": "study-records/1", "academic_years": YEARS, "programmes": [programme], "students": [student]}
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    errors = io.StringIO()
    try:
        call_command("import_records", str(path), stdout=io.StringIO(), stderr=errors)
    except Exception as error:
        raise AssertionError(errors.getvalue()) from error
    with on(today):
        run_deadlines(today=today)


def _result(course: str, mark, period: int = 1) -> dict:
    return {"course": course, "exam_period": period, "opportunity": 1, "mark": mark}


def _balance(number: str) -> int:
    return study_progress_json(number)["learning_account"]["balance"]


def _codes(excinfo) -> list[str]:
    return [problem.code for problem in excinfo.value.problems]


# --- point 6: retaking a tolerated course (Art. 90 §3) -------------------------------------
MA_R = {
    "code": "MA-R",
    "name": "Master in Research",
    "kind": "initial_master",
    "cluster": "Science",
    "credits": 60,
    "courses": [
        *({"code": f"R{n}", "name": f"Research {n}", "credits": 6, "semester": "1", "stage": 1} for n in range(1, 7)),
        {"code": "R7", "name": "Master's thesis", "credits": 24, "semester": "year", "stage": 1},
    ],
}
S9032 = {
    "number": "S9032",
    "first_name": "Student",
    "last_name": "S9032",
    "enrolments": [
        {
            "academic_year": "2023-2024",
            "programme": "MA-R",
            "contract": "degree",
            "enrolled_on": "2023-09-15",
            "isp": [{"course": f"R{n}"} for n in range(1, 6)],
            "results": [*(_result(f"R{n}", 14) for n in range(1, 5)), _result("R5", 9)],
            "tolerance_choices": [{"course": "R5", "on": "2024-02-10"}],
        },
        {
            "academic_year": "2024-2025",
            "programme": "MA-R",
            "contract": "degree",
            "enrolled_on": "2024-09-20",
            "isp": [{"course": "R6"}, {"course": "R7"}],
            "results": [],
        },
    ],
}


def test_worked_case_tolerated_retake_approved_added_and_passed(tmp_path):
    """Art. 90 §3: "Exceptionally, on special request and subject to approval by the cluster,
    a student can - at the end of the programme - resit a course for which he previously
    accepted a tolerable fail. He will then need to reregister for this course no later than
    the due date to submit the ISP [...] The mark obtained [...] will then replace the
    original tolerable fail mark."

    MA-R, initial master of 60 credits: tolerance credit 10 % of 60 = 6 (Art. 91 §1), no
    starter cap (a master), learning account and bonus (DOMAIN §2 rules 2, 8).
    2023-2024: opening 140; ISP R1-R5 (30) -> 110. Published 6 Feb 2024: R1-R4 14 (24
    credits), R5 9 tolerable; efficiency 24/30 = 80 %. Refund 24 + bonus 24 -> 158 (bonus
    left 36). R5 chosen on 10 Feb 2024: tolerated, 6 of 6 used.
    2024-2025: ISP R6 + R7 = 30 credits on 20 Sep 2024 -> 128. Left to the degree: 60 - 24
    passed - 6 tolerated = 30: this ISP completes the programme (the end of the programme).
    1 Oct 2024 (before the ISP deadline of 15 Oct): adding R5 without approval is refused
    (Art. 90 §3), balance still 128. The cluster approves the request of 25 Sep 2024; R5 is
    added: -6 -> 122 (it uses the learning account like any line); the ISP (36 credits, 30
    besides R5 = the 30 left) is submitted. The study progress file shows the approval.
    Published 4 Feb 2025: R5 12, R6 12, R7 12: refund 36 + bonus min(36, 36) = 36 -> 122 + 72
    = 194. R5's 12 replaces the tolerated 9: tolerance used in 2024-2025 is 0, 6 left."""
    _import(tmp_path, MA_R, S9032, D(2024, 10, 1))
    assert _balance("S9032") == 128
    coach = personas.make_user("coach-r", password=None, email="coach-r@college.example")
    enrolment = Enrolment.objects.get(student__number="S9032", academic_year__code="2024-2025")
    r5 = Course.objects.get(programme__code="MA-R", code="R5")
    day = D(2024, 10, 1)
    with on(day):
        with pytest.raises(services.ISPRefused) as excinfo:
            services.isp_line_add(enrolment=enrolment, course=r5, expected_version=1, by=coach, today=day)
        assert _codes(excinfo) == ["tolerated_retake_unapproved"]
        assert _balance("S9032") == 128
        services.tolerated_retake_approve(
            enrolment=enrolment, course=r5, requested_on=D(2024, 9, 25), expected_version=1, by=coach, today=day
        )
        line = services.isp_line_add(enrolment=enrolment, course=r5, expected_version=2, by=coach, today=day)
        assert line.deducted_credits == 6
        assert services.isp_submit(enrolment=enrolment, expected_version=3, by=coach, today=day).isp_status == (
            "submitted"
        )
    data = study_progress_json("S9032")
    assert data["learning_account"]["balance"] == 122
    (year,) = [e for e in data["enrolments"] if e["academic_year"] == "2024-2025"]
    assert year["tolerated_retakes"] == [{"course": "R5", "requested_on": "2024-09-25", "approved_on": "2024-10-01"}]
    assert year["taken_credits"] == 36
    text = io.StringIO()
    call_command("study_progress", "S9032", stdout=text)
    assert "Retake of tolerated course R5: requested on 2024-09-25, approved by the cluster on 2024-10-01" in (
        text.getvalue()
    )

    period = enrolment.academic_year.exam_periods.get(number=1)
    for code in ("R5", "R6", "R7"):
        result_record(
            isp_line=ISPLine.objects.get(enrolment=enrolment, course__code=code),
            exam_period=period,
            opportunity=1,
            mark=12,
        )
    with on(period.results_published_on):
        run_deadlines(today=period.results_published_on)
    data = study_progress_json("S9032")
    assert data["learning_account"]["balance"] == 194
    (year,) = [e for e in data["enrolments"] if e["academic_year"] == "2024-2025"]
    assert year["tolerance"] == {"credit": 6, "used": 0, "left": 6}
    assert [(c["course"], c["mark"], c["status"]) for c in year["courses"] if c["course"] == "R5"] == [
        ("R5", 12, "passed")
    ]


# --- point 7: the tolerance file first (Art. 91 §2) -----------------------------------------
MA_T = {
    "code": "MA-T",
    "name": "Master in Teaching",
    "kind": "initial_master",
    "cluster": "Education",
    "credits": 60,
    "courses": [
        *({"code": f"T{n}", "name": f"Teaching {n}", "credits": 6, "semester": "1", "stage": 1} for n in range(1, 8)),
        {"code": "T8", "name": "Teaching practice", "credits": 18, "semester": "year", "stage": 1},
    ],
}
S9033 = {
    "number": "S9033",
    "first_name": "Student",
    "last_name": "S9033",
    "enrolments": [
        {
            "academic_year": "2023-2024",
            "programme": "MA-T",
            "contract": "degree",
            "enrolled_on": "2023-09-15",
            "isp": [{"course": f"T{n}"} for n in range(1, 6)],
            "results": [
                _result("T1", 14, 3),
                _result("T2", 14, 3),
                _result("T3", 9, 3),
                _result("T4", 8, 3),
                _result("T5", 14, 3),
            ],
        },
        {
            "academic_year": "2024-2025",
            "programme": "MA-T",
            "contract": "degree",
            "enrolled_on": "2024-09-16",
            "isp": [{"course": c} for c in ("T3", "T4", "T6", "T7", "T8")],
            "results": [],
        },
    ],
}


def test_worked_case_no_isp_submitted_while_the_tolerance_file_is_open(tmp_path):
    """Art. 91 §2: "Students cannot submit their ISP for the following academic year as long
    as they have not completed their tolerance file"; the choice is made "within 15 calendar
    days from the day on which the exam results become available"; "If students fail to take
    a decision [...] it is assumed that they will not be applying for compensation."

    MA-T, 60 credits: tolerance credit 6. 2023-2024, ISP T1-T5 (30 credits), all examined in
    the third period, published 13 Sep 2024: T1, T2, T5 14 (18 credits), T3 9 and T4 8
    tolerable fails (tolerable courses); efficiency 18/30 = 60 % >= 50 %, so both could be
    chosen (one of them only: 6 credits left). The window runs 15 days from 13 Sep: to 28 Sep
    2024 inclusive. Learning account: 140 - 30 = 110; refund 18 + bonus 18 -> 146; the
    2024-2025 ISP T3, T4, T6, T7, T8 (6+6+6+6+18 = 42, everything left) on 16 Sep -> 104.
    20 Sep 2024: submitting the 2024-2025 ISP is refused, naming T3 and T4 and 28 Sep.
    28 Sep (the window's last day): still refused. 29 Sep: no choice was made, so no
    tolerance; nothing is left to decide and the ISP is submitted."""
    _import(tmp_path, MA_T, S9033, D(2024, 9, 20))
    assert _balance("S9033") == 104
    enrolment = Enrolment.objects.get(student__number="S9033", academic_year__code="2024-2025")
    for day in (D(2024, 9, 20), D(2024, 9, 28)):
        with on(day), pytest.raises(services.ISPRefused) as excinfo:
            services.isp_submit(enrolment=enrolment, expected_version=1, by=None, today=day)
        assert _codes(excinfo) == ["tolerance_file_open"]
        message = excinfo.value.problems[0].message
        assert "T3, T4" in message and "Art. 91" in message
        assert any(shown in message for shown in ("2024-09-28", "28/09/2024", "28-09-2024")), message
    enrolment.refresh_from_db()
    assert enrolment.isp_status == "draft"
    day = D(2024, 9, 29)
    with on(day):
        run_deadlines(today=day)
        assert services.isp_submit(enrolment=enrolment, expected_version=1, by=None, today=day).isp_status == (
            "submitted"
        )
    statuses = {
        c["course"]: c["status"]
        for e in study_progress_json("S9033")["enrolments"]
        if e["academic_year"] == "2023-2024"
        for c in e["courses"]
    }
    assert (statuses["T3"], statuses["T4"]) == ("tolerable", "tolerable")
