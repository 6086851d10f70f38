"""Issue 19: the kept count of an exam period's marks holds the marks entered too, in all and per
course (the exam periods' list and the publication page read it). The counts kept before have
neither: they are dropped, and counted again the next time they are asked for (or by beat)."""

from django.db import migrations, models


def forget_counts(apps, schema_editor):
    apps.get_model("exams", "MissingMarksTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0004_missing_marks_tally"),
    ]

    operations = [
        migrations.AddField(
            model_name="missingmarkstally",
            name="entered",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="missingmarkstally",
            name="per_course",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(forget_counts, migrations.RunPython.noop),
    ]
