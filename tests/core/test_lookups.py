"""core.lookups: a long ``__in`` list is one array on PostgreSQL (``= ANY(%s)``), with the rows
Django's ``IN`` finds: numbers, texts with the characters an array literal quotes, dates, NULLs,
foreign keys given as ids or as objects, under ``exclude`` too. Elsewhere, and for a short list,
a subquery or an expression, Django's own SQL."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from core.lookups import ARRAY_FROM
from students.models import Enrolment, Student
from tests.support.factories import EnrolmentFactory, StudentFactory

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"
LONG = ARRAY_FROM + 1

# Texts an array literal must quote or escape, and one that reads as its NULL.
ODD = ["a,b", 'say "hi"', "{curly}", "back\\slash", "NULL", "", " spaced ", "é ü ß 中"]


def _sql(queryset) -> str:
    with CaptureQueriesContext(connection) as queries:
        list(queryset)
    return queries.captured_queries[-1]["sql"]


def _as_array(sql: str) -> bool:
    return "= ANY(" in sql and " IN (" not in sql


@pytest.fixture
def students():
    """Students with odd last names and some opening dates (None for every third)."""
    made = []
    for i in range(12):
        made.append(
            StudentFactory(
                last_name=ODD[i % len(ODD)],
                opening_on=None if i % 3 == 0 else datetime.date(2024, 9, 1) + datetime.timedelta(days=i),
            )
        )
    return made


def test_a_long_list_of_ids(students):
    wanted = [s.pk for s in students[::2]]
    ids = wanted + [10**9 + i for i in range(LONG)]  # long, with ids nobody has
    found = Student.objects.filter(pk__in=ids)

    assert sorted(found.values_list("pk", flat=True)) == sorted(wanted)
    assert sorted(Student.objects.exclude(pk__in=ids).values_list("pk", flat=True)) == sorted(
        s.pk for s in students[1::2]
    )
    assert _as_array(_sql(found)) is POSTGRESQL


def test_a_short_list_is_djangos_in(students):
    found = Student.objects.filter(pk__in=[s.pk for s in students[:3]])
    assert found.count() == 3
    assert " IN (" in _sql(found)


def test_texts_the_array_quotes(students):
    names = ODD[:4] + [f"nobody {i}" for i in range(LONG)]
    expected = sorted(s.pk for s in students if s.last_name in ODD[:4])
    found = Student.objects.filter(last_name__in=names)

    assert sorted(found.values_list("pk", flat=True)) == expected
    assert _as_array(_sql(found)) is POSTGRESQL
    # Every odd text is found by itself too.
    for name in ODD:
        listed = [name] + [f"nobody {i}" for i in range(LONG)]
        assert set(Student.objects.filter(last_name__in=listed).values_list("last_name", flat=True)) == {name}, name


def test_dates_and_nulls(students):
    dates = [datetime.date(2024, 9, 1) + datetime.timedelta(days=i) for i in range(LONG)]
    with_none = [None, *dates]
    dated = sorted(s.pk for s in students if s.opening_on is not None)

    assert sorted(Student.objects.filter(opening_on__in=with_none).values_list("pk", flat=True)) == dated
    # Django's exclude keeps the rows the filter does not find, those without a date included.
    undated = sorted(s.pk for s in students if s.opening_on is None)
    assert sorted(Student.objects.exclude(opening_on__in=with_none).values_list("pk", flat=True)) == undated
    assert _as_array(_sql(Student.objects.exclude(opening_on__in=with_none))) is POSTGRESQL
    assert Student.objects.filter(opening_on__in=[None] * LONG).count() == 0
    assert Student.objects.exclude(opening_on__in=[None] * LONG).count() == len(students)


def test_foreign_keys_by_id_and_by_object(students):
    enrolments = [EnrolmentFactory(student=s) for s in students[:4]]
    others = list(StudentFactory.create_batch(LONG))
    by_object = Enrolment.objects.filter(student__in=[students[0], students[2], *others])
    by_id = Enrolment.objects.filter(student_id__in=[students[1].pk, *(s.pk for s in others)])
    joined = Enrolment.objects.filter(student__pk__in=[students[3].pk, *(s.pk for s in others)])

    assert list(by_object.order_by("pk").values_list("pk", flat=True)) == [enrolments[0].pk, enrolments[2].pk]
    assert list(by_id.values_list("pk", flat=True)) == [enrolments[1].pk]
    assert list(joined.values_list("pk", flat=True)) == [enrolments[3].pk]
    assert _as_array(_sql(by_object)) is POSTGRESQL
    assert _as_array(_sql(by_id)) is POSTGRESQL


def test_a_subquery_an_expression_and_a_transform_stay_djangos(students):
    subquery = Student.objects.filter(pk__in=Student.objects.filter(last_name="NULL").values("pk"))
    assert " IN (SELECT" in _sql(subquery)
    with_expression = Student.objects.filter(pk__in=[F("pk"), *range(10**9, 10**9 + LONG)])
    assert with_expression.count() == len(students)
    assert " IN (" in _sql(with_expression)
    transformed = Student.objects.filter(opening_on__year__in=list(range(2024 - LONG, 2025)))
    assert transformed.count() == len([s for s in students if s.opening_on])
    assert " IN (" in _sql(transformed) or " BETWEEN " in _sql(transformed)


def test_an_empty_list_finds_nothing(students):
    assert Student.objects.filter(pk__in=[]).count() == 0
    assert Student.objects.exclude(pk__in=[]).count() == len(students)


@pytest.mark.skipif(not POSTGRESQL, reason="the arrays are PostgreSQL's")
def test_an_integer_columns_array_has_the_columns_type(students):
    """psycopg sends a list of small numbers as ``integer[]``; ``bigint = ANY(integer[])`` compares
    across types, which PostgreSQL cannot hash: it walks the whole array for every row. The
    array is cast to the column's own type, a foreign key's being its target's."""
    ids = [s.pk for s in students[::2]] + list(range(10**9, 10**9 + LONG))
    by_id = Student.objects.filter(pk__in=ids)
    assert sorted(by_id.values_list("pk", flat=True)) == sorted(s.pk for s in students[::2])
    assert "::bigint[])" in _sql(by_id)
    enrolment = EnrolmentFactory(student=students[0])
    by_key = Enrolment.objects.filter(student_id__in=ids)
    assert list(by_key.values_list("pk", flat=True)) == [enrolment.pk]
    assert "::bigint[])" in _sql(by_key)

    Student.objects.filter(pk=students[1].pk).update(opening_balance=-7, opening_bonus_left=13)
    balances = Student.objects.filter(opening_balance__in=[-7, *range(1000, 1000 + LONG)])
    assert list(balances.values_list("pk", flat=True)) == [students[1].pk]
    assert "::integer[])" in _sql(balances)
    bonuses = Student.objects.filter(opening_bonus_left__in=[13, *range(1000, 1000 + LONG)])
    assert list(bonuses.values_list("pk", flat=True)) == [students[1].pk]
    assert "::smallint[])" in _sql(bonuses)
    # A text column's array is compared as text, which hashes: no cast.
    names = Student.objects.filter(last_name__in=[ODD[0], *(f"nobody {i}" for i in range(LONG))])
    assert names.count() == len([s for s in students if s.last_name == ODD[0]])
    assert "::" not in _sql(names).split("= ANY(")[1]


@pytest.mark.skipif(not POSTGRESQL, reason="the arrays are PostgreSQL's")
def test_a_value_outside_the_columns_type_is_djangos_in(students):
    """A number the column's type cannot hold would fail the cast: Django's ``IN``, which
    finds no row with it."""
    Student.objects.filter(pk=students[1].pk).update(opening_bonus_left=13)
    bonuses = Student.objects.filter(opening_bonus_left__in=[13, 2**15, *range(1000, 1000 + LONG)])
    assert list(bonuses.values_list("pk", flat=True)) == [students[1].pk]
    assert " IN (" in _sql(bonuses)
    ids = Student.objects.filter(pk__in=[students[0].pk, 2**63, *range(10**9, 10**9 + LONG)])
    assert list(ids.values_list("pk", flat=True)) == [students[0].pk]
    assert " IN (" in _sql(ids)
