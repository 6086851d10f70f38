"""Dates as the reader's language writes them (config/formats): 01/12/2026.

Messages, e-mails and pages show dates through these helpers (or the template filter
``|date``); ISO dates (2026-12-01) are for files only (CSV, the exchange files)."""

import datetime

from django.utils import formats, timezone


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
