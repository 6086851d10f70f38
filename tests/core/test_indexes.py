"""Issue 19: the tables that grow with the college (hundreds of thousands to millions of rows,
written in bulk by imports, replays and publications) have no index that another of their
indexes leads with: such an index serves no lookup the longer one doesn't, and costs a write for
every row inserted or moved by an update."""

import pytest
from django.db import connection

from exams.models import Result, ResultPart
from fees.models import FeeStatement
from students.models import (
    FREQUENT_ENTRY_KINDS,
    FREQUENT_ENTRY_REASONS,
    Enrolment,
    EntryKind,
    EntryReason,
    ISPLine,
    LearningAccountEntry,
    Student,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue"),
]

LARGE = (Student, Enrolment, ISPLine, Result, ResultPart, LearningAccountEntry, FeeStatement)


def _indexes(table: str) -> dict[str, tuple[tuple[int, ...], bool, bool]]:
    """Index name -> (its columns' numbers, unique, partial)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indkey::text, i.indisunique, i.indpred IS NOT NULL, i.indexprs IS NOT NULL "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
            [table],
        )
        return {
            name: (tuple(int(k) for k in keys.split()), unique, partial or expressions)
            for name, keys, unique, partial, expressions in cursor.fetchall()
        }


def _repeated(table: str) -> list[tuple[str, str]]:
    """(index, the longer index that leads with its columns) of ``table``: plain indexes only (a
    unique or partial one says more than its columns)."""
    indexes = _indexes(table)
    return sorted(
        (name, other)
        for name, (keys, unique, partial) in indexes.items()
        if not unique and not partial
        for other, (other_keys, _unique, other_partial) in indexes.items()
        if other != name and not other_partial and len(other_keys) > len(keys) and other_keys[: len(keys)] == keys
    )


@pytest.mark.parametrize("model", LARGE, ids=lambda model: model._meta.db_table)
def test_a_large_table_repeats_no_index(model):
    assert _repeated(model._meta.db_table) == []


def test_the_check_finds_an_index_another_leads_with():
    """Not vacuous: an index on the lines' enrolment alone is found, led by their natural key."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX test_isp_line_enrolment ON students_ispline (enrolment_id)")
    assert ("test_isp_line_enrolment", "isp_line_unique_natural_key") in _repeated(ISPLine._meta.db_table)


def _plan(sql: str, params: list) -> str:
    """The plan PostgreSQL would take when it must use an index where it can (the tests' tables
    are too small for it to want one)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_students_balance_and_dated_entries_are_read_from_one_index():
    """The balance (the sum of a student's credits, read for each student a list shows) needs no
    entry itself, and the entries in date order need no sort: one index serves both."""
    table = LearningAccountEntry._meta.db_table
    balance = _plan(f'SELECT SUM(credits) FROM {table} WHERE student_id = %s AND "on" <= %s', [1, "2026-12-05"])
    assert "Index Only Scan using ledger_entry_student_on" in balance
    dated = _plan(f'SELECT id FROM {table} WHERE student_id = %s ORDER BY "on"', [1])
    assert "Index Scan using ledger_entry_student_on" in dated and "Sort" not in dated


def test_only_the_entries_booked_by_hand_are_in_the_authors_index():
    """The timeline books its entries without an author: no index of the ledger holds them by
    author, while a user's entries are still found by index (a user deleted is checked by it)."""
    table = LearningAccountEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indpred IS NOT NULL FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indrelid = %s::regclass AND a.attname = 'created_by_id'",
            [table],
        )
        by_author = cursor.fetchall()
    assert by_author == [("ledger_entry_author", True)]
    assert "Index Scan using ledger_entry_author" in _plan(f"SELECT id FROM {table} WHERE created_by_id = %s", [1])


@pytest.mark.parametrize(
    ("filtered", "index"),
    [
        ({"academic_year_id": 1}, "ledger_entry_year"),
        ({"programme_id": 1}, "ledger_entry_programme"),
        ({"kind": EntryKind.CORRECTION}, "ledger_entry_rare_kind"),
        ({"kind": EntryKind.OPENING}, "ledger_entry_rare_kind"),
        ({"reason_code": EntryReason.COURSE_REMOVED}, "ledger_entry_rare_reason"),
        ({"reason_code": EntryReason.OPENING}, "ledger_entry_rare_reason"),
    ],
)
def test_the_ledger_list_filtered_reads_its_page_from_an_index_in_its_order(filtered, index):
    """The administration's ledger list (newest first; progress.admin) filtered by year, programme
    or a rare kind walks that filter's index backwards and stops at the page: no sort of every entry
    the filter keeps, no walk through the whole ledger for an old year's or a rare kind's entries."""
    page = LearningAccountEntry.objects.select_related("student", "academic_year", "programme", "course")
    sql, params = page.filter(**filtered).order_by("-pk")[:100].query.sql_with_params()
    plan = _plan(sql, params)
    assert f"Backward using {index}" in plan and "Sort" not in plan


def test_the_frequent_kinds_are_not_in_the_kinds_index():
    """Deductions, refunds on passing and bonuses (millions, booked by replays and publications)
    write nothing in the kinds' index: it cannot serve them."""
    table = LearningAccountEntry._meta.db_table
    for kind in FREQUENT_ENTRY_KINDS:
        assert "ledger_entry_rare_kind" not in _plan(f"SELECT id FROM {table} WHERE kind = %s ORDER BY id DESC", [kind])


def test_the_frequent_reasons_are_not_in_the_reasons_index():
    """The ISPs' deductions, the refunds on passing and the bonuses write nothing in the reasons'
    index either."""
    table = LearningAccountEntry._meta.db_table
    for reason in FREQUENT_ENTRY_REASONS:
        sql = f"SELECT id FROM {table} WHERE reason_code = %s ORDER BY id DESC"
        assert "ledger_entry_rare_reason" not in _plan(sql, [reason])


def _oldest_sixth_openings(openings: int = 1200, later: int = 6000) -> None:
    """A ledger whose openings are a sixth of its entries and all of its oldest (each student's
    first entry), vacuumed and analysed as autovacuum leaves a table after its inserts."""
    from tests.support.factories import StudentFactory

    student = StudentFactory()
    table = LearningAccountEntry._meta.db_table
    columns = 'student_id, "on", credits, kind, source, reason_code, reason, reason_params, created_at'
    with connection.cursor() as cursor:
        for kind, reason, count in (("opening", "opening", openings), ("deduction", "isp", later)):
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, DATE '2024-09-20', 1, %s, %s || ':' || i, %s, '', "
                "'{}', NOW() FROM generate_series(1, %s) i",
                [student.pk, kind, kind, reason, count],
            )
        cursor.execute(f"VACUUM ANALYZE {table}")


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction
@pytest.mark.parametrize(
    ("query", "index"),
    [("kind=opening", "ledger_entry_rare_kind"), ("reason_code=opening", "ledger_entry_rare_reason")],
)
def test_the_ledger_list_of_the_openings_reads_its_keys_from_their_index(admin_client, query, index):
    """The openings are a sixth of the entries and the oldest: the page's query, which needs every
    column, walked the primary key past every newer entry (228 ms at 250,000 students), as the
    planner takes them for evenly spread. Every page of the list reads its keys first, from the
    filter's index alone (``core.pagination.KeysFirstAdminPaginator``)."""
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    _oldest_sixth_openings()
    url = f"{reverse('admin:students_learningaccountentry_changelist')}?{query}"
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 100
    assert all(entry.kind == EntryKind.OPENING for entry in response.context["cl"].result_list)
    table = LearningAccountEntry._meta.db_table
    ordered = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"]]
    plans = []
    with connection.cursor() as cursor:
        for sql in ordered:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert any(f"Index Only Scan Backward using {index}" in plan for plan in plans), plans
    assert not any("pkey" in plan and "Filter" in plan for plan in plans), plans
