"""Calendar rules: pure functions, no ORM, no clock."""

import datetime

# DOMAIN §1: the dates every academic year has, with their defaults.
CALENDAR_FIELDS = (
    "isp_deadline",
    "ies_opens",
    "first_semester_lock",
    "generation_switch_deadline",
    "second_semester_change_deadline",
    "second_semester_lock",
    "easter_break_starts",
)


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def default_calendar(first_year: int) -> dict[str, datetime.date]:
    """The DOMAIN §1 defaults for the academic year that starts in ``first_year``.

    isp_deadline 15 Oct (Art. 19), ies_opens 16 Oct (Art. 43), first_semester_lock
    1 Dec and second_semester_lock 15 Mar (Art. 8, 19, 23), generation switch
    25 Dec (Art. 9 §4), second-semester changes until 25 Feb (Art. 19).
    The Easter break starts on the Saturday before Easter Sunday **(decided)**.
    """
    second_year = first_year + 1
    return {
        "isp_deadline": datetime.date(first_year, 10, 15),
        "ies_opens": datetime.date(first_year, 10, 16),
        "first_semester_lock": datetime.date(first_year, 12, 1),
        "generation_switch_deadline": datetime.date(first_year, 12, 25),
        "second_semester_change_deadline": datetime.date(second_year, 2, 25),
        "second_semester_lock": datetime.date(second_year, 3, 15),
        "easter_break_starts": easter_sunday(second_year) - datetime.timedelta(days=1),
    }


def academic_year_code(first_year: int) -> str:
    return f"{first_year}-{first_year + 1}"


def parse_academic_year_code(code: str) -> int | None:
    """``"2023-2024"`` -> 2023; None when the code is not two consecutive years."""
    parts = code.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) == 4 for p in parts):
        return None
    first, second = int(parts[0]), int(parts[1])
    return first if second == first + 1 else None


def periods_overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start <= b_end and b_start <= a_end
