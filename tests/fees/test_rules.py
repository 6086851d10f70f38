"""The fee rules against the figures of the fee appendix (Art. 2, 3 and 7)."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from fees import rules
from fees.rules import RATES_2023_2024 as RATES
from programmes.rules import YearCalendar, default_calendar

# 2023-2024 from 18 September, exam period 1 ending on 4 February: the second semester from 5 February.
CALENDAR = YearCalendar(
    code="2023-2024",
    starts_on=datetime.date(2023, 9, 18),
    ends_on=datetime.date(2024, 9, 15),
    first_exam_period_ends_on=datetime.date(2024, 2, 4),
    **default_calendar(2023),
)
SIXTY = (rules.Line(30, "1"), rules.Line(30, "2"))


def facts(**kwargs):
    defaults = {"contract": "degree", "programme_kind": "initial_bachelor", "grant_status": "none", "lines": SIXTY}
    return rules.EnrolmentFacts(**{**defaults, **kwargs})


def fee_of(*enrolments, codes=None):
    codes = codes or [f"P{i}" for i in range(len(enrolments))]
    return rules.fees_of_year(list(zip(codes, enrolments, strict=True)), RATES, CALENDAR)


@pytest.mark.parametrize(
    ("grant_status", "kind", "total"),
    [
        ("none", "initial_bachelor", "1092.10"),  # appendix Art. 3: non-scholarship, 60 credits
        ("nearly", "initial_bachelor", "576.10"),  # nearly-scholarship
        ("scholarship", "initial_bachelor", "128.80"),  # scholarship
        ("none", "associate", "1092.10"),  # associate degree: same table
        ("none", "education_bachelor", "1092.10"),  # teacher training
        ("none", "bachelor_after_bachelor", "1092.10"),  # bachelor-after-bachelor table
        ("scholarship", "bachelor_after_bachelor", "1092.10"),  # no grant rates in that table
    ],
)
def test_the_appendix_totals_for_60_credits(grant_status, kind, total):
    fees = fee_of(facts(grant_status=grant_status, programme_kind=kind))
    assert [fee.total for fee in fees.values()] == [Decimal(total)]


def test_an_exam_contract_pays_fixed_per_credit_and_the_platform_once():
    fee = fee_of(facts(contract="exam_degree"))["exam:P0"]
    assert (fee.fixed, fee.variable, fee.platform) == (Decimal("128.80"), Decimal("294.00"), Decimal("50"))
    assert fee.total == Decimal("472.80")


@pytest.mark.parametrize(
    ("grant_status", "without", "surcharge", "total"),
    [
        ("none", 20, "270.00", "1362.10"),  # 20 credits without learning account: +13.50 each
        ("nearly", 20, "0.00", "576.10"),  # not for nearly-scholarship students
        ("scholarship", 20, "0.00", "128.80"),  # nor for scholarship students
        ("none", 0, "0.00", "1092.10"),
    ],
)
def test_the_surcharge_for_credits_without_learning_account(grant_status, without, surcharge, total):
    fee = fee_of(facts(grant_status=grant_status, credits_without_learning_account=without))["main"]
    assert fee.surcharge == Decimal(surcharge)
    assert fee.total == Decimal(total)


def test_degree_and_credit_contracts_share_one_fixed_part():
    fees = fee_of(
        facts(lines=(rules.Line(30, "1"),)),
        facts(contract="credit", programme_kind="associate", lines=(rules.Line(12, "2"),)),
    )
    assert list(fees) == ["main"]
    assert fees["main"].total == Decimal("282.10") + 42 * Decimal("13.50")


def test_bachelor_after_bachelor_and_exam_contracts_are_separate_enrolments():
    fees = fee_of(
        facts(),
        facts(programme_kind="bachelor_after_bachelor"),
        facts(contract="exam_credit", lines=(rules.Line(6, "1"),)),
        codes=["BA", "BAB", "EX"],
    )
    assert set(fees) == {"main", "bachelor_after_bachelor:BAB", "exam:EX"}
    assert fees["exam:EX"].total == Decimal("128.80") + Decimal("29.40") + Decimal("50")


def test_before_the_isp_is_approved_only_the_fixed_part_is_due():
    assert fee_of(facts(isp_approved=False))["main"].total == Decimal("282.10")


def test_a_pupil_in_the_final_year_of_secondary_school_pays_half_the_scholarship_fee():
    fee = fee_of(facts(contract="credit", secondary_school=True, lines=(rules.Line(10, "1"),)))["main"]
    assert fee.total == Decimal("64.40")
    over = fee_of(facts(contract="credit", secondary_school=True, lines=(rules.Line(12, "1"),)))["main"]
    assert over.total == Decimal("282.10") + 12 * Decimal("13.50")


LINES = (rules.Line(20, "1"), rules.Line(10, "year"), rules.Line(30, "2"))
START, SECOND = CALENDAR.starts_on, datetime.date(2024, 2, 5)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("deregistered_on", "enrolled_on", "credits"),
    [
        (None, START, 60),
        (START + 28 * DAY, START, 0),  # within 4 weeks: only the fixed part
        (START + 29 * DAY, START, 15),  # within 8 weeks: half of semester 1 and year courses
        (START + 56 * DAY, START, 15),
        (START + 57 * DAY, START, 30),  # later in semester 1: all of them
        (START + 40 * DAY, START + 20 * DAY, 0),  # late enrolment: weeks count from the enrolment
        (SECOND - DAY, START, 30),
        (SECOND, START, 30),  # semester 2, within 4 weeks: semester 1 and year courses
        (SECOND + 28 * DAY, START, 30),
        (SECOND + 29 * DAY, START, 45),  # within 8 weeks: plus half of semester 2
        (SECOND + 56 * DAY, START, 45),
        (SECOND + 57 * DAY, START, 60),  # later: everything taken
        (SECOND + 50 * DAY, SECOND + 30 * DAY, 30),  # late enrolment in semester 2
    ],
)
def test_refund_on_deregistration_by_date(deregistered_on, enrolled_on, credits):
    assert rules.charged_credits(
        LINES, deregistered_on=deregistered_on, enrolled_on=enrolled_on, calendar=CALENDAR
    ) == Decimal(credits)


def test_a_deregistration_keeps_the_fixed_part_and_halves_the_surcharge_with_the_credits():
    fee = fee_of(
        facts(lines=LINES, credits_without_learning_account=40, enrolled_on=START, deregistered_on=START + 40 * DAY)
    )["main"]
    assert fee.credits == 15
    assert fee.fixed == Decimal("282.10")
    assert fee.variable == Decimal("202.50")
    assert fee.surcharge == Decimal("202.50")  # at most the 15 credits still charged


@pytest.mark.parametrize(
    ("first_exam_period_ends_on", "expected"),
    [
        # Decided (fees.rules): the day after exam period 1 ends ...
        (datetime.date(2024, 2, 4), datetime.date(2024, 2, 5)),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 1)),
        # ... or 1 February when the year has no exam period 1.
        (None, datetime.date(2024, 2, 1)),
    ],
)
def test_the_second_semester_starts_after_exam_period_1(first_exam_period_ends_on, expected):
    calendar = dataclasses.replace(CALENDAR, first_exam_period_ends_on=first_exam_period_ends_on)
    assert rules.second_semester_starts_on(calendar) == expected
