"""``core.pgcopy``'s stages (PostgreSQL): the rows copied into a temporary table that one
UPDATE ... FROM (or INSERT ... SELECT) reads. A stage is never dropped nor emptied within the
transaction (PostgreSQL's DROP and TRUNCATE walk every pending trigger event first: 31 ms a
drop in a replay, issue 19); it goes when the transaction ends."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import pgcopy
from students.models import Student
from tests.support.factories import StudentFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and temporary tables: PostgreSQL")


def _stages() -> list[str]:
    """The stages this session can see."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'stage\\_%%' AND relpersistence = 't' "
            "AND relkind = 'r' AND pg_table_is_visible(oid) ORDER BY relname"
        )
        return [name for (name,) in cursor.fetchall()]


def _ddl(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("DROP", "TRUNCATE"))]


@pytest.mark.django_db
def test_stages_within_a_transaction_are_kept_until_it_ends_and_never_dropped():
    ann, bob = StudentFactory(first_name="Ann"), StudentFactory(first_name="Bob")
    before = _stages()
    with CaptureQueriesContext(connection) as queries:
        assert pgcopy.update(Student, ["first_name"], [(ann.pk, "Anna")]) == 1
        assert pgcopy.update(Student, ["first_name", "last_name"], [(bob.pk, "Bobby", "Peeters")]) == 1
        assert pgcopy.update_each(Student, ["first_name"], [(ann.pk, "Anneke")] * pgcopy.COPY_FROM) == pgcopy.COPY_FROM

    assert _ddl(queries.captured_queries) == []
    # Three stages of their own, all still there: the test's transaction has not ended.
    assert len(set(_stages()) - set(before)) == 3
    assert list(
        Student.objects.filter(pk__in=[ann.pk, bob.pk]).order_by("pk").values_list("first_name", "last_name")
    ) == [
        ("Anneke", ann.last_name),
        ("Bobby", "Peeters"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_stage_outside_a_transaction_is_gone_once_its_statement_is_done():
    ann = StudentFactory(first_name="Ann")
    assert not connection.in_atomic_block

    with CaptureQueriesContext(connection) as queries:
        assert pgcopy.update(Student, ["first_name"], [(ann.pk, "Anna")]) == 1

    assert _ddl(queries.captured_queries) == []
    assert _stages() == []
    ann.refresh_from_db()
    assert ann.first_name == "Anna"


@pytest.mark.django_db(transaction=True)
def test_a_stage_of_a_rolled_back_transaction_is_gone_with_its_rows():
    ann = StudentFactory(first_name="Ann")
    with transaction.atomic():
        pgcopy.update(Student, ["first_name"], [(ann.pk, "Anna")])
        assert len(_stages()) == 1
        transaction.set_rollback(True)

    assert _stages() == []
    ann.refresh_from_db()
    assert ann.first_name == "Ann"


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def _joins() -> tuple[str, str]:
    return _setting("enable_hashjoin"), _setting("enable_mergejoin")


TABLE = '"students_student"'


@pytest.fixture
def forty_students():
    students = StudentFactory.create_batch(40)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")  # the planner's count of the table's rows
    return students


@pytest.mark.django_db
def test_a_stage_of_a_few_of_the_table_s_rows_looks_them_up_by_key_and_the_settings_come_back(forty_students):
    with connection.cursor() as cursor:
        stage = pgcopy._stage(cursor, Student, ["id", "first_name"], [(s.pk, "Anna") for s in forty_students[:5]])
        with pgcopy._by_key(cursor, TABLE, 5):
            assert _joins() == ("off", "off")
            cursor.execute(
                f"EXPLAIN UPDATE {TABLE} SET first_name = s.first_name FROM {stage} s WHERE {TABLE}.id = s.id"
            )
            plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "Nested Loop" in plan
    assert "Hash Join" not in plan and "Merge Join" not in plan
    assert _joins() == ("on", "on")


@pytest.mark.django_db
def test_an_update_of_a_few_rows_writes_them_and_leaves_the_planner_as_it_was(forty_students):
    ann, bob = forty_students[:2]
    with CaptureQueriesContext(connection) as queries:
        assert pgcopy.update(Student, ["first_name"], [(ann.pk, "Anna"), (bob.pk, "Bobby")]) == 2
    assert any("set_config('enable_hashjoin', 'off', true)" in q["sql"] for q in queries.captured_queries)
    assert list(
        Student.objects.filter(pk__in=[ann.pk, bob.pk]).order_by("pk").values_list("first_name", flat=True)
    ) == [
        "Anna",
        "Bobby",
    ]
    assert _joins() == ("on", "on")


@pytest.mark.django_db
def test_a_stage_of_a_large_share_of_the_table_leaves_the_choice_to_the_planner(forty_students):
    with connection.cursor() as cursor, pgcopy._by_key(cursor, TABLE, 10):
        assert _joins() == ("on", "on")


@pytest.mark.django_db
def test_a_table_never_analyzed_leaves_the_choice_to_the_planner():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE never_analyzed (id int PRIMARY KEY)")
        with pgcopy._by_key(cursor, "never_analyzed", 1):
            assert _joins() == ("on", "on")


@pytest.mark.django_db
def test_a_setting_the_session_had_is_given_back(forty_students):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_mergejoin = off")
        with pgcopy._by_key(cursor, TABLE, 1):
            assert _joins() == ("off", "off")
    assert _joins() == ("on", "off")


@pytest.mark.django_db
def test_a_failing_statement_s_savepoint_gives_the_settings_back(forty_students):
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
        pgcopy._by_key(cursor, TABLE, 1),
    ):
        assert _joins() == ("off", "off")
        cursor.execute("SELECT 1 / 0")
    assert _joins() == ("on", "on")


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_a_small_share_reads_by_key_within_its_block_even_outside_a_transaction(forty_students, monkeypatch):
    monkeypatch.setattr(pgcopy, "BY_KEY_FROM", 5)
    assert not connection.in_atomic_block
    with pgcopy.by_key(Student, 5):
        # Its own transaction holds the settings for every statement of the block.
        assert _joins() == ("off", "off")
        assert _joins() == ("off", "off")
    assert _joins() == ("on", "on")


@pytest.mark.django_db
def test_a_batch_below_the_threshold_or_of_a_large_share_asks_nothing(forty_students, monkeypatch):
    with CaptureQueriesContext(connection) as queries, pgcopy.by_key(Student, pgcopy.BY_KEY_FROM - 1):
        pass
    assert queries.captured_queries == []
    monkeypatch.setattr(pgcopy, "BY_KEY_FROM", 5)
    with pgcopy.by_key(Student, 10):  # a quarter of the 40 students
        assert _joins() == ("on", "on")


@pytest.mark.django_db
def test_a_failing_read_within_a_batch_gives_the_settings_back(forty_students, monkeypatch):
    monkeypatch.setattr(pgcopy, "BY_KEY_FROM", 5)
    with pytest.raises(DatabaseError), pgcopy.by_key(Student, 5), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    assert _joins() == ("on", "on")
    assert Student.objects.count() == 40  # the test's transaction goes on
