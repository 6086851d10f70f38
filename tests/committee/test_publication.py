"""The publication applies the committee's decisions (Art. 70; issue 15 point 4): adjusted marks,
fails considered tolerable, levels awarded; exactly once, only from a closed deliberation."""

import datetime as dt

import pytest
from django.db import transaction

from committee import services
from committee.models import Decision
from core.timeline import run_deadlines
from exams import fanout
from exams.models import Result
from exams.services import results_publish
from programmes.models import ExamPeriod
from students.models import ISPLine, ToleranceKind
from tests.support.publication import publication_rows
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


def test_spread_over_the_workers_the_decisions_are_applied_as_in_the_process(held, eager):
    """Issue 19: a worker plans its batch without writing (exams.fanout): the raised mark and the
    committee's tolerance enter the automatic tolerance's standings from its plan."""
    w = held
    with on(D(2024, 2, 2)):
        services.deliberation_close(deliberation=w.deliberation)
    _publish(PUBLISHED - dt.timedelta(days=1))
    period = ExamPeriod.objects.get(results_published_on=PUBLISHED)
    with on(PUBLISHED):
        with transaction.atomic():
            results_publish(period=period)
            expected = publication_rows()
            transaction.set_rollback(True)
        assert fanout.publish_spread(period=period)

    assert publication_rows() == expected
    s1, s5 = w.students[0], w.students[4]
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E1"].pk).mark == "10"
    tolerated = ISPLine.objects.get(pk=w.lines[s5.number, "E2"].pk)
    assert (tolerated.tolerated_on, tolerated.tolerance_kind) == (PUBLISHED, ToleranceKind.COMMITTEE)
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
@pytest.fixture
def tech_student(held):
    """T1 studies Bachelor Technology (the Technology committee, which does not deliberate on
    January): a 14 in T-1."""
    from tests.support.factories import CourseFactory, EnrolmentFactory, ISPLineFactory, StudentFactory

    w = held
    course = CourseFactory(programme=w.tech, code="T-1", name="Course T-1", credits=6, stage=1)
    student = StudentFactory(number="t0000001", first_name="Tom", last_name="Technology")
    enrolment = EnrolmentFactory(
        student=student, academic_year=w.january.academic_year, programme=w.tech, enrolled_on=D(2023, 9, 15)
    )
    line = ISPLineFactory(enrolment=enrolment, course=course)
    Result.objects.create(isp_line=line, exam_period=w.january, opportunity=1, score=14)
    return line


def test_an_open_deliberation_holds_its_programmes_and_closing_releases_them(held, tech_student):
    from core.timeline import Transition
    from exams.models import HeldPublication
    from exams.publication import is_published, publication_day, publication_key, release_key
    from programmes.models import ExamPeriod

    w = held
    s1 = w.students[0]
    _publish(PUBLISHED)  # the planned day: Education's deliberation is still open
    period = ExamPeriod.objects.get(pk=w.january.pk)
    assert is_published(period)
    # Technology's results are published on the calendar's day ...
    assert ISPLine.objects.get(pk=tech_student.pk).certified_on == PUBLISHED
    assert publication_day(period, w.tech.pk) == PUBLISHED
    # ... Education's two programmes wait.
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E3"].pk).certified_on is None
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E3"].pk).outcome == "pending"
    assert publication_day(period, w.programme.pk) is None
    assert set(HeldPublication.objects.values_list("programme__code", "released_on")) == {
        ("BA-E", None),
        ("BA-E2", None),
    }
    _publish(D(2024, 2, 8))
    assert publication_day(period, w.programme.pk) is None

    with on(D(2024, 2, 9)):
        services.deliberation_close(deliberation=w.deliberation)
    period.refresh_from_db()
    w.deliberation.refresh_from_db()
    assert period.results_published_on == PUBLISHED  # the calendar is not changed
    assert w.deliberation.publication_planned_on == PUBLISHED
    _publish(D(2024, 2, 9))
    assert publication_day(period, w.programme.pk) == D(2024, 2, 9)  # every clock runs from the release
    assert publication_day(period, w.tech.pk) == PUBLISHED
    assert Transition.objects.get(key=release_key(period, "BA-E")).due_on == D(2024, 2, 9)
    assert Transition.objects.get(key=publication_key(period)).due_on == PUBLISHED
    assert ISPLine.objects.get(pk=w.lines[s1.number, "E3"].pk).certified_on == D(2024, 2, 9)
    assert Result.objects.get(isp_line=w.lines[s1.number, "E1"]).score == 10
    assert set(Decision.objects.values_list("applied_on", flat=True)) == {D(2024, 2, 9)}
    # Exactly once.
    _publish(D(2024, 3, 1))
    assert Transition.objects.filter(key__contains=":programme:").count() == 2
    assert Result.history.filter(history_change_reason__contains="examination committee").count() == 1


def test_a_replay_of_a_deliberation_closed_late_publishes_its_programmes_on_the_closing_day(held, tech_student):
    """Deliberations recorded closed before the timeline runs (imported or demo history) hold their
    programmes exactly as they did live: the replay depends on the dates, not on when it runs."""
    from exams.publication import publication_day

    w = held
    with on(D(2024, 2, 12)):
        services.deliberation_close(deliberation=w.deliberation)
    _publish(D(2024, 3, 1))
    assert publication_day(w.january, w.tech.pk) == PUBLISHED
    assert publication_day(w.january, w.programme.pk) == D(2024, 2, 12)
    assert ISPLine.objects.get(pk=w.lines[w.students[0].number, "E3"].pk).certified_on == D(2024, 2, 12)
    assert ISPLine.objects.get(pk=tech_student.pk).certified_on == PUBLISHED


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


def test_a_held_programmes_clocks_run_from_its_release(held, tech_student):
    """S4's 9 in E1 is a tolerable fail: the 15 days to choose to tolerate it (Art. 91 §2) run
    from Education's release on 9 February (to 24 February), not from the calendar's 6 February
    (to 21 February); an appeal's term and the lock on editing the result run from it too."""
    from exams.publication import publication_day
    from exams.results import result_published_on
    from exams.services import tolerance_choice_check

    w = held
    s4 = w.students[3]
    _publish(PUBLISHED)
    with on(D(2024, 2, 9)):
        services.deliberation_close(deliberation=w.deliberation)
    _publish(D(2024, 2, 9))
    line = ISPLine.objects.select_related("enrolment", "course").get(pk=w.lines[s4.number, "E1"].pk)
    assert line.outcome == "tolerable"
    assert tolerance_choice_check(line=line, on=D(2024, 2, 23)) is None
    assert tolerance_choice_check(line=line, on=D(2024, 2, 24)) is None
    assert tolerance_choice_check(line=line, on=D(2024, 2, 25)) == "window_closed"
    result = Result.objects.select_related("exam_period", "isp_line__enrolment").get(isp_line=line)
    assert result_published_on(result) == D(2024, 2, 9)
    assert publication_day(w.january, w.programme_2.pk) == D(2024, 2, 9)
