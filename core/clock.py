"""The only place that reads the clock. Rules and services take ``today`` as an argument;
the pages, the admin, the Celery tasks and the commands pass ``today()``. Ruff's DTZ and
banned-API rules (pyproject.toml) refuse every other read of the clock."""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today's date in the college's time zone (Europe/Brussels)."""
    return timezone.localdate()


def now() -> datetime.datetime:
    return timezone.now()


def day_of(moment: datetime.datetime) -> datetime.date:
    """The date of ``moment`` in the college's time zone (Europe/Brussels)."""
    return timezone.localdate(moment)
