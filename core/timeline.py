"""The timeline: every dated fact and calendar transition, processed once, in date order.

``run_deadlines(today=D)`` repeatedly takes the earliest day that still has
something due (up to D) and processes that day stage by stage, in the same-day
order of EXCHANGE.md:

1. ``Stage.CALENDAR``: calendar transitions (academic-year start, the 1 December
   and 15 March locks);
2. ``Stage.FACTS``: learning accounts that open, enrolments, ISP lines added and
   removed, deregistrations, degrees (and the tuition fee that follows them);
3. ``Stage.PUBLICATIONS``: publications of exam results;
4. ``Stage.DECISIONS``: student decisions (tolerance choices and objections) and
   the appeal clocks;
5. ``Stage.YEAR_END``: year-end measures (on the academic year's ``ends_on``).

The timeline knows no app. Each app registers what it brings in its
``AppConfig.ready()`` (its ``deadlines.py``): *fact kinds* (a function that
processes the facts due on a day, and one that says the earliest day such a fact
is still pending) and *transition sources* (the calendar transitions due up to a
day). Within a stage the transitions run first, in key order, then the fact kinds
in their registered ``order``.

Facts carry a ``processed`` marker set in the same transaction that handles
them; calendar transitions are recorded in ``core.Transition`` (unique key),
whose row is inserted first so that a second process running the same
transition waits on it and then skips it. Live changes made in the
application call the same services for their own day.
"""

import contextvars
import datetime
import enum
import itertools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from .models import Transition
from .statistics import Keeper

# Facts processed in one transaction between two looks at the planner's statistics (``Keeper``).
STATISTICS_FACTS = 250

logger = logging.getLogger(__name__)


class Stage(enum.IntEnum):
    """The same-day order of EXCHANGE.md."""

    CALENDAR = 1
    FACTS = 2
    PUBLICATIONS = 3
    DECISIONS = 4
    YEAR_END = 5


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
    """A transition due on ``due_on``. ``run()`` normally runs inside the transaction that records
    it; one that ``records_itself`` (a publication spread over Celery workers) runs outside any
    transaction and records the transition itself (``transition_record``) in the transaction of its
    last step, so that nothing of it counts before that step commits. It returns whether it did."""

    key: str
    due_on: datetime.date
    stage: Stage
    run: Callable[[], object]
    records_itself: bool = False


@dataclass(frozen=True)
class FactKind:
    """Facts of one kind: ``process(day=D)`` handles those due on D and returns how many;
    ``pending_on()`` gives the earliest day one is still unprocessed (None: the kind only
    follows the days other facts bring, as the tuition fee does)."""

    name: str
    stage: Stage
    order: int
    process: Callable[..., int]
    pending_on: Callable[[], datetime.date | None] | None = None


@dataclass(frozen=True)
class TransitionSource:
    """Calendar transitions of one kind: ``due(up_to)`` yields every transition due on or
    before ``up_to``, processed or not (the timeline skips the processed ones)."""

    name: str
    stage: Stage
    order: int
    due: Callable[[datetime.date], Iterable[CalendarTransition]]


_fact_kinds: dict[str, FactKind] = {}
_transition_sources: dict[str, TransitionSource] = {}


def register_fact_kind(kind: FactKind) -> None:
    """Called from an app's ``ready()``; registering the same name again replaces it."""
    _fact_kinds[kind.name] = kind


def register_transition_source(source: TransitionSource) -> None:
    """Called from an app's ``ready()``; registering the same name again replaces it."""
    _transition_sources[source.name] = source


def fact_kinds() -> list[FactKind]:
    return sorted(_fact_kinds.values(), key=lambda k: (k.stage, k.order, k.name))


def transition_sources() -> list[TransitionSource]:
    return sorted(_transition_sources.values(), key=lambda s: (s.stage, s.order, s.name))


def registered_order() -> list[tuple[int, str]]:
    """Everything registered, in the order a day is processed: (stage, name)."""
    steps = [(s.stage, 0, s.order, s.name) for s in transition_sources()]
    steps += [(k.stage, 1, k.order, k.name) for k in fact_kinds()]
    return [(stage, name) for stage, _kind, _order, name in sorted(steps)]


def calendar_transitions(up_to: datetime.date) -> list[CalendarTransition]:
    """Every calendar transition due on or before ``up_to`` that is not processed yet."""
    done = set(Transition.objects.filter(due_on__lte=up_to).values_list("key", flat=True))
    found = []
    for source in transition_sources():
        found += [t for t in source.due(up_to) if t.due_on <= up_to and t.key not in done]
    return found


def _earliest_fact_day(up_to: datetime.date) -> datetime.date | None:
    candidates = (kind.pending_on() for kind in fact_kinds() if kind.pending_on is not None)
    return min((d for d in candidates if d is not None and d <= up_to), default=None)


def transition_record(key: str, due_on: datetime.date) -> bool:
    """Record the transition ``key`` as processed, in the current transaction; False when it is
    already (a second process recording the same key waits here until the first one's
    transaction ends, then finds it taken)."""
    try:
        with transaction.atomic():
            Transition.objects.create(key=key, due_on=due_on)
    except IntegrityError:
        logger.info("transition %s already processed", key)
        return False
    return True


def _run_transition(transition: CalendarTransition, report: Report) -> None:
    if transition.records_itself:
        if transition.run():
            report.transitions.append(transition.key)
        return
    with transaction.atomic():
        # Claimed first, so that a second process running the same transition waits, then skips it.
        if not transition_record(transition.key, transition.due_on):
            return
        transition.run()
    report.transitions.append(transition.key)


def _pending_day(kind: FactKind, up_to: datetime.date) -> datetime.date | None:
    """The earliest day up to ``up_to`` a fact of ``kind`` is still pending (None: none)."""
    day = kind.pending_on() if kind.pending_on is not None else None
    return day if day is not None and day <= up_to else None


_reads = itertools.count(1)
_read = contextvars.ContextVar("pending_read", default=None)


_from = contextvars.ContextVar("pending_from", default=None)


def pending_from() -> datetime.date | None:
    """The day a kind's pending day may be read from, None: from the beginning. Within a run
    of ``run_deadlines``, once it processes a day, every fact dated earlier was processed or
    is recorded since (a backdated fact): the run's last look reads from the beginning and
    finds those. A kind whose pending rows are read by a partial index walks past the index
    entries of the rows it processed, which a long transaction (a replay in one) cannot prune:
    reading from the day skips them."""
    return _from.get()


def pending_read() -> int | None:
    """The number of the read of every kind's pending day under way, None outside one: within one
    read nothing is processed, so kinds may answer it together, from one query for that read."""
    return _read.get()


def _pending_days(kinds: list[FactKind], up_to: datetime.date) -> dict[str, datetime.date | None]:
    """Every kind's earliest pending day up to ``up_to``, read in one go (``pending_read``)."""
    token = _read.set(next(_reads))
    try:
        return {kind.name: _pending_day(kind, up_to) for kind in kinds}
    finally:
        _read.reset(token)


def process_day(
    day: datetime.date,
    transitions: list[CalendarTransition],
    report: Report,
    pending: dict[str, datetime.date | None] | None = None,
) -> set[str]:
    """Process ``day`` stage by stage; returns the names of the fact kinds that ran.

    ``pending`` (kind name -> earliest pending day, as ``run_deadlines`` last read it) lets
    a kind with nothing due by ``day`` be skipped without a query; a calendar transition or
    an earlier kind of the day may record facts, so once one has run the later kinds'
    pending days are read again. Without ``pending`` every kind runs. A kind
    without ``pending_on`` (the tuition fee) follows the days other facts bring: it runs
    on every day processed."""
    ran: set[str] = set()
    transition_ran = False
    for stage in Stage:
        for transition in sorted((t for t in transitions if t.stage == stage), key=lambda t: t.key):
            _run_transition(transition, report)
            transition_ran = True
        for kind in fact_kinds():
            if kind.stage != stage:
                continue
            if pending is not None and kind.pending_on is not None:
                due = _pending_day(kind, day) if transition_ran or ran else pending.get(kind.name)
                if due is None or due > day:
                    continue
            report.facts += kind.process(day=day)
            ran.add(kind.name)
    return ran


def run_deadlines(*, today: datetime.date) -> Report:
    """Bring the system up to ``today``; running it again changes nothing.

    Days without anything due cost nothing: the calendar transitions and each fact kind's
    earliest pending day are read once, and again only where a day may have changed them
    (every kind's pending day after a day with work; the transitions too after a day with a
    calendar transition); a day runs only the kinds with a fact due by it, and the kinds may
    read their pending days from the day processed on (``pending_from``). Before it returns,
    it reads everything once more, from the beginning, so that facts recorded meanwhile, a
    backdated one too, are not left behind."""
    report = Report(today=today)
    # A replay of many days in one transaction (``load_demo``, a benchmark) keeps the planner's
    # statistics of the tables it fills up to date (``core.statistics``): after a day with a
    # calendar transition, or with ``STATISTICS_FACTS`` facts since the last look.
    statistics, looked_at = Keeper(), 0
    kinds = [kind for kind in fact_kinds() if kind.pending_on is not None]
    transitions: list[CalendarTransition] = []
    pending: dict[str, datetime.date | None] = {}
    stale = True
    token = _from.set(None)
    try:
        while True:
            if stale:
                transitions = calendar_transitions(today)
                pending = _pending_days(kinds, today)
            days = [t.due_on for t in transitions] + [d for d in pending.values() if d is not None]
            if not days:
                if stale and _from.get() is None:
                    return report
                # The last look: from scratch, and from the beginning (``pending_from``).
                stale = True
                _from.set(None)
                continue
            stale = False
            day = min(days)
            _from.set(day)
            due = [t for t in transitions if t.due_on == day]
            ran = process_day(day, due, report, pending)
            report.days += 1
            if statistics.active() and (due or report.facts - looked_at >= STATISTICS_FACTS):
                statistics.check()
                looked_at = report.facts
            if due:
                stale = True
                continue
            if ran:
                # A fact may record facts of another kind (a decision its notification): every
                # kind's pending day is read again after a day with work.
                pending = _pending_days(kinds, today)
    finally:
        _from.reset(token)


def transition_processed(key: str) -> bool:
    """Whether the calendar transition ``key`` has been processed."""
    return Transition.objects.filter(key=key).exists()


def processed_keys(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` whose transition has been processed (one query)."""
    return set(Transition.objects.filter(key__in=list(keys)).values_list("key", flat=True))
