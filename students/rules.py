"""The learning account (DOMAIN §2): pure functions, no ORM, no clock.

Sources: the college's learning-account page (``seeds/learning-account.txt``,
cited as LA) and the Education and Examination Regulations 2023-2024 (Art.).
Every date a rule needs is passed in.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import show_date
from core.errors import Problem as ErrorProblem
from core.rounding import round_half_up_int
from programmes.rules import BACHELOR_KINDS, FIRST_BACHELOR_KINDS, ProgrammeKind, YearCalendar

OPENING_CREDITS = 140
BONUS_CREDITS = 60
MASTER_DEGREE_CREDITS = 140
REBUILD_TARGET = 60
REBUILD_PER_YEAR = 10
ADMISSION_EXCEPTION_MAX_CREDITS_LEFT = 30

# LA: degree contracts of initial bachelor and master programmes use the learning account
# (and of educational bachelors, for a student without a bachelor's degree).
ACCOUNT_KINDS = frozenset({ProgrammeKind.INITIAL_BACHELOR, ProgrammeKind.INITIAL_MASTER})
# LA "bonus" (DOMAIN §2 rule 8): degree contracts of initial bachelors and masters.
BONUS_KINDS = frozenset({ProgrammeKind.INITIAL_BACHELOR, ProgrammeKind.INITIAL_MASTER})


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
    return programme_kind == ProgrammeKind.EDUCATION_BACHELOR and not holds_bachelor


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
    degree contract in a bachelor programme, in this academic year (Art. 9 §4): one leading
    to a first bachelor's degree (``FIRST_BACHELOR_KINDS``)."""
    return (
        earlier_enrolments == 0
        and first_enrolment_year in (None, academic_year)
        and contract == "degree"
        and programme_kind in FIRST_BACHELOR_KINDS
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

    LA "after obtaining your initial master's degree": the master's-degree path
    needs no earlier enrolment at the college (DOMAIN §2 rule 10: a degree obtained
    elsewhere counts too); only "when you leave higher education" needs one
    (``ever_enrolled``).
    """
    if enrolled_this_year or rebuild_stopped:
        return 0
    if after_first_master:
        return rebuild_amount(balance)
    if previous_year_without_enrolment and ever_enrolled:
        return rebuild_amount(balance)
    return 0


def rebuild_correction(*, rebuilt_this_year: int, enrolment_refused: bool) -> int:
    """The correction of a rebuild when the student enrols later in the academic year
    whose start granted it (DOMAIN §2 rule 10): the rebuild is only for a year in
    which the student is not enrolled, so it is reversed (on the enrolment date).
    A refused enrolment is no enrolment: it reverses nothing."""
    if enrolment_refused:
        return 0
    return -rebuilt_this_year


# Rule 11 --------------------------------------------------------------------
@dataclass(frozen=True)
class Admission:
    refused: bool
    exception: bool = False


def admission_covers(*, contract: str, programme_kind: str, holds_bachelor: bool) -> bool:
    """Whether Art. 33 can refuse an enrolment on the learning account (DOMAIN §2 rule 11).

    Art. 33 "not be able to register or re-register for any type of contract for a
    bachelor's degree programme": every contract (degree, credit, exam_degree,
    exam_credit) in an initial or educational bachelor (``FIRST_BACHELOR_KINDS``);
    "This does not apply for students who enrol in a bachelor of education programme
    if they have already obtained a bachelor's degree". LA "only students with a
    positive learning account can be funded": any other enrolment whose lines would
    use the learning account (rule 2) too.
    """
    if programme_kind in FIRST_BACHELOR_KINDS:
        return not (programme_kind == ProgrammeKind.EDUCATION_BACHELOR and holds_bachelor)
    return line_uses_learning_account(
        contract=contract, programme_kind=programme_kind, holds_bachelor=holds_bachelor, exempted=False
    )


def admission(
    *,
    covered: bool,
    balance: int,
    enrolled_in_both_previous_years: bool,
    credits_left_to_degree: int,
    requested: bool,
) -> Admission:
    """Admission on the learning account (Art. 33; LA).

    An enrolment Art. 33 covers (``admission_covers``) is refused at a balance of 0
    or below, unless the student was enrolled in the same programme in both previous
    academic years, has at most 30 credits left to the degree and made the "written
    request" Art. 33 asks for (``requested``; DOMAIN §2 rule 11: an imported
    enrolment is taken as requested): then one academic year is allowed, and flagged.
    """
    if not covered or balance > 0:
        return Admission(refused=False)
    if requested and enrolled_in_both_previous_years and credits_left_to_degree <= ADMISSION_EXCEPTION_MAX_CREDITS_LEFT:
        return Admission(refused=False, exception=True)
    return Admission(refused=True)


def admission_exception_problems(
    *, balance: int, enrolled_in_both_previous_years: bool, credits_left_to_degree: int
) -> list[ErrorProblem]:
    """Why a written request cannot admit an enrolment refused on the learning account
    (Art. 33; DOMAIN §2 rule 11): the balance is still 0 or below and the student was not
    enrolled in the same programme in both previous academic years, or has more than 30
    credits left to the degree. Empty when the exception applies (or none is needed)."""
    if balance > 0:
        return []
    problems = []
    if not enrolled_in_both_previous_years:
        problems.append(
            ErrorProblem(
                "exception_not_two_years",
                _(
                    "The learning account is %(balance)s: the Art. 33 exception needs an enrolment in the same "
                    "programme in both previous academic years."
                )
                % {"balance": balance},
            )
        )
    if credits_left_to_degree > ADMISSION_EXCEPTION_MAX_CREDITS_LEFT:
        problems.append(
            ErrorProblem(
                "exception_too_many_credits",
                _(
                    "The learning account is %(balance)s: the Art. 33 exception needs at most %(maximum)s credits "
                    "left to the degree, and %(left)s are left."
                )
                % {"balance": balance, "maximum": ADMISSION_EXCEPTION_MAX_CREDITS_LEFT, "left": credits_left_to_degree},
            )
        )
    return problems


# Rule 12 --------------------------------------------------------------------
def credits_without_learning_account(*, credits: int, balance: int) -> int:
    """Credits taken beyond a positive balance, charged at the increased tuition fee
    (fee appendix; LA "double registration fee"). The balance may go negative."""
    return max(0, credits - max(balance, 0))


# The balance on the coach's pages ----------------------------------------------
# LA: "Students who have no learning account or a negative learning account will be
# rejected. Students who still have a limited learning account (between 1 and 59
# credits) can still register", paying more for the credits beyond it.
LIMITED_BALANCE = 60
BALANCE_REFUSED, BALANCE_LIMITED = "refused", "limited"


def balance_warning(balance: int) -> str | None:
    """The warning a learning-account balance carries: ``"refused"`` at 0 or below (an
    enrolment that uses it is refused, Art. 33), ``"limited"`` from 1 to 59 (LA: a limited
    learning account), None from 60 on."""
    if balance <= 0:
        return BALANCE_REFUSED
    if balance < LIMITED_BALANCE:
        return BALANCE_LIMITED
    return None


# Study progress measures (DOMAIN §5, Art. 29-33) --------------------------------
THRESHOLD_REFUSAL_YEARS = 6


def threshold_refusal_due(*, years_enrolled: int, package_reached: bool) -> bool:
    """Art. 30: after the second academic year of enrolment in an initial bachelor
    (deregistered years count), a threshold package not reached means a refusal
    for that programme for the next six academic years."""
    return years_enrolled >= 2 and not package_reached


def counts_for_threshold(*, contract: str, status: str) -> bool:
    """Art. 30 §1 (DOMAIN §5): the "academic years of enrolment" in the programme are
    its degree-contract years, deregistered ones included; a credit(-exam) or
    degree-exam contract year does not count, nor a refused enrolment (the student
    was not enrolled that year)."""
    return contract == "degree" and status != "refused"


def threshold_refusal_until(
    *,
    until_year_code: str,
    decided_on: datetime.date,
    programme_id: int,
    degrees: Iterable[tuple[datetime.date, str, int | None]],
) -> str:
    """Art. 30 §2: the refusal "is valid six years or until a graduation from another
    higher education programme". ``degrees`` lists ``(on, academic year code, programme
    id or None)`` of the student's recorded degrees, the code being that of the last
    academic year that started on or before ``on``. A degree dated after the refusal was
    taken (``decided_on``), of another programme than the refused one (``programme_id``),
    ends it with that academic year (DOMAIN §5); the earliest such degree counts."""
    ends = [code for on, code, programme in degrees if on > decided_on and programme != programme_id]
    return min([until_year_code, *ends])


def year_counts_against(*, contract: str, efficiency) -> bool:
    """Art. 31 §1: a year in which a course was not obtained counts towards the
    refusal of a third enrolment when it was a credit(-exam) contract, or a
    degree(-exam) contract with a study efficiency under 50 %."""
    if contract in ("credit", "exam_credit"):
        return True
    return efficiency is None or efficiency < 50


def repeated_failure_refusal_due(*, failed_years: Sequence[tuple[int, str, object]]) -> bool:
    """Art. 31: ``failed_years`` lists ``(first calendar year, contract, efficiency)`` of
    every academic year counted in which the course (or an identical one) was taken and
    not obtained (the academic year 2023-2024 is 2023). §2: three such years refuse any
    further enrolment. §1: two refuse the third when (a) the study efficiency was under
    50 % in each of them, whatever the contract and whether or not they follow each
    other; or, for two consecutive academic years, (b) both with a credit(-exam) contract
    or (c) one with a credit(-exam) contract and the other with a degree(-exam) contract
    under 50 % ("or vice versa")."""
    if len(failed_years) >= 3:
        return True
    if len(failed_years) != 2:
        return False
    (first, contract_1, efficiency_1), (second, contract_2, efficiency_2) = sorted(failed_years, key=lambda y: y[0])
    if under_half(efficiency_1) and under_half(efficiency_2):
        return True
    consecutive = second - first == 1
    return (
        consecutive
        and year_counts_against(contract=contract_1, efficiency=efficiency_1)
        and year_counts_against(contract=contract_2, efficiency=efficiency_2)
    )


def under_half(efficiency) -> bool:
    """Art. 31 §1: "did not obtain at least 50% study efficiency" (none published: not obtained)."""
    return efficiency is None or efficiency < 50


def course_count_starts(*, years_in_programme: Iterable[int], in_threshold_package: bool) -> int | None:
    """Art. 10: "Students who were not registered for at least one year in a specific
    study programme" have the "number of registration opportunities for each course"
    reset, "except for the courses that belong to the threshold package of the bachelor
    student to whom the threshold system applies". ``years_in_programme`` are the first
    calendar years of the academic years the student was enrolled in the programme (not
    refused: a refused year is a year not registered, Art. 10 second paragraph) up to
    and including the year judged. Returns the first calendar year from which
    enrolments in the programme's courses count (the first year after the latest gap),
    or None when every year counts (no gap, or a threshold-package course)."""
    years = sorted(set(years_in_programme))
    if in_threshold_package or len(years) < 2:
        return None
    restart = None
    for before, after in zip(years, years[1:], strict=False):
        if after - before > 1:
            restart = after
    return restart


def repeated_failure_applies(*, programme_kind: str, contract: str) -> bool:
    """Art. 31 applies to bachelor programmes and to credit and credit-exam
    contracts, not to associate degree contracts."""
    if contract in ("credit", "exam_credit"):
        return True
    return programme_kind in BACHELOR_KINDS


def binding_conditions_due(*, programme_kind: str, starter: bool, efficiency) -> bool:
    """Art. 29: a starter in an associate degree programme with a study efficiency
    under 50 % gets binding conditions for the next academic year."""
    return programme_kind == ProgrammeKind.ASSOCIATE and starter and efficiency is not None and efficiency < 50


def binding_conditions_refusal_due(*, under_binding_conditions: bool, efficiency) -> bool:
    """Art. 29 §1: a student under binding conditions "must achieve a study efficiency of
    at least 50 % in the next academic year if they wish to be able to reregister for the
    same programme in the year thereafter": under 50 % in the year of the conditions, in
    the programme they were imposed in, refuses that programme for the following academic
    year (Art. 29 §2-3). **(decided)** No efficiency (nothing actually taken) is nothing to
    judge, as for the conditions themselves."""
    return under_binding_conditions and efficiency is not None and efficiency < 50


def learning_account_refusal_due(*, uses_learning_account: bool, balance: int, exception: bool) -> bool:
    """Art. 33: a learning account of 0 or below refuses the next enrolment in a
    programme that uses it, unless the Art. 33 exception applies."""
    return uses_learning_account and balance <= 0 and not exception


# =====================================================================================
# ISP rules (DOMAIN §3, Art. 19-25)
# =====================================================================================
# Pure decisions about one enrolment's individual study programme. The facts come in
# as plain values (``ISPFacts``); each check returns ``Problem``s: a stable reason
# code, the values its explanation needs, and whether the cluster may derogate.
#
# Decided where the regulations leave it open (DOMAIN §3, the coach works the ISP):
# - Before 1 December (strictly, ``first_semester_lock``) semester-1 and year lines
#   may be added, removed and exempted. From that day they are final: no removal, no
#   exemption, no addition, except that a late enrolment (enrolled after
#   ``isp_deadline``) may add lines of any semester within 7 days of enrolling
#   (Art. 19); such a line is final at once.
# - Semester-2 lines change until ``second_semester_change_deadline`` (inclusive);
#   between it and ``second_semester_lock`` the cluster only decides (approves);
#   from ``second_semester_lock`` nothing changes (Art. 7, 19, 23).
# - A line with a taken exam opportunity, an exempted line (Art. 25: definitive) and a
#   course that must be taken again (Art. 20 §3, 23 §1) are never removed.
# - The credit band counts every line of the ISP, exempted lines included.
# - Art. 20 §3 "first": while a course failed and not tolerated last year in the same
#   programme is missing from the ISP, no other course can be added. Electives are
#   not among them (the student may choose another elective).
# - "Already credited": passed with a credit certificate, exempted or tolerated in an
#   earlier year of the same programme (Art. 20 §4, 89-90); identical courses count.
# - Retaking a tolerated course (Art. 90 §3, DOMAIN §3): a course tolerated earlier in
#   the programme may be added again only with the cluster's recorded approval of the
#   student's request, no later than ``isp_deadline``, and only in an ISP that
#   completes the programme (checked with the composition, at submission and approval:
#   the other lines hold at least the credits left to the degree).
# - Submission: by ``isp_deadline``; a late enrolment within 7 days of enrolling.
#   Approval: before ``first_semester_lock``; a late enrolment from that day on, and
#   the re-approval of an ISP changed after an earlier approval, before
#   ``second_semester_lock``. After the submission deadline the coach may approve a
#   draft that was never submitted (Art. 19: the cluster confirms an ISP in
#   consultation with the student).
# - A change to an approved ISP makes it "submitted" again: the cluster decides it.

MIN_ISP_CREDITS = 27
MAX_ISP_CREDITS = 72
ENTITLED_ISP_CREDITS = 45
LATE_ENROLMENT_DAYS = 7
# Art. 20 §2 and Art. 21 bind degree and degree-exam contracts.
ISP_BAND_CONTRACTS = {"degree", "exam_degree"}
# Art. 20 §2: no limits on the credits of a preparatory programme.
ISP_BAND_FREE_KINDS = frozenset({ProgrammeKind.PREPARATORY})

ISP_MESSAGES = {
    "enrolment_inactive": _("The enrolment is %(status)s: its ISP cannot change."),
    "year_final": _(
        "The ISP of %(year)s is final since the second-semester lock of %(lock)s: no course can be added or "
        "removed any more (Art. 7, 19)."
    ),
    "first_semester_final": _("Choices of first-semester and year courses are final as of %(lock)s (Art. 19, 23 §2)."),
    "second_semester_closed": _(
        "Second-semester courses could be changed until %(deadline)s; the cluster decides on the changes before "
        "%(lock)s (Art. 19)."
    ),
    "already_in_isp": _("%(course)s is already in this ISP."),
    "not_in_programme": _("This course is not part of the programme of this enrolment."),
    "removed_today": _("%(course)s was removed from this ISP today; it can be added again from tomorrow on."),
    "derogation_exists": _("This derogation is already recorded."),
    "no_exemption_basis": _("State the credit certificate or other proof the exemption rests on (Art. 25)."),
    "identical_in_isp": _(
        "%(course)s is identical to %(other)s, which is already in this ISP; identical courses cannot both be taken "
        "(Art. 20 §4)."
    ),
    "already_credited": _(
        "%(course)s was already obtained in this programme (%(how)s): it cannot be taken again (Art. 20 §4, 89-90)."
    ),
    "tolerated_retake_unapproved": _(
        "%(course)s was accepted as a tolerated fail in this programme. It can be taken again only at the end of "
        "the programme, on the student's request approved by the cluster (Art. 90 §3): record that approval first."
    ),
    "tolerated_retake_late": _(
        "%(course)s, a tolerated fail, can be taken again only if it is added no later than %(deadline)s (Art. 90 §3)."
    ),
    "tolerated_retake_not_final": _(
        "%(courses)s, tolerated earlier, can be taken again only at the end of the programme: this ISP holds "
        "%(total)s credits besides them, fewer than the %(left)s credits left to the degree (Art. 90 §3)."
    ),
    "not_tolerated": _("%(course)s was not accepted as a tolerated fail in an earlier year of this programme."),
    "tolerated_retake_exists": _("The retake of %(course)s is already approved."),
    "tolerated_retake_request_date": _("State the date of the student's request, no later than today."),
    "sq_missing": _(
        "%(course)s requires %(required)s to have been followed (SQ): it is neither in an earlier ISP nor in this "
        "one. Add %(required)s first, or record a sequencing derogation (Art. 20 §1, 22 §1)."
    ),
    "ssq_missing": _(
        "%(course)s requires %(required)s to have been passed earlier (SSQ); it has not been passed, exempted or "
        "tolerated in an earlier year. No derogation is possible for SSQ (Art. 20 §1, 22 §1)."
    ),
    "retake_first": _(
        "Courses failed and not tolerated last year must be taken again first: add %(courses)s before any other "
        "course (Art. 20 §3; no derogation possible)."
    ),
    "above_maximum": _(
        "With %(course)s the ISP would hold %(total)s credits, more than %(maximum)s; that needs an approved "
        "derogation (Art. 20 §2, 22 §1)."
    ),
    "opportunity_taken": _(
        "An exam opportunity of %(course)s has already taken place: it is definitively taken and cannot be removed "
        "or exempted (Art. 19, 23 §1)."
    ),
    "line_final": _("%(course)s is final since %(on)s (Art. 19, 23 §2)."),
    "exemption_definitive": _("The exemption for %(course)s is definitive: the line stays in the ISP (Art. 25)."),
    "retake_required": _(
        "%(course)s was failed and not tolerated last year: it must be taken again and cannot be removed "
        "(Art. 20 §3, 23 §1)."
    ),
    "required_by_sq": _(
        "%(dependent)s in this ISP needs %(course)s as its SQ prerequisite: remove %(dependent)s first (Art. 20 §1)."
    ),
    "model_route_course": _(
        "%(course)s belongs to the first stage of the model route, which a student new to the programme must take "
        "completely, unless a derogation is approved (Art. 21, 22 §2)."
    ),
    "already_exempted": _("%(course)s is already exempted."),
    "below_minimum": _(
        "The ISP holds %(total)s credits, fewer than %(minimum)s; that needs an approved derogation, unless this is "
        "not the main enrolment or fewer than %(minimum)s credits remain to the degree (Art. 20 §2, 22 §1)."
    ),
    "over_maximum": _(
        "The ISP holds %(total)s credits, more than %(maximum)s; that needs an approved derogation (Art. 20 §2, 22 §1)."
    ),
    "model_route_incomplete": _(
        "A student new to the programme takes every course of the first stage of the model route; missing: "
        "%(courses)s. Add them or record a model-route derogation (Art. 21, 22 §2)."
    ),
    "retake_missing": _(
        "Courses failed and not tolerated last year must be taken again: %(courses)s (Art. 20 §3; no derogation "
        "possible)."
    ),
    "already_submitted": _("The ISP is already %(status)s."),
    "tolerance_file_open": _(
        "Decide on tolerance first: the tolerable fails of %(courses)s can still be tolerated until %(until)s. The "
        "ISP can be submitted once that choice is made or the choice window has closed (Art. 91 §2)."
    ),
    "submission_deadline_passed": _(
        "ISPs are submitted by %(deadline)s (Art. 19). A later submission is recorded as late, with the reason "
        "and who allowed it."
    ),
    "already_approved": _("The ISP is already approved."),
    "not_submitted_yet": _(
        "The student can still submit the ISP until %(deadline)s; it is approved after its submission (Art. 19)."
    ),
    "approval_deadline_passed": _(
        "The cluster approves ISPs before %(deadline)s (Art. 19). A later approval is recorded as late, with the "
        "reason and who allowed it."
    ),
    "late_reason_missing": _("State why this step is taken after its deadline: it is recorded as late."),
    "year_closed": _("The academic year %(year)s ended on %(end)s: its ISP is read-only."),
    "derogation_needs_course": _("A sequencing derogation names the course that may be taken without its SQ."),
    "no_sq_prerequisite": _(
        "%(course)s has no SQ prerequisite to derogate from; SSQ allows no derogation (Art. 22 §1)."
    ),
    "derogation_needs_credits": _("A credit derogation states the number of credits allowed."),
    "derogation_credits_direction": _(
        "A derogation for fewer credits allows fewer than %(minimum)s, one for more credits allows more than "
        "%(maximum)s."
    ),
}

# Problems that an approved derogation lifts (Art. 22); everything else has none.
DEROGABLE = {
    "sq_missing": "sequencing",
    "above_maximum": "more_credits",
    "over_maximum": "more_credits",
    "below_minimum": "fewer_credits",
    "model_route_course": "model_route",
    "model_route_incomplete": "model_route",
}


@dataclass(frozen=True)
class Problem:
    """Why an ISP change or step is not allowed: a reason code and its explanation."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def derogation(self) -> str | None:
        """The kind of derogation that would lift this problem, if any (Art. 22)."""
        return DEROGABLE.get(self.code)

    @property
    def late_route(self) -> bool:
        """A passed deadline that the late route lifts (DOMAIN §3): the step is recorded as late."""
        return self.code in LATE_ROUTE

    @property
    def message(self) -> str:
        return str(ISP_MESSAGES[self.code]) % {key: _text(value) for key, value in self.params}

    def __str__(self):
        return self.message


def _text(value):
    if isinstance(value, datetime.date):
        return show_date(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _problem(code: str, **params) -> Problem:
    return Problem(code, tuple(sorted(params.items())))


@dataclass(frozen=True)
class CourseFacts:
    id: int
    code: str
    credits: int
    semester: str
    stage: int = 1
    elective: bool = False
    identical: frozenset[int] = frozenset()
    # (required course id, required course code, "SQ" | "SSQ")
    prerequisites: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True)
class LineFacts:
    id: int
    course: CourseFacts
    exempted: bool = False
    opportunity_taken: bool = False
    final_since: datetime.date | None = None


@dataclass(frozen=True)
class PastFacts:
    """The student's earlier years in the same programme."""

    new_to_programme: bool = True
    followed: frozenset[int] = frozenset()  # courses of an earlier ISP
    # course id -> how it was obtained ("passed", "exempted", "tolerated")
    obtained: dict[int, str] = field(default_factory=dict)
    # failed and not tolerated last year, compulsory: to take again first (course id -> code)
    retakes: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ISPFacts:
    contract: str
    programme_kind: str
    enrolled_on: datetime.date
    calendar: YearCalendar  # reads isp_deadline, the locks, second_semester_change_deadline, code
    lines: tuple[LineFacts, ...] = ()
    past: PastFacts = field(default_factory=PastFacts)
    isp_status: str = "draft"
    enrolment_status: str = "enrolled"
    previously_approved: bool = False
    main_enrolment: bool = True
    credits_left_to_degree: int | None = None
    # non-elective courses of stage 1 of the model route
    stage_one: tuple[CourseFacts, ...] = ()
    # (kind, course id or None, credits or None) of the approved derogations
    derogations: tuple[tuple[str, int | None, int | None], ...] = ()
    # The tolerance file (Art. 91 §2): (course code, last day of the choice window) of the
    # tolerable fails of earlier years in the same programme with no choice made yet
    tolerance_choices: tuple[tuple[str, datetime.date], ...] = ()
    # Courses tolerated earlier whose retake the cluster approved (Art. 90 §3)
    tolerated_retakes: frozenset[int] = frozenset()

    @property
    def total_credits(self) -> int:
        return sum(line.course.credits for line in self.lines)

    @property
    def course_ids(self) -> set[int]:
        return {line.course.id for line in self.lines}

    def has_derogation(self, kind: str, course_id: int | None = None) -> bool:
        return any(k == kind and c == course_id for k, c, _credits in self.derogations)

    def derogation_credits(self, kind: str) -> int | None:
        return next((credits for k, _c, credits in self.derogations if k == kind), None)

    @property
    def band_applies(self) -> bool:
        return self.contract in ISP_BAND_CONTRACTS and self.programme_kind not in ISP_BAND_FREE_KINDS


def is_late_enrolment(*, enrolled_on: datetime.date, calendar: YearCalendar) -> bool:
    """Enrolled after the ISP deadline (Art. 19: submit within a week)."""
    return enrolled_on > calendar.isp_deadline


def in_late_enrolment_window(*, enrolled_on: datetime.date, calendar: YearCalendar, today: datetime.date) -> bool:
    return (
        is_late_enrolment(enrolled_on=enrolled_on, calendar=calendar)
        and today <= enrolled_on + datetime.timedelta(days=LATE_ENROLMENT_DAYS)
        and today < calendar.second_semester_lock
    )


def submission_deadline(*, enrolled_on: datetime.date, calendar: YearCalendar) -> datetime.date:
    """The last day to submit the ISP: ``isp_deadline``, or 7 days after a late enrolment (Art. 19)."""
    if is_late_enrolment(enrolled_on=enrolled_on, calendar=calendar):
        return enrolled_on + datetime.timedelta(days=LATE_ENROLMENT_DAYS)
    return calendar.isp_deadline


def approval_deadline(
    *, enrolled_on: datetime.date, previously_approved: bool, calendar: YearCalendar
) -> datetime.date:
    """Approval happens strictly before this day (Art. 19): the first-semester lock, or
    the second-semester lock for late enrolments and for changes after an approval."""
    if previously_approved or enrolled_on >= calendar.first_semester_lock:
        return calendar.second_semester_lock
    return calendar.first_semester_lock


def change_window(semester: str, *, isp: ISPFacts, today: datetime.date, adding: bool = False) -> Problem | None:
    """Whether a line of ``semester`` may change today (Art. 7, 19, 23 §2)."""
    cal = isp.calendar
    if today >= cal.second_semester_lock:
        return _problem("year_final", year=cal.code, lock=cal.second_semester_lock)
    if adding and in_late_enrolment_window(enrolled_on=isp.enrolled_on, calendar=cal, today=today):
        return None
    if semester == "2":
        if today > cal.second_semester_change_deadline:
            return _problem(
                "second_semester_closed", deadline=cal.second_semester_change_deadline, lock=cal.second_semester_lock
            )
        return None
    if today >= cal.first_semester_lock:
        return _problem("first_semester_final", lock=cal.first_semester_lock)
    return None


def _enrolment_problem(isp: ISPFacts) -> Problem | None:
    if isp.enrolment_status != "enrolled":
        return _problem("enrolment_inactive", status=isp.enrolment_status)
    return None


def _obtained(course: CourseFacts, past: PastFacts) -> str | None:
    for course_id in (course.id, *sorted(course.identical)):
        if course_id in past.obtained:
            return past.obtained[course_id]
    return None


# How a course was obtained, in the reader's language ("already_credited").
OBTAINED_LABELS = {
    "passed": pgettext_lazy("course obtained", "passed"),
    "tolerated": pgettext_lazy("course obtained", "tolerated"),
    "exempted": pgettext_lazy("course obtained", "exempted"),
}


def _credited_problems(course: CourseFacts, how: str, *, isp: ISPFacts, today: datetime.date) -> list[Problem]:
    """A course already obtained is not taken again (Art. 20 §4, 89-90), except a
    tolerated fail retaken with the cluster's approval by ``isp_deadline`` (Art. 90 §3)."""
    if how != "tolerated" or isp.past.obtained.get(course.id) != "tolerated":
        return [_problem("already_credited", course=course.code, how=OBTAINED_LABELS.get(how, how))]
    if course.id not in isp.tolerated_retakes:
        return [_problem("tolerated_retake_unapproved", course=course.code)]
    if today > isp.calendar.isp_deadline:
        return [_problem("tolerated_retake_late", course=course.code, deadline=isp.calendar.isp_deadline)]
    return []


def tolerated_retake_lines(isp: ISPFacts) -> list[LineFacts]:
    """The lines retaking a course tolerated earlier (Art. 90 §3)."""
    return [
        line
        for line in isp.lines
        if line.course.id in isp.tolerated_retakes and isp.past.obtained.get(line.course.id) == "tolerated"
    ]


def tolerated_retake_problem(isp: ISPFacts) -> Problem | None:
    """Art. 90 §3 "at the end of the programme": an ISP retaking a tolerated course
    completes the programme; its other lines hold at least the credits left to the
    degree (the tolerated course already counts as obtained)."""
    retaken = tolerated_retake_lines(isp)
    if not retaken or isp.credits_left_to_degree is None:
        return None
    others = isp.total_credits - sum(line.course.credits for line in retaken)
    if others >= isp.credits_left_to_degree:
        return None
    return _problem(
        "tolerated_retake_not_final",
        courses=[line.course.code for line in retaken],
        total=others,
        left=isp.credits_left_to_degree,
    )


def tolerated_retake_approval_problems(course: CourseFacts, *, isp: ISPFacts, today: datetime.date) -> list[Problem]:
    """Whether the cluster's approval of a request to retake ``course`` can be recorded
    (Art. 90 §3): a course tolerated in an earlier year of the programme, approved once,
    in time to add it by ``isp_deadline``."""
    if inactive := _enrolment_problem(isp):
        return [inactive]
    if isp.past.obtained.get(course.id) != "tolerated":
        return [_problem("not_tolerated", course=course.code)]
    if course.id in isp.tolerated_retakes:
        return [_problem("tolerated_retake_exists", course=course.code)]
    if today > isp.calendar.isp_deadline:
        return [_problem("tolerated_retake_late", course=course.code, deadline=isp.calendar.isp_deadline)]
    return []


def _unmet_prerequisites(course: CourseFacts, isp: ISPFacts) -> list[Problem]:
    problems = []
    in_isp = isp.course_ids
    for required_id, required_code, kind in course.prerequisites:
        obtained = required_id in isp.past.obtained
        if kind == "SSQ":
            if not obtained:
                problems.append(_problem("ssq_missing", course=course.code, required=required_code))
        elif not (
            obtained
            or required_id in isp.past.followed
            or required_id in in_isp
            or isp.has_derogation("sequencing", course.id)
        ):
            problems.append(_problem("sq_missing", course=course.code, required=required_code))
    return problems


def add_problems(course: CourseFacts, *, isp: ISPFacts, today: datetime.date) -> list[Problem]:
    """Everything that keeps ``course`` out of the ISP today; empty when it may be added."""
    problems = []
    if inactive := _enrolment_problem(isp):
        return [inactive]
    if course.id in isp.course_ids:
        return [_problem("already_in_isp", course=course.code)]
    if window := change_window(course.semester, isp=isp, today=today, adding=True):
        problems.append(window)
    for line in isp.lines:
        if line.course.id in course.identical:
            problems.append(_problem("identical_in_isp", course=course.code, other=line.course.code))
    if how := _obtained(course, isp.past):
        problems += _credited_problems(course, how, isp=isp, today=today)
    missing_retakes = [code for cid, code in sorted(isp.past.retakes.items()) if cid not in isp.course_ids]
    if missing_retakes and course.id not in isp.past.retakes:
        problems.append(_problem("retake_first", courses=missing_retakes))
    problems += _unmet_prerequisites(course, isp)
    if isp.band_applies:
        total = isp.total_credits + course.credits
        _minimum, maximum = credit_band(isp)
        if total > maximum:
            problems.append(_problem("above_maximum", course=course.code, total=total, maximum=maximum))
    return problems


def _sq_dependents(line: LineFacts, isp: ISPFacts) -> list[str]:
    """Courses of this ISP whose SQ prerequisite is met only by ``line`` being in it."""
    dependents = []
    for other in isp.lines:
        for required_id, _code, kind in other.course.prerequisites:
            if (
                required_id == line.course.id
                and kind == "SQ"
                and required_id not in isp.past.followed
                and required_id not in isp.past.obtained
                and not isp.has_derogation("sequencing", other.course.id)
            ):
                dependents.append(other.course.code)
    return dependents


def remove_problems(line: LineFacts, *, isp: ISPFacts, today: datetime.date) -> list[Problem]:
    """Everything that keeps ``line`` in the ISP today; empty when it may be removed."""
    if inactive := _enrolment_problem(isp):
        return [inactive]
    code = line.course.code
    problems = []
    if line.opportunity_taken:
        problems.append(_problem("opportunity_taken", course=code))
    if line.final_since is not None and line.final_since <= today:
        problems.append(_problem("line_final", course=code, on=line.final_since))
    elif window := change_window(line.course.semester, isp=isp, today=today):
        problems.append(window)
    if line.exempted:
        problems.append(_problem("exemption_definitive", course=code))
    if line.course.id in isp.past.retakes:
        problems.append(_problem("retake_required", course=code))
    for dependent in _sq_dependents(line, isp):
        problems.append(_problem("required_by_sq", course=code, dependent=dependent))
    if (
        isp.band_applies
        and isp.past.new_to_programme
        and any(c.id == line.course.id for c in isp.stage_one)
        and not isp.has_derogation("model_route")
    ):
        problems.append(_problem("model_route_course", course=code))
    return problems


def exempt_problems(line: LineFacts, *, isp: ISPFacts, today: datetime.date) -> list[Problem]:
    """Everything that keeps the cluster from exempting ``line`` today (Art. 25)."""
    if inactive := _enrolment_problem(isp):
        return [inactive]
    code = line.course.code
    if line.exempted:
        return [_problem("already_exempted", course=code)]
    problems = []
    if line.opportunity_taken:
        problems.append(_problem("opportunity_taken", course=code))
    if line.final_since is not None and line.final_since <= today:
        problems.append(_problem("line_final", course=code, on=line.final_since))
    elif window := change_window(line.course.semester, isp=isp, today=today, adding=True):
        problems.append(window)
    return problems


def credit_band(isp: ISPFacts) -> tuple[int, int]:
    """The fewest and the most credits of this ISP's band (Art. 20 §2): 27 to 72, or the
    credits of an approved derogation below 27 or above 72 (Art. 22 §1)."""
    fewer = isp.derogation_credits("fewer_credits")
    more = isp.derogation_credits("more_credits")
    return fewer or MIN_ISP_CREDITS, max(more or 0, MAX_ISP_CREDITS)


def credit_band_problem(isp: ISPFacts, total: int | None = None) -> Problem | None:
    """The 27-72 band of Art. 20 §2 with its exceptions and derogations (Art. 22 §1)."""
    if not isp.band_applies:
        return None
    total = isp.total_credits if total is None else total
    minimum, maximum = credit_band(isp)
    if total > maximum:
        return _problem("over_maximum", total=total, maximum=maximum)
    if total < MIN_ISP_CREDITS:
        if not isp.main_enrolment:
            return None
        if isp.credits_left_to_degree is not None and isp.credits_left_to_degree < MIN_ISP_CREDITS:
            return None
        if total < minimum:
            return _problem("below_minimum", total=total, minimum=MIN_ISP_CREDITS)
    return None


@dataclass(frozen=True)
class Deadline:
    """One deadline of the ISP workflow; ``inclusive``: the day itself is still in time."""

    code: str
    on: datetime.date
    inclusive: bool

    def passed(self, today: datetime.date) -> bool:
        return today > self.on if self.inclusive else today >= self.on


def isp_deadlines(isp: ISPFacts) -> list[Deadline]:
    """The deadlines the ISP pages show as met, missed or ahead (Art. 19, 23; DOMAIN §1, §3):
    submitted by the submission deadline (inclusive), approved before the approval
    deadline, first-semester and year courses final on the first-semester lock,
    second-semester changes until their deadline (inclusive), final on the second lock."""
    cal = isp.calendar
    return [
        Deadline("submission", submission_deadline(enrolled_on=isp.enrolled_on, calendar=cal), True),
        Deadline(
            "approval",
            approval_deadline(enrolled_on=isp.enrolled_on, previously_approved=isp.previously_approved, calendar=cal),
            False,
        ),
        Deadline("first_semester_lock", cal.first_semester_lock, False),
        Deadline("second_semester_change_deadline", cal.second_semester_change_deadline, True),
        Deadline("second_semester_lock", cal.second_semester_lock, False),
    ]


def composition_problems(isp: ISPFacts) -> list[Problem]:
    """What the ISP as a whole lacks: the credit band, the model route of a new
    student, the courses to take again (Art. 20-22)."""
    problems = []
    if band := credit_band_problem(isp):
        problems.append(band)
    if isp.band_applies and isp.past.new_to_programme and not isp.has_derogation("model_route"):
        taken = isp.course_ids
        missing = [
            c.code
            for c in isp.stage_one
            if c.id not in taken and not (c.identical & taken) and _obtained(c, isp.past) is None
        ]
        if missing:
            problems.append(_problem("model_route_incomplete", courses=missing))
    missing_retakes = [code for cid, code in sorted(isp.past.retakes.items()) if cid not in isp.course_ids]
    if missing_retakes:
        problems.append(_problem("retake_missing", courses=missing_retakes))
    if tolerated := tolerated_retake_problem(isp):
        problems.append(tolerated)
    return problems


def tolerance_file_problem(isp: ISPFacts, *, today: datetime.date) -> Problem | None:
    """Art. 91 §2: "Students cannot submit their ISP for the following academic year as
    long as they have not completed their tolerance file": a tolerable fail of an earlier
    year in the same programme whose choice window is still open ``today`` and for which
    no choice was made blocks the submission; the problem names the courses."""
    still_open = sorted((code, until) for code, until in isp.tolerance_choices if today <= until)
    if not still_open:
        return None
    return _problem(
        "tolerance_file_open", courses=[code for code, _until in still_open], until=max(u for _c, u in still_open)
    )


def submit_problems(isp: ISPFacts, *, today: datetime.date) -> list[Problem]:
    """Why the ISP cannot be submitted today (Art. 19, 91 §2)."""
    if closed := year_closed_problem(isp, today=today):
        return [closed]
    if inactive := _enrolment_problem(isp):
        return [inactive]
    if isp.isp_status != "draft":
        return [_problem("already_submitted", status=isp.isp_status)]
    problems = []
    if tolerance := tolerance_file_problem(isp, today=today):
        problems.append(tolerance)
    deadline = submission_deadline(enrolled_on=isp.enrolled_on, calendar=isp.calendar)
    if today > deadline:
        problems.append(_problem("submission_deadline_passed", deadline=deadline))
    return problems + composition_problems(isp)


def approve_problems(isp: ISPFacts, *, today: datetime.date) -> list[Problem]:
    """Why the coach cannot approve the ISP today (Art. 19-22)."""
    if closed := year_closed_problem(isp, today=today):
        return [closed]
    if inactive := _enrolment_problem(isp):
        return [inactive]
    if isp.isp_status == "approved":
        return [_problem("already_approved")]
    problems = []
    submit_by = submission_deadline(enrolled_on=isp.enrolled_on, calendar=isp.calendar)
    if isp.isp_status == "draft" and today <= submit_by:
        problems.append(_problem("not_submitted_yet", deadline=submit_by))
    deadline = approval_deadline(
        enrolled_on=isp.enrolled_on, previously_approved=isp.previously_approved, calendar=isp.calendar
    )
    if today >= deadline:
        problems.append(_problem("approval_deadline_passed", deadline=deadline))
    return problems + composition_problems(isp)


def derogation_problems(
    kind: str, *, course: CourseFacts | None, credits: int | None, isp: ISPFacts, today: datetime.date
) -> list[Problem]:
    """Whether a derogation of ``kind`` can be recorded (Art. 22): never for SSQ,
    never for the courses to take again."""
    if inactive := _enrolment_problem(isp):
        return [inactive]
    if today >= isp.calendar.second_semester_lock:
        return [_problem("year_final", year=isp.calendar.code, lock=isp.calendar.second_semester_lock)]
    if kind == "sequencing":
        if course is None:
            return [_problem("derogation_needs_course")]
        if not any(k == "SQ" for _id, _code, k in course.prerequisites):
            return [_problem("no_sq_prerequisite", course=course.code)]
        return []
    if kind in ("fewer_credits", "more_credits"):
        if credits is None:
            return [_problem("derogation_needs_credits")]
        if (kind == "fewer_credits" and credits >= MIN_ISP_CREDITS) or (
            kind == "more_credits" and credits <= MAX_ISP_CREDITS
        ):
            return [_problem("derogation_credits_direction", minimum=MIN_ISP_CREDITS, maximum=MAX_ISP_CREDITS)]
    return []


def line_effect(
    *,
    action: str,
    credits: int,
    semester: str,
    uses_learning_account: bool,
    deducted_credits: int,
    opportunity_taken: bool,
    today: datetime.date,
    first_semester_lock: datetime.date,
    second_semester_lock: datetime.date,
) -> int:
    """What one ISP change does to the learning account today, in credits (DOMAIN §2
    rules 2-4, Art. 25): adding a line that uses it deducts its credits; removing
    one before its lock gives back what it took; an exemption gives back what the
    line took (an exempted line never uses the learning account)."""
    if action == "add":
        return deduction(credits) if uses_learning_account else 0
    if action == "remove":
        refunds = removal_refunds(
            semester=semester,
            removed_on=today,
            opportunity_taken=opportunity_taken,
            first_semester_lock=first_semester_lock,
            second_semester_lock=second_semester_lock,
        )
        return deducted_credits if refunds else 0
    if action == "exempt":
        return deducted_credits
    raise ValueError(action)


# -------------------------------------------------------------------------------------
# The late route and the workflow's deadlines (DOMAIN §3)
# -------------------------------------------------------------------------------------
# "A deadline that passes does not freeze the workflow": an ISP not yet submitted or
# approved can still be, recorded as late with the reason and who allowed it. Decided:
# the workflow stays open until the academic year ends (``ends_on``); from then on the
# ISP of that year is read-only.

LATE_ROUTE = frozenset({"submission_deadline_passed", "approval_deadline_passed"})


def year_closed(isp: ISPFacts, *, today: datetime.date) -> bool:
    return today > isp.calendar.ends_on


def year_closed_problem(isp: ISPFacts, *, today: datetime.date) -> Problem | None:
    if year_closed(isp, today=today):
        return _problem("year_closed", year=isp.calendar.code, end=isp.calendar.ends_on)
    return None


def late_route(problems: list[Problem], *, reason: str) -> tuple[list[Problem], bool]:
    """Split the problems of a submission or approval: the ones that still refuse it, and
    whether it is late. A late step needs its reason; without one the passed deadline
    refuses it, with the problem that asks for the reason."""
    late = [p for p in problems if p.late_route]
    blocking = [p for p in problems if not p.late_route]
    if late and not (reason or "").strip():
        blocking = [*late, _problem("late_reason_missing"), *blocking]
    return blocking, bool(late)


MET, MISSED, UPCOMING, PASSED = "met", "missed", "upcoming", "passed"


def deadline_state(deadline: Deadline, *, today: datetime.date, done_on: datetime.date | None, action: bool) -> str:
    """Where a deadline stands: an action (submit, approve) done in time "met", done late
    or not done once the deadline passed "missed", not done yet "upcoming"; a calendar
    date (the locks) "passed" or "upcoming"."""
    if not action:
        return PASSED if deadline.passed(today) else UPCOMING
    if done_on is not None:
        return MISSED if deadline.passed(done_on) else MET
    return MISSED if deadline.passed(today) else UPCOMING


def approval_deadline_of(
    *, enrolled_on: datetime.date, calendar: YearCalendar, approved_on: datetime.date | None, approved_late: bool
) -> datetime.date:
    """The approval deadline the current approval answered to: the first-semester lock (or
    the second one for a late enrolment); an approval in time after that lock was a
    re-approval of a changed ISP, due before the second-semester lock, and so was a late
    approval recorded from that lock on."""
    first = approval_deadline(enrolled_on=enrolled_on, previously_approved=False, calendar=calendar)
    if approved_on is None or approved_on < first:
        return first
    if approved_late and approved_on < calendar.second_semester_lock:
        return first
    return calendar.second_semester_lock
