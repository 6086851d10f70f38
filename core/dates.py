"""Dates as the reader's language writes them (config/formats): 01/12/2026.

Messages, e-mails and pages show dates through these helpers (or the template filter
``|date``); ISO dates (2026-12-01) are for files only (CSV, the exchange files)."""

import datetime

from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _


def show_date(value: datetime.date | None) -> str:
    """01/12/2026 in English and Dutch; an empty string for no date."""
    if value is None:
        return ""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def show_datetime(value: datetime.datetime | None) -> str:
    """01/12/2026 14:30 (a timezone-aware value in the college's time zone)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def show_weekday_date(value: datetime.date | None) -> str:
    """The day of the week, then the date: "Monday 18/01/2027", "maandag 18/01/2027"."""
    if value is None:
        return ""
    return f"{formats.date_format(value, 'l')} {show_date(value)}"


def counted_when(counted_at: datetime.datetime, now: datetime.datetime) -> str:
    """When a kept count was counted, for the page that shows it: "Counted just now." within a
    minute, else "Counted 5 minutes ago." (a count a Celery task keeps, issue 19)."""
    if now - counted_at < datetime.timedelta(minutes=1):
        return _("Counted just now.")
    return _("Counted %(ago)s ago.") % {"ago": timesince(counted_at, now)}
