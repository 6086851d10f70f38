"""The publication applies the committee's decisions (Art. 70; issue 15 point 4): adjusted marks,
fails considered tolerable, levels awarded; exactly once, only from a closed deliberation."""

import datetime as dt

import pytest

from committee import services
from committee.models import Decision
from core.timeline import run_deadlines
from exams.models import Result
from students.models import ISPLine, ToleranceKind
from tests.support.worlds import on

D = dt.date
PUBLISHED = D(2024, 2, 6)  # January's publication in the factories' calendar


@pytest.fixture
def held(committee_world):
    """Education deliberates on 1 February with chair, secretary and Mo present (3 of 4 members
    with a vote): S1's E1 mark 4 is raised to 10 after the examiner was heard; S5's intolerable
    fail in E2 (6) is considered tolerable."""
    w = committee_world
    d = w.deliberation
    s1, s5 = w.students[0], w.students[4]
    with on(D(2024, 2, 1)):
        services.deliberation_open(deliberation=d)
        for member in (w.chair, w.secretary, w.member_mo):
            services.attendance_record(deliberation=d, member=member, presence="present")
        services.hearing_record(
            deliberation=d,
            kind="examiner",
            student=s1,
            course=w.courses["E1"],
            heard="Dr. Examiner",
            held_on=D(2024, 2, 1),
            present="Cato Chair, Olga Ombuds",
        )
        w.raised = services.decision_record(
            deliberation=d,
            student=s1,
            kind="mark_adjusted",
            isp_line=w.lines[s1.number, "E1"],
            new_score=10,
            reason="The exam's second question was outside the course's learning outcomes.",
        )
        w.tolerated = services.decision_record(
            deliberation=d,
            student=s5,
            kind="tolerated",
            isp_line=w.lines[s5.number, "E2"],
            reason="Hospitalised during the exam period (file of the ombudsperson).",
        )
    return w


def _publish(day=PUBLISHED):
    with on(day):
        run_deadlines(today=day)


def test_a_closed_deliberation_s_decisions_are_applied_by_the_publication(held):
    w = held
    with on(D(2024, 2, 2)):
        services.deliberation_close(deliberation=w.deliberation)
    _publish()
    s1, s5 = w.students[0], w.students[4]
    result = Result.objects.get(isp_line=w.lines[s1.number, "E1"])
    assert result.score == 10
    assert result.history.filter(history_change_reason__contains="examination committee").count() == 1
    line = ISPLine.objects.get(pk=w.lines[s1.number, "E1"].pk)
    assert line.mark == "10" and line.certified_on == PUBLISHED
    tolerated = ISPLine.objects.get(pk=w.lines[s5.number, "E2"].pk)
    assert tolerated.tolerated_on == PUBLISHED
    assert tolerated.tolerance_kind == ToleranceKind.COMMITTEE
    assert set(Decision.objects.values_list("applied_on", flat=True)) == {PUBLISHED}


def test_applied_exactly_once(held):
    w = held
    with on(D(2024, 2, 2)):
        services.deliberation_close(deliberation=w.deliberation)
    _publish()
    histories = Result.history.count()
    _publish(D(2024, 2, 20))
    assert Result.history.count() == histories
    assert set(Decision.objects.values_list("applied_on", flat=True)) == {PUBLISHED}


def test_decisions_of_a_deliberation_not_closed_are_not_applied(held):
    w = held
    _publish()
    s1 = w.students[0]
    assert Result.objects.get(isp_line=w.lines[s1.number, "E1"]).score == 4
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E1"].pk).certified_on is None
    assert list(Decision.objects.values_list("applied_on", flat=True)) == [None, None]


def test_a_rejected_decision_is_not_applied(held):
    w = held
    with on(D(2024, 2, 1)):
        services.vote_request(decision=w.raised, member=w.member_mo)
        counted = services.votes_record(
            decision=w.raised, ballots={w.chair: "against", w.secretary: "against", w.member_mo: "for"}
        )
        services.deliberation_close(deliberation=w.deliberation)
    assert not counted.adopted
    _publish()
    s1 = w.students[0]
    assert Result.objects.get(isp_line=w.lines[s1.number, "E1"]).score == 4
    assert Decision.objects.get(pk=w.raised.pk).applied_on is None


# --- A held publication (EXCHANGE.md) --------------------------------------------------------
def test_an_open_deliberation_holds_the_publication_and_closing_releases_it(held):
    from core.timeline import Transition
    from exams.publication import is_published, publication_key
    from programmes.models import ExamPeriod

    w = held
    _publish(PUBLISHED)  # the planned day: the deliberation is still open
    period = ExamPeriod.objects.get(pk=w.january.pk)
    assert not is_published(period)
    s1 = w.students[0]
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E3"].pk).certified_on is None
    _publish(D(2024, 2, 8))
    assert not is_published(period)

    with on(D(2024, 2, 9)):
        services.deliberation_close(deliberation=w.deliberation)
    period.refresh_from_db()
    w.deliberation.refresh_from_db()
    assert period.results_published_on == D(2024, 2, 9)  # every clock runs from the release
    assert w.deliberation.publication_planned_on == PUBLISHED
    _publish(D(2024, 2, 9))
    assert is_published(period)
    assert Transition.objects.get(key=publication_key(period)).due_on == D(2024, 2, 9)
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E3"].pk).certified_on == D(2024, 2, 9)
    assert Result.objects.get(isp_line=w.lines[s1.number, "E1"]).score == 10
    assert set(Decision.objects.values_list("applied_on", flat=True)) == {D(2024, 2, 9)}


def test_closing_before_the_planned_day_keeps_it(held):
    from programmes.models import ExamPeriod

    w = held
    with on(D(2024, 2, 2)):
        services.deliberation_close(deliberation=w.deliberation)
    assert ExamPeriod.objects.get(pk=w.january.pk).results_published_on == PUBLISHED
    w.deliberation.refresh_from_db()
    assert w.deliberation.publication_planned_on is None


def test_a_prepared_deliberation_never_opened_does_not_hold(committee_world):
    from exams.publication import is_published

    _publish(PUBLISHED)
    assert is_published(committee_world.january)


# --- Results announced later (Art. 69, last paragraph) ---------------------------------------
def test_a_postponed_result_is_published_on_its_own_day_with_its_decision(held):
    from core.timeline import Transition

    w = held
    s1, s2 = w.students[0], w.students[1]
    with on(D(2024, 2, 1)):
        # S1's E1 (adjusted to 10 by the committee) and S2's E3 (12) are announced on 20 February.
        for line in (w.lines[s1.number, "E1"], w.lines[s2.number, "E3"]):
            services.postponement_record(
                deliberation=w.deliberation,
                isp_line=line,
                announce_on=D(2024, 2, 20),
                reason="The examiner's second marking is still under way.",
            )
        services.deliberation_close(deliberation=w.deliberation)
    _publish(PUBLISHED)

    def line(number, code):
        return ISPLine.objects.get(pk=w.lines[number, code].pk)

    assert line(s2.number, "E2").certified_on == PUBLISHED  # the rest is published
    assert line(s2.number, "E3").outcome == "pending" and line(s2.number, "E3").certified_on is None
    assert line(s1.number, "E1").outcome == "pending"
    assert Result.objects.get(isp_line=w.lines[s1.number, "E1"]).score == 4  # its decision waits too
    assert Decision.objects.get(pk=w.raised.pk).applied_on is None
    assert Decision.objects.get(pk=w.tolerated.pk).applied_on == PUBLISHED

    _publish(D(2024, 2, 19))
    assert line(s2.number, "E3").certified_on is None
    _publish(D(2024, 2, 20))
    assert line(s2.number, "E3").certified_on == D(2024, 2, 20)
    assert (line(s1.number, "E1").mark, line(s1.number, "E1").certified_on) == ("10", D(2024, 2, 20))
    assert Decision.objects.get(pk=w.raised.pk).applied_on == D(2024, 2, 20)
    assert Transition.objects.filter(key__contains=":postponed:").count() == 2
    _publish(D(2024, 3, 1))  # exactly once
    assert Transition.objects.filter(key__contains=":postponed:").count() == 2
    assert Result.history.filter(history_change_reason__contains="examination committee").count() == 1


def test_the_pages_keep_the_examiners_mark_after_the_publication_adjusted_it(held, client):
    from django.urls import reverse

    w = held
    with on(D(2024, 2, 2)):
        services.deliberation_close(deliberation=w.deliberation)
    _publish()
    assert Decision.objects.get(pk=w.raised.pk).examiner_mark == "4"
    client.force_login(w.chair_user)
    with on(D(2024, 2, 7)):
        page = client.get(reverse("committee:deliberation", args=[w.deliberation.pk])).content.decode()
    assert "4 → <strong>10</strong>" in page
