"""Issue 19: the open balances list reads the academic years with a fee statement (its filter's
choices and its pages, a year at a time) by walking an index of the years instead of reading
every statement. In SQL (the model's state does not change), on every database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("fees", "0002_fee_schedule_2023_2024"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "fee_statement_year" ON "fees_feestatement" ("academic_year_code")',
            'DROP INDEX IF EXISTS "fee_statement_year"',
        ),
    ]
