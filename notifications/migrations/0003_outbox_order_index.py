"""Issue 19: the outbox lists the notifications newest first (``-created_at, -pk``, the model's
ordering) a page at a time: an index in that order lets a page read its rows instead of
sorting every notification. In SQL (the model's state does not change), on every database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_kinds_and_address"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "notification_newest_first" '
            'ON "notifications_notification" ("created_at" DESC, "id" DESC)',
            'DROP INDEX IF EXISTS "notification_newest_first"',
        ),
    ]
