"""The timeline: every dated fact and calendar transition, processed once, in date order.

``run_deadlines(today=D)`` repeatedly takes the earliest day that still has
something due (up to D) and processes that day in the same-day order of
EXCHANGE.md:

1. calendar transitions (academic-year start, the 1 December and 15 March locks);
2. facts: learning accounts that open, enrolments, ISP lines added and removed,
   deregistrations, degrees;
3. publications of exam results;
4. student decisions: tolerance choices and objections; the appeal clocks;
5. year-end measures (on the academic year's ``ends_on``).

Facts carry a ``processed`` marker set in the same transaction that handles
them; calendar transitions are recorded in ``core.Transition`` (unique key),
whose row is inserted first so that a second process running the same
transition waits on it and then skips it. Live changes made in the
application call the same services for their own day.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Min

from appeals.services import appeal_clocks_pending_on, appeal_clocks_process
from exams.models import ToleranceChoice, ToleranceObjection
from exams.services import results_publish, tolerance_choices_process, tolerance_objections_process
from fees.services import fees_process
from programmes.models import AcademicYear, ExamPeriod
from students import services as student_services
from students.measures import measures_take
from students.models import Degree, Enrolment, ISPLine

from .models import Transition

logger = logging.getLogger(__name__)


@dataclass
class Report:
    today: datetime.date
    days: int = 0
    transitions: list[str] = field(default_factory=list)
    facts: int = 0

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "transitions": self.transitions,
            "facts": self.facts,
        }


@dataclass(frozen=True)
class CalendarTransition:
    key: str
    due_on: datetime.date
    stage: int
    run: Callable[[], object]


def publication_key(period: ExamPeriod) -> str:
    """The transition that publishes ``period``'s results (Art. 86): once it is
    processed, the period's results are official."""
    return f"exam_period:{period.academic_year.code}:{period.number}:publication"


def calendar_transitions(up_to: datetime.date) -> list[CalendarTransition]:
    """Every calendar transition due on or before ``up_to`` that is not processed yet."""
    done = set(Transition.objects.filter(due_on__lte=up_to).values_list("key", flat=True))
    found = []
    for year in AcademicYear.objects.filter(starts_on__lte=up_to):
        candidates = [
            (f"ay:{year.code}:start", year.starts_on, 1, lambda y=year: student_services.rebuild_grant(year=y)),
            (
                f"ay:{year.code}:first_semester_lock",
                year.first_semester_lock,
                1,
                lambda y=year: student_services.lines_lock(year=y, semesters=["1", "year"], day=y.first_semester_lock),
            ),
            (
                f"ay:{year.code}:second_semester_lock",
                year.second_semester_lock,
                1,
                lambda y=year: student_services.lines_lock(year=y, semesters=["2"], day=y.second_semester_lock),
            ),
        ]
        candidates.append((f"ay:{year.code}:year_end", year.ends_on, 5, lambda y=year: measures_take(year=y)))
        found += [CalendarTransition(k, d, s, r) for k, d, s, r in candidates if d <= up_to and k not in done]
    for period in ExamPeriod.objects.filter(results_published_on__lte=up_to).select_related("academic_year"):
        key = publication_key(period)
        if key not in done:
            found.append(
                CalendarTransition(key, period.results_published_on, 3, lambda p=period: results_publish(period=p))
            )
    return found


def _earliest_fact_day(up_to: datetime.date) -> datetime.date | None:
    candidates = [
        student_services.openings_pending_on(),
        Enrolment.objects.filter(enrolment_processed=False).aggregate(d=Min("enrolled_on"))["d"],
        ISPLine.objects.filter(add_processed=False).aggregate(d=Min("added_on"))["d"],
        ISPLine.objects.filter(removal_processed=False, removed_on__isnull=False).aggregate(d=Min("removed_on"))["d"],
        Enrolment.objects.filter(deregistration_processed=False, deregistered_on__isnull=False).aggregate(
            d=Min("deregistered_on")
        )["d"],
        Degree.objects.filter(processed=False).aggregate(d=Min("on"))["d"],
        ToleranceChoice.objects.filter(processed=False).aggregate(d=Min("on"))["d"],
        ToleranceObjection.objects.filter(processed=False).aggregate(d=Min("on"))["d"],
        appeal_clocks_pending_on(),
    ]
    due = [d for d in candidates if d is not None and d <= up_to]
    return min(due, default=None)


def _run_transition(transition: CalendarTransition, report: Report) -> None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Claimed first: a second process inserting the same key waits here
                # until this transaction ends, then finds it taken.
                Transition.objects.create(key=transition.key, due_on=transition.due_on)
        except IntegrityError:
            logger.info("transition %s already processed", transition.key)
            return
        transition.run()
    report.transitions.append(transition.key)


FACT_STAGES = (
    student_services.accounts_open,
    student_services.enrolments_process,
    student_services.isp_additions_process,
    student_services.isp_removals_process,
    student_services.deregistrations_process,
    student_services.degrees_process,
    # Last: the tuition fee follows the day's enrolments, ISP lines and deregistrations.
    fees_process,
)


# Appeal clocks (Art. 101): void when not elaborated in time, flagged when overdue.
DECISION_STAGES = (tolerance_choices_process, tolerance_objections_process, appeal_clocks_process)


def process_day(day: datetime.date, transitions: list[CalendarTransition], report: Report) -> None:
    for transition in sorted((t for t in transitions if t.stage == 1), key=lambda t: t.key):
        _run_transition(transition, report)
    for stage in FACT_STAGES:
        report.facts += stage(day=day)
    for transition in sorted((t for t in transitions if t.stage == 3), key=lambda t: t.key):
        _run_transition(transition, report)
    for stage in DECISION_STAGES:
        report.facts += stage(day=day)
    for transition in sorted((t for t in transitions if t.stage == 5), key=lambda t: t.key):
        _run_transition(transition, report)


def run_deadlines(*, today: datetime.date) -> Report:
    """Bring the system up to ``today``; running it again changes nothing."""
    report = Report(today=today)
    while True:
        pending = calendar_transitions(today)
        fact_day = _earliest_fact_day(today)
        days = [t.due_on for t in pending] + ([fact_day] if fact_day else [])
        if not days:
            return report
        day = min(days)
        process_day(day, [t for t in pending if t.due_on == day], report)
        report.days += 1
