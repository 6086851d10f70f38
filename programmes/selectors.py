"""Reads of the catalogue that other layers ask for through ``core``'s registries, and the
dates that belong with an academic year."""

import datetime

from django.db.models import QuerySet

from core.validators import DateRange, around_year

from .models import AcademicYear, Assignment
from .rules import parse_academic_year_code


def assignments_of(user) -> QuerySet:
    """``user``'s programme assignments as (programme id, academic year id, role) rows: the source
    ``core.permissions`` reads the scope from (registered in ``ProgrammesConfig.ready``), as a
    queryset that it reads in one query with the user's groups."""
    return Assignment.objects.filter(user=user).values_list("programme_id", "academic_year_id", "role")


def year_dates(
    *,
    today: datetime.date,
    year: AcademicYear | None = None,
    code: str = "",
    day: datetime.date | None = None,
) -> DateRange:
    """The dates a person may type for something of an academic year (a request, an appeal,
    a decision, a correction; ``core.validators.around_year``): that year with the years
    before and after it, and not after a year after ``today``. The year is ``year``, else the
    one with ``code``, else the one ``day`` (by default ``today``) falls in. A code the
    college has no calendar for spans 1 September to 31 August; a day in no academic year
    has a year either side of it."""
    if year is None and code:
        year = AcademicYear.objects.filter(code=code).first()
        first = parse_academic_year_code(code)
        if year is None and first is not None and first > datetime.MINYEAR:
            return around_year(datetime.date(first, 9, 1), datetime.date(first + 1, 8, 31), today=today)
    if year is None:
        day = day or today
        year = AcademicYear.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on").first()
        if year is None:
            return around_year(day, day, today=today)
    return around_year(year.starts_on, year.ends_on, today=today)
