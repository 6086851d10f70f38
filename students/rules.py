"""The learning account (DOMAIN §2): pure functions, no ORM, no clock.

Sources: the college's learning-account page (``seeds/learning-account.txt``,
cited as LA) and the Education and Examination Regulations 2023-2024 (Art.).
Every date a rule needs is passed in.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from core.rounding import round_half_up_int

OPENING_CREDITS = 140
BONUS_CREDITS = 60
MASTER_DEGREE_CREDITS = 140
REBUILD_TARGET = 60
REBUILD_PER_YEAR = 10
ADMISSION_EXCEPTION_MAX_CREDITS_LEFT = 30

ACCOUNT_KINDS = {"initial_bachelor", "initial_master"}
BONUS_KINDS = {"initial_bachelor", "initial_master"}
BACHELOR_KINDS = {"initial_bachelor", "education_bachelor"}


# Rule 1 ---------------------------------------------------------------------
def opening_entry(
    *, imported_balance: int | None, imported_on: datetime.date | None, first_enrolled_on: datetime.date | None
) -> tuple[int, datetime.date] | None:
    """The opening entry of a learning account (LA; Art. 1).

    140 credits on the first enrolment in Flemish higher education, unless an
    opening balance is imported (a student from another institution), which
    opens on its own date. None when there is nothing to open yet.
    """
    if imported_balance is not None:
        return imported_balance, imported_on
    if first_enrolled_on is None:
        return None
    return OPENING_CREDITS, first_enrolled_on


# Rule 2 ---------------------------------------------------------------------
def line_uses_learning_account(*, contract: str, programme_kind: str, holds_bachelor: bool, exempted: bool) -> bool:
    """Whether an ISP line takes credits from the learning account (LA; fee appendix).

    Credit contracts always; degree contracts of initial bachelors and masters,
    and of educational bachelors unless the student already holds a bachelor's
    degree; never exam contracts, never associate degrees, bridging, preparatory,
    bachelor-after-bachelor, master-after-master or postgraduate degree
    contracts; never an exempted line (Art. 25).
    """
    if exempted:
        return False
    if contract == "credit":
        return True
    if contract != "degree":
        return False
    if programme_kind in ACCOUNT_KINDS:
        return True
    return programme_kind == "education_bachelor" and not holds_bachelor


# Rule 3 ---------------------------------------------------------------------
def deduction(credits: int) -> int:
    """A line deducts its credits on the day it enters the ISP (LA; Art. 8)."""
    return -credits


# Rule 4 ---------------------------------------------------------------------
def lock_date(semester: str, *, first_semester_lock: datetime.date, second_semester_lock: datetime.date):
    """The lock of a course's semester: 1 December for semester-1 and year
    courses, 15 March for semester-2 courses (Art. 8, 19, 23)."""
    return second_semester_lock if semester == "2" else first_semester_lock


def removal_refunds(
    *,
    semester: str,
    removed_on: datetime.date,
    opportunity_taken: bool,
    first_semester_lock: datetime.date,
    second_semester_lock: datetime.date,
) -> bool:
    """Removing a line gives its credits back only when it is removed strictly
    before the lock of its semester and no exam opportunity was taken (LA
    "Making changes"; Art. 19)."""
    lock = lock_date(semester, first_semester_lock=first_semester_lock, second_semester_lock=second_semester_lock)
    return removed_on < lock and not opportunity_taken


# Rule 5 ---------------------------------------------------------------------
def deregistration_refunds(
    *,
    contract: str,
    semester: str,
    deregistered_on: datetime.date,
    opportunity_taken: bool,
    first_semester_lock: datetime.date,
    second_semester_lock: datetime.date,
) -> bool:
    """Whether a line is refunded when its enrolment is deregistered (LA "The moment
    you reorient or deregister"; Art. 8 §2).

    Before 1 December every line without a taken opportunity; from 1 December to
    the day before 15 March the semester-2 lines without a taken opportunity;
    from 15 March nothing. A credit contract never gets anything back.
    """
    if contract == "credit" or opportunity_taken:
        return False
    if deregistered_on < first_semester_lock:
        return True
    if deregistered_on < second_semester_lock:
        return semester == "2"
    return False


# Rule 6 ---------------------------------------------------------------------
def is_generation_student(
    *, first_enrolment_year: str | None, academic_year: str, contract: str, programme_kind: str, earlier_enrolments: int
) -> bool:
    """A student enrolled for the first time ever in Flemish higher education, with a
    degree contract in a bachelor programme, in this academic year (Art. 9 §4)."""
    return (
        earlier_enrolments == 0
        and first_enrolment_year in (None, academic_year)
        and contract == "degree"
        and programme_kind in BACHELOR_KINDS
    )


def generation_refund(
    *,
    deregistered_on: datetime.date,
    new_enrolled_on: datetime.date,
    first_semester_lock: datetime.date,
    generation_switch_deadline: datetime.date,
    second_semester_lock: datetime.date,
    first_semester_lines: Iterable[tuple[int, bool]],
) -> int:
    """Half refund for a generation student who switches programme (LA "Extra rule";
    Art. 9 §4).

    Deregistered from ``first_semester_lock`` to ``generation_switch_deadline``
    (inclusive) and enrolled in another programme of the same year before
    ``second_semester_lock``: half of the credits of the semester-1 and year
    lines ``(credits, first_opportunity_taken)`` without a taken first
    opportunity come back, half of the total rounded half up **(decided)**.
    """
    if not (first_semester_lock <= deregistered_on <= generation_switch_deadline):
        return 0
    if not (deregistered_on <= new_enrolled_on < second_semester_lock):
        return 0
    total = sum(credits for credits, taken in first_semester_lines if not taken)
    return round_half_up_int(Fraction(total, 2))


# Rules 7 and 8 --------------------------------------------------------------
@dataclass(frozen=True)
class PassRefund:
    refund: int
    bonus: int


def pass_refunds(passed: Sequence[tuple[int, bool]], *, bonus_left: int) -> tuple[list[PassRefund], int]:
    """Refunds for the lines certified at one publication (LA; Art. 8).

    ``passed`` lists ``(deducted_credits, earns_bonus)`` in order of course code
    **(decided)**. Each line gives back its credits; while the bonus on the first
    60 credits lasts, lines that earn it give them back twice, a line crossing
    60 only for its part below 60. Tolerated and failed credits never come back,
    so they are not in ``passed``. Returns the refunds and the bonus left.
    """
    refunds = []
    for credits, earns_bonus in passed:
        bonus = min(credits, bonus_left) if earns_bonus else 0
        bonus_left -= bonus
        refunds.append(PassRefund(refund=credits, bonus=bonus))
    return refunds, bonus_left


def earns_bonus(*, contract: str, programme_kind: str, rebuild_granted: bool) -> bool:
    """The bonus is for degree contracts of initial bachelors and masters, never
    credit contracts, and ends for good once a rebuild was granted (LA)."""
    return contract == "degree" and programme_kind in BONUS_KINDS and not rebuild_granted


def bonus_left(*, opening_bonus: int | None, bonus_booked: int, rebuild_granted: bool) -> int:
    """What is left of the bonus on the first 60 credits (LA)."""
    if rebuild_granted:
        return 0
    start = BONUS_CREDITS if opening_bonus is None else opening_bonus
    return max(0, start - bonus_booked)


# Rule 9 ---------------------------------------------------------------------
def master_degree_deduction(*, kind: str, earlier_master_degrees: int) -> int:
    """A first master's degree costs 140 credits; a second one or any bachelor's
    degree costs nothing (LA)."""
    if kind == "master" and earlier_master_degrees == 0:
        return -MASTER_DEGREE_CREDITS
    return 0


# Rule 10 --------------------------------------------------------------------
def rebuild_amount(balance: int) -> int:
    """Credits rebuilt at the start of an academic year: up to 10, until 60 (LA)."""
    return max(0, min(REBUILD_PER_YEAR, REBUILD_TARGET - balance))


def rebuild_due(
    *,
    balance: int,
    enrolled_this_year: bool,
    after_first_master: bool,
    previous_year_without_enrolment: bool,
    ever_enrolled: bool,
    rebuild_stopped: bool,
) -> int:
    """Credits rebuilt at the start of this academic year (LA "built up again").

    Once in a life: when the balance is below 60 after a first master's degree or
    after an academic year without any enrolment, each following academic year in
    which the student is not enrolled gives ``min(10, 60 - balance)``. Enrolling
    again stops the rebuild for good (``rebuild_stopped``).
    """
    if enrolled_this_year or rebuild_stopped or not ever_enrolled:
        return 0
    if not (after_first_master or previous_year_without_enrolment):
        return 0
    return rebuild_amount(balance)


# Rule 11 --------------------------------------------------------------------
@dataclass(frozen=True)
class Admission:
    refused: bool
    exception: bool = False


def admission(
    *, uses_learning_account: bool, balance: int, enrolled_in_both_previous_years: bool, credits_left_to_degree: int
) -> Admission:
    """Admission on the learning account (Art. 33; LA).

    An enrolment whose lines use the learning account is refused at a balance of
    0 or below, unless the student was enrolled in the same programme in both
    previous academic years and has at most 30 credits left to the degree: then
    one academic year is allowed, and flagged.
    """
    if not uses_learning_account or balance > 0:
        return Admission(refused=False)
    if enrolled_in_both_previous_years and credits_left_to_degree <= ADMISSION_EXCEPTION_MAX_CREDITS_LEFT:
        return Admission(refused=False, exception=True)
    return Admission(refused=True)


# Rule 12 --------------------------------------------------------------------
def credits_without_learning_account(*, credits: int, balance: int) -> int:
    """Credits taken beyond a positive balance, charged at the increased tuition fee
    (fee appendix; LA "double registration fee"). The balance may go negative."""
    return max(0, credits - max(balance, 0))
