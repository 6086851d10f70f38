"""The fraud procedure's services (Art. 74, 83-85, 92): each write, and each refusal with nothing
written. Expected values worked out by hand from the world in conftest.py."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from core.timeline import run_deadlines
from exams.models import Result
from fraud import services
from fraud.models import Evidence, FraudDecision, FraudFile, FraudHearing, Investigation, Ratification
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date
BRUSSELS = ZoneInfo("Europe/Brussels")
PDF = b"%PDF-1.7\n%fake but well-formed enough\n"


def _codes(refused) -> list[str]:
    return refused.value.codes


# --- The file (Art. 84) --------------------------------------------------------------------------
def test_a_file_is_opened_from_the_report_and_notified_to_the_chair_and_the_ombudsperson(fraud, open_file):
    fraud_file = open_file()
    fraud_file.refresh_from_db()
    assert fraud_file.committee == fraud.education  # BA-E is in cluster Education
    assert fraud_file.notified_chair_on == D(2024, 1, 15)
    assert fraud_file.notified_ombudsperson_on == D(2024, 1, 15)
    assert fraud_file.history.get().history_change_reason == "fraud file opened"
    assert str(fraud_file) == "exam fraud · s0000001 · E1"


def test_a_plagiarism_file_names_the_assignment_instead_of_an_exam_moment(fraud, open_file):
    fraud_file = open_file("plagiarism", exam_moment=None, assignment="Paper on inclusive education")
    assert fraud_file.assignment == "Paper on inclusive education"
    assert fraud_file.exam_moment is None


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"what_happened": "  "}, "Describe what happened"),
        ({"exam_moment": None, "assignment": ""}, "Choose the exam moment"),
        ({"reported_by": ""}, "Name the examiner"),
    ],
)
def test_an_incomplete_report_is_refused_and_nothing_is_written(fraud, open_file, overrides, fragment):
    with pytest.raises(services.Refused) as refused:
        open_file(**overrides)
    assert any(fragment in m and "(Art. 84)" in m for m in refused.value.messages)
    assert not FraudFile.objects.exists()


def test_an_exam_moment_of_another_course_is_refused(fraud, open_file):
    with pytest.raises(services.Refused) as refused:
        open_file(course=fraud.e2)
    assert refused.value.messages == ["The exam moment is not one of this course in this exam period (Art. 84)."]
    assert not FraudFile.objects.exists()


def test_a_file_goes_to_the_competent_committee_only(fraud, open_file):
    with pytest.raises(services.Refused) as refused:
        open_file(committee=fraud.technology)
    assert "(Art. 68, 84)" in refused.value.messages[0]
    assert not FraudFile.objects.exists()


# --- Evidence (Art. 84) --------------------------------------------------------------------------
def test_evidence_is_stored_under_the_configured_root(fraud, open_file):
    fraud_file = open_file()
    evidence = services.evidence_add(fraud_file=fraud_file, upload=ContentFile(PDF, name="photo-sheet.pdf"))
    assert evidence.size == len(PDF) == 38
    assert evidence.name == "photo-sheet.pdf"
    assert evidence.file.name.startswith("fraud-evidence/")
    stored = fraud.evidence_root / evidence.file.name
    assert stored.read_bytes() == PDF


def test_evidence_of_exactly_the_limit_is_accepted_one_byte_more_is_refused(fraud, open_file, settings):
    settings.FRAUD_EVIDENCE_MAX_BYTES = 38
    fraud_file = open_file()
    services.evidence_add(fraud_file=fraud_file, upload=ContentFile(PDF, name="a.pdf"))
    with pytest.raises(services.Refused) as refused:
        services.evidence_add(fraud_file=fraud_file, upload=ContentFile(PDF + b"x", name="b.pdf"))
    assert _codes(refused) == ["evidence_too_large"]
    assert refused.value.messages == ["b.pdf is larger than the 38 bytes allowed for a piece of evidence (Art. 84)."]
    assert Evidence.objects.count() == 1
    assert [p.name for p in (fraud.evidence_root / "fraud-evidence").iterdir()] == ["a.pdf"]


def test_evidence_over_ten_megabytes_is_refused(fraud, open_file):
    fraud_file = open_file()
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(services.Refused) as refused:
        services.evidence_add(fraud_file=fraud_file, upload=ContentFile(big, name="scan.pdf"))
    assert refused.value.messages == ["scan.pdf is larger than the 10 MB allowed for a piece of evidence (Art. 84)."]
    assert not Evidence.objects.exists()
    assert not fraud.evidence_root.exists()


def test_evidence_of_a_type_not_allowed_is_refused(fraud, open_file):
    fraud_file = open_file()
    with pytest.raises(services.Refused) as refused:
        services.evidence_add(fraud_file=fraud_file, upload=ContentFile(b"MZ\x90\x00", name="notes.exe"))
    assert _codes(refused) == ["evidence_type_not_allowed"]
    assert refused.value.messages == [
        "notes.exe is not of a type allowed for evidence (pdf, png, jpg, jpeg, docx, txt, zip) (Art. 84)."
    ]
    assert not Evidence.objects.exists()
    assert not fraud.evidence_root.exists()


def test_evidence_whose_content_is_not_its_type_is_refused(fraud, open_file):
    fraud_file = open_file()
    with pytest.raises(services.Refused) as refused:
        services.evidence_add(fraud_file=fraud_file, upload=ContentFile(b"MZ\x90\x00", name="notes.pdf"))
    assert _codes(refused) == ["evidence_content_mismatch"]
    assert not Evidence.objects.exists()


# --- The investigation (Art. 84-85) --------------------------------------------------------------
def test_plagiarism_is_investigated_and_weighed(fraud, open_file):
    fraud_file = open_file("plagiarism", exam_moment=None, assignment="Paper")
    investigation = services.investigation_record(
        fraud_file=fraud_file,
        chair="Cato Chair",
        teacher="Eva Examiner",
        programme_head="Sien Secretary",
        findings="Four pages copied from a thesis without acknowledgement.",
        proportion="4 of 12 pages",
        on=D(2024, 1, 20),
    )
    assert [str(f) for f in investigation.weighed()] == ["proportion"]


def test_an_investigation_without_the_teacher_is_refused(fraud, open_file):
    fraud_file = open_file("plagiarism", exam_moment=None, assignment="Paper")
    with pytest.raises(services.Refused) as refused:
        services.investigation_record(
            fraud_file=fraud_file, chair="Cato Chair", teacher=" ", programme_head="Sien", findings="Copied."
        )
    assert _codes(refused) == ["teacher_missing"]
    assert not Investigation.objects.exists()


def test_only_plagiarism_is_investigated(fraud, open_file):
    fraud_file = open_file()
    with pytest.raises(services.Refused):
        services.investigation_record(
            fraud_file=fraud_file, chair="Cato", teacher="Eva", programme_head="Sien", findings="Copied."
        )
    assert not Investigation.objects.exists()


# --- Hearings (Art. 74, 84) ----------------------------------------------------------------------
def test_the_student_is_heard_with_an_ombudsperson_present(fraud, open_file):
    fraud_file = open_file()
    with pytest.raises(services.Refused) as refused:
        services.hearing_record(fraud_file=fraud_file, kind="student", held_on=D(2024, 1, 18), heard_by="Cato Chair")
    assert _codes(refused) == ["no_ombudsperson_at_hearing"]
    assert not FraudHearing.objects.exists()


def test_a_hearing_before_the_report_is_refused(fraud, open_file):
    fraud_file = open_file()
    with pytest.raises(services.Refused):
        services.hearing_record(fraud_file=fraud_file, kind="examiner", held_on=D(2024, 1, 14), heard_by="Cato")
    assert not FraudHearing.objects.exists()


# --- The decision (Art. 85 §1) -------------------------------------------------------------------
def test_a_decision_before_the_hearings_is_refused(fraud, open_file):
    fraud_file = open_file()
    with pytest.raises(services.Refused) as refused:
        services.decision_record(fraud_file=fraud_file, sanctions=["zero_exam"], reason="Smartphone with notes.")
    assert _codes(refused) == ["examiner_not_heard", "student_not_heard"]
    assert all("(Art. 74, 84)" in m for m in refused.value.messages)
    assert not FraudDecision.objects.exists()


def test_a_decision_after_the_examiner_only_is_refused(fraud, open_file):
    fraud_file = open_file()
    services.hearing_record(fraud_file=fraud_file, kind="examiner", held_on=D(2024, 1, 17), heard_by="Cato Chair")
    with pytest.raises(services.Refused) as refused:
        services.decision_record(fraud_file=fraud_file, sanctions=["zero_exam"], reason="Smartphone with notes.")
    assert _codes(refused) == ["student_not_heard"]
    assert not FraudDecision.objects.exists()


def test_a_zero_after_both_hearings_is_final_at_once(fraud, open_file, heard):
    fraud_file = heard(open_file())
    decision = services.decision_record(
        fraud_file=fraud_file, sanctions=["zero_exam"], reason="Smartphone with notes.", decided_on=D(2024, 1, 25)
    )
    assert decision.status == "final"
    assert decision.sanctions == ["zero_exam"]
    assert decision.sanction_numbers == "3°"
    assert decision.deliberation is None  # an earlier meeting (Art. 85 §1)


def test_seven_without_six_is_refused(fraud, open_file, heard):
    fraud_file = heard(open_file())
    with pytest.raises(services.Refused) as refused:
        services.decision_record(
            fraud_file=fraud_file, sanctions=["enrolment_ban"], reason="Organised cheating.", ban_years=1
        )
    assert _codes(refused) == ["ban_without_exclusion"]
    assert refused.value.messages == [
        "The loss of the right to enrol is imposed only together with the exclusion from the programme (Art. 85 §1 7°)."
    ]
    assert not FraudDecision.objects.exists()


def _zero_period(fraud, fraud_file):
    results = Result.objects.filter(isp_line__enrolment__student=fraud.s1, exam_period=fraud.january).order_by(
        "isp_line__course__code"
    )
    return services.decision_record(
        fraud_file=fraud_file,
        sanctions=["zero_period"],
        reason="Smartphone at every exam of the period.",
        zeroed_results=list(results),
    )


def test_four_on_results_not_yet_announced(fraud, open_file, heard):
    fraud_file = heard(open_file())
    decision = _zero_period(fraud, fraud_file)
    assert len(decision.zeroed_results) == 3  # S1's E1, E2, E3 in January
    assert decision.status == "final"


def test_four_on_announced_results_is_refused(fraud, open_file, heard):
    fraud_file = heard(open_file())
    with on(D(2024, 2, 6)):
        run_deadlines(today=D(2024, 2, 6))  # January's results published (Art. 86)
    with pytest.raises(services.Refused) as refused:
        _zero_period(fraud, fraud_file)
    assert _codes(refused) == ["results_announced"]
    assert "(Art. 85 §1 4°)" in refused.value.messages[0]
    assert not FraudDecision.objects.exists()


def test_plagiarism_is_decided_only_after_the_investigation_and_the_weighing(fraud, open_file, heard):
    fraud_file = heard(open_file("plagiarism", exam_moment=None, assignment="Paper"))
    with pytest.raises(services.Refused) as refused:
        services.decision_record(fraud_file=fraud_file, sanctions=["zero_exam"], reason="Copied.")
    assert _codes(refused) == ["not_investigated", "factors_not_weighed"]
    services.investigation_record(
        fraud_file=fraud_file,
        chair="Cato Chair",
        teacher="Eva Examiner",
        programme_head="Sien Secretary",
        findings="Copied.",
        proportion="4 of 12 pages",
        plagiarism_kind="no acknowledgement",
        experience="first stage",
        intention="deliberate",
    )
    decision = services.decision_record(fraud_file=fraud_file, sanctions=["zero_exam"], reason="Copied.")
    assert decision.status == "final"


def test_a_decision_in_a_deliberation_that_is_not_open_is_refused(fraud, open_file, heard):
    fraud_file = heard(open_file())
    with pytest.raises(services.Refused) as refused:
        services.decision_record(
            fraud_file=fraud_file, sanctions=["zero_exam"], reason="Notes.", deliberation=fraud.deliberation
        )
    assert _codes(refused) == ["not_open"]
    assert not FraudDecision.objects.exists()


def test_a_file_has_one_decision_in_force(fraud, open_file, heard):
    fraud_file = heard(open_file())
    services.decision_record(fraud_file=fraud_file, sanctions=["zero_exam"], reason="Notes.")
    with pytest.raises(services.Refused) as refused:
        services.decision_record(fraud_file=fraud_file, sanctions=["appropriate_mark"], new_mark=5, reason="Notes.")
    assert _codes(refused) == ["already_decided"]
    assert FraudDecision.objects.count() == 1


# --- Ratification (Art. 85 §2-3) -----------------------------------------------------------------
def _exclusion(fraud_file):
    return services.decision_record(
        fraud_file=fraud_file,
        sanctions=["enrolment_ban", "programme_exclusion"],
        reason="Organised cheating with an earpiece.",
        judged_gross=True,
        ban_years=2,
        decided_on=D(2024, 1, 25),
    )


def test_six_and_seven_wait_for_ratification(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    assert decision.status == "awaiting_ratification"
    assert decision.sanctions == ["programme_exclusion", "enrolment_ban"]
    assert decision.sanction_numbers == "6°, 7°"


def test_a_ratification_of_a_sanction_that_needs_none_is_refused(fraud, open_file, heard):
    decision = services.decision_record(fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Notes.")
    with pytest.raises(services.Refused) as refused:
        services.ratification_record(decision=decision, ratified=True)
    assert _codes(refused) == ["not_needed"]
    assert "(Art. 85 §2-3)" in refused.value.messages[0]
    with pytest.raises(services.Refused):
        services.advice_record(decision=decision, ombudsperson_advice="Agree.")
    assert not Ratification.objects.exists()
    decision.refresh_from_db()
    assert decision.status == "final"


def test_a_ratification_without_any_advice_is_refused(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    with pytest.raises(services.Refused) as refused:
        services.ratification_record(decision=decision, ratified=True)
    assert _codes(refused) == ["no_ombudsperson_advice", "council_advice_not_requested"]
    assert not Ratification.objects.exists()


def test_the_council_chair_has_48_hours_then_the_advice_may_be_disregarded(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    requested = datetime.datetime(2024, 1, 26, 10, 0, tzinfo=BRUSSELS)
    services.advice_record(
        decision=decision,
        ombudsperson_advice="The sanction is proportionate.",
        ombudsperson_advice_on=D(2024, 1, 26),
        council_advice_requested_at=requested,
    )
    # At exactly 48 hours (Sunday 28 January, 10:00) the advice may still come.
    with time_machine.travel(datetime.datetime(2024, 1, 28, 10, 0, tzinfo=BRUSSELS), tick=False):
        with pytest.raises(services.Refused) as refused:
            services.ratification_record(decision=decision, ratified=True)
        assert _codes(refused) == ["council_advice_pending"]
        assert refused.value.messages == [
            "The Student Council's chair has 48 hours to advise, until 28/01/2024 10:00: wait for the advice or "
            "the end of the 48 hours (Art. 85 §2)."
        ]
        assert not services.council_advice_may_be_disregarded(Ratification.objects.get())
    decision.refresh_from_db()
    assert decision.status == "awaiting_ratification"
    assert Ratification.objects.get().ratified is None
    # One second later the 48 hours have passed: the authority decides without it.
    with time_machine.travel(datetime.datetime(2024, 1, 28, 10, 0, 1, tzinfo=BRUSSELS), tick=False):
        assert services.council_advice_may_be_disregarded(Ratification.objects.get())
        ratification = services.ratification_record(decision=decision, ratified=True)
    assert ratification.ratified is True
    assert ratification.decided_on == D(2024, 1, 28)
    decision.refresh_from_db()
    assert decision.status == "final"


def test_an_advice_given_within_the_48_hours_lets_the_authority_decide_at_once(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    with time_machine.travel(datetime.datetime(2024, 1, 26, 15, 0, tzinfo=BRUSSELS), tick=False):
        services.advice_record(
            decision=decision,
            ombudsperson_advice="Proportionate.",
            council_advice_requested_at=datetime.datetime(2024, 1, 26, 10, 0, tzinfo=BRUSSELS),
            council_advice="No objection.",
        )
        ratification = services.ratification_record(decision=decision, ratified=True)
    assert ratification.council_advice_given_at == datetime.datetime(2024, 1, 26, 15, 0, tzinfo=BRUSSELS)
    assert ratification.ratified is True


def test_not_ratified_the_committee_decides_anew(fraud, open_file, heard):
    fraud_file = heard(open_file())
    decision = _exclusion(fraud_file)
    services.advice_record(
        decision=decision,
        ombudsperson_advice="Too severe.",
        council_advice_requested_at=datetime.datetime(2024, 1, 26, 10, 0, tzinfo=BRUSSELS),
        council_advice="Too severe.",
        council_advice_given_at=datetime.datetime(2024, 1, 26, 18, 0, tzinfo=BRUSSELS),
    )
    with pytest.raises(services.Refused):
        services.ratification_record(decision=decision, ratified=False, reason=" ")
    assert Ratification.objects.get().ratified is None
    services.ratification_record(decision=decision, ratified=False, reason="A first offence: 5° suffices.")
    decision.refresh_from_db()
    assert decision.status == "not_ratified"
    anew = services.decision_record(
        fraud_file=fraud_file, sanctions=["course_exclusion"], courses=[fraud.e1], reason="A first offence."
    )
    assert anew.status == "final"
    assert anew.excluded_courses == [fraud.e1.pk]


def test_a_request_time_without_time_zone_is_refused(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    with pytest.raises(services.Refused) as refused:
        services.advice_record(decision=decision, council_advice_requested_at=datetime.datetime(2024, 1, 26, 10, 0))
    assert refused.value.messages == [
        "Give the date and time with its time zone: the 48 hours run from it (Art. 85 §2)."
    ]
    assert not Ratification.objects.exists()
