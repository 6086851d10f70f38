# ruff: noqa: F811 (the fraud fixtures of tests/fraud/conftest.py are imported as fixtures)
"""The select committee's inventory lists the open fraud files (Art. 69: the select committee
prepares the fraud files; Art. 84-85, 92), asked through ``core.gates.open_fraud_files``.

World: the committee world with the fraud fixtures (tests/fraud/conftest.py): Education's
deliberation on January 2023-2024 (BA-E, BA-E2). Files, worked out by hand:

- S1 (Surname1) fraud on E1 in January, nobody heard yet: open, awaiting the hearings;
- S2 (Surname2) plagiarism on E2 in January, both heard: open, ready for the decision;
- S3 (Surname3) fraud on E3, 3° decided: final, not listed;
- S4 (Surname4) fraud on E1, 6° + 7° decided, not ratified yet: open, awaiting ratification;
- S5 (Surname5) dispute on E2, both heard (no ombudsperson needed, Art. 92): ready;
- S6 (Surname6) fraud on E3 in June (exam period 2): a later period, not January's;
- T9 fraud on T1 of BA-T: the (Bio)Technology committee's, not Education's.
"""

import datetime

import pytest
from django.urls import reverse

from committee import inventory
from fraud import services
from fraud.models import FraudFile
from programmes.models import ExamPeriod
from tests.fraud.conftest import fraud, heard, open_file  # noqa: F401 (fixtures)
from tests.support.factories import CourseFactory, EnrolmentFactory, StudentFactory
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def files(fraud, open_file, heard):
    s = fraud.students
    assignment = {"exam_moment": None, "assignment": "Written exam"}
    services.fraud_file_open(
        kind="fraud",
        student=s[0],
        course=fraud.e1,
        exam_period=fraud.january,
        exam_moment=fraud.moment,
        reported_on=D(2024, 1, 15),
        reported_by="Eva Examiner",
        what_happened="Notes under the sheet.",
    )
    heard(open_file("plagiarism", student=s[1], course=fraud.e2, reported_on=D(2024, 1, 12), **assignment))
    decided = heard(open_file(student=s[2], course=fraud.courses["E3"], **assignment))
    services.decision_record(fraud_file=decided, sanctions=["zero_exam"], reason="Notes.", decided_on=D(2024, 1, 25))
    waiting = heard(open_file(student=s[3]))
    services.decision_record(
        fraud_file=waiting,
        sanctions=["programme_exclusion", "enrolment_ban"],
        reason="An earpiece.",
        judged_gross=True,
        ban_years=2,
        decided_on=D(2024, 1, 25),
    )
    dispute = open_file("dispute", student=s[4], course=fraud.e2, what_happened="An argument.", **assignment)
    services.hearing_record(fraud_file=dispute, kind="examiner", held_on=D(2024, 1, 16), heard_by="Cato Chair")
    services.hearing_record(fraud_file=dispute, kind="student", held_on=D(2024, 1, 16), heard_by="Cato Chair")
    june = ExamPeriod.objects.get(academic_year=fraud.year, number=2)
    open_file(student=s[5], course=fraud.courses["E3"], exam_period=june, reported_on=D(2024, 6, 3), **assignment)
    t1 = CourseFactory(programme=fraud.tech, code="T1", credits=6)
    t9 = EnrolmentFactory(programme=fraud.tech, academic_year=fraud.year, student=StudentFactory(number="t9")).student
    open_file(student=t9, course=t1, **assignment)
    return {"decided": decided, "waiting": waiting, "dispute": dispute}


def _rows(fraud):
    return [
        (row["student_number"], row["course_code"], row["kind"], row["status"])
        for row in inventory.files_for(fraud.deliberation).fraud_files
    ]


def test_the_inventory_lists_the_committees_open_fraud_files_of_the_period(fraud, files):
    assert _rows(fraud) == [
        ("s0000001", "E1", "fraud", "awaiting_hearings"),
        ("s0000002", "E2", "plagiarism", "ready_for_decision"),
        ("s0000004", "E1", "fraud", "awaiting_ratification"),
        ("s0000005", "E2", "dispute", "ready_for_decision"),
    ]
    first = inventory.files_for(fraud.deliberation).fraud_files[0]
    assert first["student_name"] == "Student1 Surname1"
    assert first["kind_label"] == "exam fraud"
    assert first["status_label"] == "awaiting the hearings (Art. 74, 84)"
    assert first["reported_on"] == D(2024, 1, 15)
    assert first["url_name"] == "fraud:file_detail"


def test_a_decided_dispute_and_a_ratified_exclusion_leave_the_list(fraud, files):
    from fraud.disputes import dispute_decide

    dispute_decide(fraud_file=files["dispute"], outcome="The exam stands.", decided_on=D(2024, 1, 25))
    services.advice_record(
        decision=files["waiting"].decisions.get(),
        ombudsperson_advice="Proportionate.",
        council_advice_requested_at=datetime.datetime(2024, 1, 26, 9, 0, tzinfo=datetime.UTC),
        council_advice="Proportionate.",
        council_advice_given_at=datetime.datetime(2024, 1, 26, 17, 0, tzinfo=datetime.UTC),
    )
    services.ratification_record(decision=files["waiting"].decisions.get(), ratified=True, on=D(2024, 1, 29))
    assert _rows(fraud) == [
        ("s0000001", "E1", "fraud", "awaiting_hearings"),
        ("s0000002", "E2", "plagiarism", "ready_for_decision"),
    ]


def test_a_file_not_ratified_is_open_again(fraud, files):
    decision = files["waiting"].decisions.get()
    services.advice_record(
        decision=decision,
        ombudsperson_advice="Too severe.",
        council_advice_requested_at=datetime.datetime(2024, 1, 26, 9, 0, tzinfo=datetime.UTC),
        council_advice="Too severe.",
        council_advice_given_at=datetime.datetime(2024, 1, 26, 17, 0, tzinfo=datetime.UTC),
    )
    services.ratification_record(decision=decision, ratified=False, reason="5° suffices.", on=D(2024, 1, 29))
    assert ("s0000004", "E1", "fraud", "not_ratified") in _rows(fraud)


def test_the_inventory_page_shows_the_open_fraud_files(client, fraud, files):
    client.force_login(fraud.chair_user)
    with on(D(2024, 2, 1)):
        response = client.get(reverse("committee:inventory", args=[fraud.deliberation.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="fraud-files"' in content
    assert content.count("data-fraud-file=") == 4
    first = FraudFile.objects.get(student=fraud.students[0]).pk
    assert f'<a href="/fraud/{first}/">exam fraud</a>' in content  # the fraud file's page
    assert "Student1 Surname1" in content and "awaiting the hearings (Art. 74, 84)" in content
    assert "awaiting ratification" in content


def test_no_open_file_says_so(client, fraud):
    client.force_login(fraud.chair_user)
    with on(D(2024, 2, 1)):
        content = client.get(reverse("committee:inventory", args=[fraud.deliberation.pk])).content.decode()
    assert "No open fraud file." in content
    assert inventory.files_for(fraud.deliberation).fraud_files == []
