"""The publication of a large exam period: ``exams.services.results_publish``
on N students with 10 results each (10 x N results).

One academic year with exam periods 1 and 2; every result is in period 2, the
year's last, so that its publication also applies the threshold tolerance.
Two programmes, each with 10 first-stage courses of 6 credits (the last one
not tolerable):

* an initial bachelor of 180 credits (4 students in 5): degree contracts whose
  lines took their credits from the learning account, so a pass gives them
  back with the bonus; tolerance here is the decree threshold's (Art. 91 §3 b-c);
* a bachelor after bachelor of 60 credits (1 student in 5): the ISP is the
  whole programme, so a tolerable fail can be tolerated automatically to pass
  it (Art. 91 §3 a), and the publication records programme results.

The data are as the timeline leaves them before the publication: learning
accounts opened (+140) and the ISPs deducted (-60 in the initial bachelor),
lines processed and locked. Each student gets one of ``PROFILES`` mark
patterns drawn once (about 75 % passes, 10 % 8-9, 5 % 7, 6 % 0-6 and 4 % NA;
a few fixed patterns make sure that a small N already shows every effect).

The publication is called as the timeline calls it, its queries counted.
Target: N = 125,000 (1.25 million results) in under 60 s on PostgreSQL with one
worker, with a number of queries that grows per batch of rows, not per student.

A raw-SQL baseline runs in the same measurement, as the lock bench's does: before
the publication the tables it writes (lines, ledger, programme results and their
history) are copied, with their indexes and foreign keys (checked at commit, as the
application's are); after it, the same writes are made on the copies with a few
set-based statements (INSERT ... SELECT, UPDATE ... FROM) that use what the bench
knows of its own data (one result per line, the marks' outcomes, the bonus order,
which tolerance each programme can give); the two outcomes are compared row by row
(asserted) and the ratio app/raw printed (target: at most 2). The raw statements
leave out what the listed writes do not need: the students' notifications.
"""

import contextlib
import datetime
import os
import random
import tempfile
import time
import types
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Sum

from core import clock
from exams import rules as exam_rules
from exams.models import ProgrammeResult, Result
from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from students import rules as account_rules
from students.models import (
    Contract,
    Enrolment,
    EntryKind,
    EntryReason,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    LineOutcome,
    Student,
    ToleranceKind,
)

from . import scratch_database, vendor_label
from .lock import QueryCounter, _insert_select, _value, copy_table
from .lock import settle as _settle

DEFAULT_N = 2_500  # also on SQLite (in memory, `make bench`): about 10 s in all
STUDENT_PREFIX = "PUB"
MARKS = "bench_publication_marks"  # the mark patterns, a scratch table
PROFILES = 997  # student g gets pattern g % PROFILES (a prime: independent of g % 5)
COURSES = 10
COURSE_SEMESTERS = ["1", "1", "1", "1", "1", "year", "2", "2", "2", "2"]
NOT_TOLERABLE = {10}  # course positions 1..10
BAB_EVERY = 5  # student g follows the bachelor after bachelor when g % 5 == 0
PASS_MARKS, PASS_WEIGHTS = list(range(10, 21)), [10, 12, 13, 13, 12, 11, 9, 8, 6, 4, 2]
# Fixed patterns for the first students (g = pattern number while g < PROFILES):
SCENARIOS = {
    1: [8, 9, 12, 14, 11, 15, 13, 12, 16, 14],  # bachelor: two tolerable fails -> threshold (b)
    2: [13, 7, 12, 14, 11, 15, 13, 12, 16, 14],  # bachelor: a single 7 -> threshold (c)
    3: [13, 15, 12, 14, 11, 15, 13, 12, 16, 14],  # bachelor: everything passed
    4: [13, 15, 12, 14, 11, 15, 13, 12, 16, 9],  # bachelor: a 9 in the course that is not tolerable
    5: [13, 15, 12, 14, 9, 15, 13, 12, 16, 14],  # after bachelor: one tolerable fail -> final stage (a)
    10: [13, 15, 12, 14, 11, 15, 13, 12, 16, 14],  # after bachelor: everything passed
    15: [13, 15, 12, 14, "NA", 15, 13, 12, 16, 14],  # after bachelor: NA, no programme result
}


@dataclass
class Figures:
    n: int
    results: int
    setup: dict[str, float]  # seconds per step
    seconds: float
    queries: int
    examined: int
    certified: int
    ledger: dict[str, tuple[int, int]]  # kind -> (entries, credits) booked at the publication
    tolerated: dict[str, int]  # programme code -> lines tolerated automatically
    programme_results: int
    report: object
    raw_seconds: float = 0.0  # the raw-SQL baseline: the same writes, set-based, on copies
    raw_queries: int = 0
    differences: dict[str, int] | None = None  # table -> rows that differ between app and raw
    spread: dict[int, float] = field(default_factory=dict)  # workers -> seconds of the spread publication

    @property
    def per_second(self) -> float:
        return self.results / self.seconds if self.seconds else float("inf")

    def to_raw(self, seconds: float) -> float:
        """``seconds`` against the raw SQL's time."""
        return seconds / self.raw_seconds if self.raw_seconds else float("inf")

    @property
    def ratio(self) -> float:
        return self.to_raw(self.seconds)

    @property
    def spread_ratio(self) -> dict[int, float]:
        """Workers -> the spread publication's time against the raw SQL's."""
        return {count: self.to_raw(seconds) for count, seconds in self.spread.items()}


# --- setup ---------------------------------------------------------------------
def mark_patterns() -> dict[int, list]:
    """PROFILES patterns of 10 marks: an int 0-20 or "NA"."""
    rng = random.Random(20250704)

    def draw():
        x = rng.random()
        if x < 0.75:
            return rng.choices(PASS_MARKS, PASS_WEIGHTS)[0]
        if x < 0.85:
            return rng.choice((8, 9))
        if x < 0.90:
            return 7
        if x < 0.96:
            return rng.randint(0, 6)
        return "NA"

    patterns = {profile: [draw() for _ in range(COURSES)] for profile in range(PROFILES)}
    patterns.update(SCENARIOS)
    return patterns


def _series(n: int) -> tuple[str, list, str]:
    """FROM clause, its parameters and the statement prefix counting g = 1..n."""
    if connection.vendor == "postgresql":
        return "FROM generate_series(1, %s) AS series(g)", [n], ""
    prefix = f"WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series WHERE g < {int(n)}) "
    return "FROM series", [], prefix


def _ordinal(alias: str) -> str:
    """SQL for a bench student's g, read back from its number."""
    return f"CAST(SUBSTR({alias}.number, {len(STUDENT_PREFIX) + 1}) AS INTEGER)"


def create_data(n: int) -> ExamPeriod:
    """The year, its two exam periods, two programmes and N students enrolled with
    10 results each; returns period 2, the one to publish."""
    year = AcademicYear.objects.create(
        code="2024-2025", starts_on=datetime.date(2024, 9, 16), ends_on=datetime.date(2025, 9, 14)
    )
    ExamPeriod.objects.create(
        academic_year=year,
        number=1,
        starts_on=datetime.date(2025, 1, 6),
        ends_on=datetime.date(2025, 2, 1),
        results_published_on=datetime.date(2025, 2, 7),
    )
    period = ExamPeriod.objects.create(
        academic_year=year,
        number=2,
        starts_on=datetime.date(2025, 5, 26),
        ends_on=datetime.date(2025, 6, 28),
        results_published_on=datetime.date(2025, 7, 4),
    )
    bachelor = Programme.objects.create(
        code="PUB-BA", name="Bench bachelor", kind="initial_bachelor", cluster="Bench", credits=180
    )
    after = Programme.objects.create(
        code="PUB-BAB",
        name="Bench bachelor after bachelor",
        kind="bachelor_after_bachelor",
        cluster="Bench",
        credits=60,
    )
    for programme, prefix in ((bachelor, "BA"), (after, "BB")):
        Course.objects.bulk_create(
            Course(
                programme=programme,
                code=f"{prefix}{i:02d}",  # the position is read back from the code: SUBSTR(code, 3)
                name=f"Course {i}",
                credits=6,
                semester=semester,
                stage=1,
                tolerable=i not in NOT_TOLERABLE,
            )
            for i, semester in enumerate(COURSE_SEMESTERS, start=1)
        )
    students, enrolments = Student._meta.db_table, Enrolment._meta.db_table
    courses, lines = Course._meta.db_table, ISPLine._meta.db_table
    started = _value(ISPLine._meta.get_field("added_on"), year.starts_on)
    now = _value(LearningAccountEntry._meta.get_field("created_at"), clock.now())
    bench_students = f"FROM {students} s WHERE s.number LIKE %s"
    with connection.cursor() as cursor:
        series, series_params, prefix = _series(n)
        _insert_select(
            cursor,
            Student,
            {
                "number": (f"'{STUDENT_PREFIX}' || g", []),
                "first_name": ("'Bench'", []),
                "last_name": ("'Student ' || g", []),
                "account_opened": ("%s", [True]),
            },
            series,
            series_params,
            prefix=prefix,
        )
        # Rule 1: the learning account opens with 140 credits on the first enrolment.
        _insert_select(
            cursor,
            LearningAccountEntry,
            {
                "student_id": ("s.id", []),
                "on": ("%s", [started]),
                "credits": ("%s", [account_rules.OPENING_CREDITS]),
                "kind": ("%s", [EntryKind.OPENING]),
                "source": ("'student:' || s.id", []),
                "reason": ("'Opening balance'", []),
                "created_at": ("%s", [now]),
            },
            bench_students,
            [f"{STUDENT_PREFIX}%"],
        )
        _insert_select(
            cursor,
            Enrolment,
            {
                "student_id": ("s.id", []),
                "academic_year_id": ("%s", [year.pk]),
                "programme_id": (
                    f"CASE WHEN {_ordinal('s')} %% {BAB_EVERY} = 0 THEN %s ELSE %s END",
                    [after.pk, bachelor.pk],
                ),
                "contract": ("%s", [Contract.DEGREE]),
                "enrolled_on": ("%s", [started]),
                "isp_status": ("%s", [ISPStatus.APPROVED]),
                "enrolment_processed": ("%s", [True]),
                "balance_at_enrolment": ("%s", [account_rules.OPENING_CREDITS]),
            },
            bench_students,
            [f"{STUDENT_PREFIX}%"],
        )
        # Rule 2: a degree contract in the initial bachelor takes the ISP's credits
        # from the account; in the bachelor after bachelor it does not.
        uses = {
            p.pk: account_rules.line_uses_learning_account(
                contract=Contract.DEGREE, programme_kind=p.kind, holds_bachelor=False, exempted=False
            )
            for p in (bachelor, after)
        }
        charged = [p.pk for p in (bachelor, after) if uses[p.pk]]
        deducting = " OR ".join(["e.programme_id = %s"] * len(charged)) or "FALSE"

        def day(value):
            return _value(ISPLine._meta.get_field("locked_on"), value)

        _insert_select(
            cursor,
            ISPLine,
            {
                "enrolment_id": ("e.id", []),
                "course_id": ("c.id", []),
                "added_on": ("%s", [started]),
                # Locked on 1 December and 15 March, as the timeline's transitions do.
                "locked_on": (
                    "CASE WHEN c.semester = '2' THEN %s ELSE %s END",
                    [day(year.second_semester_lock), day(year.first_semester_lock)],
                ),
                "deducted_credits": (f"CASE WHEN {deducting} THEN c.credits ELSE 0 END", charged),
                "add_processed": ("%s", [True]),
            },
            f"FROM {enrolments} e JOIN {courses} c ON c.programme_id = e.programme_id WHERE e.academic_year_id = %s",
            [year.pk],
        )
        _insert_select(
            cursor,
            LearningAccountEntry,
            {
                "student_id": ("e.student_id", []),
                "on": ("%s", [started]),
                "credits": (f"-(SELECT SUM(l.deducted_credits) FROM {lines} l WHERE l.enrolment_id = e.id)", []),
                "kind": ("%s", [EntryKind.DEDUCTION]),
                "source": ("'enrolment:' || e.id || ':isp'", []),
                "academic_year_id": ("e.academic_year_id", []),
                "programme_id": ("e.programme_id", []),
                "reason": (
                    f"'ISP {year.code}: ' || (SELECT SUM(l.deducted_credits) FROM {lines} l "
                    "WHERE l.enrolment_id = e.id) || ' credits'",
                    [],
                ),
                "created_at": ("%s", [now]),
            },
            f"FROM {enrolments} e WHERE e.academic_year_id = %s AND ({deducting})",
            [year.pk, *charged],
        )
        _insert_results(cursor, period)
    return period


def _insert_results(cursor, period: ExamPeriod) -> None:
    """One result per line in ``period``, opportunity 1, the mark from the student's pattern."""
    cursor.execute(f"DROP TABLE IF EXISTS {MARKS}")
    cursor.execute(f"CREATE TABLE {MARKS} (profile INTEGER, position INTEGER, score INTEGER NULL, grade VARCHAR(2))")
    rows = [
        (profile, position, mark if isinstance(mark, int) else None, "" if isinstance(mark, int) else mark)
        for profile, marks in mark_patterns().items()
        for position, mark in enumerate(marks, start=1)
    ]
    cursor.executemany(f"INSERT INTO {MARKS} (profile, position, score, grade) VALUES (%s, %s, %s, %s)", rows)
    tables = {m: m._meta.db_table for m in (ISPLine, Enrolment, Student, Course)}
    _insert_select(
        cursor,
        Result,
        {
            "isp_line_id": ("l.id", []),
            "exam_period_id": ("%s", [period.pk]),
            "opportunity": ("1", []),
            "score": ("m.score", []),
            "grade": ("m.grade", []),
        },
        f"FROM {tables[ISPLine]} l JOIN {tables[Enrolment]} e ON e.id = l.enrolment_id "
        f"JOIN {tables[Student]} s ON s.id = e.student_id JOIN {tables[Course]} c ON c.id = l.course_id "
        f"JOIN {MARKS} m ON m.profile = {_ordinal('s')} %% {PROFILES} "
        "AND m.position = CAST(SUBSTR(c.code, 3) AS INTEGER) WHERE e.academic_year_id = %s",
        [period.academic_year_id],
    )
    cursor.execute(f"DROP TABLE {MARKS}")


def analyze() -> None:
    """Fresh statistics after the bulk load (and, outside a transaction on
    PostgreSQL, a vacuum), as a database that grew over the year would have."""
    models = (Student, Enrolment, ISPLine, Result, LearningAccountEntry)
    tables = [m._meta.db_table for m in models] + [_copies()[ISPLine], _copies()[LearningAccountEntry]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{command} {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")


# --- the publication ---------------------------------------------------------------
def publish(period: ExamPeriod):
    """The application's publication, as the timeline calls it; returns (report, seconds, queries)."""
    from exams.services import results_publish

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        report = results_publish(period=period)
    return report, time.perf_counter() - started, counter.count


# --- spread over Celery workers (exams.fanout) ----------------------------------------------
SPREAD_WORKERS = (1, 2)
TARGET_SECONDS = 60.0


def spread_possible() -> bool:
    from django.conf import settings

    return connection.vendor == "postgresql" and not settings.CELERY_BROKER_URL.startswith("filesystem://")


def spread(period: ExamPeriod, count: int) -> float:
    """Publish ``period`` spread over ``count`` Celery workers (``exams.fanout``) on a copy of the
    scratch database made before any publication (PostgreSQL: CREATE DATABASE ... TEMPLATE), its
    effects checked against the publication in the process afterwards; returns the seconds from
    the dispatch to the recorded publication (the workers started and ready beforehand)."""
    import subprocess
    import sys
    from pathlib import Path

    from django.test import override_settings

    from exams import fanout

    source = connection.settings_dict["NAME"]
    copy = f"{source}_w{count}"
    settings_dict = connection.settings_dict
    connection.close()
    with _admin_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    queue = f"bench-publication-{os.getpid()}-{count}"
    host = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    env = {**os.environ, "DATABASE_URL": f"postgres://{settings_dict['USER']}@{host}/{copy}"}
    # The workers' own output (banner, warnings) goes to a file, named if they fail to start.
    log = open(Path(tempfile.gettempdir()) / f"{queue}.log", "w")  # noqa: SIM115 (closed below)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-n",
                f"bench{i}-{os.getpid()}@%h",
            ]
            + ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=WARNING", "-Q", queue],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for i in range(count)
    ]
    settings_dict["NAME"] = copy
    try:
        _workers_ready(count)
        copied = ExamPeriod.objects.select_related("academic_year").get(pk=period.pk)
        # Batches small enough that every worker gets several (at most the setting's 5,000 students).
        size = max(1, min(5000, -(-period_students(period) // (4 * count))))
        with override_settings(PUBLICATION_FANOUT=True, PUBLICATION_QUEUE=queue, PUBLICATION_BATCH=size):
            started = time.perf_counter()
            fanout.publish_spread(period=copied)
            seconds = time.perf_counter() - started
        spread_effects = effects(copied)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        log.close()
        connection.close()
        settings_dict["NAME"] = source
        with _admin_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    _SPREAD_EFFECTS[count] = spread_effects
    return seconds


_SPREAD_EFFECTS: dict[int, dict] = {}


@contextlib.contextmanager
def _admin_cursor():
    """A cursor on the server's maintenance database, outside any transaction (CREATE DATABASE)."""
    with connection._nodb_cursor() as cursor:
        yield cursor


def period_students(period: ExamPeriod) -> int:
    return Enrolment.objects.filter(academic_year_id=period.academic_year_id).count()


def _workers_ready(count: int) -> None:
    """Wait until the ``count`` workers started answer (their start is not measured)."""
    from config.celery import app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        names = {name for reply in app.control.ping(timeout=1.0) for name in reply}
        if sum(1 for i in range(count) if any(n.startswith(f"bench{i}-{os.getpid()}@") for n in names)) == count:
            return
    raise RuntimeError(f"{count} Celery worker(s) did not start: see their log in {tempfile.gettempdir()}")


# --- the raw-SQL baseline ------------------------------------------------------------
def _copies() -> dict:
    """The tables the publication writes -> the name of their copy."""
    history = ProgrammeResult.history.model
    return {
        ISPLine: "bench_pub_lines",
        LearningAccountEntry: "bench_pub_ledger",
        ProgrammeResult: "bench_pub_results",
        history: "bench_pub_results_history",
    }


def copy_tables() -> None:
    """Copy the tables the publication writes, with their rows, indexes and storage parameters (as
    the lock bench does) and their foreign keys."""
    with connection.cursor() as cursor:
        for model, copy in _copies().items():
            table = model._meta.db_table
            copy_table(cursor, table, copy)
            if connection.vendor == "postgresql":
                # LIKE copies no foreign key (SQLite's table SQL, which ``copy_table`` copies there,
                # has them): the copy gets the table's own, deferred as Django makes them, so that
                # the raw writes pay the same checks at commit as the application's.
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    constraint = connection.ops.quote_name(f"{copy}_{name}"[:63])
                    cursor.execute(f"ALTER TABLE {copy} ADD CONSTRAINT {constraint} {definition}")
                # The copy's identity starts afresh: continue after the copied rows.
                pk = model._meta.pk.column
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({pk}), 0) + 1, false) FROM {copy}",
                    [copy, pk],
                )


def drop_copies() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The copies' deferred foreign-key checks still pending in this transaction (a test's)
            # are run now: PostgreSQL drops no table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for copy in _copies().values():
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")


class _Raw:
    """Statements on the copies, counted; ``insert`` is ``_insert_select`` on a model's copy."""

    def __init__(self, cursor):
        self.cursor, self.queries = cursor, 0

    def insert(self, model, values, tail, params) -> int:
        self.queries += 1
        meta = types.SimpleNamespace(concrete_fields=model._meta.concrete_fields, db_table=_copies()[model])
        return _insert_select(self.cursor, types.SimpleNamespace(_meta=meta), values, tail, params)

    def execute(self, sql, params=()) -> int:
        self.queries += 1
        self.cursor.execute(sql, list(params))
        return self.cursor.rowcount


def raw_publish(period: ExamPeriod) -> tuple[float, int]:
    """The publication's writes on the copies, set-based; returns (seconds, queries).

    What the bench knows of its data: every examined line has one result, in ``period``,
    with a score or NA (no parts, no P/F, no earlier result, no certificate yet); the
    bonus is for degree contracts in the initial bachelor, from the first 60 credits in
    order of course code; tolerance (a) can only make the bachelor after bachelor
    (the whole programme in one year) pass, (b)-(c) applies to the initial bachelor's
    first year (the package is the year's ISP); the ISP holds every course, none elective."""
    year = period.academic_year
    day = _value(ISPLine._meta.get_field("certified_on"), period.results_published_on)
    now = clock.now()
    copies = {model._meta.db_table: copy for model, copy in _copies().items()}
    lines = copies[ISPLine._meta.db_table]
    results_copy = copies[ProgrammeResult._meta.db_table]
    enrolments, courses = Enrolment._meta.db_table, Course._meta.db_table
    results = Result._meta.db_table
    by_kind = {p.kind: p for p in Programme.objects.filter(code__in=["PUB-BA", "PUB-BAB"])}
    bachelor, after = by_kind["initial_bachelor"], by_kind["bachelor_after_bachelor"]

    def left(programme):  # the tolerance credit of a starter who has used none (Art. 91 §1)
        return exam_rules.tolerance_credit(
            programme_credits=programme.credits,
            exempted_credits=0,
            cap=programme.tolerance_cap,
            programme_kind=programme.kind,
            starter=True,
        )

    passed = "r.score >= 10"
    examined = (
        f"FROM {lines} l JOIN {enrolments} e ON e.id = l.enrolment_id "
        f"JOIN {results} r ON r.isp_line_id = l.id AND r.exam_period_id = %s "
    )
    ledger_values = {
        "student_id": ("x.student_id", []),
        "on": ("%s", [day]),
        "source": ("'isp_line:' || x.id", []),
        "academic_year_id": ("x.academic_year_id", []),
        "programme_id": ("x.programme_id", []),
        "course_id": ("x.course_id", []),
        "created_at": ("%s", [_value(LearningAccountEntry._meta.get_field("created_at"), now)]),
    }
    bonus = account_rules.BONUS_CREDITS  # nobody in the bench has had a bonus yet
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = _Raw(cursor)
        # Stage 3 first, while the lines still hold their deducted credits: the refunds ...
        raw.insert(
            LearningAccountEntry,
            {
                **ledger_values,
                "credits": ("x.deducted_credits", []),
                "kind": ("%s", [EntryKind.PASS_REFUND]),
                "reason_code": ("%s", [EntryReason.PASSED]),
            },
            f"FROM (SELECT l.id, l.course_id, l.deducted_credits, e.student_id, e.academic_year_id, "
            f"e.programme_id {examined} WHERE {passed} AND l.deducted_credits > 0 AND l.certified_on IS NULL) x",
            [period.pk],
        )
        # ... and the bonus on the first 60 credits, in order of course code.
        raw.insert(
            LearningAccountEntry,
            {
                **ledger_values,
                "credits": (
                    "CASE WHEN x.deducted_credits < %s - x.before THEN x.deducted_credits ELSE %s - x.before END",
                    [bonus, bonus],
                ),
                "kind": ("%s", [EntryKind.BONUS]),
                "reason_code": ("%s", [EntryReason.PASSED_BONUS]),
            },
            f"FROM (SELECT l.id, l.course_id, l.deducted_credits, e.student_id, e.academic_year_id, e.programme_id, "
            "SUM(l.deducted_credits) OVER (PARTITION BY e.student_id ORDER BY c.code "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - l.deducted_credits AS before "
            f"{examined} JOIN {courses} c ON c.id = l.course_id "
            f"WHERE {passed} AND l.deducted_credits > 0 AND l.certified_on IS NULL "
            "AND e.contract = %s AND e.programme_id = %s) x WHERE x.before < %s",
            [period.pk, Contract.DEGREE, bachelor.pk, bonus],
        )
        # Stages 1-3 on the lines: mark, outcome, certificate, credits given back.
        raw.execute(
            f"UPDATE {lines} SET "
            "mark = CASE WHEN r.score IS NULL THEN r.grade ELSE CAST(r.score AS VARCHAR(2)) END, "
            f"outcome = CASE WHEN {passed} THEN %s WHEN r.score IN (8, 9) AND c.tolerable THEN %s ELSE %s END, "
            f"certified_on = CASE WHEN {passed} THEN %s ELSE {lines}.certified_on END, "
            f"deducted_credits = CASE WHEN {passed} THEN 0 ELSE {lines}.deducted_credits END "
            f"FROM {results} r, {courses} c "
            f"WHERE r.isp_line_id = {lines}.id AND r.exam_period_id = %s AND c.id = {lines}.course_id",
            [LineOutcome.PASSED, LineOutcome.TOLERABLE, LineOutcome.FAILED, day, period.pk],
        )
        # The marks of the courses done (all numeric here): percentage = total * 100 / (credits * 20).
        # (PostgreSQL casts every row an aggregate reads: NA must not reach the cast.)
        total = (
            "SUM(CASE WHEN l.outcome IN ('passed', 'tolerable') THEN CAST(l.mark AS INTEGER) ELSE 0 END * c.credits)"
        )
        # Stage 4, per enrolment over its lines (the year's ISP is the whole package):
        per_enrolment = (
            f"SELECT l.enrolment_id FROM {lines} l JOIN {enrolments} e ON e.id = l.enrolment_id "
            f"JOIN {courses} c ON c.id = l.course_id WHERE e.academic_year_id = %s AND e.programme_id = %s "
            "AND e.contract = %s GROUP BY l.enrolment_id HAVING "
            # study efficiency at least 50 %
            "SUM(CASE WHEN l.outcome = 'passed' THEN c.credits ELSE 0 END) * 100 >= %s * SUM(c.credits) "
        )
        missing = "SUM(CASE WHEN l.outcome <> 'passed' THEN c.credits ELSE 0 END)"
        # (b)-(c) in the initial bachelor: every course missed is a tolerable fail, or a single 7 ...
        threshold = (
            f"{per_enrolment} AND {missing} BETWEEN 1 AND %s AND ("
            "SUM(CASE WHEN l.outcome = 'failed' THEN 1 ELSE 0 END) = 0 OR ("
            "SUM(CASE WHEN l.outcome <> 'passed' THEN 1 ELSE 0 END) = 1 AND "
            "SUM(CASE WHEN l.outcome <> 'passed' AND l.mark = '7' AND c.tolerable THEN 1 ELSE 0 END) = 1))"
        )
        # (a) in the bachelor after bachelor: it passes the programme (no intolerable fail, every
        # course done, at least 50 %).
        final_stage = (
            f"{per_enrolment} AND SUM(CASE WHEN l.outcome = 'tolerable' THEN c.credits ELSE 0 END) BETWEEN 1 AND %s "
            "AND SUM(CASE WHEN l.outcome NOT IN ('passed', 'tolerable') THEN 1 ELSE 0 END) = 0 "
            "AND SUM(c.credits) >= %s "
            f"AND {total} * 100 >= 50 * 20 * SUM(c.credits)"
        )
        common = [year.pk]
        for sql, params, outcomes in (
            (
                threshold,
                [bachelor.pk, Contract.DEGREE, exam_rules.MIN_EFFICIENCY, left(bachelor)],
                "'tolerable', 'failed'",
            ),
            (
                final_stage,
                [after.pk, Contract.DEGREE, exam_rules.MIN_EFFICIENCY, left(after), after.credits],
                "'tolerable'",
            ),
        ):
            raw.execute(
                f"UPDATE {lines} SET tolerated_on = %s, tolerance_kind = %s "
                f"WHERE {lines}.outcome IN ({outcomes}) AND {lines}.enrolment_id IN ({sql})",
                [day, ToleranceKind.AUTOMATIC, *common, *params],
            )
        # Stage 5: the bachelor after bachelor passed (every course passed or tolerated, at least 50 %),
        # with the percentage and the level of achievement (Art. 78-81), and its history.
        levels = " ".join(
            f"WHEN x.total * 100 >= {t} * x.credits * 20 THEN '{level}'" for t, level in exam_rules.LEVELS
        )
        percentage = "ROUND(CAST(x.total AS DECIMAL(12, 4)) * 100 / (x.credits * 20), 4)"
        if connection.vendor == "sqlite":
            percentage = "ROUND(x.total * 100.0 / (x.credits * 20), 4)"
        raw.insert(
            ProgrammeResult,
            {
                "student_id": ("x.student_id", []),
                "programme_id": ("%s", [after.pk]),
                "academic_year_id": ("%s", [year.pk]),
                "passed_on": ("%s", [day]),
                "percentage": (percentage, []),
                "level": (f"CASE {levels} ELSE 'passed' END", []),
            },
            f"FROM (SELECT e.student_id, {total} AS total, SUM(c.credits) AS credits "
            f"FROM {lines} l JOIN {enrolments} e ON e.id = l.enrolment_id JOIN {courses} c ON c.id = l.course_id "
            "WHERE e.academic_year_id = %s AND e.programme_id = %s AND e.contract = %s GROUP BY e.student_id "
            "HAVING SUM(CASE WHEN l.outcome = 'passed' OR l.tolerated_on IS NOT NULL THEN 0 ELSE 1 END) = 0 "
            f"AND SUM(c.credits) >= %s AND {total} * 100 >= 50 * 20 * SUM(c.credits)) x",
            [year.pk, after.pk, Contract.DEGREE, after.credits],
        )
        history = ProgrammeResult.history.model
        columns = [f.column for f in ProgrammeResult._meta.concrete_fields]
        raw.insert(
            history,
            {
                **{column: (f"x.{column}", []) for column in columns},
                "history_date": ("%s", [_value(history._meta.get_field("history_date"), now)]),
                "history_type": ("'+'", []),
            },
            f"FROM {results_copy} x WHERE x.passed_on = %s",
            [day],
        )
    return time.perf_counter() - started, raw.queries


def differences(period: ExamPeriod) -> dict[str, int]:
    """Rows that differ between the application's tables and the raw copies, per table."""
    copies = _copies()
    day = _value(ISPLine._meta.get_field("certified_on"), period.results_published_on)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    compared = {
        ISPLine: ["mark", "outcome", "certified_on", "deducted_credits", "tolerated_on", "tolerance_kind"],
        LearningAccountEntry: [
            "student_id",
            "on",
            "credits",
            "kind",
            "source",
            "academic_year_id",
            "programme_id",
            "course_id",
            "reason_code",
            "reason_params",
            "reason",
            "created_by_id",
        ],
        ProgrammeResult: ["student_id", "programme_id", "academic_year_id", "passed_on", "percentage", "level"],
    }
    history = ProgrammeResult.history.model
    compared[history] = [*compared[ProgrammeResult], "history_type", "history_change_reason", "history_user_id"]
    where = {
        LearningAccountEntry: ('"on" = %s', [day]),
        ProgrammeResult: ("passed_on = %s", [day]),
        history: ("passed_on = %s", [day]),
    }
    found = {}
    with connection.cursor() as cursor:
        # The lines, by id.
        table, copy = ISPLine._meta.db_table, copies[ISPLine]
        differs = " OR ".join(f"a.{c} {distinct} b.{c}" for c in compared[ISPLine])
        cursor.execute(f"SELECT COUNT(*) FROM {table} a JOIN {copy} b ON a.id = b.id WHERE {differs}")
        found["lines"] = cursor.fetchone()[0]
        # The rows the publication added, as sets: what one has and the other has not.
        for model in (LearningAccountEntry, ProgrammeResult, history):
            columns = ", ".join(connection.ops.quote_name(c) for c in compared[model])
            condition, params = where[model]
            rows = 0
            for first, second in ((model._meta.db_table, copies[model]), (copies[model], model._meta.db_table)):
                cursor.execute(
                    f"SELECT COUNT(*) FROM (SELECT {columns} FROM {first} WHERE {condition} "
                    f"EXCEPT SELECT {columns} FROM {second} WHERE {condition}) d",
                    params + params,
                )
                rows += cursor.fetchone()[0]
            cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table} WHERE {condition}", params)
            app = cursor.fetchone()[0]
            cursor.execute(f"SELECT COUNT(*) FROM {copies[model]} WHERE {condition}", params)
            rows += abs(app - cursor.fetchone()[0])  # duplicates EXCEPT would not see
            found[model._meta.model_name] = rows
    return found


def effects(period: ExamPeriod) -> dict:
    day = period.results_published_on
    booked = LearningAccountEntry.objects.filter(on=day).values("kind").annotate(n=Count("pk"), credits=Sum("credits"))
    tolerated = (
        ISPLine.objects.filter(tolerance_kind=ToleranceKind.AUTOMATIC, tolerated_on=day)
        .values("enrolment__programme__code")
        .annotate(n=Count("pk"))
    )
    return {
        "certified": ISPLine.objects.filter(certified_on=day).count(),
        "ledger": {row["kind"]: (row["n"], row["credits"]) for row in booked},
        "tolerated": {row["enrolment__programme__code"]: row["n"] for row in tolerated},
        "programme_results": ProgrammeResult.objects.filter(passed_on=day).count(),
    }


def measure(n: int, workers: tuple[int, ...] = ()) -> Figures:
    """Create the data in the current database, publish period 2 with the application, make the
    same writes with raw SQL on copies of the tables, and compare the two row by row. Works
    inside a transaction too (the test suite's), but then skips VACUUM. With ``workers`` (on
    PostgreSQL with a real broker), first the publication spread over that many Celery workers,
    each count on its own copy of the database (``spread``)."""
    started = time.perf_counter()
    period = create_data(n)
    created = time.perf_counter()
    copy_tables()
    copied = time.perf_counter()
    analyze()
    setup = {"data": created - started, "copy": copied - created, "analyze": time.perf_counter() - copied}
    spread_runs = {count: spread(period, count) for count in workers}
    results = Result.objects.filter(exam_period=period).count()
    try:
        _settle()
        report, seconds, queries = publish(period)
        _settle()
        raw_seconds, raw_queries = raw_publish(period)
        different = differences(period)
        assert not any(different.values()), f"rows differ between the publication and the raw SQL: {different}"
    finally:
        drop_copies()
    found = effects(period)
    for count in workers:
        assert _SPREAD_EFFECTS.pop(count) == found, f"the publication over {count} worker(s) wrote other rows"
    assert found["certified"] == report.certified, (found["certified"], report.certified)
    assert found["programme_results"] == report.programmes_passed, (found["programme_results"], report)
    assert sum(found["tolerated"].values()) == report.tolerated, (found["tolerated"], report.tolerated)
    return Figures(
        n,
        results,
        setup,
        seconds,
        queries,
        report.examined,
        report=report,
        raw_seconds=raw_seconds,
        raw_queries=raw_queries,
        differences=different,
        spread=spread_runs,
        **found,
    )


def run(n: int | None = None) -> Figures:
    n = n or DEFAULT_N
    print(f"publication: N = {n:,} students x 10 results on {vendor_label()}", flush=True)
    workers = SPREAD_WORKERS if spread_possible() else ()
    with scratch_database("publication") as created:
        print(f"  scratch database   {connection.settings_dict['NAME']}, migrated in {created:.1f} s", flush=True)
        figures = measure(n, workers)
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in figures.setup.items())
    print(f"  setup              {sum(figures.setup.values()):.1f} s ({steps})")
    print(f"  results            {figures.results:,} ({figures.examined:,} lines examined)")
    print(f"  publication        {figures.seconds:.1f} s, {figures.per_second:,.0f} results/s")
    print(f"  queries            {figures.queries:,} ({figures.queries / n * 1000:.1f} per 1,000 students)")
    print(f"  lines certified    {figures.certified:,}")
    for kind, (entries, credits) in sorted(figures.ledger.items()):
        print(f"  ledger {kind:<12}{entries:,} entries, {credits:+,} credits")
    tolerated = ", ".join(f"{code} {count:,}" for code, count in sorted(figures.tolerated.items())) or "none"
    print(f"  tolerated (auto)   {sum(figures.tolerated.values()):,} lines ({tolerated})")
    print(f"  programme results  {figures.programme_results:,}")
    print(f"  raw SQL            {figures.raw_seconds:.1f} s, {figures.raw_queries} queries, the same rows")
    verdict = "ok" if figures.ratio <= 2 else "ABOVE the target of 2"
    print(f"  ratio app/raw      {figures.ratio:.2f} ({verdict})", flush=True)
    if not workers:
        print("  spread (workers)   not run: needs PostgreSQL and a real broker (CELERY_BROKER_URL)")
    for count, seconds in figures.spread.items():
        ratio = figures.spread_ratio[count]
        print(
            f"  spread, {count} worker{'s' if count > 1 else ' '} {seconds:.1f} s"
            f" (target < {TARGET_SECONDS:.0f} s at N = 125,000: {'met' if seconds < TARGET_SECONDS else 'MISSED'}),"
            f" ratio to raw {ratio:.2f} (target <= 2: {'met' if ratio <= 2 else 'MISSED'})",
            flush=True,
        )
    return figures
