"""The dates a person types, bounded: a form refuses a date outside its range with a message
that names the range (day/month/year, ``core.dates.show_date``), and a service refuses one it
cannot reckon with, instead of failing on it ("year 0 is out of range", "date value out of
range").

- A request, an appeal, a decision or a correction lies in the academic year it belongs to or
  in one of its neighbours (the year before, the year after), and never more than a year after
  today: ``around_year``.
- A degree or the opening of a learning account lies from 1950 on, and never more than a year
  after today: ``from_1950``.
- Anything else a service is handed lies in ``plausible`` (1950 up to a year after today):
  the regulations' deadlines reckon days and years from it.

Pure: the caller passes ``today`` and the academic year's dates (``core`` imports no app)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from . import clock
from .dates import show_date

EARLIEST = datetime.date(1950, 1, 1)
OUT_OF_RANGE = _("Give a date from %(earliest)s to %(latest)s.")


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (earlier when negative); 29 February becomes 28 February
    in a common year; within the calendar ``datetime.date`` knows (years 1 to 9999)."""
    year = min(max(day.year + years, datetime.MINYEAR), datetime.MAXYEAR)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def latest_for(today: datetime.date) -> datetime.date:
    """The last day a typed date may be: a year after today."""
    return years_after(today, 1)


@dataclass(frozen=True)
class DateRange:
    """The days from ``earliest`` to ``latest``, both included."""

    earliest: datetime.date
    latest: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.earliest <= day <= self.latest

    @property
    def message(self) -> str:
        return str(OUT_OF_RANGE) % {"earliest": show_date(self.earliest), "latest": show_date(self.latest)}

    def problem(self, day: datetime.date | None) -> str | None:
        """Why ``day`` is refused, or None (also for no date)."""
        return None if day is None or day in self else self.message

    def check(self, day: datetime.date | None) -> None:
        """A form's check: ``ValidationError`` naming the range when ``day`` lies outside it."""
        if (problem := self.problem(day)) is not None:
            raise forms.ValidationError(problem, code="date_range")


def from_1950(*, today: datetime.date) -> DateRange:
    """A degree, the opening of a learning account: from 1950 to a year after ``today``."""
    return DateRange(EARLIEST, latest_for(today))


def plausible(*, today: datetime.date) -> DateRange:
    """Any date a service takes from a person (the widest range): as ``from_1950``."""
    return from_1950(today=today)


def around_year(starts_on: datetime.date, ends_on: datetime.date, *, today: datetime.date | None) -> DateRange:
    """An academic year (``starts_on`` to ``ends_on``) with the years before and after it: from
    a year before its start to a year after its end, never before 1950 nor after a year after
    ``today`` (None: the calendar of a year, planned ahead, has no such bound). For a year
    more than two years ahead of ``today`` it shrinks to a single day."""
    earliest = max(years_after(starts_on, -1), EARLIEST)
    latest = years_after(ends_on, 1)
    if today is not None:
        latest = min(latest, latest_for(today))
    return DateRange(earliest, max(latest, earliest))


def check_dates(form: forms.Form, ranges: dict[str, DateRange | None]) -> None:
    """Put a field error on each date field of ``form`` (after ``clean``) whose value lies
    outside its range; a range of None is not checked. Call it from the form's ``clean``."""
    data = getattr(form, "cleaned_data", {})
    for name, allowed in ranges.items():
        if allowed is None or name not in data:
            continue
        problem = allowed.problem(data.get(name))
        if problem is not None:
            form.add_error(name, forms.ValidationError(problem, code="date_range"))


class BoundedDatesMixin:
    """For a form whose date fields a person types: each date must lie in its range, or the
    field gets an error naming it. ``date_range`` (given when the form is made) bounds every
    date field; a form with ranges of its own overrides ``date_ranges``. Without a range a date
    is bounded by ``plausible``. ``today`` is the caller's (``core.clock.today()`` otherwise)."""

    def __init__(self, *args, date_range: DateRange | None = None, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_range = date_range
        self.today = today

    def date_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, forms.DateField)]

    def date_ranges(self) -> dict[str, DateRange | None]:
        allowed = self.date_range or plausible(today=self.today_or_clock())
        return dict.fromkeys(self.date_fields(), allowed)

    def today_or_clock(self) -> datetime.date:
        return self.today or clock.today()

    def clean(self):
        check_dates(self, self.date_ranges())  # before the form's own checks, which may reckon with the dates
        return super().clean()
