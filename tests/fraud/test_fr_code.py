"""The code FR in the study progress file (Art. 85 §4; EXCHANGE.md): on the results a final fraud
decision touches, in the JSON (the optional course ``code``), the text, the student's page and the
print view; nothing changes for a student without one.

World (tests/fraud/conftest.py): S1 (s0000001) has E1 4, E2 12, E3 13 in January 2023-2024 and is
reported on 15 January 2024 for E1; S2 (s0000002) is never reported. Every expectation below is
worked out by hand from Art. 85 §1: 3° touches the exam (E1), 4° the results zeroed, 5° the
courses excluded, 6° every result of January, an annulment (§3) the certificates annulled.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core import gates
from exams.models import Result
from exchange.text import study_progress_text
from fraud import services
from fraud.appeals import decision_set_aside
from fraud.disputes import dispute_decide
from progress.selectors import study_progress
from tests.support.factories import AcademicYearFactory, EnrolmentFactory, ISPLineFactory
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date
BRUSSELS = ZoneInfo("Europe/Brussels")


def _codes(student) -> dict[str, str | None]:
    """Course code -> its ``code`` in the JSON, for the 2023-2024 enrolment (None: the key is absent)."""
    (enrolment,) = [e for e in study_progress(student)["enrolments"] if e["academic_year"] == "2023-2024"]
    return {c["course"]: c.get("code") for c in enrolment["courses"]}


def _january(fraud, *codes):
    return list(
        Result.objects.filter(
            isp_line__enrolment__student=fraud.s1, exam_period=fraud.january, isp_line__course__code__in=codes
        )
    )


def _ratify(decision):
    services.advice_record(
        decision=decision,
        ombudsperson_advice="Proportionate.",
        council_advice_requested_at=datetime.datetime(2024, 1, 26, 10, 0, tzinfo=BRUSSELS),
        council_advice="Proportionate.",
        council_advice_given_at=datetime.datetime(2024, 1, 26, 18, 0, tzinfo=BRUSSELS),
    )
    services.ratification_record(decision=decision, ratified=True, on=D(2024, 1, 29))


# Each sanction and the lines it marks FR (E1 is the exam the fraud concerns).
CASES = [
    ("3° zero for the exam", {"sanctions": ["zero_exam"]}, {"E1"}),
    ("2° an appropriate mark", {"sanctions": ["appropriate_mark"], "new_mark": 8}, {"E1"}),
    ("4° E2 and E3 zeroed: not the exam itself", {"sanctions": ["zero_period"], "zeroed": ("E2", "E3")}, {"E2", "E3"}),
    ("4° E1 zeroed", {"sanctions": ["zero_period"], "zeroed": ("E1",)}, {"E1"}),
    ("5° excluded from E3", {"sanctions": ["course_exclusion"], "courses": ("E3",)}, {"E3"}),
    ("3° with 5° on E2", {"sanctions": ["zero_exam", "course_exclusion"], "courses": ("E2",)}, {"E1", "E2"}),
]


@pytest.mark.parametrize(("label", "decided", "marked"), CASES, ids=[c[0] for c in CASES])
def test_a_final_sanction_marks_fr_on_the_results_it_touches(fraud, open_file, heard, label, decided, marked):
    fraud_file = heard(open_file())
    services.decision_record(
        fraud_file=fraud_file,
        sanctions=decided["sanctions"],
        reason="Smartphone with the course notes.",
        new_mark=decided.get("new_mark"),
        zeroed_results=_january(fraud, *decided.get("zeroed", ())),
        courses=[fraud.courses[code] for code in decided.get("courses", ())],
        decided_on=D(2024, 1, 25),
    )
    assert _codes(fraud.s1) == {code: ("FR" if code in marked else None) for code in ("E1", "E2", "E3")}


def test_an_exclusion_marks_every_result_of_the_period_only_once_ratified(fraud, open_file, heard):
    decision = services.decision_record(
        fraud_file=heard(open_file()),
        sanctions=["programme_exclusion", "enrolment_ban"],
        reason="Organised cheating with an earpiece.",
        judged_gross=True,
        ban_years=1,
        decided_on=D(2024, 1, 25),
    )
    # Awaiting the fraud authority (Art. 85 §2): not final, no code yet.
    assert _codes(fraud.s1) == {"E1": None, "E2": None, "E3": None}
    _ratify(decision)
    # 6°: every result of January is lost; 7° touches enrolment only.
    assert _codes(fraud.s1) == {"E1": "FR", "E2": "FR", "E3": "FR"}


def test_an_annulment_marks_the_annulled_certificates_line(fraud, open_file, heard):
    e3 = fraud.lines["s0000001", "E3"]
    decision = services.decision_record(
        fraud_file=heard(open_file()),
        sanctions=[],
        annulment=True,
        annulled_certificates=[e3],
        judged_gross=True,
        reason="Serious fraud found in the E3 paper too.",
        decided_on=D(2024, 1, 25),
    )
    assert _codes(fraud.s1) == {"E1": None, "E2": None, "E3": None}
    _ratify(decision)
    assert _codes(fraud.s1) == {"E1": None, "E2": None, "E3": "FR"}


def test_a_course_exclusion_does_not_mark_next_years_line(fraud, open_file, heard):
    next_year = AcademicYearFactory(first_year=2024)
    enrolment = EnrolmentFactory(
        student=fraud.s1, academic_year=next_year, programme=fraud.programme, enrolled_on=D(2024, 9, 15)
    )
    retake = ISPLineFactory(enrolment=enrolment, course=fraud.e2)
    services.decision_record(
        fraud_file=heard(open_file()),
        sanctions=["course_exclusion"],
        courses=[fraud.e2],
        reason="Notes in the calculator's cover.",
        decided_on=D(2024, 1, 25),
    )
    assert gates.fraud_codes(fraud.s1.pk) == {fraud.lines["s0000001", "E2"].pk: "FR"}
    assert retake.pk not in gates.fraud_codes(fraud.s1.pk)
    courses = [
        c for e in study_progress(fraud.s1)["enrolments"] if e["academic_year"] == "2024-2025" for c in e["courses"]
    ]
    assert courses and "code" not in courses[0]


def test_a_dispute_outcome_and_a_decision_set_aside_carry_no_code(fraud, open_file, heard):
    dispute = open_file("dispute", what_happened="The examiner and the student argued about the time left.")
    services.hearing_record(fraud_file=dispute, kind="examiner", held_on=D(2024, 1, 16), heard_by="Cato Chair")
    services.hearing_record(fraud_file=dispute, kind="student", held_on=D(2024, 1, 16), heard_by="Cato Chair")
    dispute_decide(fraud_file=dispute, outcome="Ten minutes added; the exam stands.", decided_on=D(2024, 1, 25))
    assert gates.fraud_codes(fraud.s1.pk) == {}
    fraud_file = heard(open_file(course=fraud.e1))
    decision = services.decision_record(
        fraud_file=fraud_file, sanctions=["zero_exam"], reason="Notes.", decided_on=D(2024, 1, 25)
    )
    assert gates.fraud_codes(fraud.s1.pk) == {fraud.lines["s0000001", "E1"].pk: "FR"}
    decision_set_aside(decision=decision, by_appeal="A-0001", on=D(2024, 2, 20))
    assert gates.fraud_codes(fraud.s1.pk) == {}


def test_a_student_without_fraud_has_the_same_file_and_one_query_more_at_most(
    fraud, open_file, heard, django_assert_num_queries
):
    services.decision_record(fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Notes.")
    s2 = fraud.students[1]
    file = study_progress(s2)
    assert all("code" not in c for e in file["enrolments"] for c in e["courses"])
    with django_assert_num_queries(1):
        assert gates.fraud_codes(s2.pk) == {}


def test_the_text_the_page_and_the_print_view_show_fr(client, fraud, open_file, heard):
    services.decision_record(fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Notes.")
    data = study_progress(fraud.s1)
    text = study_progress_text(data)
    (e1,) = [line for line in text.splitlines() if line.startswith("  E1 ")]
    (e2,) = [line for line in text.splitlines() if line.startswith("  E2 ")]
    assert e1.endswith("  FR")
    assert not e2.endswith("FR")
    assert "  FR: a fraud sanction touches this result (Art. 85 §4)" in text.splitlines()
    assert "FR" not in study_progress_text(study_progress(fraud.students[1]))

    client.force_login(fraud.administration)
    with on(D(2024, 2, 10)):
        page = client.get(reverse("students:student_detail", args=["s0000001"]))
        printed = client.get(reverse("students:student_file_print", args=["s0000001"]))
        other = client.get(reverse("students:student_detail", args=["s0000002"]))
    assert page.status_code == printed.status_code == other.status_code == 200
    assert page.content.decode().count('data-code="FR"') == 1
    assert printed.content.decode().count('data-code="FR"') == 1
    assert "FR: a fraud sanction touches this result (Art. 85 §4)" in printed.content.decode()
    assert 'data-code="FR"' not in other.content.decode()


def test_another_students_file_is_unchanged(fraud, open_file, heard):
    s2 = fraud.students[1]
    before = study_progress(s2)
    services.decision_record(fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Notes.")
    assert study_progress(s2) == before
