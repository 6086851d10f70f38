"""1°: the exam not validly taken, retaken at a moment the cluster sets, on the student's individual
exam schedule (Art. 85 §1 1°; Art. 43), and that moment withdrawn when an appeal sets the decision
aside before the retake (Art. 101 g).

The world (tests/fraud/conftest.py): S1's E1 exam of 15 January 2024 (result 4, not yet published;
January's publication on 6 February). The committee decides 1° on 1 February with the retake at
the planning's E1 moment of June (period 2: 12 June 2024, 9:00, room B.204, 180 minutes), or of
September (period 3: 2 September 2024, 13:30, room C.001, 120 minutes).
"""

import datetime

import pytest
from django.urls import reverse

from core import gates
from core.timeline import run_deadlines
from exams.models import Result
from fraud import services
from fraud.appeals import decision_set_aside
from programmes.models import ExamPeriod
from reschedules.models import ExamMoment, IndividualMoment
from reschedules.schedule import exam_schedule
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time
DECIDED = D(2024, 2, 1)
PUBLISHED = D(2024, 2, 6)
RETAKE_SOURCE = "retake after a fraud decision (Art. 85 §1 1°)"


def _run(day):
    with on(day):
        return run_deadlines(today=day)


@pytest.fixture
def retake(fraud):
    """The planning's E1 moment in June and in September."""
    june = ExamPeriod.objects.get(academic_year=fraud.year, number=2)
    september = ExamPeriod.objects.get(academic_year=fraud.year, number=3)
    fraud.june_moment = ExamMoment.objects.create(
        course=fraud.e1,
        exam_period=june,
        on=D(2024, 6, 12),
        starts_at=T(9, 0),
        room="B.204",
        announced_on=D(2024, 3, 1),
    )
    fraud.september_moment = ExamMoment.objects.create(
        course=fraud.e1,
        exam_period=september,
        on=D(2024, 9, 2),
        starts_at=T(13, 30),
        duration=120,
        room="C.001",
        announced_on=D(2024, 7, 1),
    )
    return fraud


def _decide(fraud_file, moment):
    with on(DECIDED):
        return services.decision_record(
            fraud_file=fraud_file,
            sanctions=["not_validly_taken"],
            reason="Notes under the exam sheet.",
            decided_on=DECIDED,
            retake_moment=moment,
        )


def _e1(w):
    return w.lines[w.s1.number, "E1"]


def _schedule_row(w, today, period_number):
    schedule = exam_schedule(student=w.s1, year=w.year, today=today)
    rows = [e for e in schedule.exams if e.course.code == "E1" and e.period.number == period_number]
    return rows[0] if rows else None


@pytest.mark.parametrize(
    "moment_name, period_number, sitting",
    [
        ("june_moment", 2, (D(2024, 6, 12), T(9, 0), "B.204", 180)),
        ("september_moment", 3, (D(2024, 9, 2), T(13, 30), "C.001", 120)),
    ],
)
def test_the_retake_goes_on_the_individual_schedule_once(
    fraud, retake, open_file, heard, moment_name, period_number, sitting
):
    w = retake
    moment = getattr(w, moment_name)
    decision = _decide(heard(open_file()), moment)
    if period_number == 3:  # not a second opportunity of E1: not on the schedule before the retake
        assert _schedule_row(w, D(2024, 2, 2), 3) is None
    _run(DECIDED)
    own = IndividualMoment.objects.get()
    assert (own.isp_line, own.exam_period, own.on, own.starts_at, own.room, own.duration) == (
        _e1(w),
        moment.exam_period,
        *sitting,
    )
    assert (own.source, own.reference, own.set_on, own.withdrawn_on) == (
        "fraud_retake",
        f"fraud_decision:{decision.pk}",
        DECIDED,
        None,
    )
    assert own.history.get().history_change_reason == f"individual exam moment set: {RETAKE_SOURCE}"
    # The day the student sits the retake, for the result entry.
    key = (_e1(w).pk, w.e1.pk, moment.exam_period_id)
    assert gates.exam_dates([key]) == {key: sitting[0]}
    # On the student's individual exam schedule (the September retake too, which an NA in January
    # would not otherwise bring there), shown from the day it was set.
    row = _schedule_row(w, D(2024, 2, 2), period_number)
    assert row is not None and row.individual == own
    assert (row.on, row.starts_at, row.room, row.minutes, row.moved_by) == (*sitting, None)
    assert row.opportunity == 1  # the same opportunity as the exam not validly taken (Art. 89 §1)
    # Replaying the timeline changes nothing.
    _run(D(2024, 2, 20))
    again = _run(D(2024, 2, 20))
    assert (again.days, again.facts) == (0, 0)
    assert IndividualMoment.objects.count() == 1 and IndividualMoment.history.count() == 1


def test_without_a_retake_moment_nothing_goes_on_the_schedule(fraud, retake, open_file, heard):
    _decide(heard(open_file()), None)
    _run(DECIDED)
    assert not IndividualMoment.objects.exists()
    assert Result.objects.get(isp_line=_e1(fraud)).grade == "NA"


def test_the_schedule_page_shows_the_retake_with_its_source(client, fraud, retake, open_file, heard):
    w = retake
    _decide(heard(open_file()), w.september_moment)
    _run(DECIDED)
    client.force_login(w.ombuds_user)
    with on(D(2024, 2, 2)):
        page = client.get(reverse("exams:schedule", args=[w.s1.number]) + "?year=2023-2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-individual="fraud_retake"' in html
    assert RETAKE_SOURCE in html


# --- Set aside on appeal: the retake withdrawn, the January exam valid again (Art. 101 g) ----------
def test_setting_aside_a_1_before_the_retake_withdraws_it_and_restores_the_january_mark(
    fraud, retake, open_file, heard
):
    w = retake
    decision = _decide(heard(open_file()), w.june_moment)
    _run(DECIDED)
    result = Result.objects.get(isp_line=_e1(w))
    assert (result.exam_period, result.grade) == (w.june_moment.exam_period, "NA")  # moved to the retake
    with on(D(2024, 2, 5)):
        decision_set_aside(decision=decision, by_appeal="BE-2024-001", on=D(2024, 2, 5))
    reason = "set aside on appeal BE-2024-001 (Art. 101 g)"
    result.refresh_from_db()
    assert (result.exam_period, result.opportunity, result.score, result.grade) == (w.january, 1, 4, "")
    assert result.history.latest("history_id").history_change_reason == reason
    own = IndividualMoment.objects.get()
    assert (own.withdrawn_on, own.withdrawn_reason) == (D(2024, 2, 5), reason)
    row = _schedule_row(w, D(2024, 3, 2), 2)
    assert row is not None and row.individual is None  # the planning's June moment, for everyone
    # January's publication reads the examiner's 4 again.
    _run(PUBLISHED)
    _e1(w).refresh_from_db()
    assert _e1(w).mark == "4"


def test_a_retake_already_marked_stays_when_the_decision_is_set_aside_later(fraud, retake, open_file, heard):
    """The examiner entered the retake's 13 in June: the result no longer holds what the sanction
    set (NA) and is kept; the retake sat stays on the schedule as it happened."""
    from exams.results import result_record

    w = retake
    decision = _decide(heard(open_file()), w.june_moment)
    _run(DECIDED)
    result_record(isp_line=_e1(w), exam_period=w.june_moment.exam_period, opportunity=1, mark=13, today=D(2024, 6, 12))
    with on(D(2024, 6, 20)):
        decision_set_aside(decision=decision, by_appeal="BE-2024-002", on=D(2024, 6, 20))
    result = Result.objects.get(isp_line=_e1(w))
    assert (result.exam_period, result.score) == (w.june_moment.exam_period, 13)
    assert IndividualMoment.objects.get().withdrawn_on is None


def test_the_chair_chooses_the_retake_moment_on_the_decision_form(client, retake, open_file, heard):
    """The decision form offers E1's moments of the year; a moment without 1° is refused on the
    field with the article, nothing written; with 1° the decision keeps it."""
    w = retake
    fraud_file = heard(open_file())
    client.force_login(w.chair_user)
    url = reverse("fraud:decision_record", args=[fraud_file.pk])
    with on(DECIDED):
        page = client.get(reverse("fraud:file_detail", args=[fraud_file.pk])).content.decode()
        assert 'name="retake_moment"' in page and "12/06/2024" in page
        refused = client.post(
            url,
            {
                "sanctions": ["zero_exam"],
                "retake_moment": w.june_moment.pk,
                "reason": "Notes under the sheet.",
                "decided_on": "2024-02-01",
            },
        )
        assert refused.status_code == 422
        assert "Art. 85 §1 1°" in refused.content.decode()
        assert not fraud_file.decisions.exists()
        done = client.post(
            url,
            {
                "sanctions": ["not_validly_taken"],
                "retake_moment": w.june_moment.pk,
                "reason": "The exam was disturbed by a fire alarm the student caused.",
                "decided_on": "2024-02-01",
            },
        )
    assert done.status_code == 302
    assert fraud_file.decisions.get().retake_moment == w.june_moment
