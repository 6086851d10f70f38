"""The catalogue's rules: programme kinds and the academic calendar. Pure: no ORM, no clock."""

import datetime
import enum
from dataclasses import dataclass


class ProgrammeKind(enum.StrEnum):
    """The programme kinds of DOMAIN.md's vocabulary, defined once (``programmes.models.ProgrammeKind``
    gives them their labels). The sets below name what a regulation means by a kind of
    programme; a rule asks a set, never spells the kinds out."""

    ASSOCIATE = "associate"
    INITIAL_BACHELOR = "initial_bachelor"
    EDUCATION_BACHELOR = "education_bachelor"
    BACHELOR_AFTER_BACHELOR = "bachelor_after_bachelor"
    BRIDGING = "bridging"
    PREPARATORY = "preparatory"
    INITIAL_MASTER = "initial_master"
    MASTER_AFTER_MASTER = "master_after_master"
    POSTGRADUATE = "postgraduate"


# "A bachelor's programme": every bachelor programme, bachelor-after-bachelor included.
# Art. 31 (repeated failure "of students in a bachelor's programme") and Art. 91 §1 (the
# tolerance of "starting students in bachelor's degree programmes" is at most 12 credits).
BACHELOR_KINDS = frozenset(
    {ProgrammeKind.INITIAL_BACHELOR, ProgrammeKind.EDUCATION_BACHELOR, ProgrammeKind.BACHELOR_AFTER_BACHELOR}
)

# The bachelor programmes that lead to a first bachelor's degree: not a bachelor-after-bachelor,
# which is for holders of a bachelor's degree (Art. 2 §3) and never uses the learning account
# (LA). Art. 9 §4 and LA "Extra rule": a generation student is "registered for the first time
# with a diploma contract for a bachelor programme"; DOMAIN §2 rule 11 reads Art. 33's
# "bachelor's degree programme" as the same two kinds.
FIRST_BACHELOR_KINDS = frozenset({ProgrammeKind.INITIAL_BACHELOR, ProgrammeKind.EDUCATION_BACHELOR})

# Art. 30: the decree threshold binds "students in an initial bachelor's programme".
THRESHOLD_KINDS = frozenset({ProgrammeKind.INITIAL_BACHELOR})

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


@dataclass(frozen=True)
class YearCalendar:
    """Every date of one academic year that a rule reads (DOMAIN §1), as plain values.

    ``programmes.facts.year_calendar`` is the one place that builds it from an
    ``AcademicYear``; the ISP, reschedule and fee rules all take it.
    """

    code: str
    starts_on: datetime.date
    ends_on: datetime.date
    isp_deadline: datetime.date
    ies_opens: datetime.date
    first_semester_lock: datetime.date
    generation_switch_deadline: datetime.date
    second_semester_change_deadline: datetime.date
    second_semester_lock: datetime.date
    easter_break_starts: datetime.date
    # The last day of exam period 1 (Art. 36), None when the year has none yet.
    first_exam_period_ends_on: datetime.date | None = None
