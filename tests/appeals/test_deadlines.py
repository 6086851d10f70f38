"""The appeal clocks are dated facts of the timeline: processed once, in date order, by
``run_deadlines`` like every other deadline (Art. 101)."""

import datetime as dt

from appeals import services
from appeals.models import Appeal
from core.timeline import _earliest_fact_day, run_deadlines
from tests.support.worlds import on

D = dt.date
FILED = D(2024, 2, 10)


def state():
    return list(Appeal.objects.order_by("pk").values_list("status", "voided_on", "overdue_since"))


def history_count():
    return Appeal.history.count()


def register(world, *, posted_on=FILED, **kwargs):
    with on(posted_on):
        return services.appeal_register(
            student=world.student,
            category="f",
            posted_on=posted_on,
            result=world.result,
            facts_and_objections=kwargs.pop("facts", "Question 3 was not marked."),
            by=world.administration,
            **kwargs,
        )


def test_a_pending_appeal_not_elaborated_is_void_on_day_6_not_on_day_5(college):
    register(college, pending_feedback=True)
    assert _earliest_fact_day(D(2024, 3, 31)) == D(2024, 2, 16)
    report = run_deadlines(today=D(2024, 2, 15))
    assert state() == [("open", None, None)] and report.facts == 0
    report = run_deadlines(today=D(2024, 2, 16))
    assert state() == [("void", D(2024, 2, 16), None)]
    assert report.days == 1 and report.facts == 1


def test_an_open_appeal_is_flagged_overdue_on_day_20_not_on_day_19(college):
    register(college)
    run_deadlines(today=D(2024, 2, 29))
    assert state() == [("open", None, None)]
    run_deadlines(today=D(2024, 3, 1))
    assert state() == [("open", None, D(2024, 3, 1))]


def test_the_stamps_are_the_rules_dates_whenever_the_timeline_runs(college):
    register(college, pending_feedback=True)
    register(college, posted_on=D(2024, 2, 11))
    run_deadlines(today=D(2024, 6, 30))  # months later, in one run
    assert state() == [("void", D(2024, 2, 16), None), ("open", None, D(2024, 3, 2))]


def test_running_twice_changes_nothing(college):
    register(college, pending_feedback=True)
    register(college, posted_on=D(2024, 2, 11))
    run_deadlines(today=D(2024, 3, 5))
    first, records = state(), history_count()
    report = run_deadlines(today=D(2024, 3, 5))
    assert (state(), history_count()) == (first, records)
    assert report.days == 0 and report.facts == 0
    assert _earliest_fact_day(D(2024, 12, 31)) is None


def test_a_decided_or_elaborated_appeal_has_no_clock(college):
    elaborated = register(college, pending_feedback=True)
    with on(D(2024, 2, 12)):
        services.appeal_elaborate(
            appeal=elaborated, on=D(2024, 2, 12), facts_and_objections="Part B.", by=college.administration
        )
        services.appeal_decide(
            appeal=register(college, posted_on=D(2024, 2, 12)),
            outcome="unfounded",
            on=D(2024, 2, 12),
            reason="The mark stands.",
            by=college.administration,
        )
    run_deadlines(today=D(2024, 2, 20))
    assert state() == [("open", None, None), ("decided", None, None)]
    run_deadlines(today=D(2024, 3, 1))
    # The elaborated one is now simply overdue (filed 10 February, due 29 February).
    assert state() == [("open", None, D(2024, 3, 1)), ("decided", None, None)]


def test_the_clocks_are_recorded_in_the_history_without_a_user(college):
    appeal = register(college, pending_feedback=True)
    run_deadlines(today=D(2024, 2, 16))
    record = appeal.history.order_by("-history_id").first()
    assert record.history_user is None
    assert record.history_change_reason == "Void: not elaborated within five days"


def test_an_appeal_registered_late_processes_its_own_clocks_at_once(college):
    # Posted 10 February pending feedback, registered only on 1 March: void since 16 February
    # and never overdue.
    with on(D(2024, 3, 1)):
        appeal = services.appeal_register(
            student=college.student,
            category="f",
            posted_on=D(2024, 2, 10),
            result=college.result,
            pending_feedback=True,
            by=college.administration,
        )
    assert (appeal.status, appeal.voided_on, appeal.overdue_since) == ("void", D(2024, 2, 16), None)
