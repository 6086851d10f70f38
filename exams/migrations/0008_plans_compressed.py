"""Issue 19: a batch's plan is kept as compressed JSON (``exams.services.Plan.dump``) in a binary
column, no longer in a ``jsonb`` one, which PostgreSQL parsed and compressed itself, slowly. A
publication spread over the workers that is under way when this is deployed loses the plans made
so far: the publication's next run (``run_deadlines``) plans those batches again, as after a
worker killed mid-way (``exams.fanout``)."""

from django.db import migrations, models


def drop_plans(apps, schema_editor):
    apps.get_model("exams", "PublicationBatch").objects.update(planned_at=None)


class Migration(migrations.Migration):
    dependencies = [("exams", "0007_plans_by_column")]

    operations = [
        migrations.RunPython(drop_plans, migrations.RunPython.noop),
        migrations.RemoveField(model_name="publicationbatch", name="plan"),
        migrations.AddField(model_name="publicationbatch", name="plan", field=models.BinaryField(blank=True, null=True)),
    ]
