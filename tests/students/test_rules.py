"""The learning account (DOMAIN §2 rules 1-12) and, at the end, the study progress measures (DOMAIN §5).

Sources: the learning-account page (seeds/learning-account.txt, cited "LA") and
the Education and Examination Regulations 2023-2024 (cited "Art."). Every
expected value is worked out by hand from them, with the seed's own numbers
where it gives some (80 + 4x2 = 88, 200, 44 -> 54 -> 60, 170, 177).
Calendar: the DOMAIN §1 defaults of 2023-2024.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction

import pytest

from programmes.rules import academic_year_code
from students.rules import (
    LIMITED_BALANCE,
    THRESHOLD_REFUSAL_YEARS,
    Admission,
    PassRefund,
    admission,
    admission_covers,
    balance_warning,
    binding_conditions_due,
    binding_conditions_refusal_due,
    bonus_left,
    counts_for_threshold,
    course_count_starts,
    credits_without_learning_account,
    deduction,
    deregistration_refunds,
    earns_bonus,
    generation_refund,
    is_generation_student,
    learning_account_refusal_due,
    line_uses_learning_account,
    lock_date,
    master_degree_deduction,
    opening_entry,
    pass_refunds,
    rebuild_amount,
    rebuild_correction,
    rebuild_due,
    removal_refunds,
    repeated_failure_applies,
    repeated_failure_refusal_due,
    threshold_refusal_due,
    threshold_refusal_until,
    year_counts_against,
)

D = datetime.date

# DOMAIN §1 defaults for 2023-2024.
FIRST_LOCK = D(2023, 12, 1)
SWITCH_DEADLINE = D(2023, 12, 25)
SECOND_LOCK = D(2024, 3, 15)
LOCKS = {"first_semester_lock": FIRST_LOCK, "second_semester_lock": SECOND_LOCK}

ALL_KINDS = [
    "associate",
    "initial_bachelor",
    "education_bachelor",
    "bachelor_after_bachelor",
    "bridging",
    "preparatory",
    "initial_master",
    "master_after_master",
    "postgraduate",
]


# Rule 1: opening ------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # LA: "All students who register for the first time in Flemish higher
        # education will automatically receive a learning account of 140".
        pytest.param(
            {"imported_balance": None, "imported_on": None, "first_enrolled_on": D(2023, 9, 10)},
            (140, D(2023, 9, 10)),
            id="first-enrolment-140",
        ),
        # DOMAIN rule 1: an imported balance (another institution) opens on its own date.
        pytest.param(
            {"imported_balance": 95, "imported_on": D(2023, 9, 1), "first_enrolled_on": D(2023, 9, 10)},
            (95, D(2023, 9, 1)),
            id="imported-95",
        ),
        pytest.param(
            {"imported_balance": 95, "imported_on": D(2023, 9, 1), "first_enrolled_on": None},
            (95, D(2023, 9, 1)),
            id="imported-before-enrolment",
        ),
        # An imported 0 or negative balance is still an import, not "140".
        pytest.param(
            {"imported_balance": 0, "imported_on": D(2023, 9, 1), "first_enrolled_on": D(2023, 9, 10)},
            (0, D(2023, 9, 1)),
            id="imported-zero",
        ),
        pytest.param(
            {"imported_balance": -12, "imported_on": D(2023, 9, 1), "first_enrolled_on": D(2023, 9, 10)},
            (-12, D(2023, 9, 1)),
            id="imported-negative",
        ),
        # Not enrolled yet, nothing imported: nothing to open.
        pytest.param(
            {"imported_balance": None, "imported_on": None, "first_enrolled_on": None},
            None,
            id="nothing-yet",
        ),
    ],
)
def test_opening_entry(kwargs, expected):
    assert opening_entry(**kwargs) == expected


# Rule 2: which lines use the learning account --------------------------------
@pytest.mark.parametrize(
    ("programme_kind", "holds_bachelor", "expected"),
    [
        # LA "You will use your learning account if ... a diploma contract for an
        # initial bachelor or master programme".
        pytest.param("initial_bachelor", False, True, id="initial_bachelor"),
        pytest.param("initial_master", False, True, id="initial_master"),
        # Holding a bachelor's degree only matters for the bachelor of education.
        pytest.param("initial_bachelor", True, True, id="initial_bachelor-holding-bachelor"),
        pytest.param("initial_master", True, True, id="initial_master-holding-bachelor"),
        # LA "You don't need ... for a bachelor of education if you already hold a
        # bachelor's degree"; Art. 33 second paragraph; DOMAIN rule 2.
        pytest.param("education_bachelor", False, True, id="education_bachelor-without-bachelor"),
        pytest.param("education_bachelor", True, False, id="education_bachelor-holding-bachelor"),
        # LA "You don't need your learning account when you register: for an
        # associate degree / bridging or preparation programme / postgraduate /
        # bachelor-after-bachelor / master-after-master".
        pytest.param("associate", False, False, id="associate"),
        pytest.param("bridging", False, False, id="bridging"),
        pytest.param("preparatory", False, False, id="preparatory"),
        pytest.param("bachelor_after_bachelor", True, False, id="bachelor_after_bachelor"),
        pytest.param("master_after_master", True, False, id="master_after_master"),
        pytest.param("postgraduate", True, False, id="postgraduate"),
    ],
)
def test_degree_contract_lines(programme_kind, holds_bachelor, expected):
    assert (
        line_uses_learning_account(
            contract="degree", programme_kind=programme_kind, holds_bachelor=holds_bachelor, exempted=False
        )
        is expected
    )


@pytest.mark.parametrize("holds_bachelor", [False, True], ids=["no-bachelor", "holding-bachelor"])
@pytest.mark.parametrize("programme_kind", ALL_KINDS)
def test_credit_contract_lines_always_use_it(programme_kind, holds_bachelor):
    # LA "Note: if you register for courses from one of the above-mentioned
    # programmes or programmes with a credit contract, you will always use your
    # learning account"; DOMAIN rule 2 "lines of credit contracts always".
    assert line_uses_learning_account(
        contract="credit", programme_kind=programme_kind, holds_bachelor=holds_bachelor, exempted=False
    )


@pytest.mark.parametrize("contract", ["exam_degree", "exam_credit"])
@pytest.mark.parametrize("programme_kind", ALL_KINDS)
def test_exam_contract_lines_never_use_it(programme_kind, contract):
    # LA "You don't need your learning account when you register ... with an
    # exam contract"; DOMAIN rule 2 "never exam_degree/exam_credit contracts".
    assert not line_uses_learning_account(
        contract=contract, programme_kind=programme_kind, holds_bachelor=False, exempted=False
    )


@pytest.mark.parametrize("contract", ["degree", "credit"])
@pytest.mark.parametrize("programme_kind", ["initial_bachelor", "initial_master", "education_bachelor"])
def test_exempted_lines_never_use_it(programme_kind, contract):
    # LA "No learning account will be used for courses for which you are
    # exempted"; Art. 25; DOMAIN rule 2 "never exempted lines".
    assert not line_uses_learning_account(
        contract=contract, programme_kind=programme_kind, holds_bachelor=False, exempted=True
    )


# Rule 3: deduction ----------------------------------------------------------
@pytest.mark.parametrize(
    ("credits", "expected"),
    [
        # LA "Taken credits are deducted from the learning account".
        pytest.param(6, -6, id="6-credits"),
        pytest.param(3, -3, id="3-credits"),
        pytest.param(60, -60, id="60-credits"),
    ],
)
def test_deduction(credits, expected):
    assert deduction(credits) == expected


# Rule 4: removing a line ----------------------------------------------------
@pytest.mark.parametrize(
    ("semester", "expected"),
    [
        # Art. 19 "courses that start in the first semester are final as of 1
        # December"; year courses start in the first semester (Art. 9 §4).
        pytest.param("1", FIRST_LOCK, id="semester-1-locks-1-dec"),
        pytest.param("year", FIRST_LOCK, id="year-course-locks-1-dec"),
        # Art. 19 "decide on these changes before 15 March. On this date the
        # modifications are final".
        pytest.param("2", SECOND_LOCK, id="semester-2-locks-15-mar"),
    ],
)
def test_lock_date(semester, expected):
    assert lock_date(semester, **LOCKS) == expected


@pytest.mark.parametrize(
    ("semester", "removed_on", "opportunity_taken", "expected"),
    [
        # LA "Cancelling courses only leads to a refund ... if it is done before
        # 1 December for courses starting in the first semester"; DOMAIN §1
        # "on that date the lock applies".
        pytest.param("1", D(2023, 10, 2), False, True, id="sem1-october-refunds"),
        pytest.param("1", D(2023, 11, 30), False, True, id="sem1-30-nov-refunds"),
        pytest.param("1", D(2023, 12, 1), False, False, id="sem1-1-dec-no-refund"),
        pytest.param("1", D(2024, 1, 15), False, False, id="sem1-january-no-refund"),
        # DOMAIN rule 4: year courses lock with the first semester.
        pytest.param("year", D(2023, 11, 30), False, True, id="year-30-nov-refunds"),
        pytest.param("year", D(2023, 12, 1), False, False, id="year-1-dec-no-refund"),
        pytest.param("year", D(2024, 3, 14), False, False, id="year-14-mar-no-refund"),
        # LA "... and before 15 March for courses starting in the second semester".
        pytest.param("2", D(2023, 11, 30), False, True, id="sem2-30-nov-refunds"),
        pytest.param("2", D(2023, 12, 1), False, True, id="sem2-1-dec-refunds"),
        pytest.param("2", D(2024, 2, 25), False, True, id="sem2-25-feb-refunds"),
        pytest.param("2", D(2024, 3, 14), False, True, id="sem2-14-mar-refunds"),
        pytest.param("2", D(2024, 3, 15), False, False, id="sem2-15-mar-no-refund"),
        pytest.param("2", D(2024, 5, 1), False, False, id="sem2-may-no-refund"),
        # Art. 19 "from the moment an examination opportunity ... has taken place
        # ... cannot be taken off"; DOMAIN rule 4: never a refund.
        pytest.param("1", D(2023, 11, 30), True, False, id="sem1-taken-no-refund"),
        pytest.param("year", D(2023, 11, 30), True, False, id="year-taken-no-refund"),
        pytest.param("2", D(2024, 3, 14), True, False, id="sem2-taken-no-refund"),
    ],
)
def test_removal_refunds(semester, removed_on, opportunity_taken, expected):
    assert (
        removal_refunds(semester=semester, removed_on=removed_on, opportunity_taken=opportunity_taken, **LOCKS)
        is expected
    )


# Rule 5: deregistration -----------------------------------------------------
@pytest.mark.parametrize(
    ("contract", "semester", "deregistered_on", "opportunity_taken", "expected"),
    [
        # Art. 8 §2 "before the 1st of December ... refund of the learning account
        # of all courses for which he has not taken up an examination opportunity";
        # LA "If you deregister before December 1, all the credits ... added".
        pytest.param("degree", "1", D(2023, 11, 30), False, True, id="30-nov-sem1-refunds"),
        pytest.param("degree", "year", D(2023, 11, 30), False, True, id="30-nov-year-refunds"),
        pytest.param("degree", "2", D(2023, 11, 30), False, True, id="30-nov-sem2-refunds"),
        pytest.param("degree", "1", D(2023, 9, 20), False, True, id="september-sem1-refunds"),
        pytest.param("degree", "1", D(2023, 11, 30), True, False, id="30-nov-sem1-taken-no-refund"),
        # Art. 8 §2 "between the 1st of December and the 15th of March ... without
        # a refund ... of the courses that started in the first semester" (year
        # courses start in the first semester) "... with a refund ... for the
        # courses in the second semester for which he has not taken up an
        # examination opportunity"; DOMAIN §1: 1 Dec itself is in this period.
        pytest.param("degree", "1", D(2023, 12, 1), False, False, id="1-dec-sem1-stays"),
        pytest.param("degree", "year", D(2023, 12, 1), False, False, id="1-dec-year-stays"),
        pytest.param("degree", "2", D(2023, 12, 1), False, True, id="1-dec-sem2-refunds"),
        pytest.param("degree", "1", D(2024, 3, 14), False, False, id="14-mar-sem1-stays"),
        pytest.param("degree", "year", D(2024, 3, 14), False, False, id="14-mar-year-stays"),
        pytest.param("degree", "2", D(2024, 3, 14), False, True, id="14-mar-sem2-refunds"),
        pytest.param("degree", "2", D(2024, 3, 14), True, False, id="14-mar-sem2-taken-no-refund"),
        # Art. 8 §2 "after the 15th of March ... without a refund of any learning
        # account"; DOMAIN rule 5 "from second_semester_lock on".
        pytest.param("degree", "1", D(2024, 3, 15), False, False, id="15-mar-sem1-nothing"),
        pytest.param("degree", "year", D(2024, 3, 15), False, False, id="15-mar-year-nothing"),
        pytest.param("degree", "2", D(2024, 3, 15), False, False, id="15-mar-sem2-nothing"),
        pytest.param("degree", "2", D(2024, 5, 2), False, False, id="may-sem2-nothing"),
        # LA "If you are registered with a credit contract and you want to
        # deregister, you will always lose the learning account".
        pytest.param("credit", "1", D(2023, 9, 20), False, False, id="credit-september-nothing"),
        pytest.param("credit", "2", D(2023, 11, 30), False, False, id="credit-30-nov-sem2-nothing"),
        pytest.param("credit", "2", D(2024, 1, 10), False, False, id="credit-january-sem2-nothing"),
    ],
)
def test_deregistration_refunds(contract, semester, deregistered_on, opportunity_taken, expected):
    assert (
        deregistration_refunds(
            contract=contract,
            semester=semester,
            deregistered_on=deregistered_on,
            opportunity_taken=opportunity_taken,
            **LOCKS,
        )
        is expected
    )


# Rule 6: generation students ------------------------------------------------
GENERATION_STUDENT = {
    "first_enrolment_year": "2023-2024",
    "academic_year": "2023-2024",
    "contract": "degree",
    "programme_kind": "initial_bachelor",
    "earlier_enrolments": 0,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # LA "generation students (= students who are registered for the first
        # time with a diploma contract for a bachelor programme at the Flemish
        # higher education)".
        pytest.param({}, True, id="first-year-degree-bachelor"),
        pytest.param({"first_enrolment_year": None}, True, id="first-enrolment-year-not-recorded"),
        pytest.param({"programme_kind": "education_bachelor"}, True, id="education-bachelor"),
        # Not a diploma (degree) contract.
        pytest.param({"contract": "credit"}, False, id="credit-contract"),
        pytest.param({"contract": "exam_degree"}, False, id="exam-contract"),
        # Not a bachelor programme.
        pytest.param({"programme_kind": "associate"}, False, id="associate"),
        pytest.param({"programme_kind": "initial_master"}, False, id="master"),
        pytest.param({"programme_kind": "preparatory"}, False, id="preparatory"),
        # A bachelor programme leading to a first bachelor's degree (programmes.rules.FIRST_BACHELOR_KINDS):
        # not a bachelor-after-bachelor, which is for holders of a bachelor's degree (Art. 2 §3).
        pytest.param({"programme_kind": "bachelor_after_bachelor"}, False, id="bachelor-after-bachelor"),
        # Not the first time in Flemish higher education.
        pytest.param({"first_enrolment_year": "2022-2023"}, False, id="first-enrolled-last-year"),
        pytest.param({"earlier_enrolments": 1}, False, id="enrolled-before"),
    ],
)
def test_is_generation_student(changes, expected):
    assert is_generation_student(**{**GENERATION_STUDENT, **changes}) is expected


GENERATION_SWITCH = {
    "deregistered_on": D(2023, 12, 10),
    "new_enrolled_on": D(2023, 12, 11),
    "first_semester_lock": FIRST_LOCK,
    "generation_switch_deadline": SWITCH_DEADLINE,
    "second_semester_lock": SECOND_LOCK,
    "first_semester_lines": [(27, False)],
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Art. 9 §4 "Generation students who deregister between the 1st of
        # December and the 25th of December and before the 15th of March register
        # again for another programme are refunded half"; DOMAIN rule 6: half of
        # 27 = 13.5, rounded half up -> 14.
        pytest.param({}, 14, id="27-credits-half-up-14"),
        # DOMAIN rule 6: the window is inclusive on both ends.
        pytest.param({"deregistered_on": D(2023, 12, 1)}, 14, id="deregistered-1-dec"),
        pytest.param(
            {"deregistered_on": D(2023, 12, 25), "new_enrolled_on": D(2023, 12, 27)},
            14,
            id="deregistered-25-dec",
        ),
        # Outside the window: before it Art. 8 refunds everything, after it nothing.
        pytest.param({"deregistered_on": D(2023, 11, 30)}, 0, id="deregistered-30-nov"),
        pytest.param(
            {"deregistered_on": D(2023, 12, 26), "new_enrolled_on": D(2023, 12, 27)},
            0,
            id="deregistered-26-dec",
        ),
        # New enrolment "before the 15th of March".
        pytest.param({"new_enrolled_on": D(2023, 12, 10)}, 14, id="new-enrolment-same-day"),
        pytest.param({"new_enrolled_on": D(2024, 3, 14)}, 14, id="new-enrolment-14-mar"),
        pytest.param({"new_enrolled_on": D(2024, 3, 15)}, 0, id="new-enrolment-15-mar"),
        # Art. 9 §4 "... for which the student has not taken up the first
        # examination opportunity": 6 + 5 = 11 -> 5.5 -> 6, the taken 6 left out.
        pytest.param(
            {"first_semester_lines": [(6, False), (6, True), (5, False)]},
            6,
            id="taken-first-opportunity-excluded",
        ),
        pytest.param({"first_semester_lines": [(6, True), (3, True)]}, 0, id="every-first-opportunity-taken"),
        # Half of the total, not of each line: 3 + 3 + 3 = 9 -> 4.5 -> 5 (per line
        # it would be 2 + 2 + 2 = 6 half up, or 1.5 x 3 = 4.5 rounded differently).
        pytest.param({"first_semester_lines": [(3, False), (3, False), (3, False)]}, 5, id="half-of-total-9"),
        pytest.param({"first_semester_lines": [(30, False), (6, False)]}, 18, id="36-credits-18"),
        pytest.param({"first_semester_lines": [(1, False)]}, 1, id="1-credit-half-up-1"),
        pytest.param({"first_semester_lines": []}, 0, id="no-lines"),
    ],
)
def test_generation_refund(changes, expected):
    assert generation_refund(**{**GENERATION_SWITCH, **changes}) == expected


# Rules 7 and 8: passing and the bonus ----------------------------------------
@pytest.mark.parametrize(
    ("passed", "left", "expected_refunds", "expected_left"),
    [
        # LA "if you didn't yet obtain 60 credits ... and you pass a course of 4
        # credits, you will receive 8 credits back (80+4x2=88)".
        pytest.param([(4, True)], 60, [PassRefund(4, 4)], 56, id="seed-4-credits-doubled"),
        # LA "If you passed for 60 credits, you will receive 120 credits back".
        pytest.param([(6, True)] * 10, 60, [PassRefund(6, 6)] * 10, 0, id="seed-60-credits-doubled"),
        # DOMAIN rule 8: a course that crosses 60 is doubled only for its part
        # below 60: 15 left, three courses of 6 -> 6, 6, 3.
        pytest.param(
            [(6, True), (6, True), (6, True), (6, True)],
            15,
            [PassRefund(6, 6), PassRefund(6, 6), PassRefund(6, 3), PassRefund(6, 0)],
            0,
            id="crossing-60-part-below",
        ),
        # The list is in course-code order (decided), so the order decides which
        # course crosses: 5 left -> 4 + 1, or 5 + 0.
        pytest.param([(4, True), (6, True)], 5, [PassRefund(4, 4), PassRefund(6, 1)], 0, id="order-4-then-6"),
        pytest.param([(6, True), (4, True)], 5, [PassRefund(6, 5), PassRefund(4, 0)], 0, id="order-6-then-4"),
        # Bonus used up: the credits only come back once.
        pytest.param([(6, True)], 0, [PassRefund(6, 0)], 0, id="no-bonus-left"),
        # DOMAIN rule 8 "Credit contracts never earn the bonus": such a line takes
        # nothing from what is left.
        pytest.param([(6, False), (6, True)], 60, [PassRefund(6, 0), PassRefund(6, 6)], 54, id="credit-line-no-bonus"),
        pytest.param([(6, False)], 10, [PassRefund(6, 0)], 10, id="only-credit-line-keeps-bonus"),
        # An imported, smaller bonus: 3 left, a 4-credit course -> 3.
        pytest.param([(4, True)], 3, [PassRefund(4, 3)], 0, id="small-bonus-left"),
        # Nothing passed.
        pytest.param([], 60, [], 60, id="nothing-passed"),
    ],
)
def test_pass_refunds(passed, left, expected_refunds, expected_left):
    assert pass_refunds(passed, bonus_left=left) == (expected_refunds, expected_left)


@pytest.mark.parametrize(
    ("contract", "programme_kind", "rebuild_granted", "expected"),
    [
        # LA "the first 60 credits you earn in a bachelor programme with a diploma
        # contract are returned twice"; DOMAIN rule 8 adds initial masters.
        pytest.param("degree", "initial_bachelor", False, True, id="degree-initial-bachelor"),
        pytest.param("degree", "initial_master", False, True, id="degree-initial-master"),
        # DOMAIN rule 8 "Credit contracts never earn the bonus".
        pytest.param("credit", "initial_bachelor", False, False, id="credit-contract"),
        pytest.param("credit", "initial_master", False, False, id="credit-contract-master"),
        pytest.param("exam_degree", "initial_bachelor", False, False, id="exam-contract"),
        # Programmes that do not use the learning account give no bonus either.
        pytest.param("degree", "associate", False, False, id="associate"),
        pytest.param("degree", "bachelor_after_bachelor", False, False, id="bachelor-after-bachelor"),
        pytest.param("degree", "master_after_master", False, False, id="master-after-master"),
        # DOMAIN rule 8 "the bonus ends for good once a rebuild has been granted".
        pytest.param("degree", "initial_bachelor", True, False, id="after-rebuild"),
    ],
)
def test_earns_bonus(contract, programme_kind, rebuild_granted, expected):
    assert earns_bonus(contract=contract, programme_kind=programme_kind, rebuild_granted=rebuild_granted) is expected


@pytest.mark.parametrize(
    ("opening_bonus", "booked", "rebuild_granted", "expected"),
    [
        # LA "the first 60 credits ... are returned twice".
        pytest.param(None, 0, False, 60, id="fresh-60"),
        # Seed 88: after 4 bonus credits, 56 left.
        pytest.param(None, 4, False, 56, id="after-4"),
        # Three-year example: 45 booked -> 15 left, then 60 booked -> 0.
        pytest.param(None, 45, False, 15, id="after-45"),
        pytest.param(None, 60, False, 0, id="used-up"),
        # EXCHANGE "an imported balance carries the government's remaining bonus".
        pytest.param(20, 0, False, 20, id="imported-20"),
        pytest.param(20, 5, False, 15, id="imported-20-after-5"),
        pytest.param(20, 20, False, 0, id="imported-20-used-up"),
        pytest.param(0, 0, False, 0, id="imported-0"),
        # DOMAIN rule 8: a rebuild ends the bonus for good.
        pytest.param(None, 0, True, 0, id="rebuild-ends-it"),
        pytest.param(20, 5, True, 0, id="rebuild-ends-imported"),
    ],
)
def test_bonus_left(opening_bonus, booked, rebuild_granted, expected):
    assert bonus_left(opening_bonus=opening_bonus, bonus_booked=booked, rebuild_granted=rebuild_granted) == expected


@dataclass(frozen=True)
class Year:
    """One academic year: the ISP (course code -> credits) and, per publication,
    the course codes certified there (in any order)."""

    taken: dict
    publications: tuple
    contract: str = "degree"


def six_credit_courses(prefix, count):
    return {f"{prefix}{n:02}": 6 for n in range(1, count + 1)}


def simulate(years):
    """The ledger of DOMAIN §2 over the rule functions: opening (rule 1), the ISP
    deductions (rule 3), then each publication's refunds and bonus (rules 7-8),
    courses counted in course-code order (decided). Returns per year
    (balance after the ISP, balance after the publications, bonus left) and the
    bonus each course earned."""
    balance, _ = opening_entry(imported_balance=None, imported_on=None, first_enrolled_on=D(2023, 9, 10))
    booked = 0
    per_year = []
    bonus_of = {}
    for year in years:
        for credits in year.taken.values():
            balance += deduction(credits)
        after_isp = balance
        earns = earns_bonus(contract=year.contract, programme_kind="initial_bachelor", rebuild_granted=False)
        for certified in year.publications:
            left = bonus_left(opening_bonus=None, bonus_booked=booked, rebuild_granted=False)
            codes = sorted(certified)
            refunds, left_after = pass_refunds([(year.taken[code], earns) for code in codes], bonus_left=left)
            for code, refund in zip(codes, refunds, strict=True):
                assert refund.refund == year.taken[code]  # LA "earned credits are added back"
                balance += refund.refund + refund.bonus
                booked += refund.bonus
                bonus_of[code] = refund.bonus
            assert left_after == bonus_left(opening_bonus=None, bonus_booked=booked, rebuild_granted=False)
        left = bonus_left(opening_bonus=None, bonus_booked=booked, rebuild_granted=False)
        per_year.append((after_isp, balance, left))
    return per_year, bonus_of


# Year 1 of the three-year example: 60 credits taken, 45 passed over two publications.
YEAR_1 = Year(
    taken={**six_credit_courses("A", 7), "A08": 3, "A09": 6, "A10": 9},  # 42 + 3 + 6 + 9 = 60
    publications=(("A03", "A01", "A05", "A02", "A04"), ("A08", "A07", "A06")),  # 30 + 15 = 45
)
# Year 2: 60 taken, 52 passed; with 15 bonus left, B01 and B02 are doubled, B03
# (6 credits, 57 -> 63) only for 3, the rest not at all.
YEAR_2 = Year(
    taken={**six_credit_courses("B", 8), "B09": 4, "B10": 8},  # 48 + 4 + 8 = 60
    publications=(("B04", "B03", "B02", "B01"), ("B09", "B05", "B06", "B07", "B08")),  # 24 + 28 = 52
)
# Year 3: 60 taken, 60 passed, no bonus left.
YEAR_3 = Year(taken=six_credit_courses("C", 10), publications=(tuple(six_credit_courses("C", 10)),))


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        # LA "80+4x2=88": 140 - 60 = 80, pass a course of 4 credits -> 88.
        pytest.param(
            [Year(taken={"A01": 4, **{f"A{n:02}": 8 for n in range(2, 9)}}, publications=(("A01",),))],
            [(80, 88, 56)],
            id="seed-80-plus-4x2-is-88",
        ),
        # LA "If you passed for 60 credits, you will receive 120 credits back,
        # bringing your total back to 200": 140 -> take 60 -> 80 -> 200.
        pytest.param(
            [Year(taken=six_credit_courses("A", 10), publications=(tuple(six_credit_courses("A", 10)),))],
            [(80, 200, 0)],
            id="seed-140-80-200",
        ),
        # DOMAIN rule 8: 140 - 60 + 45 + 45 = 170; next year - 60 + 52 + 15 = 177;
        # a third year - 60 + 60 = 177.
        pytest.param([YEAR_1, YEAR_2, YEAR_3], [(80, 170, 15), (110, 177, 0), (117, 177, 0)], id="three-years"),
        # DOMAIN rule 8 "Credit contracts never earn the bonus": 80 + 60 = 140,
        # and the bonus is still whole afterwards.
        pytest.param(
            [
                Year(
                    taken=six_credit_courses("A", 10),
                    publications=(tuple(six_credit_courses("A", 10)),),
                    contract="credit",
                )
            ],
            [(80, 140, 60)],
            id="credit-contract-no-bonus",
        ),
    ],
)
def test_learning_account_over_the_years(years, expected):
    per_year, _ = simulate(years)
    assert per_year == expected


def test_three_year_example_bonus_course_by_course():
    # DOMAIN rule 8: with 15 bonus left, courses of 6 credits in course-code order:
    # B01 6 (9 left), B02 6 (3 left), B03 crosses 60 -> 3, then nothing.
    _, bonus_of = simulate([YEAR_1, YEAR_2])
    assert [bonus_of[f"A{n:02}"] for n in range(1, 9)] == [6, 6, 6, 6, 6, 6, 6, 3]
    assert [bonus_of[f"B{n:02}"] for n in range(1, 10)] == [6, 6, 3, 0, 0, 0, 0, 0, 0]
    assert "A09" not in bonus_of and "B10" not in bonus_of  # failed: nothing comes back
    assert sum(bonus_of.values()) == 60


# Rule 9: master's degree ----------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "earlier_master_degrees", "expected"),
    [
        # LA "When you obtain a master's degree for the first time, 140 credits
        # will be subtracted".
        pytest.param("master", 0, -140, id="first-master"),
        # LA "After obtaining a second master's degree, 140 credits are not deducted".
        pytest.param("master", 1, 0, id="second-master"),
        pytest.param("master", 2, 0, id="third-master"),
        # LA "Also after obtaining a professional or academic bachelor's degree, no
        # credits are deducted".
        pytest.param("bachelor", 0, 0, id="bachelor"),
        pytest.param("bachelor", 1, 0, id="bachelor-after-a-master"),
    ],
)
def test_master_degree_deduction(kind, earlier_master_degrees, expected):
    assert master_degree_deduction(kind=kind, earlier_master_degrees=earlier_master_degrees) == expected


# Rule 10: rebuild -----------------------------------------------------------
@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        # LA "your learning account amounts to 44. The next academic year you will
        # receive 10 credits extra, the year after that you will receive another 6".
        pytest.param(44, 10, id="seed-44-gets-10"),
        pytest.param(54, 6, id="seed-54-gets-6"),
        # "a maximum of 10 credits per academic year", up to 60.
        pytest.param(50, 10, id="50-gets-10"),
        pytest.param(59, 1, id="59-gets-1"),
        pytest.param(0, 10, id="0-gets-10"),
        pytest.param(-30, 10, id="negative-gets-10"),
        # Nothing at 60 or above.
        pytest.param(60, 0, id="60-nothing"),
        pytest.param(75, 0, id="75-nothing"),
    ],
)
def test_rebuild_amount(balance, expected):
    assert rebuild_amount(balance) == expected


REBUILD_AFTER_MASTER = {
    "balance": 44,
    "enrolled_this_year": False,
    "after_first_master": True,
    "previous_year_without_enrolment": False,
    "ever_enrolled": True,
    "rebuild_stopped": False,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # LA "If your learning account balance is less than 60 credits after
        # obtaining your initial master's degree ... built up again to 60 ...
        # maximum of 10 credits per academic year".
        pytest.param({}, 10, id="after-master-44-gets-10"),
        pytest.param({"balance": 54}, 6, id="after-master-54-gets-6"),
        pytest.param({"balance": -5}, 10, id="after-master-negative-gets-10"),
        # "... or when you leave higher education prematurely": DOMAIN rule 10
        # "after an academic year without any enrolment".
        pytest.param(
            {"after_first_master": False, "previous_year_without_enrolment": True}, 10, id="after-leaving-44-gets-10"
        ),
        # Just left: the previous year still had an enrolment, no master's degree.
        pytest.param({"after_first_master": False}, 0, id="no-trigger-yet"),
        # Nothing at 60 or above.
        pytest.param({"balance": 60}, 0, id="at-60-nothing"),
        pytest.param({"balance": 85}, 0, id="above-60-nothing"),
        # DOMAIN rule 10 "each following academic year in which they are not
        # enrolled": not in a year with an enrolment ...
        pytest.param({"enrolled_this_year": True}, 0, id="enrolled-this-year"),
        # ... and "Enrolling again stops the rebuild ... it does not restart later".
        pytest.param({"rebuild_stopped": True}, 0, id="after-rebuild-stopped"),
        pytest.param(
            {"after_first_master": False, "previous_year_without_enrolment": True, "rebuild_stopped": True},
            0,
            id="after-leaving-rebuild-stopped",
        ),
        # Never enrolled and no master's degree: no one "left higher education", nothing to rebuild.
        pytest.param(
            {"after_first_master": False, "previous_year_without_enrolment": True, "ever_enrolled": False},
            0,
            id="never-enrolled",
        ),
        # DOMAIN rule 10 "The master's-degree path needs no earlier enrolment at the
        # college": issue 12's opening 184, first master's degree -> 44 gets 10, then 54 gets 6.
        pytest.param({"ever_enrolled": False}, 10, id="after-master-never-enrolled-44-gets-10"),
        pytest.param(
            {"ever_enrolled": False, "balance": 54, "previous_year_without_enrolment": True},
            6,
            id="after-master-never-enrolled-54-gets-6",
        ),
        pytest.param({"ever_enrolled": False, "balance": 60}, 0, id="after-master-never-enrolled-at-60"),
        pytest.param({"ever_enrolled": False, "enrolled_this_year": True}, 0, id="after-master-never-enrolled-enrols"),
        pytest.param({"ever_enrolled": False, "rebuild_stopped": True}, 0, id="after-master-never-enrolled-stopped"),
    ],
)
def test_rebuild_due(changes, expected):
    assert rebuild_due(**{**REBUILD_AFTER_MASTER, **changes}) == expected


@pytest.mark.parametrize(
    ("rebuilt_this_year", "refused", "expected"),
    [
        # DOMAIN rule 10 "A student who enrols later in an academic year whose start
        # granted a rebuild was enrolled in that year: the rebuild of that year is
        # reversed by a correction entry": 44 + 10 = 54, enrols -> 44.
        pytest.param(10, False, -10, id="reverses-10"),
        pytest.param(6, False, -6, id="reverses-6"),
        # No rebuild at that year's start: nothing to reverse.
        pytest.param(0, False, 0, id="no-rebuild-nothing"),
        # "A refused enrolment is no enrolment here (it neither stops nor reverses a rebuild)".
        pytest.param(10, True, 0, id="refused-keeps-it"),
    ],
)
def test_rebuild_correction(rebuilt_this_year, refused, expected):
    assert rebuild_correction(rebuilt_this_year=rebuilt_this_year, enrolment_refused=refused) == expected


@pytest.mark.parametrize(
    ("after_first_master", "enrolled", "expected_balances"),
    [
        # LA "44. The next academic year you will receive 10 credits extra, the
        # year after that you will receive another 6": 44 -> 54 -> 60, then 60 stays.
        pytest.param(True, [False, False, False], [54, 60, 60], id="seed-44-54-60-after-master"),
        pytest.param(False, [False, False, False], [54, 60, 60], id="seed-44-54-60-after-leaving"),
        # DOMAIN rule 10 "Enrolling again stops the rebuild where it stands; it
        # does not restart later" (the enrolled year's own deductions left out).
        pytest.param(True, [False, True, False, False], [54, 54, 54, 54], id="enrolling-stops-it"),
        pytest.param(True, [True, False, False], [44, 44, 44], id="enrolled-at-once-no-rebuild"),
    ],
)
def test_rebuild_year_after_year(after_first_master, enrolled, expected_balances):
    balance = 44
    stopped = False
    # After a master's degree the degree is the trigger; after leaving it is the
    # academic year without enrolment that came before the first one simulated.
    previous_year_without_enrolment = not after_first_master
    balances = []
    for enrolled_this_year in enrolled:
        balance += rebuild_due(
            balance=balance,
            enrolled_this_year=enrolled_this_year,
            after_first_master=after_first_master,
            previous_year_without_enrolment=previous_year_without_enrolment,
            ever_enrolled=True,
            rebuild_stopped=stopped,
        )
        stopped = stopped or enrolled_this_year
        previous_year_without_enrolment = not enrolled_this_year
        balances.append(balance)
    assert balances == expected_balances


@pytest.mark.parametrize(
    ("enrols_in", "expected_balances"),
    [
        # Issue 12: opening 184, first master's degree -> 184 - 140 = 44, never enrolled
        # at the college: 54 at the start of the next year, 60 the year after, then 60 stays.
        pytest.param(None, [54, 60, 60], id="never-enrols-44-54-60"),
        # Enrols later in the second year: 44 -> 54, +6 = 60 at that year's start, the
        # enrolment reverses the 6 -> 54; the third year rebuilds nothing (stopped).
        pytest.param(1, [54, 54, 54], id="enrols-in-second-year-54"),
        # Enrols later in the first year: +10 reversed -> 44, and it stays 44.
        pytest.param(0, [44, 44, 44], id="enrols-in-first-year-44"),
    ],
)
def test_rebuild_never_enrolled_after_master(enrols_in, expected_balances):
    """DOMAIN rule 10: the master's-degree path without an earlier enrolment, and an
    enrolment later in a year whose start granted a rebuild (the enrolment comes
    after the year's start, so that start still rebuilds, then a correction)."""
    balance = 44
    ever_enrolled = stopped = False
    balances = []
    for year in range(3):
        rebuilt = rebuild_due(
            balance=balance,
            enrolled_this_year=False,  # not enrolled at the start of the year
            after_first_master=True,
            previous_year_without_enrolment=year > 0 and not ever_enrolled,
            ever_enrolled=ever_enrolled,
            rebuild_stopped=stopped,
        )
        balance += rebuilt
        if year == enrols_in:
            balance += rebuild_correction(rebuilt_this_year=rebuilt, enrolment_refused=False)
            ever_enrolled = stopped = True
        balances.append(balance)
    assert balances == expected_balances


# Rule 11: admission ---------------------------------------------------------
ADMISSION = {
    "covered": True,
    "balance": 0,
    "enrolled_in_both_previous_years": False,
    "credits_left_to_degree": 60,
    "requested": True,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Art. 33 "will not be able to register ... if his learning account is
        # equal to, or below, zero"; LA "no learning account or a negative
        # learning account will be rejected".
        pytest.param({}, Admission(refused=True), id="balance-0-refused"),
        pytest.param({"balance": -5}, Admission(refused=True), id="balance-minus-5-refused"),
        # LA "limited learning account (between 1 and 59 credits) can still register".
        pytest.param({"balance": 1}, Admission(refused=False), id="balance-1-allowed"),
        pytest.param({"balance": 59}, Admission(refused=False), id="balance-59-allowed"),
        # Art. 33 "who were enrolled the two previous academic years and who still
        # have to complete 30 credits or less ... allowed ... during one academic
        # year"; DOMAIN rule 11 "allowed, and flagged".
        pytest.param(
            {"enrolled_in_both_previous_years": True, "credits_left_to_degree": 30},
            Admission(refused=False, exception=True),
            id="exception-30-left",
        ),
        pytest.param(
            {"balance": -5, "enrolled_in_both_previous_years": True, "credits_left_to_degree": 12},
            Admission(refused=False, exception=True),
            id="exception-negative-12-left",
        ),
        pytest.param(
            {"enrolled_in_both_previous_years": True, "credits_left_to_degree": 31},
            Admission(refused=True),
            id="no-exception-31-left",
        ),
        pytest.param(
            {"enrolled_in_both_previous_years": False, "credits_left_to_degree": 12},
            Admission(refused=True),
            id="no-exception-not-both-years",
        ),
        # A positive balance needs no exception, even when its conditions hold.
        pytest.param(
            {"balance": 10, "enrolled_in_both_previous_years": True, "credits_left_to_degree": 12},
            Admission(refused=False),
            id="positive-balance-no-flag",
        ),
        # An enrolment Art. 33 does not cover (admission_covers) is never refused on it.
        pytest.param({"covered": False}, Admission(refused=False), id="not-covered-0"),
        pytest.param({"covered": False, "balance": -40}, Admission(refused=False), id="not-covered-negative"),
        # Art. 33 "on condition of a written request": without one, the exception's
        # other conditions are not enough (DOMAIN §2 rule 11: the request is recorded).
        pytest.param(
            {"enrolled_in_both_previous_years": True, "credits_left_to_degree": 30, "requested": False},
            Admission(refused=True),
            id="exception-without-written-request",
        ),
        pytest.param(
            {"balance": -12, "enrolled_in_both_previous_years": True, "credits_left_to_degree": 30, "requested": True},
            Admission(refused=False, exception=True),
            id="exception-with-written-request",
        ),
        # A request alone does not make the exception: 31 credits left.
        pytest.param(
            {"enrolled_in_both_previous_years": True, "credits_left_to_degree": 31, "requested": True},
            Admission(refused=True),
            id="request-but-31-left",
        ),
        # A positive balance needs no request.
        pytest.param({"balance": 5, "requested": False}, Admission(refused=False), id="positive-no-request-needed"),
    ],
)
def test_admission(changes, expected):
    assert admission(**{**ADMISSION, **changes}) == expected


@pytest.mark.parametrize(
    ("contract", "programme_kind", "holds_bachelor", "expected"),
    [
        # Art. 33 "any type of contract for a bachelor's degree programme": every contract
        # in an initial bachelor, exam contracts included (they never use the account).
        pytest.param("degree", "initial_bachelor", False, True, id="initial-bachelor-degree"),
        pytest.param("credit", "initial_bachelor", False, True, id="initial-bachelor-credit"),
        pytest.param("exam_degree", "initial_bachelor", False, True, id="initial-bachelor-exam-degree"),
        pytest.param("exam_credit", "initial_bachelor", False, True, id="initial-bachelor-exam-credit"),
        # ... and in an educational bachelor (DOMAIN §2 rule 11: FIRST_BACHELOR_KINDS).
        pytest.param("degree", "education_bachelor", False, True, id="education-bachelor-degree"),
        pytest.param("exam_degree", "education_bachelor", False, True, id="education-bachelor-exam-degree"),
        # Art. 33 "This does not apply for students who enrol in a bachelor of education
        # programme if they have already obtained a bachelor's degree": any contract.
        pytest.param("degree", "education_bachelor", True, False, id="education-bachelor-holder-degree"),
        pytest.param("credit", "education_bachelor", True, False, id="education-bachelor-holder-credit"),
        pytest.param("exam_credit", "education_bachelor", True, False, id="education-bachelor-holder-exam"),
        # Holding a bachelor's degree does not free an initial bachelor.
        pytest.param("degree", "initial_bachelor", True, True, id="initial-bachelor-holder"),
        # Elsewhere, DOMAIN rule 11 "any other enrolment whose lines would use the learning
        # account": degree contracts of initial masters, credit contracts everywhere ...
        pytest.param("degree", "initial_master", False, True, id="initial-master-degree"),
        pytest.param("credit", "associate", False, True, id="associate-credit"),
        pytest.param("credit", "postgraduate", True, True, id="postgraduate-credit"),
        # ... but not what never uses it (LA "You don't need your learning account").
        pytest.param("exam_degree", "initial_master", False, False, id="initial-master-exam"),
        pytest.param("degree", "associate", False, False, id="associate-degree"),
        pytest.param("degree", "bachelor_after_bachelor", True, False, id="bachelor-after-bachelor"),
        pytest.param("exam_credit", "bachelor_after_bachelor", True, False, id="bachelor-after-bachelor-exam"),
        pytest.param("degree", "master_after_master", True, False, id="master-after-master"),
    ],
)
def test_admission_covers(contract, programme_kind, holds_bachelor, expected):
    assert admission_covers(contract=contract, programme_kind=programme_kind, holds_bachelor=holds_bachelor) is expected


# Rule 12: credits without learning account ----------------------------------
@pytest.mark.parametrize(
    ("credits", "balance", "expected"),
    [
        # LA "For the credits for which you no longer have a learning account, you
        # have to pay a double registration fee": balance 40 taking 60 -> 20.
        pytest.param(60, 40, 20, id="balance-40-takes-60"),
        # A negative balance covers nothing: all 30 credits.
        pytest.param(30, -10, 30, id="balance-minus-10-takes-30"),
        pytest.param(30, 0, 30, id="balance-0-takes-30"),
        # Enough balance: none.
        pytest.param(60, 100, 0, id="balance-100-takes-60"),
        pytest.param(60, 60, 0, id="balance-60-takes-60"),
        pytest.param(61, 60, 1, id="balance-60-takes-61"),
        pytest.param(27, 1, 26, id="balance-1-takes-27"),
    ],
)
def test_credits_without_learning_account(credits, balance, expected):
    assert credits_without_learning_account(credits=credits, balance=balance) == expected


# The balance on the coach's pages ------------------------------------------------
@pytest.mark.parametrize(
    ("balance", "warning"),
    [
        # LA: "no learning account or a negative learning account will be rejected" (Art. 33).
        pytest.param(-12, "refused", id="negative"),
        pytest.param(0, "refused", id="zero"),
        # LA: "a limited learning account (between 1 and 59 credits)".
        pytest.param(1, "limited", id="1"),
        pytest.param(59, "limited", id="59"),
        pytest.param(60, None, id="60"),
        pytest.param(140, None, id="opening"),
    ],
)
def test_balance_warning(balance, warning):
    assert balance_warning(balance) == warning
    assert LIMITED_BALANCE == 60


# --- Study progress measures (DOMAIN §5; Art. 29-31, 33): the pure rules, no database.
#
# Every expected value is worked out by hand from the regulations.
# (formerly tests/students/test_measure_rules.py)


# --- Decree threshold (Art. 30) -------------------------------------------------------------
@pytest.mark.parametrize(
    ("years_enrolled", "package_reached", "expected"),
    [
        # "they must obtain them no later than at the second enrolment": after one year, no refusal.
        pytest.param(1, False, False, id="first-year-not-reached"),
        # "If, after the second academic year, students have again failed to acquire all course
        # units belonging to their threshold package, they shall be refused".
        pytest.param(2, False, True, id="second-year-not-reached"),
        pytest.param(2, True, False, id="second-year-reached"),
        pytest.param(1, True, False, id="first-year-reached"),
        pytest.param(3, False, True, id="third-year-not-reached"),
    ],
)
def test_threshold_refusal_due(years_enrolled, package_reached, expected):
    assert threshold_refusal_due(years_enrolled=years_enrolled, package_reached=package_reached) is expected


@pytest.mark.parametrize(
    ("contract", "status", "expected"),
    [
        # DOMAIN §5: "after the second academic year of degree-contract enrolment in it
        # (deregistered years count; credit-contract years do not)".
        pytest.param("degree", "enrolled", True, id="degree"),
        pytest.param("degree", "deregistered", True, id="degree-deregistered"),
        pytest.param("credit", "enrolled", False, id="credit"),
        pytest.param("exam_credit", "enrolled", False, id="credit-exam"),
        pytest.param("exam_degree", "enrolled", False, id="degree-exam"),
        # A refused enrolment is a year the student was not enrolled.
        pytest.param("degree", "refused", False, id="degree-refused"),
    ],
)
def test_counts_for_threshold(contract, status, expected):
    assert counts_for_threshold(contract=contract, status=status) is expected


DECIDED = D(2025, 9, 14)  # the end of 2024-2025: refused 2025-2026 up to 2030-2031
REFUSED_IN, OTHER = 1, 2


@pytest.mark.parametrize(
    ("degrees", "expected"),
    [
        pytest.param([], "2030-2031", id="no-degree-six-years"),
        # §2: "valid six years or until a graduation from another higher education programme":
        # a degree on 1 July 2027 ends it with 2026-2027, the last year started on or before it.
        pytest.param([(D(2027, 7, 1), "2026-2027", OTHER)], "2026-2027", id="degree-of-another-programme"),
        pytest.param([(D(2027, 7, 1), "2026-2027", None)], "2026-2027", id="degree-elsewhere"),
        pytest.param(
            [(D(2029, 7, 1), "2028-2029", None), (D(2027, 2, 1), "2026-2027", OTHER)],
            "2026-2027",
            id="earliest-degree",
        ),
        # A degree after the six years changes nothing.
        pytest.param([(D(2032, 7, 1), "2031-2032", OTHER)], "2030-2031", id="degree-after-six-years"),
        # "dated after the refusal was taken" (DOMAIN §5): an earlier degree does not end it.
        pytest.param([(D(2024, 7, 1), "2023-2024", None)], "2030-2031", id="degree-before-refusal"),
        pytest.param([(DECIDED, "2024-2025", None)], "2030-2031", id="degree-on-the-decision-day"),
        # "another" programme: not the refused one.
        pytest.param([(D(2027, 7, 1), "2026-2027", REFUSED_IN)], "2030-2031", id="degree-of-the-refused-programme"),
    ],
)
def test_threshold_refusal_until(degrees, expected):
    assert (
        threshold_refusal_until(
            until_year_code="2030-2031", decided_on=DECIDED, programme_id=REFUSED_IN, degrees=degrees
        )
        == expected
    )


def test_threshold_refusal_lasts_six_years_from_the_next():
    # Art. 30 §2: "valid six years": decided at the end of 2024-2025, it covers 2025-2026 up to
    # and including 2030-2031 (EXCHANGE.md's example measure).
    decided_in = 2024
    assert THRESHOLD_REFUSAL_YEARS == 6
    assert academic_year_code(decided_in + 1) == "2025-2026"
    assert academic_year_code(decided_in + THRESHOLD_REFUSAL_YEARS) == "2030-2031"


# --- Repeated failure (Art. 31) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("contract", "efficiency", "expected"),
    [
        # §1 first bullet: "did not obtain at least 50% study efficiency": under 50 counts.
        pytest.param("degree", Fraction(40), True, id="degree-40"),
        pytest.param("degree", Fraction(4999, 100), True, id="degree-49.99"),
        pytest.param("degree", Fraction(50), False, id="degree-50"),
        pytest.param("degree", Fraction(90), False, id="degree-90"),
        # "a degree contract or a degree-exam contract with a study efficiency of less than 50%".
        pytest.param("exam_degree", Fraction(30), True, id="degree-exam-30"),
        pytest.param("exam_degree", Fraction(60), False, id="degree-exam-60"),
        # §1 second bullet: a year with a credit contract counts whatever the efficiency.
        pytest.param("credit", Fraction(100), True, id="credit-100"),
        pytest.param("credit", Fraction(0), True, id="credit-0"),
        pytest.param("exam_credit", Fraction(80), True, id="credit-exam-80"),
    ],
)
def test_year_counts_against(contract, efficiency, expected):
    assert year_counts_against(contract=contract, efficiency=efficiency) is expected


LOW, HIGH = Fraction(40), Fraction(90)


@pytest.mark.parametrize(
    ("failed_years", "expected"),
    [
        pytest.param([], False, id="never-failed"),
        pytest.param([(2023, "degree", LOW)], False, id="one-year-low"),
        pytest.param([(2023, "credit", LOW)], False, id="one-credit-year"),
        # §1 first bullet: "did not obtain at least 50% study efficiency for the ISP in each
        # academic year": two years, each under 50 %, consecutive or not.
        pytest.param([(2023, "degree", LOW), (2024, "degree", Fraction(100, 3))], True, id="two-years-40-33"),
        pytest.param([(2021, "degree", LOW), (2023, "degree", LOW)], True, id="two-years-low-not-consecutive"),
        pytest.param([(2021, "credit", LOW), (2024, "exam_credit", LOW)], True, id="two-credit-years-low-apart"),
        # Not in each year: 90 % the first year, 40 % the second.
        pytest.param([(2023, "degree", HIGH), (2024, "degree", LOW)], False, id="two-years-90-40"),
        pytest.param([(2023, "degree", LOW), (2024, "degree", Fraction(200, 3))], False, id="two-years-40-66"),
        # Exactly 50 % is "at least 50 %": no refusal.
        pytest.param([(2023, "degree", Fraction(50)), (2024, "degree", Fraction(50))], False, id="two-years-50-50"),
        # §1 second bullet: "for two consecutive academic years did not pass with a credit contract".
        pytest.param([(2023, "credit", HIGH), (2024, "credit", HIGH)], True, id="two-consecutive-credit-years"),
        pytest.param([(2023, "exam_credit", HIGH), (2024, "credit", HIGH)], True, id="credit-exam-then-credit"),
        # Not consecutive (a year between, in which the course was not failed): no refusal.
        pytest.param([(2021, "credit", HIGH), (2023, "credit", HIGH)], False, id="two-credit-years-apart"),
        pytest.param([(2023, "credit", HIGH), (2021, "credit", 60)], False, id="two-credit-years-apart-unordered"),
        # §1 third bullet: "for two consecutive academic years ..., the respective first year with a
        # degree contract or a degree-exam contract with a study efficiency of less than 50% and
        # the second year with a credit contract, or vice versa".
        pytest.param([(2023, "degree", LOW), (2024, "credit", HIGH)], True, id="degree-low-then-credit"),
        pytest.param([(2023, "credit", HIGH), (2024, "degree", LOW)], True, id="credit-then-degree-low"),
        pytest.param([(2024, "exam_degree", LOW), (2023, "credit", HIGH)], True, id="credit-then-degree-exam-low"),
        pytest.param([(2023, "degree", HIGH), (2024, "credit", HIGH)], False, id="degree-high-then-credit"),
        pytest.param([(2021, "degree", LOW), (2023, "credit", HIGH)], False, id="degree-low-credit-apart"),
        # §2: three years not passed refuses any further enrolment, whatever the efficiency,
        # consecutive or not.
        pytest.param(
            [(2020, "degree", HIGH), (2022, "degree", HIGH), (2024, "degree", HIGH)], True, id="three-years-high"
        ),
        pytest.param(
            [(2022, "degree", HIGH), (2023, "credit", HIGH), (2024, "exam_degree", HIGH)], True, id="three-years-mixed"
        ),
    ],
)
def test_repeated_failure_refusal_due(failed_years, expected):
    assert repeated_failure_refusal_due(failed_years=failed_years) is expected


@pytest.mark.parametrize(
    ("years_in_programme", "in_threshold_package", "expected"),
    [
        pytest.param([2023], False, None, id="first-year"),
        pytest.param([2022, 2023, 2024], False, None, id="no-break"),
        # Art. 10: "not registered for at least one year in a specific study programme":
        # "Calculations are reset for the number of registration opportunities for each course".
        pytest.param([2021, 2023], False, 2023, id="one-year-break"),
        pytest.param([2019, 2020, 2024, 2025], False, 2024, id="long-break-then-two-years"),
        pytest.param([2018, 2020, 2021, 2023], False, 2023, id="latest-break-counts"),
        # "except for the courses that belong to the threshold package of the bachelor student
        # to whom the threshold system applies".
        pytest.param([2021, 2023], True, None, id="threshold-package-course"),
        pytest.param([2023, 2021], False, 2023, id="unordered"),
    ],
)
def test_course_count_starts(years_in_programme, in_threshold_package, expected):
    assert (
        course_count_starts(years_in_programme=years_in_programme, in_threshold_package=in_threshold_package)
        == expected
    )


@pytest.mark.parametrize(
    ("programme_kind", "contract", "expected"),
    [
        # Art. 31 title: "students in a bachelor's programme or ... registered in a credit-contract
        # or a credit-exam contract", "regardless of the contract type" within a bachelor.
        pytest.param("initial_bachelor", "degree", True, id="bachelor-degree"),
        pytest.param("initial_bachelor", "exam_degree", True, id="bachelor-degree-exam"),
        pytest.param("bachelor_after_bachelor", "degree", True, id="banaba-degree"),
        pytest.param("education_bachelor", "degree", True, id="education-bachelor-degree"),
        pytest.param("associate", "credit", True, id="associate-credit"),
        pytest.param("initial_master", "exam_credit", True, id="master-credit-exam"),
        # DOMAIN §5: not to associate degree contracts; a master's degree contract is no
        # bachelor's programme either.
        pytest.param("associate", "degree", False, id="associate-degree"),
        pytest.param("initial_master", "degree", False, id="master-degree"),
    ],
)
def test_repeated_failure_applies(programme_kind, contract, expected):
    assert repeated_failure_applies(programme_kind=programme_kind, contract=contract) is expected


# --- Binding conditions (Art. 29) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("programme_kind", "starter", "efficiency", "expected"),
    [
        # "Starting students in an associate degree programme who ... have a study efficiency
        # that is lower than 50% are imposed binding conditions": 24/60 = 40 %.
        pytest.param("associate", True, Fraction(40), True, id="starter-40"),
        pytest.param("associate", True, Fraction(4999, 100), True, id="starter-49.99"),
        # 30/60 = 50 % is not lower than 50 %.
        pytest.param("associate", True, Fraction(50), False, id="starter-50"),
        pytest.param("associate", True, Fraction(100), False, id="starter-100"),
        # Only starters.
        pytest.param("associate", False, Fraction(40), False, id="not-a-starter"),
        # Only associate degree programmes.
        pytest.param("initial_bachelor", True, Fraction(40), False, id="bachelor-starter"),
        # No efficiency yet (nothing actually taken): nothing to judge.
        pytest.param("associate", True, None, False, id="no-efficiency"),
    ],
)
def test_binding_conditions_due(programme_kind, starter, efficiency, expected):
    assert binding_conditions_due(programme_kind=programme_kind, starter=starter, efficiency=efficiency) is expected


@pytest.mark.parametrize(
    ("under_binding_conditions", "efficiency", "expected"),
    [
        # "these students must achieve a study efficiency of at least 50 % in the next academic
        # year if they wish to be able to reregister": 18/60 = 30 % under the conditions.
        pytest.param(True, Fraction(30), True, id="bound-30"),
        pytest.param(True, Fraction(4999, 100), True, id="bound-49.99"),
        # 30/60 = 50 % is "at least 50 %": the conditions are met.
        pytest.param(True, Fraction(50), False, id="bound-50"),
        pytest.param(True, Fraction(100), False, id="bound-100"),
        # Not under binding conditions (not a starter's next year, or another programme): no
        # refusal under Art. 29, however low the efficiency.
        pytest.param(False, Fraction(30), False, id="not-bound-30"),
        pytest.param(False, Fraction(0), False, id="not-bound-0"),
        # (decided) Nothing actually taken: no efficiency to judge.
        pytest.param(True, None, False, id="bound-no-efficiency"),
    ],
)
def test_binding_conditions_refusal_due(under_binding_conditions, efficiency, expected):
    assert (
        binding_conditions_refusal_due(under_binding_conditions=under_binding_conditions, efficiency=efficiency)
        is expected
    )


# --- Learning account (Art. 33) -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("uses", "balance", "exception", "expected"),
    [
        # "if his learning account is equal to, or below, zero".
        pytest.param(True, 0, False, True, id="zero"),
        pytest.param(True, -19, False, True, id="negative"),
        pytest.param(True, 1, False, False, id="one"),
        # Programmes that do not use the learning account are not refused on it (Art. 33 second
        # paragraph; LA page).
        pytest.param(False, -19, False, False, id="not-using-it"),
        # The exception of Art. 33 third paragraph: one more academic year.
        pytest.param(True, 0, True, False, id="exception"),
    ],
)
def test_learning_account_refusal_due(uses, balance, exception, expected):
    assert learning_account_refusal_due(uses_learning_account=uses, balance=balance, exception=exception) is expected


@pytest.mark.parametrize(
    ("both_years", "credits_left", "expected"),
    [
        # Art. 33: "enrolled the two previous academic years and who still have to complete 30
        # credits or less": 30 -> the exception, 31 -> none; one previous year only -> none.
        pytest.param(True, 30, True, id="30-left-both-years"),
        pytest.param(True, 31, False, id="31-left"),
        pytest.param(False, 6, False, id="one-previous-year"),
    ],
)
def test_learning_account_exception_feeds_the_measure(both_years, credits_left, expected):
    decided = admission(
        covered=True,
        balance=0,
        enrolled_in_both_previous_years=both_years,
        credits_left_to_degree=credits_left,
        requested=True,
    )
    assert decided.exception is expected
    assert (
        learning_account_refusal_due(uses_learning_account=True, balance=0, exception=decided.exception) is not expected
    )


# Rule 11: why a written request cannot admit (Art. 33) ------------------------------
@pytest.mark.parametrize(
    ("balance", "both", "left", "expected"),
    [
        # "who were enrolled the two previous academic years and who still have to complete
        # 30 credits or less": both met -> no problem, the exception applies.
        pytest.param(0, True, 30, [], id="both-conditions-met-at-0"),
        pytest.param(-12, True, 0, [], id="both-conditions-met-below-0"),
        # Only one previous year in the programme.
        pytest.param(0, False, 30, ["exception_not_two_years"], id="one-previous-year"),
        # 31 credits left: one too many.
        pytest.param(-6, True, 31, ["exception_too_many_credits"], id="31-credits-left"),
        pytest.param(-6, False, 60, ["exception_not_two_years", "exception_too_many_credits"], id="neither"),
        # A positive balance needs no exception: nothing to refuse.
        pytest.param(1, False, 120, [], id="positive-balance"),
    ],
)
def test_admission_exception_problems(balance, both, left, expected):
    from students.rules import admission_exception_problems

    problems = admission_exception_problems(
        balance=balance, enrolled_in_both_previous_years=both, credits_left_to_degree=left
    )
    assert [p.code for p in problems] == expected
    assert all("Art. 33" in p.message for p in problems)
    # The problems agree with the decision itself (rule 11 with a written request).
    decided = admission(
        covered=True,
        balance=balance,
        enrolled_in_both_previous_years=both,
        credits_left_to_degree=left,
        requested=True,
    )
    assert decided.refused is bool(expected)


def test_admission_exception_problem_names_the_credits_left():
    from students.rules import admission_exception_problems

    (problem,) = admission_exception_problems(
        balance=-6, enrolled_in_both_previous_years=True, credits_left_to_degree=36
    )
    assert "36" in problem.message and "30" in problem.message and "-6" in problem.message
