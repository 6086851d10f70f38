"""Marks and outcomes (Art. 65-66, 76-77, 89-91): pure functions, no ORM, no clock.

A mark is an ``int`` 0-20 or one of the strings ``"P"``, ``"F"``, ``"NA"``.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from core.numbers import whole_number
from core.rounding import round_half_up_int
from programmes.rules import BACHELOR_KINDS, ProgrammeKind

PASS, FAIL, NOT_TAKEN = "P", "F", "NA"
Mark = int | str
# The most credits a partial exam can carry: what its row stores (a small integer), as the
# records import bounds them (exchange.parsing.MAX_SMALL); more would pass every rule and
# fail only when written.
MAX_PART_CREDITS = 32767


def mark_from_parts(parts: Sequence[tuple[int, int]]) -> int:
    """Course mark of partial exams given as ``(credits, mark)`` (Art. 65).

    The credit-weighted mean, rounded half up; but when any part is 7 or less,
    the course mark is the lowest part.
    """
    if not parts:
        raise ValueError("a course mark needs at least one part")
    lowest = min(mark for _, mark in parts)
    if lowest <= 7:
        return lowest
    total_credits = sum(credits for credits, _ in parts)
    return round_half_up_int(Fraction(sum(credits * mark for credits, mark in parts), total_credits))


def _rank(mark: Mark) -> int:
    if mark == PASS:
        return 100
    if mark == FAIL:
        return -1
    if mark == NOT_TAKEN:
        return -2
    return int(mark)


def final_mark(marks_in_order: Iterable[Mark]) -> Mark | None:
    """The year's mark from the published opportunities, in order (Art. 89 §2).

    The higher of two opportunities stands; if the second is lower, the first
    stands (so a tie also keeps the first). ``NA`` counts as the lowest mark.
    """
    best: Mark | None = None
    for mark in marks_in_order:
        if best is None or _rank(mark) > _rank(best):
            best = mark
    return best


def is_pass(mark: Mark | None) -> bool:
    """10 or more, or P: a credit certificate (Art. 76)."""
    if mark is None:
        return False
    if mark == PASS:
        return True
    if isinstance(mark, int):
        return mark >= 10
    return False


def is_tolerable(mark: Mark | None, *, tolerable_course: bool) -> bool:
    """A tolerable fail: 8 or 9 in a course that allows tolerance (Art. 91)."""
    return tolerable_course and isinstance(mark, int) and mark in (8, 9)


def outcome(mark: Mark | None, *, tolerable_course: bool) -> str:
    """``pending`` without a published mark, else ``passed``, ``tolerable`` or ``failed``."""
    if mark is None:
        return "pending"
    if is_pass(mark):
        return "passed"
    if is_tolerable(mark, tolerable_course=tolerable_course):
        return "tolerable"
    return "failed"


def mark_to_text(mark: Mark | None) -> str:
    return "" if mark is None else str(mark)


def mark_from_text(text: str) -> Mark | None:
    """A stored mark (``mark_to_text``'s text, empty for none) as a mark. The texts
    ``mark_to_text`` writes are looked up (a standing reads every line's mark); any other is
    parsed."""
    if not text:
        return None
    stored = _STORED_MARKS.get(text)
    return stored if stored is not None else parse_mark(text)


def mark_allowed(mark: Mark, *, pass_fail: bool) -> bool:
    """P/F only for pass/fail courses, 0-20 only for the others; NA for both (Art. 65-66)."""
    if mark == NOT_TAKEN:
        return True
    if mark in (PASS, FAIL):
        return pass_fail
    return isinstance(mark, int) and not isinstance(mark, bool) and 0 <= mark <= 20 and not pass_fail


# --- Reading a mark: the one parser (marksheets, appeal forms, the records import) -------
MARK_LETTERS = (PASS, FAIL, NOT_TAKEN)
_STORED_MARKS = {mark_to_text(mark): mark for mark in (*range(21), *MARK_LETTERS)}
NOT_A_MARK, MARK_RANGE = "not_a_mark", "mark_range"


class MarkError(ValueError):
    """Why a value is not a mark: ``reason`` is ``NOT_A_MARK`` (neither a whole number nor
    P, F, NA) or ``MARK_RANGE`` (a whole number outside 0-20); each caller words it."""

    def __init__(self, reason: str, value):
        super().__init__(reason, value)
        self.reason, self.value = reason, value


def as_mark(value) -> Mark:
    """A typed value as a mark (Art. 65-66): an ``int`` from 0 to 20 or the letter P, F or
    NA exactly; ``MarkError`` otherwise. Whether the course takes it is ``mark_allowed``'s."""
    if type(value) is int:
        if mark_allowed(value, pass_fail=False):
            return value
        raise MarkError(MARK_RANGE, value)
    if isinstance(value, str) and value in MARK_LETTERS:
        return value
    raise MarkError(NOT_A_MARK, value)


def parse_mark(text: str) -> Mark:
    """A mark as written: ``12``, ``P``, ``F`` or ``NA``, in any case, spaces around it
    ignored; ``MarkError`` otherwise (``as_mark``)."""
    value = text.strip().upper()
    number = whole_number(value, signed=True)
    return as_mark(value if number is None else number)


STARTER_CAP = 12
STARTER_CREDITS = 60


def tolerance_credit(
    *, programme_credits: int, exempted_credits: int, cap: int | None, programme_kind: str, starter: bool
) -> int:
    """The tolerance credit of a student in a programme (Art. 91 §1).

    10 % of the programme's credits minus the student's exempted credits in it,
    rounded half up; at most the programme's cap; at most 12 for a starter in a
    bachelor programme, bachelor-after-bachelor included (``BACHELOR_KINDS``; fewer
    than 60 credits obtained, exempted or tolerated in it before this academic year).
    """
    credit = round_half_up_int(Fraction(programme_credits - exempted_credits, 10))
    if cap is not None:
        credit = min(credit, cap)
    if starter and programme_kind in BACHELOR_KINDS:
        credit = min(credit, STARTER_CAP)
    return max(credit, 0)


def study_efficiency(*, certified_credits: int, actually_taken_credits: int):
    """Credits with a credit certificate this year / credits actually taken × 100
    (Art. 28), as an exact Fraction; None when nothing is actually taken."""
    if not actually_taken_credits:
        return None
    return Fraction(certified_credits * 100, actually_taken_credits)


# --- Programme results (Art. 78-81) ---------------------------------------------
@dataclass(frozen=True, slots=True)
class CourseRecord:
    """Where a student stands on one course of a programme, over all years.

    ``mark`` is the mark of the year it was obtained (or the latest year's mark
    when not obtained); ``done`` is passed, exempted or tolerated.
    """

    course: int | str
    credits: int
    mark: Mark | None
    passed: bool = False
    exempted: bool = False
    tolerated: bool = False
    tolerable_course: bool = True
    pass_fail: bool = False
    elective: bool = False

    @property
    def done(self) -> bool:
        return self.passed or self.exempted or self.tolerated

    @property
    def tolerable_fail(self) -> bool:
        return not self.done and is_tolerable(self.mark, tolerable_course=self.tolerable_course)


def programme_percentage(records: Iterable[CourseRecord]) -> Fraction | None:
    """The credit-weighted percentage of a programme (Art. 78): each mark from the
    year it was obtained, tolerated marks included, pass/fail and exempted
    courses left out. None when no numeric mark counts."""
    counted = [r for r in records if r.done and not r.exempted and isinstance(r.mark, int)]
    credits = sum(r.credits for r in counted)
    if not credits:
        return None
    return Fraction(sum(r.mark * r.credits for r in counted) * 100, credits * 20)


def programme_passed(*, programme_credits: int, compulsory: Iterable, records: Iterable[CourseRecord]) -> bool:
    """Art. 79 as DOMAIN §4 decides it: every compulsory course passed, exempted or
    tolerated, at least the programme's credits done, no intolerable fail, and a
    credit-weighted percentage of at least 50 %."""
    records = list(records)
    done = {r.course for r in records if r.done}
    if not set(compulsory) <= done:
        return False
    if any(not r.done and r.mark is not None and not r.tolerable_fail for r in records):
        return False  # an intolerable fail
    if sum(r.credits for r in records if r.done) < programme_credits:
        return False
    percentage = programme_percentage(records)
    return percentage is None or percentage >= 50


DEGREE_CONTRACTS = frozenset({"degree", "exam_degree"})


def programme_result_possible(*, contract: str) -> bool:
    """Art. 14: only a degree contract or a degree-exam contract leads to a degree.
    A student who completes a programme under a credit or credit-exam contract
    gets credit certificates, but no programme result, level or diploma.
    ``contract``: the contract of the enrolment in which the programme is completed."""
    return contract in DEGREE_CONTRACTS


LEVELS = ((90, "summa_cum_laude_congratulations"), (85, "summa_cum_laude"), (77, "magna_cum_laude"), (68, "cum_laude"))
NO_LEVEL_KINDS = frozenset({ProgrammeKind.BRIDGING, ProgrammeKind.PREPARATORY})


def level_of_achievement(
    *, percentage: Fraction | None, examined_credits: int, all_pass_fail: bool, programme_kind: str
) -> str | None:
    """Art. 81: passed below 68 %, cum laude from 68, magna from 77, summa from 85,
    with congratulations from 90 (compared unrounded, DOMAIN §4). None when the
    examined credits are under 20, every course is pass/fail, or for bridging and
    preparatory programmes."""
    if programme_kind in NO_LEVEL_KINDS or all_pass_fail or examined_credits < 20 or percentage is None:
        return None
    for threshold, level in LEVELS:
        if percentage >= threshold:
            return level
    return "passed"


# --- Tolerance (Art. 91) ---------------------------------------------------------
MIN_EFFICIENCY = 50
CHOICE_DAYS = 15
OBJECTION_DAYS = 5


def choice_last_day(published_on: datetime.date) -> datetime.date:
    """The last day to use a tolerance: "within 15 calendar days from the day on which the exam
    results become available" (Art. 91 §2): the publication day plus 15."""
    return published_on + datetime.timedelta(days=CHOICE_DAYS)


def objection_last_day(tolerated_on: datetime.date) -> datetime.date:
    """The last day to object to an automatic tolerance: within 5 calendar days (Art. 91 §3)."""
    return tolerated_on + datetime.timedelta(days=OBJECTION_DAYS)


def tolerance_allowed(*, efficiency, credits: int, left: int) -> bool:
    """Tolerance needs a study efficiency of at least 50 % this year and enough
    tolerance credit left (Art. 91 §1)."""
    return efficiency is not None and efficiency >= MIN_EFFICIENCY and credits <= left


def automatic_tolerance_final_stage(
    *, records: list[CourseRecord], programme_credits: int, compulsory: Iterable, efficiency, left: int
) -> list:
    """Art. 91 §3 (a): tolerate every tolerable fail when that makes the student pass
    the programme. Returns the courses to tolerate, or []."""
    candidates = [r for r in records if r.tolerable_fail]
    if not candidates:
        return []
    if not tolerance_allowed(efficiency=efficiency, credits=sum(r.credits for r in candidates), left=left):
        return []
    after = [replace(r, tolerated=True) if r.tolerable_fail else r for r in records]
    if not programme_passed(programme_credits=programme_credits, compulsory=compulsory, records=after):
        return []
    return [r.course for r in candidates]


def automatic_tolerance_threshold(*, package: list[CourseRecord], efficiency, left: int) -> list:
    """Art. 91 §3 (b) and (c): tolerate the threshold package's tolerable fails when
    that makes the student reach the decree threshold; a single 7/20, with every
    other package course obtained, counts as tolerable. Returns the courses, or []."""
    missing = [r for r in package if not r.done]
    if not missing:
        return []
    single_seven = len(missing) == 1 and missing[0].mark == 7 and missing[0].tolerable_course
    if not (single_seven or all(r.tolerable_fail for r in missing)):
        return []
    if not tolerance_allowed(efficiency=efficiency, credits=sum(r.credits for r in missing), left=left):
        return []
    return [r.course for r in missing]


def tolerance_choice_refusal(
    *,
    outcome: str,
    tolerated: bool,
    chosen_on: datetime.date,
    publications: Iterable[datetime.date],
    efficiency,
    credits: int,
    left: int,
) -> str | None:
    """Why a student's tolerance choice is refused (Art. 91 §2), or None when it stands.

    In time means within 15 calendar days after a publication of that year
    (the publication day plus 15).
    """
    if tolerated:
        return "already_tolerated"
    if outcome == "passed":
        return "passed"
    if outcome != "tolerable":
        return "not_tolerable"
    if not any(day <= chosen_on <= choice_last_day(day) for day in publications):
        return "window_closed"
    if efficiency is None or efficiency < MIN_EFFICIENCY:
        return "efficiency"
    if credits > left:
        return "credit_short"
    return None


def objection_in_time(*, tolerated_on: datetime.date, objected_on: datetime.date) -> bool:
    """An objection to an automatic tolerance within 5 calendar days (Art. 91 §3)."""
    return tolerated_on <= objected_on <= objection_last_day(tolerated_on)


# --- Entering a result (Art. 25, 36, 39, 44, 65-66, 86, 89) ------------------------------
@dataclass(frozen=True)
class EntryLine:
    """What the entry rules need to know about the ISP line a result is for."""

    in_year: bool  # the line's enrolment is in the exam period's academic year
    removed: bool
    exempted: bool
    pass_fail: bool
    resit: bool
    certified: bool  # a credit certificate already (Art. 89 §3)
    tolerated: bool  # tolerance already applied (Art. 89 §2)


def mark_refusal(mark: Mark | None, parts: Sequence[tuple[int, int]] = (), *, pass_fail: bool) -> str | None:
    """Why ``mark`` (or the partial exams ``parts``, as ``(credits, mark)``) cannot be
    a course's mark (Art. 38, 65-66), or None.

    With parts, a mark given as well must be the mark the parts make.
    """
    if parts:
        if pass_fail:
            return "parts_pass_fail"
        if any(not isinstance(credits, int) or credits < 1 for credits, _ in parts):
            return "part_credits"
        if any(credits > MAX_PART_CREDITS for credits, _ in parts):
            return "part_credits_max"
        if any(not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 20 for _, score in parts):
            return "mark_range"
        if mark is not None and mark != mark_from_parts(parts):
            return "parts_mismatch"
        return None
    if mark is None:
        return "mark_missing"
    if mark_allowed(mark, pass_fail=pass_fail):
        return None
    if mark in (PASS, FAIL):
        return "pass_fail_only"
    if pass_fail and isinstance(mark, int) and not isinstance(mark, bool) and 0 <= mark <= 20:
        return "pass_fail_course"
    return "mark_range"


def result_refusal(
    *,
    line: EntryLine,
    opportunity: int,
    period: int,
    other_period: int | None,
    used_elsewhere: bool,
    published: bool,
) -> str | None:
    """Why a result for ``line`` at ``opportunity`` in exam period number ``period``
    cannot be entered, or None.

    ``other_period`` is the exam period number of the line's other opportunity (with
    this entry made); ``used_elsewhere`` says this opportunity of the course was
    already taken this academic year on another ISP line; ``published`` says the
    entry would change a published result or add one to a published exam period.
    """
    if not line.in_year:
        return "other_year"
    if line.removed:
        return "removed"
    if line.exempted:
        return "exempted"
    if published:
        return "published"
    if opportunity not in (1, 2):
        return "third_opportunity"
    if used_elsewhere:
        return "used_elsewhere"
    if opportunity == 2:
        if not line.resit:
            return "no_resit"
        if other_period is None:
            return "no_first"
        if period <= other_period:
            return "not_later"
        if line.certified:
            return "certified"
        if line.tolerated:
            return "tolerated"
    elif other_period is not None and other_period <= period:
        return "not_earlier"
    return None


def exam_date_refusal(
    *, exam_on: datetime.date | None, period_starts_on: datetime.date, today: datetime.date
) -> str | None:
    """Why no mark can be entered yet for an exam, or None: a mark is that of an exam taken, so
    it comes on or after the day of the student's exam (``exam_on``: their exam moment, moved
    by a reschedule or not), or, when the student has no moment for the course, on or after
    the first day of the exam period (``period_starts_on``). On the exam's own day it may."""
    if exam_on is not None:
        return "exam_ahead" if exam_on > today else None
    return "period_ahead" if period_starts_on > today else None
