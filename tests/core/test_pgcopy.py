"""``core.pgcopy``'s stages (PostgreSQL): the rows copied into a temporary table that one
UPDATE ... FROM (or INSERT ... SELECT) reads. A stage is never dropped nor emptied within the
transaction (PostgreSQL's DROP and TRUNCATE walk every pending trigger event first: 31 ms a
drop in a replay, issue 19); it goes when the transaction ends."""

import pytest
from django.db import connection, transaction
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
