"""The search by name or number the lists share (``students.selectors.student_found_q``): which
students a search finds, on the rows of a student reached through a relation, and on PostgreSQL
the students found first (``= ANY(ARRAY(...))``, issue 19) rather than joined."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from students.models import Enrolment, ISPLine, Student
from students.selectors import student_found_q, students_matching
from tests.support.factories import EnrolmentFactory, ISPLineFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "maes": StudentFactory(number="r0100001", first_name="Emma", last_name="Maes"),
        "de_maeseneer": StudentFactory(number="r0100002", first_name="Lucas", last_name="De Maeseneer"),
        "peeters": StudentFactory(number="r0200003", first_name="Maesa", last_name="Peeters"),
        "janssens": StudentFactory(number="r0200004", first_name="Noor", last_name="Janssens"),
    }


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # A part of the last name, in any case: "Maes" is in "De Maeseneer" too, and a first name.
        (["maes"], {"maes", "de_maeseneer", "peeters"}),
        (["MAES"], {"maes", "de_maeseneer", "peeters"}),
        # Every word must match (in any of the three columns).
        (["maes", "emma"], {"maes"}),
        (["maes", "peeters"], {"peeters"}),
        # A part of the student number.
        (["r02"], {"peeters", "janssens"}),
        (["0100002"], {"de_maeseneer"}),
        (["nobody"], set()),
    ],
)
def test_the_students_every_word_matches(people, words, expected):
    found = set(students_matching(words).values_list("pk", flat=True))
    assert found == {people[name].pk for name in expected}


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["maes"], {"maes", "de_maeseneer", "peeters"}),
        (["maes", "lucas"], {"de_maeseneer"}),
        (["r0200004"], {"janssens"}),
        (["nobody"], set()),
        ([], {"maes", "de_maeseneer", "peeters", "janssens"}),  # no words: every row
    ],
)
def test_the_rows_of_the_students_found(people, words, expected):
    for student in people.values():
        EnrolmentFactory(student=student)
    rows = Enrolment.objects.filter(student_found_q(words))
    assert {row.student_id for row in rows} == {people[name].pk for name in expected}
    # The rows are kept as they are: one per enrolment, none twice.
    assert rows.count() == len(expected)


def test_the_rows_reached_through_a_longer_path(people):
    """The ombudsperson's queue searches its requests through their ISP line's enrolment: a path
    of relations to the student, here an ISP line's."""
    lines = {name: ISPLineFactory(enrolment=EnrolmentFactory(student=people[name])) for name in ("maes", "janssens")}
    found = ISPLine.objects.filter(student_found_q(["maes"], "enrolment__student"))
    assert set(found) == {lines["maes"]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan's shape is PostgreSQL's")
def test_on_postgresql_the_students_are_found_first_not_joined(people):
    EnrolmentFactory(student=people["maes"])
    with CaptureQueriesContext(connection) as queries:
        list(Enrolment.objects.filter(student_found_q(["maes"])).order_by("pk"))
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert '"students_enrolment"."student_id" = ANY((ARRAY(SELECT' in sql
    # The enrolments are not joined with the students to be filtered: the students are read in
    # the init plan only.
    assert "JOIN" not in sql
    assert Student.objects.filter(pk=people["maes"].pk).exists()
