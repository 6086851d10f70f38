"""Issue 19: a batch's plan is kept by column (``exams.services.Plan.as_json``), no longer as a
list of rows. A publication spread over the workers that is under way when this is deployed has
plans in the old form: they are dropped, and the publication's next run (``run_deadlines``)
plans those batches again, as after a worker killed mid-way (``exams.fanout``)."""

from django.db import migrations


def drop_plans(apps, schema_editor):
    apps.get_model("exams", "PublicationBatch").objects.update(plan=None, planned_at=None)


class Migration(migrations.Migration):
    dependencies = [("exams", "0006_redundant_fk_indexes")]

    operations = [migrations.RunPython(drop_plans, migrations.RunPython.noop)]
