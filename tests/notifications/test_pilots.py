"""The two kinds wired end to end: the fraud sanction (Art. 85, 101) and the publication of results
(Art. 86, 91, 101).

Fraud: S1's file on E1 (tests/fraud/conftest.py), heard on 17 and 18 January 2024; the committee
decides on 1 February 2024; a 6° + 7° decision is ratified on 5 February. Publication: r0100001's
January results (tests/exams/conftest.py ``college``), published on 6 February 2024. The college
went live on 1 January 2024 (conftest).
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from exams.results import result_record
from exams.services import results_publish
from fraud import appeals
from fraud import services as fraud_services
from fraud.models import FraudDecision
from notifications import services
from notifications.models import Notification, Status
from tests.fraud.conftest import fraud, heard, open_file  # noqa: F401 - the fraud world
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date


class Boom(Exception):
    pass


@pytest.fixture
def s1(fraud):  # noqa: F811
    fraud.s1.email = "s1@student.example"
    fraud.s1.save()
    return fraud.s1


def _decide(fraud_file, sanctions, **details):
    with on(D(2024, 2, 1)):
        return fraud_services.decision_record(
            fraud_file=fraud_file,
            sanctions=sanctions,
            reason="Notes under the sheet.",
            decided_on=D(2024, 2, 1),
            **details,
        )


def test_a_final_sanction_is_told_and_its_sent_day_starts_the_appeal_period(s1, open_file, heard):  # noqa: F811
    decision = _decide(heard(open_file()), ["zero_exam"])
    row = Notification.objects.get()
    assert (row.student_id, row.kind, row.object_label, row.object_id, row.decided_on) == (
        s1.pk,
        "fraud_sanction",
        "fraud.FraudDecision",
        decision.pk,
        D(2024, 2, 1),
    )
    assert appeals.notified_on(decision) == D(2024, 2, 1)  # not sent yet: the decision's day
    with on(D(2024, 2, 3)):
        assert services.pending_send()[services.SENT] == 1
    decision.refresh_from_db()
    assert decision.notified_on == D(2024, 2, 3)
    assert appeals.notified_on(decision) == D(2024, 2, 3)
    assert "3° " in mail.outbox[0].body
    assert "uiterlijk op 10/02/2024 (art. 101)" in mail.outbox[0].body  # 3 February + 7 days


def test_a_live_decision_s_day_is_never_typed_by_hand(s1, open_file, heard):  # noqa: F811
    decision = _decide(heard(open_file()), ["zero_exam"])
    with on(D(2024, 2, 2)), pytest.raises(fraud_services.Refused, match="recorded by itself"):
        fraud_services.decision_notify(decision=decision, on=D(2024, 2, 2))
    with on(D(2024, 2, 3)):
        services.pending_send()
    decision.refresh_from_db()
    assert decision.notified_on == D(2024, 2, 3)
    assert Notification.objects.get().status == Status.SENT


def test_a_historical_decision_s_day_is_recorded_by_hand(settings, s1, open_file, heard):  # noqa: F811
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    decision = _decide(heard(open_file()), ["zero_exam"])
    with on(D(2024, 2, 2)):
        fraud_services.decision_notify(decision=decision, on=D(2024, 2, 2))
    decision.refresh_from_db()
    assert decision.notified_on == D(2024, 2, 2)
    assert not Notification.objects.exists()


def test_a_sanction_awaiting_ratification_is_told_once_ratified(s1, open_file, heard):  # noqa: F811
    decision = _decide(heard(open_file()), ["programme_exclusion", "enrolment_ban"], judged_gross=True, ban_years=1)
    assert not Notification.objects.exists()
    with on(D(2024, 2, 5)):
        fraud_services.advice_record(
            decision=decision,
            ombudsperson_advice="Proportionate.",
            ombudsperson_advice_on=D(2024, 2, 5),
            council_advice_requested_at=datetime.datetime(2024, 2, 2, 8, 0, tzinfo=datetime.UTC),
            council_advice="No objection.",
            council_advice_given_at=datetime.datetime(2024, 2, 2, 12, 0, tzinfo=datetime.UTC),
        )
        fraud_services.ratification_record(decision=decision, ratified=True, on=D(2024, 2, 5))
    row = Notification.objects.get()
    assert (row.decided_on, row.data["sanctions"]) == (D(2024, 2, 5), ["programme_exclusion", "enrolment_ban"])


def test_a_decision_that_rolls_back_tells_nothing(s1, open_file, heard):  # noqa: F811
    fraud_file = heard(open_file())
    with pytest.raises(Boom), transaction.atomic():
        _decide(fraud_file, ["zero_exam"])
        raise Boom
    assert not FraudDecision.objects.exists()
    assert not Notification.objects.exists()


def test_a_historical_sanction_is_not_told(settings, s1, open_file, heard):  # noqa: F811
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    decision = _decide(heard(open_file()), ["zero_exam"])
    assert not Notification.objects.exists()
    assert appeals.notified_on(decision) == D(2024, 2, 1)  # runs from its decision date


# --- The publication of results -------------------------------------------------------------------
def _examined(college):
    college.student.email = "r0100001@student.example"
    college.student.save()
    result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=14)
    result_record(isp_line=college.lines["NUM2"], exam_period=college.periods[1], opportunity=1, mark=9)


def test_a_publication_tells_each_student_examined_once(college):
    _examined(college)
    results_publish(period=college.periods[1], day=D(2024, 2, 6))
    row = Notification.objects.get()
    assert (row.student_id, row.kind, row.object_id, row.decided_on) == (
        college.student.pk,
        "results_published",
        college.periods[1].pk,
        D(2024, 2, 6),
    )
    assert row.data == {"exam_period": 1, "academic_year": str(college.year), "published_on": "2024-02-06"}
    with on(D(2024, 2, 6)):
        services.pending_send()
    body = mail.outbox[0].body
    assert "uiterlijk op 13/02/2024 (art. 101)" in body
    assert "uiterlijk op 21/02/2024 (art. 91 §2)" in body
    assert "uiterlijk op 11/02/2024 (art. 91 §3)" in body


def test_a_historical_publication_tells_nobody(settings, college):
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 6, 1)
    _examined(college)
    results_publish(period=college.periods[1], day=D(2024, 2, 6))
    assert not Notification.objects.exists()
