"""Issue 19: the administration's list of the ledger (newest first) filtered by academic year,
programme or kind walks an index in the list's order. The year's and the programme's foreign-key
indexes become (year, id) and (programme, id): as many indexes as before. A partial index of
(kind, id) holds only the rare kinds (not deductions, refunds on passing or bonuses, which a
replay and a publication book by the million). The new indexes are made before the old ones go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_degree_code"),
        ("students", "0015_ledger_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="learningaccountentry",
            index=models.Index(fields=["academic_year", "id"], name="ledger_entry_year"),
        ),
        migrations.AddIndex(
            model_name="learningaccountentry",
            index=models.Index(fields=["programme", "id"], name="ledger_entry_programme"),
        ),
        migrations.AddIndex(
            model_name="learningaccountentry",
            index=models.Index(
                condition=models.Q(("kind__in", ["deduction", "pass_refund", "bonus"]), _negated=True),
                fields=["kind", "id"],
                name="ledger_entry_rare_kind",
            ),
        ),
        migrations.AlterField(
            model_name="learningaccountentry",
            name="academic_year",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.academicyear",
                verbose_name="academic year",
            ),
        ),
        migrations.AlterField(
            model_name="learningaccountentry",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.programme",
                verbose_name="programme",
            ),
        ),
    ]
