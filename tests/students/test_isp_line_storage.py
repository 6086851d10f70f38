"""The ISP lines' table keeps half of each page free (``fillfactor`` 50, migration
``students.0017``) so that the writes that rewrite every line of a year in one transaction are
heap-only tuple (HOT) updates, which write no index entry: the lock (``locked_on``) and the
publication's marks, outcomes, certificates and credits given back (issue 19). PostgreSQL only:
the counts are the transaction's own (``pg_stat_xact_user_tables``)."""

import datetime

import pytest
from django.db import connection

from core import pgcopy
from students.models import ISPLine
from students.services import lines_lock
from tests.support.factories import CourseFactory, EnrolmentFactory, ProgrammeFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="storage parameters and HOT updates: PostgreSQL"),
    pytest.mark.django_db,
]

STUDENTS, COURSES = 30, 10  # 300 lines: several pages, full ones without the fillfactor


def _updates() -> tuple[int, int]:
    """(updated, of which HOT) rows of the lines' table in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relid = %s::regclass",
            [ISPLine._meta.db_table],
        )
        return cursor.fetchone()


@pytest.fixture
def lines():
    programme = ProgrammeFactory()
    courses = [CourseFactory(programme=programme, semester="1") for _ in range(COURSES)]
    enrolments = [EnrolmentFactory(programme=programme) for _ in range(STUDENTS)]
    year = enrolments[0].academic_year
    for enrolment in enrolments[1:]:
        enrolment.academic_year = year
        enrolment.save(update_fields=["academic_year"])
    return ISPLine.objects.bulk_create(
        [
            ISPLine(enrolment=enrolment, course=course, added_on=enrolment.enrolled_on)
            for enrolment in enrolments
            for course in courses
        ]
    )


def test_the_lines_table_keeps_half_of_each_page_free():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [ISPLine._meta.db_table])
        assert cursor.fetchone()[0] == ["fillfactor=50"]


def test_locking_every_line_of_a_year_writes_no_index_entry(lines):
    year = lines[0].enrolment.academic_year
    before = _updates()

    locked = lines_lock(year=year, semesters=["1"], day=year.starts_on + datetime.timedelta(days=80))

    updated, hot = (after - then for after, then in zip(_updates(), before, strict=True))
    assert locked == updated == len(lines) == STUDENTS * COURSES
    # A new version is a few bytes longer than the old (the date): the last ones of a page may
    # not fit in its free half. Without the fillfactor most go to another page.
    assert hot >= 0.9 * updated


def test_the_publications_write_of_every_line_is_a_hot_update(lines):
    day = datetime.date(2024, 7, 1)
    before = _updates()

    written = pgcopy.update(
        ISPLine,
        ["mark", "outcome", "certified_on", "deducted_credits"],
        [(line.pk, "14", "passed", day, 0) for line in lines],
    )

    updated, hot = (after - then for after, then in zip(_updates(), before, strict=True))
    assert written == updated == len(lines)
    assert hot >= 0.9 * updated  # as the lock's
    assert ISPLine.objects.filter(certified_on=day, mark="14").count() == len(lines)
