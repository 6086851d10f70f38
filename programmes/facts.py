"""The one place where the catalogue's rows become rule inputs."""

from .models import AcademicYear
from .rules import YearCalendar


def year_calendar(year: AcademicYear) -> YearCalendar:
    """``year``'s calendar as the rules read it (DOMAIN §1), exam period 1's end included
    (from prefetched exam periods when there are, else one query)."""
    first_period = next((p for p in year.exam_periods.all() if p.number == 1), None)
    return YearCalendar(
        code=year.code,
        starts_on=year.starts_on,
        ends_on=year.ends_on,
        isp_deadline=year.isp_deadline,
        ies_opens=year.ies_opens,
        first_semester_lock=year.first_semester_lock,
        generation_switch_deadline=year.generation_switch_deadline,
        second_semester_change_deadline=year.second_semester_change_deadline,
        second_semester_lock=year.second_semester_lock,
        easter_break_starts=year.easter_break_starts,
        first_exam_period_ends_on=first_period.ends_on if first_period else None,
    )
