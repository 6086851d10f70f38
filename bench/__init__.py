"""Benchmarks: ``python -m bench`` (``make bench``) runs every module of this package.

Each benchmark module defines ``run(n: int | None) -> dict`` that prints its
figures. Benchmarks never touch the configured database's data: they work in a
scratch database (``scratch_database``) that is created, migrated and dropped.
"""

import contextlib
import os
import sqlite3
import time

from django.db import connection


def vendor_label() -> str:
    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


@contextlib.contextmanager
def scratch_database(label: str):
    """Create and migrate a scratch database next to the configured one, point the
    default connection at it, and drop it afterwards.

    PostgreSQL: a database named ``bench_<label>_<pid>`` on the same server.
    SQLite: Django's in-memory test database (the database file is not opened); migrated once
    per run, later ones copied from the first (``_sqlite_create``).
    Yields the seconds creation and migration took.
    """
    creation = connection.creation
    test_settings = connection.settings_dict.setdefault("TEST", {})
    old_name = connection.settings_dict["NAME"]
    old_test_name = test_settings.get("NAME")
    if connection.vendor != "sqlite":
        test_settings["NAME"] = f"bench_{label}_{os.getpid()}"
    started = time.perf_counter()
    try:
        if connection.vendor == "sqlite":
            _sqlite_create(creation)
        else:
            creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield time.perf_counter() - started
        finally:
            creation.destroy_test_db(old_name, verbosity=0)
    finally:
        test_settings["NAME"] = old_test_name


_sqlite_migrated = None  # a migrated, empty SQLite database in memory: the later scratch databases' copy


def _sqlite_create(creation) -> None:
    """The in-memory scratch database: migrated the first time (half a minute, every migration
    run), afterwards its tables made from the models without the migrations and then replaced,
    page by page, by the copy of the first one (SQLite's backup), so that ``make bench`` migrates
    once, not once per benchmark."""
    global _sqlite_migrated
    if _sqlite_migrated is None:
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        connection.ensure_connection()
        _sqlite_migrated = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_sqlite_migrated)
        return
    test_settings = connection.settings_dict["TEST"]
    migrate = test_settings.get("MIGRATE", True)
    test_settings["MIGRATE"] = False
    try:
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        test_settings["MIGRATE"] = migrate
    connection.ensure_connection()
    _sqlite_migrated.backup(connection.connection)
