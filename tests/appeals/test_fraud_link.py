# ruff: noqa: F811 (the fraud fixtures of tests/fraud/conftest.py are imported as fixtures)
"""An appeal of category (g) against a fraud decision (Art. 101 g): linked to the decision, its
outcome flows back through the fraud services (the decision set aside, its exclusion measures
lifted, the committee deciding anew).

World: tests/fraud/conftest.py. S1 (s0000001) reported for E1 on 15 January 2024, heard on 17 and
18 January; a 3° zero decided on 25 January 2024 (final at once), or a 6° + 7° (one year)
decided on 25 January and ratified on 29 January. The appeal's seven days run from the
notification, recorded as the day the decision became final (DOMAIN §7); its decision is due on
the filing day + 19.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from appeals import services
from appeals.models import Appeal
from appeals.selectors import decision_choices
from fraud import services as fraud_services
from fraud.models import FraudDecision
from students.models import Measure
from tests.fraud.conftest import fraud, heard, open_file  # noqa: F401 (fixtures)
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date
BRUSSELS = ZoneInfo("Europe/Brussels")
FILED = D(2024, 1, 30)


@pytest.fixture
def zero(fraud, open_file, heard):
    return fraud_services.decision_record(
        fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Smartphone.", decided_on=D(2024, 1, 25)
    )


def _exclusion(fraud_file, *, ratify=True):
    decision = fraud_services.decision_record(
        fraud_file=fraud_file,
        sanctions=["programme_exclusion", "enrolment_ban"],
        reason="Organised cheating with an earpiece.",
        judged_gross=True,
        ban_years=1,
        decided_on=D(2024, 1, 25),
    )
    if ratify:
        fraud_services.advice_record(
            decision=decision,
            ombudsperson_advice="Proportionate.",
            council_advice_requested_at=datetime.datetime(2024, 1, 26, 10, 0, tzinfo=BRUSSELS),
            council_advice="Proportionate.",
            council_advice_given_at=datetime.datetime(2024, 1, 26, 18, 0, tzinfo=BRUSSELS),
        )
        fraud_services.ratification_record(decision=decision, ratified=True, on=D(2024, 1, 29))
    return decision


def _register(fraud, decision, *, category="g", posted_on=FILED, **kwargs):
    with on(posted_on):
        return services.appeal_register(
            student=kwargs.pop("student", fraud.s1),
            category=category,
            posted_on=posted_on,
            fraud_decision=decision,
            facts_and_objections="I only looked at the time on my phone.",
            by=fraud.administration,
            **kwargs,
        )


def _decide(fraud, appeal, outcome, day=None):
    day = day or D(2024, 2, 8)
    with on(day):
        return services.appeal_decide(
            appeal=appeal, outcome=outcome, on=day, reason="Heard again.", by=fraud.chair_user
        )


# --- Linking ------------------------------------------------------------------------------------
def test_a_g_appeal_links_the_fraud_decision_and_runs_from_its_notification(fraud, zero):
    appeal = _register(fraud, zero)
    assert appeal.fraud_decision == zero
    assert appeal.decision_on == D(2024, 1, 25)  # final at once: its decision day
    assert appeal.decision_due_on == D(2024, 2, 18)  # 30 January + 19
    assert appeal.programme == fraud.programme
    assert appeal.decision_text == "Sanction 3° for exam fraud in E1 (2023-2024), decided on 25/01/2024"
    assert appeal.described_from_link is True
    assert services.link_kind(appeal) == "fraud_decision"


def test_a_ratified_exclusion_is_appealed_from_the_ratification(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    appeal = _register(fraud, decision, posted_on=D(2024, 2, 5))
    assert appeal.decision_on == D(2024, 1, 29)  # Art. 85 §2: final once ratified
    assert appeal.decision_text.startswith("Sanction 6°, 7° for exam fraud in E1")


@pytest.mark.parametrize("category", ["a", "d", "f"])
def test_a_fraud_decision_is_appealed_under_g_only(fraud, zero, category):
    with pytest.raises(services.Refused) as refused:
        _register(fraud, zero, category=category)
    assert refused.value.messages == ["That decision cannot be appealed under this category (Art. 101)."]
    assert not Appeal.objects.exists()


def test_a_decision_awaiting_ratification_cannot_be_appealed_yet(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()), ratify=False)
    with pytest.raises(services.Refused) as refused:
        _register(fraud, decision)
    assert "(Art. 85 §2, 101 g)" in refused.value.messages[0]
    assert not Appeal.objects.exists()


def test_another_students_decision_is_refused(fraud, zero):
    with pytest.raises(services.Refused) as refused:
        _register(fraud, zero, student=fraud.students[1])
    assert refused.value.messages == ["The decision appealed is not one of this student's."]
    assert not Appeal.objects.exists()


def test_the_form_offers_final_fraud_decisions_only(fraud, zero, open_file, heard):
    waiting = _exclusion(heard(open_file(course=fraud.e2, exam_moment=None, assignment="Lab report")), ratify=False)
    choices = {value: label for _group, options in decision_choices(fraud.s1, today=FILED) for value, label in options}
    assert choices[f"fraud_decision:{zero.pk}"] == "Sanction 3° for exam fraud in E1 (2023-2024), decided on 25/01/2024"
    assert f"fraud_decision:{waiting.pk}" not in choices


def test_registering_through_the_form(client, fraud, zero):
    client.force_login(fraud.administration)
    with on(FILED):
        response = client.post(
            reverse("appeals:appeal_create"),
            {
                "student": "s0000001",
                "category": "g",
                "decision": f"fraud_decision:{zero.pk}",
                "posted_on": "2024-01-30",
                "facts_and_objections": "I only looked at the time on my phone.",
            },
        )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == appeal.get_absolute_url()
    assert appeal.fraud_decision == zero
    with on(FILED):
        page = client.get(appeal.get_absolute_url())
    assert page.status_code == 200
    assert "the complete committee decides anew on the fraud file (Art. 101 g)" in page.content.decode()
    assert f'href="/fraud/{zero.fraud_file_id}/"' in page.content.decode()


# --- The outcome flows back ---------------------------------------------------------------------
def test_a_new_decision_sets_the_sanction_aside_and_the_committee_decides_anew(fraud, zero):
    appeal = _register(fraud, zero)
    _decide(fraud, appeal, "new_decision")
    zero.refresh_from_db()
    assert zero.status == "set_aside"
    assert (
        zero.history.latest("history_id").history_change_reason
        == f"set aside on appeal {appeal.reference} (Art. 101 g)"
    )
    anew = fraud_services.decision_record(
        fraud_file=zero.fraud_file, sanctions=["appropriate_mark"], new_mark=8, reason="Heard on appeal."
    )
    assert anew.status == "final"
    assert [d.status for d in FraudDecision.objects.order_by("pk")] == ["set_aside", "final"]


@pytest.mark.parametrize("outcome", ["unfounded", "inadmissible"])
def test_an_unfounded_or_inadmissible_appeal_leaves_the_sanction(fraud, zero, outcome):
    appeal = _register(fraud, zero)
    _decide(fraud, appeal, outcome)
    zero.refresh_from_db()
    assert zero.status == "final"
    with pytest.raises(fraud_services.Refused):
        fraud_services.decision_record(fraud_file=zero.fraud_file, sanctions=["zero_exam"], reason="Again.")


def test_setting_aside_an_exclusion_lifts_its_measures(fraud, open_file, heard):
    decision = _exclusion(heard(open_file()))
    # The measures the sanction took (fraud.effects): 6° for 2023-2024, 7° for 2024-2025.
    for kind, year in (("fraud_exclusion", "2023-2024"), ("fraud_enrolment_ban", "2024-2025")):
        Measure.objects.get_or_create(
            student=fraud.s1,
            kind=kind,
            programme=fraud.programme,
            course=None,
            from_year_code=year,
            defaults={"until_year_code": year, "decided_on": D(2024, 1, 29), "decided_in": fraud.year},
        )
    appeal = _register(fraud, decision, posted_on=D(2024, 2, 5))
    _decide(fraud, appeal, "new_decision", day=D(2024, 2, 20))
    lifted = {m.kind: (m.lifted_on, m.lifted_reason) for m in Measure.objects.filter(student=fraud.s1)}
    reason = f"set aside on appeal {appeal.reference} (Art. 101 g)"
    assert lifted == {
        "fraud_exclusion": (D(2024, 2, 20), reason),
        "fraud_enrolment_ban": (D(2024, 2, 20), reason),
    }
    decision.refresh_from_db()
    assert decision.status == "set_aside"


def test_a_decision_set_aside_already_cannot_be_set_aside_again(fraud, zero):
    first = _register(fraud, zero)
    second = _register(fraud, zero, posted_on=D(2024, 1, 31))
    _decide(fraud, first, "new_decision")
    with pytest.raises(services.Refused) as refused:
        _decide(fraud, second, "new_decision")
    assert refused.value.codes == ["not_appealable"]
    second.refresh_from_db()
    assert second.status == "open"


# --- Set aside: what the sanctions changed is restored through the same services (Art. 101 g) -----
# S1's learning account: 140 credits, the ISP takes 18 (122); each certificate gives 6 back with a
# 6-credit bonus (+12). January's publication is on 6 February 2024.
def _timeline(day):
    from core.timeline import run_deadlines

    with on(day):
        run_deadlines(today=day)


def _s1_lines(fraud):
    from students.models import ISPLine

    return {
        line.course.code: (line.mark, line.certified_on)
        for line in ISPLine.objects.filter(enrolment__student=fraud.s1).select_related("course")
    }


def _balance(fraud):
    from students.ledger import balances

    return balances([fraud.s1.pk])[fraud.s1.pk]


def _fourteen(fraud):
    """The examiner gave S1 a 14 for E1 (instead of the world's 4)."""
    from exams.models import Result

    e1 = Result.objects.get(isp_line=fraud.lines[fraud.s1.number, "E1"])
    Result.objects.filter(pk=e1.pk).update(score=14)
    return e1


def test_setting_aside_a_3_restores_the_14_the_certificate_and_the_refund(fraud, zero):
    """The 3° decided on 25 January is carried out before the publication: E1's 14 becomes a zero,
    published on 6 February without a certificate. The appeal decided on 8 February sets it aside:
    the 14 comes back by a new decision, with its certificate and the refund (6 + a 6-credit bonus)."""
    from students.models import EntryKind, LearningAccountEntry

    e1 = _fourteen(fraud)
    _timeline(D(2024, 2, 6))
    assert _s1_lines(fraud) == {"E1": ("0", None), "E2": ("12", D(2024, 2, 6)), "E3": ("13", D(2024, 2, 6))}
    assert _balance(fraud) == 122 + 2 * 12
    appeal = _register(fraud, zero)
    _decide(fraud, appeal, "new_decision", day=D(2024, 2, 8))
    assert _s1_lines(fraud) == {"E1": ("14", D(2024, 2, 8)), "E2": ("12", D(2024, 2, 6)), "E3": ("13", D(2024, 2, 6))}
    assert _balance(fraud) == 122 + 3 * 12
    e1_entries = {
        (entry.kind, entry.credits, entry.on)
        for entry in LearningAccountEntry.objects.filter(student=fraud.s1, course=fraud.e1, on=D(2024, 2, 8))
    }
    assert e1_entries == {(EntryKind.PASS_REFUND, 6, D(2024, 2, 8)), (EntryKind.BONUS, 6, D(2024, 2, 8))}
    e1.refresh_from_db()
    assert [h.score for h in e1.history.order_by("history_id")] == [4, 0, 14]  # 4: as created by the world
    assert (
        e1.history.latest("history_id").history_change_reason == f"set aside on appeal {appeal.reference} (Art. 101 g)"
    )
    # Running the timeline again changes nothing.
    _timeline(D(2024, 2, 21))
    assert _s1_lines(fraud)["E1"] == ("14", D(2024, 2, 8))
    assert _balance(fraud) == 122 + 3 * 12


def test_setting_aside_a_3_after_the_publication_restores_the_14_and_the_certificate(fraud, open_file, heard):
    """The 14 was published on 6 February with its certificate; the 3° decided on 12 February
    withdraws it (a new decision, a ledger correction of -12); the appeal decided on 20 February
    restores the 14 and the certificate by a new decision."""
    _fourteen(fraud)
    _timeline(D(2024, 2, 6))
    assert _s1_lines(fraud)["E1"] == ("14", D(2024, 2, 6))
    assert _balance(fraud) == 122 + 3 * 12
    with on(D(2024, 2, 12)):
        decision = fraud_services.decision_record(
            fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Smartphone.", decided_on=D(2024, 2, 12)
        )
    _timeline(D(2024, 2, 12))
    assert _s1_lines(fraud)["E1"] == ("0", None)
    assert _balance(fraud) == 122 + 2 * 12
    appeal = _register(fraud, decision, posted_on=D(2024, 2, 14))
    _decide(fraud, appeal, "new_decision", day=D(2024, 2, 20))
    assert _s1_lines(fraud) == {"E1": ("14", D(2024, 2, 20)), "E2": ("12", D(2024, 2, 6)), "E3": ("13", D(2024, 2, 6))}


def test_a_certificate_withdrawn_by_a_3_and_restored_on_appeal_refunds_again(fraud, open_file, heard):
    _fourteen(fraud)
    _timeline(D(2024, 2, 6))
    with on(D(2024, 2, 12)):
        decision = fraud_services.decision_record(
            fraud_file=heard(open_file()), sanctions=["zero_exam"], reason="Smartphone.", decided_on=D(2024, 2, 12)
        )
    _timeline(D(2024, 2, 12))
    appeal = _register(fraud, decision, posted_on=D(2024, 2, 14))
    _decide(fraud, appeal, "new_decision", day=D(2024, 2, 20))
    assert _balance(fraud) == 122 + 3 * 12


def test_setting_aside_a_3_before_the_publication_restores_the_examiner_s_mark_with_history(fraud, zero):
    from exams.models import Result

    _timeline(D(2024, 1, 25))
    e1 = Result.objects.get(isp_line=fraud.lines[fraud.s1.number, "E1"])
    assert e1.score == 0
    appeal = _register(fraud, zero)
    _decide(fraud, appeal, "new_decision", day=D(2024, 2, 2))
    e1.refresh_from_db()
    assert e1.score == 4
    assert [h.score for h in e1.history.order_by("history_id")] == [4, 0, 4]
    _timeline(D(2024, 2, 6))
    assert _s1_lines(fraud)["E1"] == ("4", None)  # the examiner's 4, published as it was given


def test_setting_aside_a_6_restores_the_period_s_results_and_lifts_the_measures(fraud, open_file, heard):
    """6° + 7° ratified on 29 January: every January result of S1 becomes a zero before the
    publication, no certificate; the appeal decided on 20 February restores 4, 12 and 13 by new
    decisions: E2 and E3 earn their certificates and refunds; the measures are lifted."""
    decision = _exclusion(heard(open_file()))
    _timeline(D(2024, 2, 6))
    assert _s1_lines(fraud) == {"E1": ("0", None), "E2": ("0", None), "E3": ("0", None)}
    assert _balance(fraud) == 122
    assert Measure.objects.filter(student=fraud.s1, lifted_on__isnull=True).count() == 2
    appeal = _register(fraud, decision, posted_on=D(2024, 2, 5))
    _decide(fraud, appeal, "new_decision", day=D(2024, 2, 20))
    assert _s1_lines(fraud) == {"E1": ("4", None), "E2": ("12", D(2024, 2, 20)), "E3": ("13", D(2024, 2, 20))}
    assert _balance(fraud) == 122 + 2 * 12
    assert not Measure.objects.filter(student=fraud.s1, lifted_on__isnull=True).exists()
    decision.refresh_from_db()
    assert decision.status == "set_aside"
    assert [entry["result"] for entry in decision.replaced] != []
