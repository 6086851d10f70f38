"""Disputes during an exam (Art. 92): a file of the same kind with its own outcome, decided by the
complete committee after the chair heard the student and the examiner; refused with the article
and nothing written otherwise. World: tests/fraud/conftest.py (S1, E1, January 2023-2024)."""

import datetime

import pytest

from fraud import services
from fraud.disputes import dispute_decide, dispute_outcome
from fraud.models import FraudDecision

pytestmark = pytest.mark.django_db

D = datetime.date
CONFLICT = "The student and the examiner argued about the time left; the student left the room in protest."


@pytest.fixture
def dispute(open_file):
    return open_file("dispute", what_happened=CONFLICT)


def _hear(fraud_file, *kinds):
    for kind in kinds:
        # Art. 92: the chair hears the student and the examiner; no ombudsperson needed at the hearing.
        services.hearing_record(fraud_file=fraud_file, kind=kind, held_on=D(2024, 1, 16), heard_by="Cato Chair")


def test_a_dispute_is_decided_with_its_own_outcome_final_at_once(dispute):
    _hear(dispute, "examiner", "student")
    decision = dispute_decide(
        fraud_file=dispute,
        outcome="  The exam stands; ten minutes are added at the retake.  ",
        decided_on=D(2024, 1, 25),
    )
    decision.refresh_from_db()
    assert decision.status == "final"
    assert decision.sanctions == []
    assert decision.reason == "The exam stands; ten minutes are added at the retake."
    assert decision.needs_ratification is False
    assert decision.history.get().history_change_reason == "dispute decided"
    assert dispute_outcome(dispute) == decision


@pytest.mark.parametrize(
    ("heard", "outcome", "codes"),
    [
        ((), "The exam stands.", ["examiner_not_heard", "student_not_heard"]),
        (("examiner",), "The exam stands.", ["student_not_heard"]),
        (("student",), "The exam stands.", ["examiner_not_heard"]),
        (("examiner", "student"), "   ", ["no_outcome"]),
        ((), "", ["no_outcome", "examiner_not_heard", "student_not_heard"]),
    ],
)
def test_a_dispute_decided_before_the_hearings_or_without_outcome_is_refused(dispute, heard, outcome, codes):
    _hear(dispute, *heard)
    with pytest.raises(services.Refused) as refused:
        dispute_decide(fraud_file=dispute, outcome=outcome, decided_on=D(2024, 1, 25))
    assert refused.value.codes == codes
    assert all(message.endswith("(Art. 92).") for message in refused.value.messages)
    assert not FraudDecision.objects.exists()


def test_a_dispute_is_decided_once(dispute):
    _hear(dispute, "examiner", "student")
    dispute_decide(fraud_file=dispute, outcome="The exam stands.", decided_on=D(2024, 1, 25))
    with pytest.raises(services.Refused) as refused:
        dispute_decide(fraud_file=dispute, outcome="A retake.", decided_on=D(2024, 1, 26))
    assert refused.value.codes == ["already_decided"]
    assert FraudDecision.objects.get().reason == "The exam stands."


def test_a_dispute_decided_before_its_report_is_refused(dispute):
    _hear(dispute, "examiner", "student")
    with pytest.raises(services.Refused) as refused:
        dispute_decide(fraud_file=dispute, outcome="The exam stands.", decided_on=D(2024, 1, 14))
    assert refused.value.codes == ["before_report"]
    assert not FraudDecision.objects.exists()


def test_a_dispute_in_a_deliberation_that_is_not_open_is_refused(fraud, dispute):
    _hear(dispute, "examiner", "student")
    with pytest.raises(services.Refused) as refused:
        dispute_decide(
            fraud_file=dispute, outcome="The exam stands.", decided_on=D(2024, 2, 1), deliberation=fraud.deliberation
        )
    assert refused.value.codes == ["not_open"]
    assert not FraudDecision.objects.exists()


def test_a_fraud_file_takes_no_dispute_outcome(open_file, heard):
    fraud_file = heard(open_file())
    with pytest.raises(services.Refused) as refused:
        dispute_decide(fraud_file=fraud_file, outcome="The exam stands.", decided_on=D(2024, 1, 25))
    assert refused.value.codes == ["not_a_dispute"]
    assert "(Art. 85, 92)" in refused.value.messages[0]
    assert not FraudDecision.objects.exists()
    assert dispute_outcome(fraud_file) is None


def test_a_dispute_takes_no_sanction(dispute):
    _hear(dispute, "examiner", "student")
    with pytest.raises(services.Refused) as refused:
        services.decision_record(fraud_file=dispute, sanctions=["zero_exam"], reason="Left the room.")
    assert "sanction_on_dispute" in refused.value.codes
    assert not FraudDecision.objects.exists()
