"""The amounts of the fee appendix, Art. 3, for 2023-2024. Later years without a schedule
of their own use it too (``FeeSchedule.for_year`` falls back to the latest earlier one).

Nearly-scholarship: the appendix prints 4.20 per credit but a 60-credit total of 576.10,
which is 282.10 + 60 x 4.90; the total is followed (see ``fees.rules``)."""

from decimal import Decimal

from django.db import migrations

AMOUNTS_2023_2024 = {
    "fixed_none": "282.10",
    "per_credit_none": "13.50",
    "fixed_nearly": "282.10",
    "per_credit_nearly": "4.90",
    "fixed_scholarship": "128.80",
    "per_credit_scholarship": "0",
    "fixed_bachelor_after_bachelor": "282.10",
    "per_credit_bachelor_after_bachelor": "13.50",
    "fixed_exam": "128.80",
    "per_credit_exam": "4.90",
    "exam_platform": "50",
    "surcharge_per_credit": "13.50",
    "secondary_school": "64.40",
}


def load(apps, schema_editor):
    FeeSchedule = apps.get_model("fees", "FeeSchedule")
    FeeSchedule.objects.get_or_create(
        academic_year_code="2023-2024", defaults={k: Decimal(v) for k, v in AMOUNTS_2023_2024.items()}
    )


def unload(apps, schema_editor):
    apps.get_model("fees", "FeeSchedule").objects.filter(academic_year_code="2023-2024").delete()


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
