"""Rows written as plain tuples of values, set-based: no model instance is built and nothing
runs per row but the database driver's own encoding. On PostgreSQL the rows go in by COPY
(``core.pgcopy``; the new primary keys are taken from the table's sequence first); on
SQLite by multi-row INSERTs (``RETURNING`` the new keys) or one ``executemany``.

A row gives the values of some fields (their ``attname``: ``student_id``, not ``student``)
in a fixed order; every other concrete field takes its default, as ``Model(**values)``
followed by ``bulk_create`` would store it. Models with a change history
(django-simple-history) also get one creation record per row, with the same content as
``bulk_create_with_history(..., default_change_reason=IMPORT_REASON)`` writes:
``history_type`` "+", the change reason, the default history user (none outside a
request) and every tracked field; ``history_date`` is the time of the write (one value for
the whole write, where simple_history reads the clock once per row).
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Sequence

from django.db import connection

from core import clock, pgcopy
from core.history import IMPORT_REASON

# SQLite: the most parameters in one statement (the library's limit, when it tells it).
SQLITE_PARAMS = 32766
# A row's value that stands for the field's default (a field some rows give and others not).
DEFAULT = object()
# A history row's own fields, after the tracked ones (its ``history_id`` is the database's).
HISTORY_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user_id")


class Columns:
    """The concrete fields of ``model`` but its primary key, and how a row giving the
    values of ``given`` (attnames, in that order) is completed with the defaults."""

    def __init__(self, model, given: Sequence[str]):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                raise ValueError(f"{model._meta.label}.{f.name}: a value set on save cannot be written as a row")
        self.model = model
        self.names = [f.attname for f in fields]
        index = {name: i for i, name in enumerate(self.names)}
        unknown = [name for name in given if name not in index]
        if unknown:
            raise ValueError(f"{model._meta.label} has no field {', '.join(unknown)}")
        self.defaults = [_plain(f.get_default()) for f in fields]
        self.positions = [index[name] for name in given]

    def complete(self, row: Sequence) -> list:
        full = self.defaults.copy()
        for position, value in zip(self.positions, row, strict=True):
            if value is not DEFAULT:
                full[position] = value
        return full


def _plain(value):
    """A choice default (``TextChoices`` member) as its value."""
    return value.value if isinstance(value, enum.Enum) else value


def _quoted(model, names: Sequence[str]) -> list[str]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [connection.ops.quote_name(fields[name].column) for name in names]


def _sqlite_params() -> int:
    try:
        return min(SQLITE_PARAMS, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, sqlite3.Error):
        return connection.features.max_query_params or 999


def _insert(model, names: Sequence[str], rows: list[Sequence], *, returning: bool) -> list[int]:
    """Insert ``rows`` (values of ``names``, in that order) into ``model``'s table; with
    ``returning``, the new primary keys in the order of ``rows``."""
    if not rows:
        return []
    if pgcopy.available():
        if not returning:
            pgcopy.copy_rows(model, names, rows)
            return []
        ids = pgcopy.next_ids(model, len(rows))
        keyed = ([pk, *row] for pk, row in zip(ids, rows, strict=True))
        pgcopy.copy_rows(model, [model._meta.pk.attname, *names], keyed)
        return ids
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_quoted(model, names))
    placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {placeholder}", rows)
            return []
        pk = connection.ops.quote_name(model._meta.pk.column)
        size = max(1, _sqlite_params() // len(names))
        ids = []
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(batch))} RETURNING {pk}",
                [value for row in batch for value in row],
            )
            # The keys are given in insertion order, which is the order of the VALUES.
            ids += sorted(pk for (pk,) in cursor.fetchall())
        return ids


def insert_rows(model, given: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Insert ``rows`` (values of the fields ``given``) into ``model``'s table; returns how many."""
    columns = Columns(model, given)
    _insert(model, columns.names, [columns.complete(row) for row in rows], returning=False)
    return len(rows)


def _default_history_user(history_model):
    """The user simple_history records when none is given: the request's, outside one none."""
    # An object without ``_history_user``, as an instance that names none.
    user = history_model.get_default_history_user(object())
    return user.pk if user is not None else None


def insert_recorded(model, given: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert ``rows`` (values of the fields ``given``) into ``model``'s table with one
    creation record each in its history table, change reason ``IMPORT_REASON``; returns the
    new primary keys in the order of ``rows``."""
    if not rows:
        return []
    columns = Columns(model, given)
    full = [columns.complete(row) for row in rows]
    ids = _insert(model, columns.names, full, returning=True)
    history = model.history.model
    index = {name: i for i, name in enumerate(columns.names)}
    tracked = [f.attname for f in history.tracked_fields if not f.primary_key]
    picks = [index[name] for name in tracked]
    now = clock.now()  # as simple_history's timezone.now()
    user = _default_history_user(history)
    # On SQLite the datetime is written as Django writes it (naive, in the connection's time zone).
    when = now if pgcopy.available() else connection.ops.adapt_datetimefield_value(now)
    fixed = (when, IMPORT_REASON, "+", user)
    names = [model._meta.pk.attname, *tracked, *HISTORY_FIELDS]
    _insert(
        history,
        names,
        [(pk, *[row[i] for i in picks], *fixed) for pk, row in zip(ids, full, strict=True)],
        returning=False,
    )
    return ids
