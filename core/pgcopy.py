"""Set-based writes of many rows computed in Python: on PostgreSQL through COPY (psycopg 3's
``cursor.copy``) into a temporary table, then one INSERT ... SELECT or UPDATE ... FROM; the
callers fall back to the ORM on other databases (``available``). A statement of a batch, a small
share of a large table, joins by key (``by_key``).

Rows are plain tuples of database values (dates, numbers, strings; a JSON value as its text):
no model instances are built, and nothing runs per row but the COPY's own encoding.
"""

import contextlib
import itertools
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, connection, transaction


def available() -> bool:
    return connection.vendor == "postgresql"


def _columns(model, fields: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(model._meta.get_field(name).column) for name in fields]


_stages = itertools.count(1)


def _stage(cursor, model, fields: Sequence[str], rows: Iterable[tuple]) -> str:
    """A temporary table with the columns ``fields`` of ``model``'s table (their types, no
    constraints), filled by COPY with ``rows``; returns its name. Call it inside a transaction:
    the table is dropped when that commits (or rolls back).

    Each stage is a new table, never dropped nor emptied by the caller: PostgreSQL's ``DROP
    TABLE`` and ``TRUNCATE`` first look through every trigger event still pending in the
    transaction (``AfterTriggerPendingOnRel``), and a long transaction holds hundreds of
    thousands of them (the deferred foreign-key checks of every row it inserted): a replay of
    three years at 25,000 students spent 4.4 s in 142 drops of its stages (31 ms each), issue 19.
    At the commit the deferred checks have run and the queue is empty. The price: a transaction
    keeps its stages (their rows in temporary files, a lock each) until it ends, 142 tables in
    that replay; a day's deadlines or one publication make a handful."""
    table = connection.ops.quote_name(model._meta.db_table)
    stage = connection.ops.quote_name(f"stage_{next(_stages)}_{model._meta.db_table}"[:63])
    columns = ", ".join(_columns(model, fields))
    cursor.execute(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
    with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return stage


def insert(model, fields: Sequence[str], rows: Iterable[tuple], *, ignore_conflicts: bool = False) -> int:
    """Insert ``rows`` (values of ``fields``, in that order) into ``model``'s table; with
    ``ignore_conflicts`` a row that would break a unique constraint is skipped, as
    ``bulk_create(ignore_conflicts=True)`` does. Returns the rows inserted.

    The rows are copied straight into the table (``copy_rows``); with ``ignore_conflicts`` in a
    savepoint, and only when that meets a row that exists already (a repeated run) are they
    copied into a temporary table and inserted with ``ON CONFLICT DO NOTHING``."""
    rows = list(rows)
    if not rows:
        return 0
    if not ignore_conflicts:
        copy_rows(model, fields, rows)
        return len(rows)
    from psycopg.errors import UniqueViolation

    try:
        with transaction.atomic():
            copy_rows(model, fields, rows)
        return len(rows)
    except (UniqueViolation, IntegrityError) as error:
        # COPY's own error comes from psycopg's cursor, not through Django's wrapper.
        if not isinstance(error, UniqueViolation) and not isinstance(error.__cause__, UniqueViolation):
            raise
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, fields))
    with transaction.atomic(), connection.cursor() as cursor:
        stage = _stage(cursor, model, fields, rows)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT DO NOTHING")
        return cursor.rowcount


def update(model, fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Set ``fields`` of the rows of ``model``'s table whose primary key is each row's first
    value to the row's other values (in the order of ``fields``), in one UPDATE ... FROM.
    Returns the rows updated."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    names = [pk.name, *fields]
    key, *columns = _columns(model, names)
    rows = rows if isinstance(rows, Sequence) else list(rows)
    with transaction.atomic(), connection.cursor() as cursor:
        stage = _stage(cursor, model, names, rows)
        assignments = ", ".join(f"{column} = s.{column}" for column in columns)
        with _by_key(cursor, table, len(rows)):
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {stage} s WHERE {table}.{key} = s.{key}")
            updated = cursor.rowcount
        return updated


# ``update`` looks each staged row up by its primary key while the stage holds fewer rows than this
# share of the table's.
BY_KEY_SHARE = 0.25
_JOINS = ("enable_hashjoin", "enable_mergejoin")


@contextlib.contextmanager
def _by_key(cursor, table: str, rows: int):
    """Within it, a join of the stage with ``table`` looks each staged row up by the table's
    primary key (a nested loop) when the stage holds less than ``BY_KEY_SHARE`` of the table's
    rows, as the planner's statistics count them.

    With the default costs (``random_page_cost`` 4, made for disks) PostgreSQL's planner rather
    reads the whole table into a hash, in batches written to temporary files when it does not fit
    in ``work_mem``: at 25,000 students, the update of a day's 25,000 lines out of 500,000 took
    1.1 s that way, most of it spent hashing lines it did not update (issue 19). The planner's own settings
    for joins are switched off for that statement only (``set_config(..., is_local)``) and given
    back after it; a failing statement's savepoint gives them back itself."""
    cursor.execute(
        "SELECT reltuples, " + ", ".join(f"current_setting('{name}')" for name in _JOINS) + " FROM pg_class "
        "WHERE oid = %s::regclass",
        [table],
    )
    found = cursor.fetchone()
    if found is None or found[0] < 0 or rows >= BY_KEY_SHARE * found[0]:
        yield
        return
    _reltuples, *before = found
    cursor.execute("SELECT " + ", ".join(f"set_config('{name}', 'off', true)" for name in _JOINS))
    yield
    cursor.execute(
        "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in _JOINS),
        before,
    )


# ``by_key`` applies from this many rows on: fewer are looked up by key by the planner itself (and
# a page that reads a few students' rows pays no query for it).
BY_KEY_FROM = 1000


@contextlib.contextmanager
def by_key(model, rows: int):
    """Within it, the statements of a batch that reads about ``rows`` rows of ``model``'s table
    (a publication's batch of students, their standings) join by key when that is a small share of
    the table (``_by_key``): each of the batch's enrolments finds its lines, and each line its
    results, through their indexes, instead of the planner's hash of every line of the table. A
    range of 5,000 students out of 125,000 read its 50,000 lines in 0.19 s instead of 0.46 s (a
    parallel scan of the 1.25 million lines, twice as large since the lines' table keeps half of
    each page free; issue 19).

    A no-op below ``BY_KEY_FROM`` rows and off PostgreSQL. Opens a savepoint (or the
    transaction), which scopes the settings (``SET LOCAL`` outside a transaction would last one
    statement) and gives them back if a statement within fails."""
    if not available() or rows < BY_KEY_FROM:
        yield
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor, _by_key(cursor, table, rows):
        yield


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY ``rows`` (values of ``fields``, in that order) straight into ``model``'s table: for
    new rows that cannot conflict (every constraint is checked as by an INSERT)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, fields))
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def next_ids(model, count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, ascending, taken from its sequence as
    many INSERTs would take them (one query)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count],
        )
        return sorted(pk for (pk,) in cursor.fetchall())


# From this many rows on, ``update_each`` goes through COPY and one UPDATE ... FROM on PostgreSQL.
COPY_FROM = 1000


def update_each(model, fields: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Set ``fields`` of each row of ``model``'s table named by a row's first value (its primary
    key) to the row's other values: ``update`` for many rows on PostgreSQL; otherwise one
    ``UPDATE ... WHERE pk = ...`` per row sent as a single ``executemany`` (pipelined by
    psycopg; no CASE expression built, one statement whatever the values). Returns the rows
    given."""
    if not rows:
        return 0
    if available() and len(rows) >= COPY_FROM:
        update(model, fields, rows)
        return len(rows)
    table = connection.ops.quote_name(model._meta.db_table)
    key, *columns = _columns(model, [model._meta.pk.name, *fields])
    assignments = ", ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", [(*row[1:], row[0]) for row in rows])
    return len(rows)
