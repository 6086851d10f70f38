"""Study progress measures (DOMAIN §5; Art. 29-31, 33): the pure rules, no database.

Every expected value is worked out by hand from the regulations.
"""

from fractions import Fraction

import pytest

from programmes.rules import academic_year_code
from students.rules import (
    THRESHOLD_REFUSAL_YEARS,
    admission,
    binding_conditions_due,
    learning_account_refusal_due,
    repeated_failure_applies,
    repeated_failure_refusal_due,
    threshold_refusal_due,
    year_counts_against,
)


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
        pytest.param([("degree", LOW)], False, id="one-year-low"),
        pytest.param([("credit", LOW)], False, id="one-credit-year"),
        # §1 first bullet: two years, each under 50 %.
        pytest.param([("degree", LOW), ("degree", Fraction(100, 3))], True, id="two-years-40-33"),
        # Not in each year: 90 % the first year, 40 % the second.
        pytest.param([("degree", HIGH), ("degree", LOW)], False, id="two-years-90-40"),
        pytest.param([("degree", LOW), ("degree", Fraction(200, 3))], False, id="two-years-40-66"),
        # Exactly 50 % is "at least 50 %": no refusal.
        pytest.param([("degree", Fraction(50)), ("degree", Fraction(50))], False, id="two-years-50-50"),
        # §1 second bullet: two years with a credit contract.
        pytest.param([("credit", HIGH), ("credit", HIGH)], True, id="two-credit-years"),
        # §1 third bullet: one degree year under 50 % and one credit year, either order.
        pytest.param([("degree", LOW), ("credit", HIGH)], True, id="degree-low-then-credit"),
        pytest.param([("credit", HIGH), ("degree", LOW)], True, id="credit-then-degree-low"),
        pytest.param([("degree", HIGH), ("credit", HIGH)], False, id="degree-high-then-credit"),
        # §2: three years not passed refuses any further enrolment, whatever the efficiency.
        pytest.param([("degree", HIGH), ("degree", HIGH), ("degree", HIGH)], True, id="three-years-high"),
        pytest.param([("degree", HIGH), ("credit", HIGH), ("exam_degree", HIGH)], True, id="three-years-mixed"),
    ],
)
def test_repeated_failure_refusal_due(failed_years, expected):
    assert repeated_failure_refusal_due(failed_years=failed_years) is expected


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
        uses_learning_account=True,
        balance=0,
        enrolled_in_both_previous_years=both_years,
        credits_left_to_degree=credits_left,
    )
    assert decided.exception is expected
    assert (
        learning_account_refusal_due(uses_learning_account=True, balance=0, exception=decided.exception) is not expected
    )
