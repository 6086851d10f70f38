"""Marks and outcomes (Art. 65-66, 76-77, 89-91): pure functions, no ORM, no clock.

A mark is an ``int`` 0-20 or one of the strings ``"P"``, ``"F"``, ``"NA"``.
"""

from collections.abc import Iterable, Sequence
from fractions import Fraction

from core.rounding import round_half_up_int

PASS, FAIL, NOT_TAKEN = "P", "F", "NA"
Mark = int | str


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
    if not text:
        return None
    return int(text) if text.isdigit() else text


def mark_allowed(mark: Mark, *, pass_fail: bool) -> bool:
    """P/F only for pass/fail courses, 0-20 only for the others; NA for both (Art. 65-66)."""
    if mark == NOT_TAKEN:
        return True
    if mark in (PASS, FAIL):
        return pass_fail
    return isinstance(mark, int) and not isinstance(mark, bool) and 0 <= mark <= 20 and not pass_fail


BACHELOR_KINDS = {"initial_bachelor", "education_bachelor", "bachelor_after_bachelor"}
STARTER_CAP = 12
STARTER_CREDITS = 60


def tolerance_credit(
    *, programme_credits: int, exempted_credits: int, cap: int | None, programme_kind: str, starter: bool
) -> int:
    """The tolerance credit of a student in a programme (Art. 91 §1).

    10 % of the programme's credits minus the student's exempted credits in it,
    rounded half up; at most the programme's cap; at most 12 for a starter in a
    bachelor programme (fewer than 60 credits obtained, exempted or tolerated in
    it before this academic year).
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
