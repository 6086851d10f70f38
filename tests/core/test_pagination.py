"""core.pagination's keyed read of a page (issue 19): the same rows as the slice, in the same
order, with what the queryset adds to its rows computed for the page's rows only."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from core.pagination import AdminPaginator, keyed_rows
from students.models import Student
from tests.support.factories import LearningAccountEntryFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def students():
    # Names out of the numbers' order, two students with one name: the ordering's last key decides.
    names = ["Peeters", "Aerts", "Maes", "Claes", "Maes", "Wouters", "Jacobs"]
    made = [StudentFactory(number=f"r07000{i:02d}", last_name=name) for i, name in enumerate(names)]
    for i, student in enumerate(made):
        for _ in range(i % 3):
            LearningAccountEntryFactory(student=student, credits=6)
    return made


def _listed(queryset):
    return queryset.annotate(entries=Count("learning_account_entries")).order_by("last_name", "-number")


@pytest.mark.parametrize(("offset", "limit"), [(0, 3), (2, 3), (3, 3), (6, 3), (5, 10), (7, 3)])
def test_a_page_read_by_its_keys_is_the_slice(students, offset, limit):
    queryset = _listed(Student.objects.all())
    expected = [(s.number, s.entries) for s in queryset[offset : offset + limit]]

    assert [(s.number, s.entries) for s in keyed_rows(queryset, offset, limit)] == expected


def test_a_later_page_computes_the_rows_additions_for_its_rows_only(students):
    queryset = _listed(Student.objects.all())

    with CaptureQueriesContext(connection) as queries:
        rows = keyed_rows(queryset, 3, 2)

    assert [s.number for s in rows] == ["r0700004", "r0700002"]  # the two Maes, the higher number first
    keys, page = (q["sql"].upper() for q in queries.captured_queries)
    assert "OFFSET" in keys and "COUNT(" not in keys
    assert "OFFSET" not in page and "COUNT(" in page


def test_the_first_page_is_one_query(students):
    queryset = _listed(Student.objects.all())

    with CaptureQueriesContext(connection) as queries:
        rows = keyed_rows(queryset, 0, 2)

    assert [s.number for s in rows] == ["r0700001", "r0700003"]  # Aerts, Claes
    assert len(queries.captured_queries) == 1


def test_the_admin_paginator_reads_its_pages_by_their_keys(students):
    paginator = AdminPaginator(_listed(Student.objects.all()), 3)

    assert [s.number for s in paginator.page(3).object_list] == ["r0700005"]  # Wouters
    assert [s.number for s in paginator.get_page("last").object_list] == ["r0700005"]
    second = [(s.number, s.entries) for s in paginator.page(2).object_list]
    assert second == [("r0700004", 1), ("r0700002", 2), ("r0700000", 0)]  # Maes, Maes, Peeters
