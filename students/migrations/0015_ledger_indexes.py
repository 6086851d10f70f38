"""Issue 19: the learning account ledger, which publications and replays write by the million,
keeps fewer indexes. A student's entries in date order (index student, date) and their balance
read from an index (student, credits: migration 0012) become one index of student, date and
credits. An entry's author has an index only for the entries that have one (booked by hand): the
timeline's entries have none and write nothing there. Every lookup keeps an index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_degree_code"),
        ("students", "0014_redundant_fk_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="learningaccountentry",
            index=models.Index(fields=["student", "on", "credits"], name="ledger_entry_student_on"),
        ),
        migrations.RemoveIndex(
            model_name="learningaccountentry",
            name="students_le_student_d3ebd0_idx",
        ),
        migrations.RunSQL(
            'DROP INDEX IF EXISTS "ledger_entry_student_credits"',
            'CREATE INDEX IF NOT EXISTS "ledger_entry_student_credits" '
            'ON "students_learningaccountentry" ("student_id", "credits")',
        ),
        migrations.AlterField(
            model_name="learningaccountentry",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="learningaccountentry",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)), fields=["created_by"], name="ledger_entry_author"
            ),
        ),
    ]
