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
Target: N = 125,000 (1.25 million results) in under 10 minutes on PostgreSQL,
with a number of queries that grows per batch of rows, not per student.
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Sum

from core import clock
from exams.models import ProgrammeResult, Result
from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from students import rules as account_rules
from students.models import (
    Contract,
    Enrolment,
    EntryKind,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    Student,
    ToleranceKind,
)

from . import scratch_database, vendor_label
from .lock import QueryCounter, _insert_select, _value

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

    @property
    def per_second(self) -> float:
        return self.results / self.seconds if self.seconds else float("inf")


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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{command} {', '.join(m._meta.db_table for m in models)}")
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


def measure(n: int) -> Figures:
    """Create the data in the current database and publish period 2. Works inside a
    transaction too (the test suite's), but then skips VACUUM."""
    started = time.perf_counter()
    period = create_data(n)
    created = time.perf_counter()
    analyze()
    setup = {"data": created - started, "analyze": time.perf_counter() - created}
    results = Result.objects.filter(exam_period=period).count()
    report, seconds, queries = publish(period)
    found = effects(period)
    assert found["certified"] == report.certified, (found["certified"], report.certified)
    assert found["programme_results"] == report.programmes_passed, (found["programme_results"], report)
    assert sum(found["tolerated"].values()) == report.tolerated, (found["tolerated"], report.tolerated)
    return Figures(n, results, setup, seconds, queries, report.examined, report=report, **found)


def run(n: int | None = None) -> Figures:
    n = n or DEFAULT_N
    print(f"publication: N = {n:,} students x 10 results on {vendor_label()}", flush=True)
    with scratch_database("publication") as created:
        print(f"  scratch database   {connection.settings_dict['NAME']}, migrated in {created:.1f} s", flush=True)
        figures = measure(n)
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
    print(f"  programme results  {figures.programme_results:,}", flush=True)
    return figures
