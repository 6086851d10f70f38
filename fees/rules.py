"""The tuition fee regulation (appendix of the regulations 2023-2024; DOMAIN §8) as pure functions.

Plain values in, amounts out: no ORM, no clock. Money is ``Decimal`` in euro, rounded
half up to the cent (preface) only at the end of each part.

Decided where the appendix is silent:

- "within 4 weeks" / "within 8 weeks" after a start date include the 28th / 56th day
  after it (the reading in the student's favour).
- The second semester starts on the day after exam period 1 ends, or on 1 February when
  the year has no exam period 1 (the appendix names no date).
- In a second-semester deregistration, year courses count with the first-semester
  courses: they were charged in full from 8 weeks into the year already.
- The surcharge for credits without learning account follows the credits that stay
  charged: it is charged on at most as many credits as the variable part.
- The appendix (and DOMAIN §8) gives the nearly-scholarship student 4.20 per credit but
  a total of 576.10 for 60 credits, which is 282.10 + 60 x 4.90. We follow the total:
  4.90 per credit (the 4.20 reads as a figure left over from an earlier year).
- Within one fee group the fixed part is charged once, at the lowest fixed rate of the
  group's enrolments (a student who is a scholarship student in one enrolment of the
  year is one in the others too); the variable part follows each enrolment's grant status.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from programmes.rules import ProgrammeKind, YearCalendar

CENT = Decimal("0.01")
FOUR_WEEKS = datetime.timedelta(weeks=4)
EIGHT_WEEKS = datetime.timedelta(weeks=8)

# Fee groups (appendix Art. 2): every degree and credit contract of one year is one
# enrolment; bachelor-after-bachelor programmes and exam contracts are separate.
MAIN = "main"
BACHELOR_AFTER_BACHELOR = ProgrammeKind.BACHELOR_AFTER_BACHELOR.value  # the group is named after its kind
EXAM = "exam"

EXAM_CONTRACTS = {"exam_degree", "exam_credit"}
NONE, NEARLY, SCHOLARSHIP = "none", "nearly", "scholarship"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rates:
    """The amounts of one academic year (appendix Art. 3)."""

    fixed_none: Decimal
    per_credit_none: Decimal
    fixed_nearly: Decimal
    per_credit_nearly: Decimal
    fixed_scholarship: Decimal
    per_credit_scholarship: Decimal
    fixed_bachelor_after_bachelor: Decimal
    per_credit_bachelor_after_bachelor: Decimal
    fixed_exam: Decimal
    per_credit_exam: Decimal
    exam_platform: Decimal
    surcharge_per_credit: Decimal
    secondary_school: Decimal
    secondary_school_max_credits: int = 10

    def fixed(self, grant_status: str) -> Decimal:
        return {NONE: self.fixed_none, NEARLY: self.fixed_nearly, SCHOLARSHIP: self.fixed_scholarship}[grant_status]

    def per_credit(self, grant_status: str) -> Decimal:
        return {NONE: self.per_credit_none, NEARLY: self.per_credit_nearly, SCHOLARSHIP: self.per_credit_scholarship}[
            grant_status
        ]


RATES_2023_2024 = Rates(
    fixed_none=Decimal("282.10"),
    per_credit_none=Decimal("13.50"),
    fixed_nearly=Decimal("282.10"),
    per_credit_nearly=Decimal("4.90"),
    fixed_scholarship=Decimal("128.80"),
    per_credit_scholarship=Decimal("0"),
    fixed_bachelor_after_bachelor=Decimal("282.10"),
    per_credit_bachelor_after_bachelor=Decimal("13.50"),
    fixed_exam=Decimal("128.80"),
    per_credit_exam=Decimal("4.90"),
    exam_platform=Decimal("50"),
    surcharge_per_credit=Decimal("13.50"),
    secondary_school=Decimal("64.40"),
)


@dataclass(frozen=True)
class Line:
    """A course charged in the ISP: its credits and semester ("1", "2" or "year")."""

    credits: int
    semester: str


@dataclass(frozen=True)
class EnrolmentFacts:
    """What the fee of one enrolment depends on (appendix Art. 2), as of one day."""

    contract: str
    programme_kind: str
    grant_status: str
    lines: tuple[Line, ...] = ()
    credits_without_learning_account: int = 0
    isp_approved: bool = True
    enrolled_on: datetime.date | None = None
    deregistered_on: datetime.date | None = None
    secondary_school: bool = False


@dataclass
class Fee:
    """The fee of one fee group: its parts and the credits behind them."""

    fixed: Decimal = Decimal("0.00")
    variable: Decimal = Decimal("0.00")
    surcharge: Decimal = Decimal("0.00")
    platform: Decimal = Decimal("0.00")
    credits: Decimal = Decimal("0")
    surcharge_credits: Decimal = Decimal("0")
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.fixed + self.variable + self.surcharge + self.platform


def fee_group(contract: str, programme_kind: str) -> str:
    """Appendix Art. 2: bachelor-after-bachelor and exam-contract enrolments are separate."""
    if contract in EXAM_CONTRACTS:
        return EXAM
    if programme_kind == ProgrammeKind.BACHELOR_AFTER_BACHELOR:
        return BACHELOR_AFTER_BACHELOR
    return MAIN


def group_key(programme_code: str, facts: EnrolmentFacts) -> str:
    """``main`` for the shared group, ``<group>:<programme code>`` for a separate one."""
    group = fee_group(facts.contract, facts.programme_kind)
    return MAIN if group == MAIN else f"{group}:{programme_code}"


def within(day: datetime.date, start: datetime.date, weeks: datetime.timedelta) -> bool:
    return day <= start + weeks


def second_semester_starts_on(calendar: YearCalendar) -> datetime.date:
    """The day after exam period 1 ends, or 1 February when the year has no exam period 1
    (decided: the appendix names no date)."""
    if calendar.first_exam_period_ends_on is not None:
        return calendar.first_exam_period_ends_on + datetime.timedelta(days=1)
    return datetime.date(calendar.starts_on.year + 1, 2, 1)


def charged_credits(
    lines: tuple[Line, ...],
    *,
    deregistered_on: datetime.date | None,
    enrolled_on: datetime.date,
    calendar: YearCalendar,
) -> Decimal:
    """Credits whose variable fee stays due (appendix Art. 7, refund on deregistration).

    First semester, counted from the start of the year or a later enrolment date:
    within 4 weeks nothing variable; within 8 weeks half of the first-semester and year
    courses; later all of them. Second semester, counted from its start or a later
    enrolment date: within 4 weeks the first-semester (and year) courses; within 8 weeks
    those plus half of the second-semester courses; later every course taken.
    """
    first = sum(line.credits for line in lines if line.semester in ("1", "year"))
    second = sum(line.credits for line in lines if line.semester == "2")
    if deregistered_on is None:
        return Decimal(first + second)
    half = Decimal("0.5")
    second_starts_on = second_semester_starts_on(calendar)
    if deregistered_on < second_starts_on:
        start = max(calendar.starts_on, enrolled_on)
        if within(deregistered_on, start, FOUR_WEEKS):
            return Decimal(0)
        if within(deregistered_on, start, EIGHT_WEEKS):
            return half * first
        return Decimal(first)
    start = max(second_starts_on, enrolled_on)
    if within(deregistered_on, start, FOUR_WEEKS):
        return Decimal(first)
    if within(deregistered_on, start, EIGHT_WEEKS):
        return first + half * second
    return Decimal(first + second)


def group_fee(group: str, enrolments: list[EnrolmentFacts], rates: Rates, calendar: YearCalendar) -> Fee:
    """The fee of one fee group of a student in a year (appendix Art. 1-3 and 7).

    - Fixed part once per group (Art. 2); exam contracts pay 128.80 fixed, 4.90 per
      credit and 50 for the digital learning platform, once a year (Art. 1 §1, Art. 3).
    - The variable part per credit actually taken (complete courses in the ISP, Art. 2),
      charged after the ISP is approved (Art. 4); until then only the fixed part.
    - The increased fee of 13.50 per credit without learning account, not for
      scholarship or nearly-scholarship students (Art. 3, note 4).
    - A pupil in the final year of secondary school with a credit contract for at most
      10 credits pays 64.40, half the scholarship fee (Art. 2-3).
    """
    fee = Fee()
    if not enrolments:
        return fee
    if group == EXAM:
        fee.fixed = rates.fixed_exam
        fee.platform = rates.exam_platform
    elif group == BACHELOR_AFTER_BACHELOR:
        fee.fixed = rates.fixed_bachelor_after_bachelor
    else:
        pupils = [e for e in enrolments if e.secondary_school and e.contract == "credit"]
        if len(pupils) == len(enrolments):
            taken = sum(line.credits for e in enrolments for line in e.lines)
            if taken <= rates.secondary_school_max_credits:
                fee.fixed = money(rates.secondary_school)
                fee.credits = Decimal(taken)
                fee.notes.append("secondary_school")
                return fee
        fee.fixed = min(rates.fixed(e.grant_status) for e in enrolments)

    variable = Decimal(0)
    surcharge_credits = Decimal(0)
    for enrolment in enrolments:
        if not enrolment.isp_approved:
            continue
        credits = charged_credits(
            enrolment.lines,
            deregistered_on=enrolment.deregistered_on,
            enrolled_on=enrolment.enrolled_on or calendar.starts_on,
            calendar=calendar,
        )
        fee.credits += credits
        if group == EXAM:
            variable += credits * rates.per_credit_exam
        elif group == BACHELOR_AFTER_BACHELOR:
            variable += credits * rates.per_credit_bachelor_after_bachelor
        else:
            variable += credits * rates.per_credit(enrolment.grant_status)
        if enrolment.grant_status == NONE and enrolment.credits_without_learning_account > 0:
            surcharge_credits += min(Decimal(enrolment.credits_without_learning_account), credits)
    fee.variable = money(variable)
    fee.surcharge_credits = surcharge_credits
    fee.surcharge = money(surcharge_credits * rates.surcharge_per_credit)
    return fee


def fees_of_year(enrolments: list[tuple[str, EnrolmentFacts]], rates: Rates, calendar: YearCalendar) -> dict[str, Fee]:
    """The fee per fee group key of one student in one year.

    ``enrolments`` pairs each enrolment's facts with a key that tells separate
    enrolments apart (the programme code): the degree and credit contracts share the
    key ``main``; bachelor-after-bachelor and exam contracts each get their own.
    """
    grouped: dict[str, tuple[str, list[EnrolmentFacts]]] = {}
    for programme_code, facts in enrolments:
        group = fee_group(facts.contract, facts.programme_kind)
        grouped.setdefault(group_key(programme_code, facts), (group, []))[1].append(facts)
    return {key: group_fee(group, members, rates, calendar) for key, (group, members) in grouped.items()}
