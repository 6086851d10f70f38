"""Individual exam moments set by another decision (Art. 43; Art. 85 §1 1°: the retake after a fraud
decision): set once per reference, withdrawn, on the individual exam schedule and answering
``core.gates.exam_dates``; of them and the accepted reschedule requests the latest decision wins.

World: tests/reschedules/ombuds_world.py. Student r0000001's A101 is examined on 11 January 2027
at 9:00 (period 1); A101 has no planning moment in period 2. A force-majeure request for A101,
logged on 23 November 2026, is accepted on 24 November with the new moment 20 January 2027 10:00.
"""

import pytest

from core import gates
from core.errors import RefusedValidationError
from reschedules import services as ombuds
from reschedules.calendar import schedule_calendar
from reschedules.models import IndividualMoment
from reschedules.schedule import exam_schedule
from tests.reschedules.ombuds_world import D, T, add_ombuds_world, log
from tests.support.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db

SOURCE = "retake after a fraud decision (Art. 85 §1 1°)"


@pytest.fixture
def world(coach_world):
    return add_ombuds_world(coach_world)


RETAKE_ON, RETAKE_AT, SET_ON = D(2027, 1, 25), T(14, 0), D(2026, 11, 25)


def _set(world, *, period=1, on=RETAKE_ON, starts_at=RETAKE_AT, set_on=SET_ON, reference="fraud_decision:7"):
    return ombuds.individual_moment_set(
        isp_line=world.lines["A101"],
        exam_period=world.periods[period],
        on=on,
        starts_at=starts_at,
        room="D.010",
        duration=120,
        source="fraud_retake",
        reference=reference,
        set_on=set_on,
    )


def _accept(world):
    request = log(world)
    return ombuds.request_decide(
        request=request,
        accepted=True,
        reason="Hospitalised.",
        new_on=D(2027, 1, 20),
        new_starts_at=T(10, 0),
        today=D(2026, 11, 24),
        by=world.ombudsperson,
    )


def _day(world, period=1):
    key = (world.lines["A101"].pk, world.courses["A101"].pk, world.periods[period].pk)
    return gates.exam_dates([key]).get(key)


def test_a_moment_is_set_once_per_reference(world):
    first = _set(world)
    again = _set(world, on=D(2027, 1, 30), starts_at=T(9, 0))  # a replay of the deciding record
    assert again.pk == first.pk
    own = IndividualMoment.objects.get()
    assert (own.on, own.starts_at, own.room, own.duration, own.source, own.set_on) == (
        D(2027, 1, 25),
        T(14, 0),
        "D.010",
        120,
        "fraud_retake",
        D(2026, 11, 25),
    )
    assert own.history.get().history_change_reason == f"individual exam moment set: {SOURCE}"
    assert _day(world) == D(2027, 1, 25)


def test_a_moment_outside_the_line_s_academic_year_is_refused(world):
    other_year = AcademicYearFactory(first_year=2027)
    with pytest.raises(RefusedValidationError) as refused:
        ombuds.individual_moment_set(
            isp_line=world.lines["A101"],
            exam_period=other_year.exam_periods.get(number=1),
            on=D(2028, 1, 12),
            starts_at=T(9, 0),
            source="fraud_retake",
            reference="fraud_decision:8",
            set_on=D(2026, 11, 25),
        )
    assert "(Art. 43)" in refused.value.problems[0].message
    assert not IndividualMoment.objects.exists()


@pytest.mark.parametrize(
    "set_on, day",
    [
        (D(2026, 11, 20), D(2027, 1, 20)),  # set before the request was accepted: the request moves it
        (D(2026, 11, 24), D(2027, 1, 20)),  # the same day: the request wins
        (D(2026, 11, 25), D(2027, 1, 25)),  # set after: the individual moment
    ],
)
def test_the_latest_decision_places_the_exam(world, set_on, day):
    _accept(world)
    _set(world, set_on=set_on)
    assert _day(world) == day
    exam = next(
        e
        for e in exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 26)).exams
        if e.course.code == "A101" and e.period.number == 1
    )
    assert exam.on == day
    assert (exam.moved_by is not None) == (day == D(2027, 1, 20))


def test_a_withdrawn_moment_leaves_the_planning_s_moment(world):
    _set(world)
    withdrawn = ombuds.individual_moment_withdraw(
        reference="fraud_decision:7", on=D(2026, 12, 1), reason="set aside on appeal BE-1 (Art. 101 g)"
    )
    assert (withdrawn.withdrawn_on, withdrawn.withdrawn_reason) == (
        D(2026, 12, 1),
        "set aside on appeal BE-1 (Art. 101 g)",
    )
    assert _day(world) == D(2027, 1, 11)
    again = ombuds.individual_moment_withdraw(reference="fraud_decision:7", on=D(2026, 12, 5), reason="again")
    assert again.withdrawn_on == D(2026, 12, 1)
    assert IndividualMoment.history.count() == 2
    assert ombuds.individual_moment_withdraw(reference="fraud_decision:99", on=D(2026, 12, 5), reason="x") is None


def test_a_moment_in_a_period_without_a_planning_moment_is_on_the_schedule_from_the_day_it_was_set(world):
    _set(world, period=2, on=D(2027, 6, 14), starts_at=T(13, 0), set_on=D(2026, 12, 1))
    before = exam_schedule(student=world.student, year=world.year, today=D(2026, 11, 30))
    assert not [e for e in before.exams if e.course.code == "A101" and e.period.number == 2]
    schedule = exam_schedule(student=world.student, year=world.year, today=D(2026, 12, 1))
    (exam,) = [e for e in schedule.exams if e.course.code == "A101" and e.period.number == 2]
    assert (exam.on, exam.starts_at, exam.room, exam.minutes, exam.ends_at) == (
        D(2027, 6, 14),
        T(13, 0),
        "D.010",
        120,
        T(15, 0),
    )
    assert _day(world, period=2) == D(2027, 6, 14)
    assert SOURCE in schedule_calendar(schedule).decode().replace("\r\n ", "")  # unfolded (RFC 5545)


def test_the_admin_reads_a_moment_with_its_history(client, world):
    from django.urls import reverse

    own = _set(world)
    client.force_login(world.admin)
    assert client.get(reverse("admin:reschedules_individualmoment_change", args=[own.pk])).status_code == 200
    page = client.get(reverse("admin:reschedules_individualmoment_history", args=[own.pk]))
    assert page.status_code == 200
