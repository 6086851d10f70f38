"""Issue 19: the coach's home page counts the ISPs of the year still to submit and to approve
(``progress.home``): an index on the year and the ISP status finds them without reading every
enrolment of the year. A student's learning account balance (the sum of the entries' credits,
read for each row the student list and the home page show or count) is read from an index of
the student's entries with their credits, without reading the entries. In SQL (the model's
state does not change), on every database.

The student list's search (a word anywhere in the number or the names: ``icontains``,
``UPPER(column::text) LIKE UPPER('%word%')``) finds its students through trigram indexes of
the upper-cased columns (``pg_trgm``), on PostgreSQL when the extension can be created; without
it (and on SQLite) a search reads every student, as before."""

from django.db import DatabaseError, migrations, transaction

TRIGRAM_COLUMNS = {
    "student_number_trigram": "number",
    "student_last_name_trigram": "last_name",
    "student_first_name_trigram": "first_name",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return  # not installed on the server, or not ours to create: the search reads every student
    for name, column in TRIGRAM_COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "students_student" '
            f'USING gin (UPPER(("{column}")::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0011_admin_search_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "enrolment_year_isp_status" '
            'ON "students_enrolment" ("academic_year_id", "isp_status", "programme_id")',
            'DROP INDEX IF EXISTS "enrolment_year_isp_status"',
        ),
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "ledger_entry_student_credits" '
            'ON "students_learningaccountentry" ("student_id", "credits")',
            'DROP INDEX IF EXISTS "ledger_entry_student_credits"',
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
