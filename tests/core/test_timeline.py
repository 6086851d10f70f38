"""The timeline processes every fact and transition once, in date order; it knows no app:
each app registers its dated facts and calendar transitions, in the same-day order of
EXCHANGE.md."""

import datetime as dt
import threading

import pytest
from django.db import connection

from core import timeline
from core.models import Transition
from core.timeline import Stage, run_deadlines
from students import services
from students.models import EnrolmentStatus, LearningAccountEntry, Student
from tests.core import scenario

D = dt.date
END_OF_YEAR = D(2024, 9, 30)


def ledger() -> list[tuple]:
    return list(
        LearningAccountEntry.objects.order_by("student__number", "on", "source", "kind").values_list(
            "student__number", "on", "credits", "kind", "source"
        )
    )


def balances() -> dict[str, int]:
    return {s.number: s.learning_account_balance() for s in Student.objects.all()}


@pytest.fixture
def college(db):
    return scenario.build()


def test_balances_follow_the_rules(college):
    run_deadlines(today=END_OF_YEAR)
    assert balances() == scenario.EXPECTED_BALANCES_END_OF_2023_2024


def test_statuses_after_the_year(college):
    run_deadlines(today=END_OF_YEAR)
    status = dict(
        Student.objects.values_list("number", "enrolments__status").filter(enrolments__programme__code="BA-X")
    )
    assert status["S3"] == EnrolmentStatus.DEREGISTERED
    assert status["S7"] == EnrolmentStatus.REFUSED
    assert status["S1"] == EnrolmentStatus.ENROLLED


def test_rebuild_after_a_first_master_is_ten_a_year(college):
    run_deadlines(today=D(2024, 9, 1))
    assert Student.objects.get(number="S8").learning_account_balance() == 150 - 140
    run_deadlines(today=D(2024, 10, 1))
    assert Student.objects.get(number="S8").learning_account_balance() == 10 + 10  # start of 2024-2025
    run_deadlines(today=D(2025, 10, 1))
    assert Student.objects.get(number="S8").learning_account_balance() == 10 + 10 + 10  # and of 2025-2026


def test_running_twice_for_the_same_day_changes_nothing(college):
    run_deadlines(today=END_OF_YEAR)
    first = ledger()
    report = run_deadlines(today=END_OF_YEAR)
    assert ledger() == first
    assert report.days == 0 and report.facts == 0 and report.transitions == []


def test_an_earlier_day_changes_nothing(college):
    run_deadlines(today=END_OF_YEAR)
    first = ledger()
    run_deadlines(today=D(2024, 1, 1))
    assert ledger() == first


def test_day_by_day_equals_one_jump_and_three_jumps(college, django_db_blocker):
    run_deadlines(today=END_OF_YEAR)
    one_jump = ledger()
    LearningAccountEntry.objects.all().delete()
    _reset_markers()
    for day in (D(2023, 11, 30), D(2024, 3, 14), END_OF_YEAR):
        run_deadlines(today=day)
    assert ledger() == one_jump
    LearningAccountEntry.objects.all().delete()
    _reset_markers()
    day = D(2023, 8, 1)
    while day <= END_OF_YEAR:
        run_deadlines(today=day)
        day += dt.timedelta(days=1)
    assert ledger() == one_jump


def _reset_markers():
    from students.models import Degree, Enrolment, ISPLine

    Transition.objects.all().delete()
    Student.objects.update(account_opened=False)
    Enrolment.objects.update(
        enrolment_processed=False,
        deregistration_processed=False,
        status=EnrolmentStatus.ENROLLED,
        balance_at_enrolment=None,
    )
    ISPLine.objects.update(
        add_processed=False,
        removal_processed=False,
        deducted_credits=0,
        locked_on=None,
        mark="",
        outcome="pending",
        certified_on=None,
    )
    Degree.objects.update(processed=False)


def test_a_failure_half_way_is_completed_by_the_next_run(college, monkeypatch):
    run_deadlines(today=END_OF_YEAR)
    reference = ledger()
    LearningAccountEntry.objects.all().delete()
    _reset_markers()

    calls = {"n": 0}
    original = services.ledger_book

    def failing(entries):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("injected failure")
        return original(entries)

    monkeypatch.setattr(services, "ledger_book", failing)
    with pytest.raises(RuntimeError):
        run_deadlines(today=END_OF_YEAR)
    partial = ledger()
    assert 0 < len(partial) < len(reference)
    monkeypatch.setattr(services, "ledger_book", original)
    run_deadlines(today=END_OF_YEAR)
    assert ledger() == reference


def test_the_lock_makes_semester_lines_final(college):
    run_deadlines(today=D(2023, 12, 1))
    s1 = Student.objects.get(number="S1")
    lines = {line.course.code: line for line in s1.enrolments.get().lines.select_related("course")}
    assert lines["C01"].locked_on == D(2023, 12, 1)  # semester 1
    assert lines["C06"].locked_on == D(2023, 12, 1)  # year course
    assert lines["C07"].locked_on is None  # semester 2 waits for 15 March
    run_deadlines(today=D(2024, 3, 15))
    assert s1.enrolments.get().lines.get(course__code="C07").locked_on == D(2024, 3, 15)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
def test_two_processes_at_once_book_each_entry_once():
    scenario.build()
    errors = []

    def worker():
        try:
            run_deadlines(today=END_OF_YEAR)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert balances() == scenario.EXPECTED_BALANCES_END_OF_2023_2024
    sources = list(LearningAccountEntry.objects.values_list("source", "kind"))
    assert len(sources) == len(set(sources))


# --- The timeline knows no app: each app registers its dated facts and calendar transitions,
# and the registered order is the same-day order of EXCHANGE.md.
# (formerly tests/core/test_timeline_registry.py)


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
    # A fraud sanction is a dated fact (Art. 85): carried out before the same day's publication,
    # which then announces it, and before the tuition fee that follows its ledger corrections.
    (Stage.FACTS, "fraud_sanction"),
    (Stage.FACTS, "tuition_fee"),
    (Stage.PUBLICATIONS, "exam_period_publication"),
    # A held programme is published after its period's publication (EXCHANGE.md), and its
    # postponed results after it.
    (Stage.PUBLICATIONS, "held_publication_release"),
    (Stage.PUBLICATIONS, "postponed_result_publication"),
    # The individual exam schedules published (Art. 43, ies_opens): after the day's ISP changes.
    (Stage.PUBLICATIONS, "exam_schedule_publication"),
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
    day = D(2030, 1, 1)
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
    # No pending day of its own (as the tuition fee): it follows the days the others bring.
    timeline.register_fact_kind(timeline.FactKind("early", Stage.FACTS, 10, fact("early")))
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


@pytest.mark.django_db
def test_a_kind_with_nothing_due_is_not_asked_and_idle_days_cost_no_query(only, django_assert_max_num_queries):
    """Issue 19 §3: a day runs only the kinds with a fact due by it, and the days between two
    days with facts cost nothing: the pending days are read once, then again only for the
    kinds that ran."""
    calls, asked = [], []
    pending = {"a": [D(2030, 1, 1), D(2030, 3, 1)], "b": [D(2030, 2, 1)]}

    def kind(name):
        def process(*, day):
            calls.append((name, day))
            pending[name] = [d for d in pending[name] if d > day]
            return 1

        def pending_on():
            asked.append(name)
            return min(pending[name], default=None)

        return timeline.FactKind(name, Stage.FACTS, 10 if name == "a" else 20, process, pending_on)

    timeline.register_fact_kind(kind("a"))
    timeline.register_fact_kind(kind("b"))
    # The transitions read (one query) at the start and at the last look; nothing else.
    with django_assert_max_num_queries(2):
        report = timeline.run_deadlines(today=D(2030, 12, 31))
    assert calls == [("a", D(2030, 1, 1)), ("b", D(2030, 2, 1)), ("a", D(2030, 3, 1))]
    assert report.days == 3 and report.facts == 3
    # Each kind asked at the start, after each day with work (b, later in the day than a, is
    # asked again on a's days), and at the last look.
    assert asked.count("a") == 1 + 3 + 1 and asked.count("b") == 1 + 2 + 3 + 1


@pytest.mark.django_db
def test_a_run_reads_pending_days_from_the_day_it_processes_and_its_last_look_from_the_beginning(only):
    """Issue 19 §3: within a run, a kind may read its pending day from the day being processed
    on (``pending_from``: the index entries of the rows it processed are skipped). A fact
    recorded meanwhile with an earlier date is not lost: the run's last look reads from the
    beginning and processes it. Here a's fact of 1 January records a fact of b dated 1 December
    before: invisible while the run reads from 1 January, processed by the last look."""
    calls, bounds = [], []
    pending = {"a": [D(2030, 1, 1), D(2030, 3, 1)], "b": []}

    def kind(name):
        def process(*, day):
            calls.append((name, day))
            pending[name] = [d for d in pending[name] if d > day]
            if name == "a" and day == D(2030, 1, 1):
                pending["b"].append(D(2029, 12, 1))
            return 1

        def pending_on():
            since = timeline.pending_from()
            bounds.append(since)
            return min((d for d in pending[name] if since is None or d >= since), default=None)

        return timeline.FactKind(name, Stage.FACTS, 10 if name == "a" else 20, process, pending_on)

    timeline.register_fact_kind(kind("a"))
    timeline.register_fact_kind(kind("b"))
    report = timeline.run_deadlines(today=D(2030, 12, 31))
    assert calls == [("a", D(2030, 1, 1)), ("a", D(2030, 3, 1)), ("b", D(2029, 12, 1))]
    assert report.days == 3
    assert bounds[:2] == [None, None]  # the first read, from the beginning
    assert D(2030, 1, 1) in bounds and D(2030, 3, 1) in bounds
    assert bounds[-2:] == [None, None]  # the last look
    assert timeline.pending_from() is None  # outside a run


def test_the_students_pending_days_are_read_in_one_query_at_each_read(college):
    """Issue 19 §3: the timeline reads every kind's pending day after each day with work; the
    students' six kinds (accounts, enrolments, lines added and removed, deregistrations, degrees)
    answer that read from one query, with the days each gives when asked alone."""
    from django.test.utils import CaptureQueriesContext

    from students import deadlines

    students_kinds = [k for k in timeline.fact_kinds() if k.pending_on is not None and k.name in STUDENT_KINDS]
    assert {k.name for k in students_kinds} == STUDENT_KINDS
    for today in (D(2023, 9, 1), END_OF_YEAR):
        alone = {k.name: timeline._pending_day(k, today) for k in students_kinds}
        assert timeline.pending_read() is None
        with CaptureQueriesContext(connection) as captured:
            together = timeline._pending_days(students_kinds, today)
        assert together == alone
        assert any(day is not None for day in alone.values())
        assert len(captured) == 1
        assert deadlines.openings_pending_on.together is deadlines.PENDING
        run_deadlines(today=today)
    # Processed up to the end of the year: nothing of the students is pending by then any more.
    assert timeline._pending_days(students_kinds, END_OF_YEAR) == dict.fromkeys(STUDENT_KINDS)


STUDENT_KINDS = {
    "learning_account_opening",
    "enrolment",
    "isp_line_added",
    "isp_line_removed",
    "deregistration",
    "degree",
}
