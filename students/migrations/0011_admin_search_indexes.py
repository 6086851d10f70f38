"""Issue 19: the admin's pages of students, enrolments and results stay fast with 250,000
students. The list of students is read in the order of an index; the searches by the beginning
of a student number or a name (``istartswith``: ``UPPER(column::text) LIKE UPPER('abc%')``)
use an index on the upper-cased column with ``text_pattern_ops`` (a plain index serves a
prefix LIKE only under the C collation). Those are PostgreSQL's; SQLite (development) has none."""

from django.db import migrations, models

PREFIX_COLUMNS = {
    "student_number_prefix": "number",
    "student_last_name_prefix": "last_name",
    "student_first_name_prefix": "first_name",
}


def create_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in PREFIX_COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "students_student" (UPPER(("{column}")::text) text_pattern_ops)'
        )


def drop_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in PREFIX_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0010_derogation_outcome"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="student",
            index=models.Index(fields=["last_name", "first_name", "number"], name="student_name_order"),
        ),
        migrations.RunPython(create_prefix_indexes, drop_prefix_indexes),
    ]
