"""Issue 19: the ISP lines' table keeps half of each page free (``fillfactor`` 50), on
PostgreSQL, so that the writes that rewrite every line of a year in one transaction (the
1 December and 15 March locks set ``locked_on``; a publication sets the marks, outcomes,
certificates, credits given back and tolerance) are heap-only tuple (HOT) updates: none of
those columns is in an index, and a new version that fits on its page writes no index entry.
With full pages each new version went to another page and wrote an entry in each of the
table's five indexes that hold every line: at 125,000 students the publication's update of
1.25 million lines took 43 s that way and 7.9 s as HOT updates (raw SQL, the same data).

A table rewritten in full several times a year holds about twice its live rows anyway (the
old versions' space, freed by vacuum, is reused but not given back): the free half of each
page is where HOT can use it. Pages written from now on keep it; on a database that has
lines already, ``VACUUM FULL students_ispline`` (in a quiet hour: it locks the table)
rewrites the existing ones (README, Operations)."""

from django.db import migrations

TABLE = "students_ispline"


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE "{TABLE}" SET (fillfactor = 50)')


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE "{TABLE}" RESET (fillfactor)')


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0016_ledger_list_indexes"),
    ]

    operations = [
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
