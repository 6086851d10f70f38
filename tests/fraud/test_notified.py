"""The day the student was told of a final fraud decision (Art. 85, 101), recorded by hand until the
notifications are sent by the application: the appeal period of seven calendar days runs from it.

S1's file on E1 (tests/fraud/conftest.py), heard on 17 and 18 January 2024; the committee decides
on 1 February 2024; a 6° + 7° decision is ratified on 5 February.
"""

import datetime

import pytest
from django.urls import reverse

from fraud import appeals, services
from fraud.models import FraudDecision
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date


def _decide(fraud_file, sanctions, **details):
    with on(D(2024, 2, 1)):
        return services.decision_record(
            fraud_file=fraud_file,
            sanctions=sanctions,
            reason="Notes under the sheet.",
            decided_on=D(2024, 2, 1),
            **details,
        )


def _ratify(decision, day):
    with on(day):
        services.advice_record(
            decision=decision,
            ombudsperson_advice="Proportionate.",
            ombudsperson_advice_on=day,
            council_advice_requested_at=datetime.datetime(2024, 2, 2, 8, 0, tzinfo=datetime.UTC),
            council_advice="No objection.",
            council_advice_given_at=datetime.datetime(2024, 2, 2, 12, 0, tzinfo=datetime.UTC),
        )
        services.ratification_record(decision=decision, ratified=True, on=day)


def test_the_appeal_period_runs_from_the_day_the_student_was_told(open_file, heard):
    decision = _decide(heard(open_file()), ["zero_exam"])
    assert appeals.notified_on(decision) == D(2024, 2, 1)  # nothing recorded: the decision's day
    with on(D(2024, 2, 9)):
        services.decision_notify(decision=decision, on=D(2024, 2, 6))
    decision.refresh_from_db()
    assert decision.notified_on == D(2024, 2, 6)
    assert appeals.notified_on(decision) == D(2024, 2, 6)
    assert decision.history.first().history_change_reason == "student notified"


@pytest.mark.parametrize(
    ("told_on", "today", "expected"),
    [
        (D(2024, 1, 31), D(2024, 2, 9), "became final"),  # before the decision
        (D(2024, 2, 10), D(2024, 2, 9), "future"),
    ],
)
def test_a_day_before_the_decision_or_in_the_future_is_refused(open_file, heard, told_on, today, expected):
    decision = _decide(heard(open_file()), ["zero_exam"])
    with on(today), pytest.raises(services.Refused) as refused:
        services.decision_notify(decision=decision, on=told_on)
    assert expected in " ".join(refused.value.messages)
    assert FraudDecision.objects.get(pk=decision.pk).notified_on is None


def test_a_sanction_awaiting_ratification_is_told_once_ratified_and_not_before(open_file, heard):
    decision = _decide(heard(open_file()), ["programme_exclusion", "enrolment_ban"], judged_gross=True, ban_years=1)
    with on(D(2024, 2, 3)), pytest.raises(services.Refused) as refused:
        services.decision_notify(decision=decision, on=D(2024, 2, 3))
    assert "Art. 85 §2" in " ".join(refused.value.messages)
    _ratify(decision, D(2024, 2, 5))
    with on(D(2024, 2, 6)), pytest.raises(services.Refused) as refused:
        services.decision_notify(decision=decision, on=D(2024, 2, 4))  # before the ratification
    assert "05/02/2024" in " ".join(refused.value.messages) or "2/5/2024" in " ".join(refused.value.messages)
    with on(D(2024, 2, 6)):
        services.decision_notify(decision=decision, on=D(2024, 2, 6))
    decision.refresh_from_db()
    assert appeals.notified_on(decision) == D(2024, 2, 6)


def test_told_twice_is_refused_and_the_first_day_stands(open_file, heard):
    decision = _decide(heard(open_file()), ["zero_exam"])
    with on(D(2024, 2, 9)):
        services.decision_notify(decision=decision, on=D(2024, 2, 6))
        with pytest.raises(services.Refused):
            services.decision_notify(decision=decision, on=D(2024, 2, 8))
    assert FraudDecision.objects.get(pk=decision.pk).notified_on == D(2024, 2, 6)


def test_the_chair_records_it_on_the_file_page(client, fraud, open_file, heard):
    fraud_file = heard(open_file())
    decision = _decide(fraud_file, ["zero_exam"])
    client.force_login(fraud.chair_user)
    page = reverse("fraud:file_detail", args=[fraud_file.pk])
    url = reverse("fraud:decision_notify", args=[fraud_file.pk, decision.pk])
    with on(D(2024, 2, 9)):
        assert 'id="notified-form"' in client.get(page).content.decode()
        refused = client.post(url, {"notified_on": "2024-01-20"})
        assert refused.status_code == 422
        assert "became final" in refused.content.decode()
        assert FraudDecision.objects.get(pk=decision.pk).notified_on is None
        done = client.post(url, {"notified_on": "2024-02-06"})
        assert done.status_code == 302
        shown = client.get(page).content.decode()
    assert FraudDecision.objects.get(pk=decision.pk).notified_on == D(2024, 2, 6)
    assert 'id="notified-form"' not in shown and "06/02/2024" in shown


def test_only_who_runs_the_committee_records_it(client, fraud, open_file, heard):
    fraud_file = heard(open_file())
    decision = _decide(fraud_file, ["zero_exam"])
    client.force_login(fraud.ombuds_user)  # reads the file, does not record
    with on(D(2024, 2, 9)):
        response = client.post(
            reverse("fraud:decision_notify", args=[fraud_file.pk, decision.pk]), {"notified_on": "2024-02-06"}
        )
    assert response.status_code == 403
    assert FraudDecision.objects.get(pk=decision.pk).notified_on is None
