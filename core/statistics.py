"""The planner's statistics in a long transaction (PostgreSQL).

PostgreSQL's autovacuum keeps each table's statistics (``ANALYZE``) as committed work changes
it. Work that stays in one transaction is invisible to it: an import, and the timeline's replay
of years in ``load_demo`` or a benchmark. There the planner keeps taking the tables for the
sizes it last saw, and a query over a table that grew from a few thousand rows to a hundred
thousand picks a nested loop that grows with the square of the students (the rebuild of rule
10 over the learning account's entries: 3.7 s at 2,000 students, 20 ms with statistics).

``analyze(models)`` brings the statistics of some tables up to date; ``Keeper`` does it as
autovacuum would (a table with more rows changed than 50 + 10 % of the rows the planner
believes it has), reading the transaction's own counts (``pg_stat_xact_user_tables``).
``ANALYZE`` is allowed within a transaction and counts the transaction's own new rows. Its cost
is fixed per table (a sample of 300 times the statistics target rows), whatever the table's
size. ``Keeper`` analyzes with a target of ``KEEPER_TARGET`` (a sample of 6,000 rows instead of
the default 30,000): what a replay's plans need are the tables' sizes and the shares of their
flags, and a replay analyzes the ISP lines some sixty times. Nothing on other databases.
"""

from django.apps import apps
from django.db import connection

from . import pgcopy

# Autovacuum's defaults (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor).
THRESHOLD = 50
SCALE = 0.1
# The statistics target of ``Keeper``'s ANALYZE (PostgreSQL's default_statistics_target: 100).
KEEPER_TARGET = 20


def analyze(models) -> None:
    """Bring the statistics of ``models``' tables up to date (PostgreSQL; nothing elsewhere)."""
    if pgcopy.available():
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


class Keeper:
    """Within one transaction on PostgreSQL: ``check()`` analyzes the application's tables that
    changed more, in this transaction since the last check, than autovacuum would let pass
    (one query, and ``ANALYZE`` of those tables). Outside a transaction, or on another
    database, it does nothing: autovacuum sees committed work."""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def active(self) -> bool:
        return pgcopy.available() and connection.in_atomic_block

    def check(self) -> list[str]:
        """Analyze the tables due; returns their names."""
        if not self.active():
            return []
        ours = {model._meta.db_table for model in apps.get_models()}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.relname, s.n_tup_ins + s.n_tup_upd + s.n_tup_del, c.reltuples "
                "FROM pg_stat_xact_user_tables s JOIN pg_class c ON c.oid = s.relid "
                "WHERE s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0"
            )
            due = []
            for table, changed, believed in cursor.fetchall():
                if table not in ours:
                    continue
                if changed - self.seen.get(table, 0) > THRESHOLD + SCALE * max(believed, 0):
                    due.append(table)
                    self.seen[table] = changed
            if due:
                # A smaller sample for this ANALYZE only (set_config's local setting, then the
                # transaction's own value again).
                cursor.execute("SELECT current_setting('default_statistics_target')")
                (target,) = cursor.fetchone()
                cursor.execute("SELECT set_config('default_statistics_target', %s, true)", [str(KEEPER_TARGET)])
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in sorted(due)))
                cursor.execute("SELECT set_config('default_statistics_target', %s, true)", [target])
        return due
