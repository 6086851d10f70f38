"""The planner's statistics in a long transaction (``core.statistics``, issue 19): a replay of
years in one transaction keeps them up to date as autovacuum would for committed work."""

import pytest
from django.db import connection

from core import statistics
from students.models import Student
from tests.support.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _believed(model) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_a_table_grown_in_the_transaction_is_analyzed_once_past_the_threshold():
    """Within the test's transaction: 40 students are under autovacuum's 50 rows (nothing
    analyzed); 100 more pass it (the students' table analyzed: the planner now believes the 140
    rows the transaction sees); nothing changed since: nothing again."""
    keeper = statistics.Keeper()
    assert keeper.active()
    keeper.check()  # whatever the test database holds so far, counted from here on
    StudentFactory.create_batch(40)
    assert Student._meta.db_table not in keeper.check()
    StudentFactory.create_batch(100)
    assert Student._meta.db_table in keeper.check()
    assert _believed(Student) == Student.objects.count()
    assert keeper.check() == []


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_the_keeper_samples_less_and_leaves_the_statistics_target_as_it_found_it():
    """The keeper's ANALYZE takes a sample for a target of 20 (the students' name column gets
    at most 20 histogram bounds plus common values, not 100), and the transaction's own target
    is the same afterwards."""
    keeper = statistics.Keeper()
    keeper.check()
    before = _setting("default_statistics_target")
    StudentFactory.create_batch(300)
    assert Student._meta.db_table in keeper.check()
    assert _setting("default_statistics_target") == before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(array_length(histogram_bounds::text::text[], 1), 0) FROM pg_stats "
            "WHERE tablename = %s AND attname = 'number'",
            [Student._meta.db_table],
        )
        (bounds,) = cursor.fetchone()
    assert 0 < bounds <= statistics.KEEPER_TARGET + 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
def test_nothing_on_sqlite(django_assert_num_queries):
    """Elsewhere than PostgreSQL the keeper does nothing and asks nothing."""
    keeper = statistics.Keeper()
    assert not keeper.active()
    StudentFactory.create_batch(60)
    with django_assert_num_queries(0):
        assert keeper.check() == []
