"""The timeline knows no app: each app registers its dated facts and calendar transitions,
and the registered order is the same-day order of EXCHANGE.md."""

import datetime

import pytest

from core import timeline
from core.timeline import Stage

# EXCHANGE.md, "Same-day order": calendar transitions (locks, window ends), then enrolments
# and ISP changes and deregistrations, then publications, then student decisions (tolerance
# choices, objections), then year-end measures. Written out from the text, not from the code.
SAME_DAY_ORDER = [
    (Stage.CALENDAR, "academic_year_calendar"),
    (Stage.FACTS, "learning_account_opening"),
    (Stage.FACTS, "enrolment"),
    (Stage.FACTS, "isp_line_added"),
    (Stage.FACTS, "isp_line_removed"),
    (Stage.FACTS, "deregistration"),
    (Stage.FACTS, "degree"),
    (Stage.FACTS, "tuition_fee"),
    (Stage.PUBLICATIONS, "exam_period_publication"),
    (Stage.DECISIONS, "tolerance_choice"),
    (Stage.DECISIONS, "tolerance_objection"),
    (Stage.DECISIONS, "appeal_clock"),
    (Stage.YEAR_END, "year_end_measures"),
]


def test_registered_order_is_the_same_day_order_of_exchange_md():
    assert timeline.registered_order() == SAME_DAY_ORDER


def test_the_stages_follow_exchange_md():
    assert [s.name for s in sorted(Stage)] == ["CALENDAR", "FACTS", "PUBLICATIONS", "DECISIONS", "YEAR_END"]


@pytest.fixture
def only(monkeypatch):
    """A registry holding only what the test registers."""
    monkeypatch.setattr(timeline, "_fact_kinds", {})
    monkeypatch.setattr(timeline, "_transition_sources", {})


@pytest.mark.django_db
def test_a_day_runs_transitions_then_facts_stage_by_stage(only):
    day = datetime.date(2030, 1, 1)
    calls = []

    pending = {"late": day}

    def fact(name):
        def process(*, day):
            calls.append((name, day))
            pending.pop(name, None)  # processed: no longer pending
            return 1

        return process

    def transitions(stage, key):
        return lambda up_to: [timeline.CalendarTransition(key, day, stage, lambda: calls.append((key, day)))]

    timeline.register_fact_kind(
        timeline.FactKind("late", Stage.DECISIONS, 10, fact("late"), lambda: pending.get("late"))
    )
    timeline.register_fact_kind(timeline.FactKind("early", Stage.FACTS, 10, fact("early"), lambda: None))
    timeline.register_transition_source(
        timeline.TransitionSource("end", Stage.YEAR_END, 1, transitions(Stage.YEAR_END, "t:end"))
    )
    timeline.register_transition_source(
        timeline.TransitionSource("lock", Stage.CALENDAR, 1, transitions(Stage.CALENDAR, "t:lock"))
    )
    report = timeline.run_deadlines(today=day)
    assert [name for name, _day in calls] == ["t:lock", "early", "late", "t:end"]
    assert report.transitions == ["t:lock", "t:end"]
    # Claimed once: the transitions do not run again; a fact kind with nothing pending
    # brings no day of its own.
    calls.clear()
    assert timeline.run_deadlines(today=day).days == 0
    assert calls == []
