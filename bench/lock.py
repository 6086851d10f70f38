"""The 1 December lock on a large year: the application's ``lines_lock`` against
the same state change as one raw SQL UPDATE.

N students, each enrolled in one programme of one academic year with an ISP of
10 courses (5 first-semester, 1 year, 4 second-semester), some lines removed
before or after the lock, added after it or already locked. The lines table is
copied before the lock; then

* the application locks the original: ``students.services.lines_lock(year=...,
  semesters=["1", "year"], day=year.first_semester_lock)``, called directly in
  one transaction (as the timeline's transition runs it), its queries counted;
* one ``UPDATE ... FROM`` sets ``locked_on`` on the copy.

Both must update the same rows (asserted, and the two tables compared line by
line). Target: app/raw <= 3, and N = 250,000 (2.5 million lines) in under two
minutes on PostgreSQL. On PostgreSQL both runs start after a CHECKPOINT, yet the
order still counts (the second run finds the first's pages in shared_buffers):
expect the ratio to move by a factor of about 1.5 between runs.
"""

import contextlib
import datetime
import re
import time
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from programmes.models import AcademicYear, Course, Programme
from students.models import Enrolment, ISPLine, Student

from . import scratch_database, vendor_label

DEFAULT_N = 25_000  # also on SQLite (in memory, `make bench`): about 5 s in all
COPY = "bench_lock_lines"
SEMESTERS = ["1", "year"]
# 5 x first semester, 1 x year course, 4 x second semester.
COURSE_SEMESTERS = ["1", "1", "1", "1", "1", "year", "2", "2", "2", "2"]
STUDENT_PREFIX = "BENCH"


@dataclass
class Figures:
    n: int
    lines: int
    setup: dict[str, float]  # seconds per step
    app_seconds: float
    app_queries: int
    app_rows: int
    raw_seconds: float
    raw_rows: int

    @property
    def ratio(self) -> float:
        return self.app_seconds / self.raw_seconds if self.raw_seconds else float("inf")


# --- setup ---------------------------------------------------------------------
def _value(field, value):
    return field.get_db_prep_save(value, connection)


def _insert_select(
    cursor, model, values: dict[str, tuple[str, list]], tail: str, tail_params: list, *, prefix: str = ""
) -> int:
    """``INSERT INTO <model> (<every column>) SELECT <values> <tail>``: the columns
    not given take the field's default (or NULL), so the statement follows the model."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in values:
            sql, field_params = values[field.column]
        elif field.null and not field.has_default():
            sql, field_params = "NULL", []
        elif (default := field.get_default()) is not None:  # the default, or "" for a text field
            sql, field_params = "%s", [_value(field, default)]
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
        columns.append(connection.ops.quote_name(field.column))
        expressions.append(sql)
        params += field_params
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute(
        f"{prefix}INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {tail}",
        params + tail_params,
    )
    return cursor.rowcount


def _insert_students(cursor, n: int) -> None:
    if connection.vendor == "postgresql":
        series, series_params = "FROM generate_series(1, %s) AS series(g)", [n]
        prefix = ""
    else:
        # SQLite has no generate_series: a recursive CTE counts instead.
        series, series_params = "FROM series", []
        prefix = f"WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series WHERE g < {int(n)}) "
    values = {
        "number": (f"'{STUDENT_PREFIX}' || g", []),
        "first_name": ("'Bench'", []),
        "last_name": ("'Student ' || g", []),
        "account_opened": ("%s", [True]),
    }
    _insert_select(cursor, Student, values, series, series_params, prefix=prefix)


def create_data(n: int) -> AcademicYear:
    """N students with one enrolment each and 10 ISP lines per enrolment."""
    year = AcademicYear.objects.create(
        code="2024-2025", starts_on=datetime.date(2024, 9, 16), ends_on=datetime.date(2025, 9, 14)
    )
    day = year.first_semester_lock
    programme = Programme.objects.create(
        code="BENCH-BA", name="Bench bachelor", kind="initial_bachelor", cluster="Bench", credits=180
    )
    Course.objects.bulk_create(
        Course(programme=programme, code=f"B{i:02d}", name=f"Course {i}", credits=6, semester=semester, stage=1)
        for i, semester in enumerate(COURSE_SEMESTERS, start=1)
    )
    date = _value(ISPLine._meta.get_field("added_on"), year.starts_on)
    with connection.cursor() as cursor:
        _insert_students(cursor, n)
        _insert_select(
            cursor,
            Enrolment,
            {
                "student_id": ("s.id", []),
                "academic_year_id": ("%s", [year.pk]),
                "programme_id": ("%s", [programme.pk]),
                "contract": ("'degree'", []),
                "enrolled_on": ("%s", [date]),
                "isp_status": ("'approved'", []),
                "enrolment_processed": ("%s", [True]),
            },
            f"FROM {Student._meta.db_table} s WHERE s.number LIKE %s",
            [f"{STUDENT_PREFIX}%"],
        )
        # A line's "hash" h in 0..99 picks its story (per 100 lines): 3 removed
        # before the lock, 3 removed after it, 2 added after it, 1 added on the
        # day itself, 1 already locked; the other 90 are plain.
        h = "((e.id * 7 + c.id) %% 100)"  # %% : a literal % next to query parameters

        def on(offset):
            return _value(ISPLine._meta.get_field("added_on"), day + datetime.timedelta(days=offset))

        _insert_select(
            cursor,
            ISPLine,
            {
                "enrolment_id": ("e.id", []),
                "course_id": ("c.id", []),
                "added_on": (f"CASE WHEN {h} IN (6, 7) THEN %s WHEN {h} = 8 THEN %s ELSE %s END", [on(5), on(0), date]),
                "removed_on": (f"CASE WHEN {h} < 3 THEN %s WHEN {h} < 6 THEN %s ELSE NULL END", [on(-10), on(30)]),
                "locked_on": (f"CASE WHEN {h} = 9 THEN %s ELSE NULL END", [on(0)]),
                "add_processed": ("%s", [True]),
                "removal_processed": (f"CASE WHEN {h} < 3 THEN %s ELSE %s END", [True, False]),
            },
            f"FROM {Enrolment._meta.db_table} e JOIN {Course._meta.db_table} c ON c.programme_id = e.programme_id "
            "WHERE e.academic_year_id = %s AND e.programme_id = %s",
            [year.pk, programme.pk],
        )
    return year


def copy_table(cursor, table: str, copy: str) -> None:
    """Create ``copy`` as ``table`` is made (its columns, indexes and constraints other than foreign
    keys; on PostgreSQL also its storage parameters, the ISP lines' ``fillfactor``) and copy its
    rows into it."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [table])
        options = cursor.fetchone()[0]
        storage = f" WITH ({', '.join(options)})" if options else ""
        cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL){storage}")
    else:
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table])
        statements = sorted(cursor.fetchall(), key=lambda row: row[0] != "table")
        for _kind, sql in statements:
            sql = re.sub(r'(CREATE (?:UNIQUE )?INDEX )"(\w+)"', rf'\1"{copy}__\2"', sql)
            cursor.execute(sql.replace(f'"{table}"', f'"{copy}"'))
    cursor.execute(f"INSERT INTO {copy} SELECT * FROM {table}")


def copy_lines() -> None:
    """Copy the lines table, with its indexes and storage parameters, to ``COPY``."""
    with connection.cursor() as cursor:
        copy_table(cursor, ISPLine._meta.db_table, COPY)


def drop_copy() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY}")


def analyze() -> None:
    """Fresh statistics (and, outside a transaction on PostgreSQL, a vacuum that sets
    the visibility map and hint bits) so neither run pays for the bulk load."""
    tables = [ISPLine._meta.db_table, COPY, Enrolment._meta.db_table, Course._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{command} {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")


def settle() -> None:
    """Before each timed run on PostgreSQL (outside a transaction): a checkpoint, so a
    run does not pay for writing out the pages the previous one dirtied."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    # Without superuser or pg_checkpoint rights, go without.
    with connection.cursor() as cursor, contextlib.suppress(DatabaseError):
        cursor.execute("CHECKPOINT")


# --- the two locks -----------------------------------------------------------------
class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def app_lock(year: AcademicYear) -> tuple[float, int, int]:
    """The application's lock; returns (seconds, queries, rows)."""
    from students.services import lines_lock

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter), transaction.atomic():
        rows = lines_lock(year=year, semesters=SEMESTERS, day=year.first_semester_lock)
    return time.perf_counter() - started, counter.count, rows


def raw_lock(year: AcademicYear) -> tuple[float, int]:
    """The same state change on the copy, as one UPDATE; returns (seconds, rows)."""
    day = _value(ISPLine._meta.get_field("locked_on"), year.first_semester_lock)
    enrolment, course = Enrolment._meta.db_table, Course._meta.db_table
    placeholders = ", ".join(["%s"] * len(SEMESTERS))
    sql = (
        f"UPDATE {COPY} SET locked_on = %s FROM {enrolment} e, {course} c "
        f"WHERE e.id = {COPY}.enrolment_id AND c.id = {COPY}.course_id "
        f"AND e.academic_year_id = %s AND c.semester IN ({placeholders}) "
        f"AND {COPY}.locked_on IS NULL AND {COPY}.added_on <= %s "
        f"AND ({COPY}.removed_on IS NULL OR {COPY}.removed_on > %s)"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [day, year.pk, *SEMESTERS, day, day])
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def differences() -> int:
    """Lines whose ``locked_on`` differs between the original and the copy."""
    table = ISPLine._meta.db_table
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} a JOIN {COPY} b ON a.id = b.id WHERE a.locked_on {distinct} b.locked_on"
        )
        return cursor.fetchone()[0]


def measure(n: int) -> Figures:
    """Create the data in the current database, lock it both ways and compare.
    Works inside a transaction too (the test suite's), but then skips VACUUM."""
    started = time.perf_counter()
    year = create_data(n)
    created = time.perf_counter()
    copy_lines()
    copied = time.perf_counter()
    analyze()
    setup = {"data": created - started, "copy": copied - created, "analyze": time.perf_counter() - copied}
    lines = ISPLine.objects.count()
    try:
        settle()
        app_seconds, app_queries, app_rows = app_lock(year)
        settle()
        raw_seconds, raw_rows = raw_lock(year)
        assert app_rows == raw_rows, f"lines_lock updated {app_rows} rows, the raw UPDATE {raw_rows}"
        different = differences()
        assert different == 0, f"{different} lines differ between lines_lock and the raw UPDATE"
    finally:
        drop_copy()
    return Figures(n, lines, setup, app_seconds, app_queries, app_rows, raw_seconds, raw_rows)


def run(n: int | None = None) -> Figures:
    n = n or DEFAULT_N
    print(f"lock: N = {n:,} students x 10 ISP lines on {vendor_label()}", flush=True)
    with scratch_database("lock") as created:
        print(f"  scratch database   {connection.settings_dict['NAME']}, migrated in {created:.1f} s", flush=True)
        figures = measure(n)
    print(f"  students           {figures.n:,}")
    print(f"  lines              {figures.lines:,}")
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in figures.setup.items())
    print(f"  setup              {sum(figures.setup.values()):.1f} s ({steps})")
    print(f"  app lines_lock     {figures.app_seconds:.3f} s, {figures.app_queries} queries, {figures.app_rows:,} rows")
    print(f"  raw SQL UPDATE     {figures.raw_seconds:.3f} s, 1 query, {figures.raw_rows:,} rows")
    verdict = "ok" if figures.ratio <= 3 else "ABOVE the target of 3"
    print(f"  ratio app/raw      {figures.ratio:.2f} ({verdict})", flush=True)
    return figures
