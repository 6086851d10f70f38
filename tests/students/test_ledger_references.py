"""What a ledger entry names (issue 19): its year, programme and course have no constraint in the
database, which checks each row at commit, but Django still refuses to delete a catalogue row an
entry names (``on_delete=PROTECT``); the student's reference stays a constraint of the database."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from students.models import LearningAccountEntry
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    LearningAccountEntryFactory,
    ProgrammeFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("named", ["course", "programme", "academic_year"])
def test_a_catalogue_row_an_entry_names_cannot_be_deleted(named):
    programme = ProgrammeFactory(code="BA-LEDGER")
    rows = {
        "programme": programme,
        "academic_year": AcademicYearFactory(first_year=2031),
        "course": CourseFactory(programme=programme, code="L101"),
    }
    entry = LearningAccountEntryFactory(**{named: rows[named]})
    with pytest.raises(ProtectedError) as refused:
        rows[named].delete()
    assert entry in refused.value.protected_objects
    assert LearningAccountEntry.objects.filter(pk=entry.pk).exists()
    assert type(rows[named]).objects.filter(pk=rows[named].pk).exists()


def test_an_entry_of_a_missing_student_is_refused_by_the_database():
    student = StudentFactory()
    entry = LearningAccountEntryFactory(student=student)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningAccountEntry.objects.filter(pk=entry.pk).update(student_id=student.pk + 1000)
        connection.check_constraints(table_names=[LearningAccountEntry._meta.db_table])
