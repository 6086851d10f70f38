"""The only place that reads the clock. Rules take ``today`` as an argument."""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today's date in the college's time zone (Europe/Brussels)."""
    return timezone.localdate()


def now() -> datetime.datetime:
    return timezone.now()
