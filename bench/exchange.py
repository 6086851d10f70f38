"""A college's history brought in: the records import (``exchange.records.import_data``)
and the timeline's replay of it (``core.timeline.run_deadlines``), per student, at N and
at N/10 students.

The records file is the demo college's (``demo.college.build_records(seed=2026,
students=N)``, the EXCHANGE.md format): four programmes, three academic years
(2024-2025 to 2026-2027) and N students with their enrolments, ISPs, results and
tolerance choices, as ``manage.py load_demo`` builds it. In a scratch database, in one
transaction per size that is rolled back afterwards (``load_demo`` too loads in one
transaction; the rollback also drops the work left for after the commit, such as
notifications handed to the broker, which is therefore neither sent nor measured):

* the file is imported with ``import_data``, its queries counted;
* ``run_deadlines(today=demo.college.DEMO_TODAY)`` replays every calendar transition and
  fact from the first year's start to the demo's today, its queries counted.

Printed for N and N/10: the students, seconds, students/s, ms per student and queries
(per student) of each step; then the ratio of the per-student cost at N to that at N/10
(target: <= 1.2, the cost grows linearly with the college) and the per-student targets
(import <= 2 ms, replay of the three years <= 8 ms), each "met" or "MISSED". The smaller
size runs first, so it also pays the warm-up (first imports, first queries of each kind);
at a small N the fixed costs (the years' calendar transitions, the programmes, each day
that has facts: 29 days at N = 6, 112 at N = 60, at most the three years' days) weigh on
the per-student cost of N/10 most, so the ratio there reads low.

Default N = 60 (and N/10 = 6), so that `make bench` (every benchmark but ``load``) stays
under two minutes in all on SQLite (in memory): about 110 s on a busy 2-core machine, of
which this one about 35 s (20 s of it migrating the scratch database). Full size:
``python -m bench --only exchange -n 25000`` on PostgreSQL (``DATABASE_URL``).
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction

from . import scratch_database, vendor_label
from .lock import QueryCounter, settle

DEFAULT_N = 60
RATIO_TARGET = 1.2
IMPORT_TARGET_MS = 2.0  # per student
REPLAY_TARGET_MS = 8.0  # per student, the three academic years
SEED = 2026


@dataclass
class Figures:
    n: int
    build_seconds: float  # building the records document (not part of the import)
    students: int
    enrolments: int
    isp_lines: int
    results: int
    import_seconds: float
    import_queries: int
    replay_seconds: float
    replay_queries: int
    days: int
    transitions: int
    facts: int

    @property
    def import_ms(self) -> float:
        """Milliseconds per student of the import."""
        return self.import_seconds * 1000 / self.students if self.students else float("inf")

    @property
    def replay_ms(self) -> float:
        """Milliseconds per student of the replay."""
        return self.replay_seconds * 1000 / self.students if self.students else float("inf")

    @property
    def both_ms(self) -> float:
        """Milliseconds per student of the import and the replay together."""
        return self.import_ms + self.replay_ms


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


@dataclass
class Sizes:
    """The figures at N/10 and at N, and the cost per student at N against N/10 (target <= 1.2)."""

    small: Figures
    at_n: Figures

    @property
    def import_ratio(self) -> float:
        return _ratio(self.at_n.import_ms, self.small.import_ms)

    @property
    def replay_ratio(self) -> float:
        return _ratio(self.at_n.replay_ms, self.small.replay_ms)

    @property
    def ratio(self) -> float:
        """Import and replay together."""
        return _ratio(self.at_n.both_ms, self.small.both_ms)


def _per_second(students: int, seconds: float) -> float:
    return students / seconds if seconds else float("inf")


def build(n: int) -> dict:
    """The demo college's records document for ``n`` students."""
    from demo.college import build_records

    return build_records(seed=SEED, students=n)


def import_records(data: dict):
    """The application's import; returns (summary, seconds, queries)."""
    from exchange.records import import_data

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        summary = import_data(data)
    return summary, time.perf_counter() - started, counter.count


def replay():
    """The timeline from the first academic year's start up to the demo's today;
    returns (report, seconds, queries)."""
    from core.timeline import run_deadlines
    from demo.college import DEMO_TODAY

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        report = run_deadlines(today=DEMO_TODAY)
    return report, time.perf_counter() - started, counter.count


def measure(n: int) -> Figures:
    """Build the records of ``n`` students, import them into the current database and
    replay the timeline. Works inside a transaction too (the test suite's)."""
    started = time.perf_counter()
    data = build(n)
    built = time.perf_counter() - started
    summary, import_seconds, import_queries = import_records(data)
    report, replay_seconds, replay_queries = replay()
    return Figures(
        n=n,
        build_seconds=built,
        students=summary.students,
        enrolments=summary.enrolments,
        isp_lines=summary.isp_lines,
        results=summary.results,
        import_seconds=import_seconds,
        import_queries=import_queries,
        replay_seconds=replay_seconds,
        replay_queries=replay_queries,
        days=report.days,
        transitions=len(report.transitions),
        facts=report.facts,
    )


def measured(size: int) -> Figures:
    """``measure(size)`` after a checkpoint (``settle``: the size does not pay for writing out
    what came before it, the smaller size's rows or an earlier benchmark's, as the lock and
    publication benchmarks do), in one transaction rolled back afterwards: the next size starts
    from the migrated database, and what the replay leaves for after its commit (notifications
    for the broker, fee recalculations) is dropped, never sent. On PostgreSQL the database is
    vacuumed first: a rolled-back size leaves its rows in the tables and their indexes as dead
    entries (the pending facts' partial indexes walked past them, autovacuum raced the next size
    for the machine), so that without it the next size did not start from the migrated database."""
    _vacuum()
    settle()
    with transaction.atomic():
        figures = measure(size)
        transaction.set_rollback(True)
    return figures


def _vacuum() -> None:
    """``VACUUM`` (PostgreSQL, outside a transaction): the dead rows of a rolled-back size gone."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def _print_size(figures: Figures) -> None:
    f = figures
    print(
        f"  records            {f.students:,} students, {f.enrolments:,} enrolments, {f.isp_lines:,} ISP lines, "
        f"{f.results:,} results (built in {f.build_seconds:.1f} s)"
    )
    for label, seconds, queries, ms in (
        ("import", f.import_seconds, f.import_queries, f.import_ms),
        ("replay", f.replay_seconds, f.replay_queries, f.replay_ms),
    ):
        print(
            f"  {label:<19}{seconds:.2f} s, {_per_second(f.students, seconds):,.0f} students/s, "
            f"{ms:.2f} ms/student, {queries:,} queries ({queries / f.students:.1f} per student)"
        )
    print(f"  timeline           {f.days:,} days, {f.transitions:,} transitions, {f.facts:,} facts", flush=True)


def run(n: int | None = None) -> "Sizes":
    n = n or DEFAULT_N
    small = max(1, n // 10)
    print(f"exchange: import and replay of {n:,} and {small:,} students (demo college) on {vendor_label()}", flush=True)
    sizes = []
    with scratch_database("exchange") as created:
        print(f"  scratch database   {connection.settings_dict['NAME']}, migrated in {created:.1f} s", flush=True)
        for size in (small, n):
            figures = measured(size)
            print(f"N = {size:,}")
            _print_size(figures)
            sizes.append(figures)
    both = Sizes(*sizes)
    for label, ms, ratio, target in (
        ("import", both.at_n.import_ms, both.import_ratio, IMPORT_TARGET_MS),
        ("replay", both.at_n.replay_ms, both.replay_ratio, REPLAY_TARGET_MS),
    ):
        print(
            f"  {label} per student {ms:.2f} ms at N (target <= {target:g} ms: {_verdict(ms, target)}), "
            f"ratio N / (N/10) {ratio:.2f} (target <= {RATIO_TARGET:g}: {_verdict(ratio, RATIO_TARGET)})"
        )
    print(
        f"  both per student   {both.at_n.both_ms:.2f} ms at N, {both.small.both_ms:.2f} ms at N/10, "
        f"ratio {both.ratio:.2f} (target <= {RATIO_TARGET:g}: {_verdict(both.ratio, RATIO_TARGET)})",
        flush=True,
    )
    return both
