"""Risk signals (Art. 28; issue 18 point 1): the pure rules, no database.

Every expected value is worked out by hand from the regulations (Art. 10, 29-31, 33, 91)
and DOMAIN §2, §4, §5, never copied from the code: the boundaries the issue names
(exactly 50 %, a balance of exactly 0, the last day of a window) are rows of their own.
"""

import datetime
from fractions import Fraction

import pytest
from django.utils import translation

from exams.rules import CourseRecord, choice_last_day
from progress.risk import (
    ASSOCIATE,
    INFORMATION,
    LEARNING_ACCOUNT,
    REFUSAL_AHEAD,
    REPEATED_FAILURE,
    THRESHOLD,
    TOLERANCE,
    WARNING,
    FailedYear,
    PendingChoice,
    Signal,
    associate_signal,
    by_urgency,
    learning_account_signal,
    next_year_isp_credits,
    repeated_failure_signal,
    threshold_signal,
    tolerance_signal,
)

TODAY = datetime.date(2024, 7, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def level_of(signal: Signal | None) -> str | None:
    return None if signal is None else signal.level


# --- 1. Decree threshold (Art. 30, 91 §3) ----------------------------------------------
def rec(code, mark, credits=6, **done):
    return CourseRecord(course=code, credits=credits, mark=mark, **done)


A_PASSED = rec("A", 12, passed=True)
B_NINE, C_EIGHT, C_FIVE, B_SEVEN = rec("B", 9), rec("C", 8), rec("C", 5), rec("B", 7)
C_PASSED, C_EXEMPT, C_TOLERATED = rec("C", 14, passed=True), rec("C", None, exempted=True), rec("C", 9, tolerated=True)


@pytest.mark.parametrize(
    ("kind", "contract", "package", "years", "ended", "left", "expected"),
    [
        # package obtained (passed, exempted, tolerated count): nothing to fear
        ("initial_bachelor", "degree", [A_PASSED, C_PASSED], 1, True, 12, None),
        ("initial_bachelor", "degree", [A_PASSED, C_EXEMPT], 1, True, 12, None),
        ("initial_bachelor", "degree", [A_PASSED, C_TOLERATED], 1, True, 12, None),
        # after the first year, a 9/20 (6 credits) with 12 left: tolerance can cover it -> warning
        ("initial_bachelor", "degree", [A_PASSED, B_NINE], 1, True, 12, WARNING),
        # a 5/20 cannot be tolerated -> refusal ahead
        ("initial_bachelor", "degree", [A_PASSED, B_NINE, C_FIVE], 1, True, 12, REFUSAL_AHEAD),
        # a single 7/20 with every other course obtained counts as tolerable (Art. 91 §3)
        ("initial_bachelor", "degree", [A_PASSED, B_SEVEN], 1, True, 12, WARNING),
        # a 7/20 next to another missing course does not
        ("initial_bachelor", "degree", [B_SEVEN, C_EIGHT], 1, True, 12, REFUSAL_AHEAD),
        # 9 and 8 are tolerable, but 12 credits with 6 left: not all covered
        ("initial_bachelor", "degree", [A_PASSED, B_NINE, C_EIGHT], 1, True, 6, REFUSAL_AHEAD),
        # 12 credits with exactly 12 left: covered
        ("initial_bachelor", "degree", [A_PASSED, B_NINE, C_EIGHT], 1, True, 12, WARNING),
        # during the first year (after its first publication): not judged yet
        ("initial_bachelor", "degree", [A_PASSED, B_NINE], 1, False, 12, None),
        # during the second year: still the risk of the second year-end
        ("initial_bachelor", "degree", [A_PASSED, C_FIVE], 2, False, 12, REFUSAL_AHEAD),
        # the second year has ended: the measure, not a risk
        ("initial_bachelor", "degree", [A_PASSED, C_FIVE], 2, True, 12, None),
        # the threshold binds degree contracts in initial bachelors only
        ("initial_bachelor", "credit", [A_PASSED, C_FIVE], 1, True, 12, None),
        ("initial_bachelor", "exam_degree", [A_PASSED, C_FIVE], 1, True, 12, None),
        ("bachelor_after_bachelor", "degree", [A_PASSED, C_FIVE], 1, True, 12, None),
        ("associate", "degree", [A_PASSED, C_FIVE], 1, True, 12, None),
    ],
)
def test_threshold_levels(kind, contract, package, years, ended, left, expected):
    signal = threshold_signal(
        programme="BA-X",
        programme_kind=kind,
        contract=contract,
        status="enrolled",
        package=package,
        years_enrolled=years,
        year_ended=ended,
        tolerance_left=left,
        computed_on=TODAY,
    )
    assert level_of(signal) == expected


def test_threshold_refused_year_does_not_count():
    """A refused enrolment is no year of enrolment (Art. 30 §1; DOMAIN §5)."""
    signal = threshold_signal(
        programme="BA-X",
        programme_kind="initial_bachelor",
        contract="degree",
        status="refused",
        package=[A_PASSED, C_FIVE],
        years_enrolled=1,
        year_ended=True,
        tolerance_left=12,
        computed_on=TODAY,
    )
    assert signal is None


def test_threshold_grounds_name_the_courses_the_cover_and_the_consequence():
    signal = threshold_signal(
        programme="BA-X",
        programme_kind="initial_bachelor",
        contract="degree",
        status="deregistered",  # a deregistered year counts (DOMAIN §5)
        package=[A_PASSED, B_NINE, C_FIVE],
        years_enrolled=1,
        year_ended=True,
        tolerance_left=12,
        computed_on=TODAY,
    )
    assert (signal.kind, signal.programme, signal.course, signal.computed_on) == (THRESHOLD, "BA-X", None, TODAY)
    grounds = str(signal.grounds)
    assert "B, C (12 credits)" in grounds  # 6 + 6 missing
    assert "Tolerance could cover 6 of these credits; tolerance credit left: 12" in grounds  # only the 9/20
    assert "refused for 6 academic years" in grounds  # Art. 30 §2
    assert str(signal.clears).endswith("B, C.")
    assert hash(signal)  # frozen all the way down


def test_threshold_single_seven_is_covered_in_the_grounds():
    """Art. 91 §3: a single 7/20 with every other package course obtained is tolerated automatically."""
    signal = threshold_signal(
        programme="BA-X",
        programme_kind="initial_bachelor",
        contract="degree",
        status="enrolled",
        package=[A_PASSED, B_SEVEN],
        years_enrolled=1,
        year_ended=True,
        tolerance_left=12,
        computed_on=TODAY,
    )
    assert "Tolerance could cover 6 of these credits" in str(signal.grounds)
    assert "tolerance is applied to all of them automatically" in str(signal.grounds)


# --- 2. Repeated failure (Art. 31, Art. 10) -------------------------------------------
def F(year, contract, efficiency):  # noqa: N802 - reads as a row of the table
    return FailedYear(year, contract, None if efficiency is None else Fraction(efficiency))


@pytest.mark.parametrize(
    ("kind", "contract", "failed", "years_in", "package", "next_year", "expected"),
    [
        # never failed
        ("initial_bachelor", "degree", [], [2023], False, 2024, None),
        # once, under 50 %: failing again under 50 % (or with a credit contract) refuses the third -> warning
        ("initial_bachelor", "degree", [F(2023, "degree", 40)], [2023], False, 2024, WARNING),
        # once, 60 % with a degree contract: a second failure cannot refuse by itself -> information
        ("initial_bachelor", "degree", [F(2023, "degree", 60)], [2023], False, 2024, INFORMATION),
        # exactly 50 % is not "under 50 %"
        ("initial_bachelor", "degree", [F(2023, "degree", 50)], [2023], False, 2024, INFORMATION),
        # 49.99 % is
        ("initial_bachelor", "degree", [F(2023, "degree", Fraction(4999, 100))], [2023], False, 2024, WARNING),
        # once with a credit contract (80 %): a consecutive credit year would refuse -> warning
        ("initial_bachelor", "credit", [F(2023, "credit", 80)], [2023], False, 2024, WARNING),
        # the same, but the next attempt is not consecutive (2022 then 2024): information
        ("initial_bachelor", "credit", [F(2022, "credit", 80)], [2022, 2023], False, 2024, INFORMATION),
        # under 50 % in 2022: (a) needs no consecutive years -> warning
        ("initial_bachelor", "degree", [F(2022, "degree", 40)], [2022, 2023], False, 2024, WARNING),
        # twice, 60 % and 70 % (degree): the third is allowed, a third failure refuses everything
        (
            "initial_bachelor",
            "degree",
            [F(2022, "degree", 60), F(2023, "degree", 70)],
            [2022, 2023],
            False,
            2024,
            REFUSAL_AHEAD,
        ),
        # twice under 50 %: the third enrolment is refused
        (
            "initial_bachelor",
            "degree",
            [F(2022, "degree", 40), F(2023, "degree", 30)],
            [2022, 2023],
            False,
            2024,
            REFUSAL_AHEAD,
        ),
        # three times: the measure itself, not a risk
        (
            "initial_bachelor",
            "degree",
            [F(2021, "degree", 60), F(2022, "degree", 60), F(2023, "degree", 60)],
            [2021, 2022, 2023],
            False,
            2024,
            None,
        ),
        # a break (not enrolled in 2022): the count starts again in 2023 (Art. 10)
        (
            "initial_bachelor",
            "degree",
            [F(2020, "degree", 40), F(2021, "degree", 40)],
            [2020, 2021, 2023],
            False,
            2024,
            None,
        ),
        (
            "initial_bachelor",
            "degree",
            [F(2021, "degree", 40), F(2023, "degree", 40)],
            [2020, 2021, 2023],
            False,
            2024,
            WARNING,
        ),
        # ... not for a course of the threshold package
        (
            "initial_bachelor",
            "degree",
            [F(2020, "degree", 40), F(2021, "degree", 40)],
            [2020, 2021, 2023],
            True,
            2024,
            REFUSAL_AHEAD,
        ),
        # not for associate degree contracts; credit contracts always
        ("associate", "degree", [F(2023, "degree", 40)], [2023], False, 2024, None),
        ("associate", "credit", [F(2023, "credit", 40)], [2023], False, 2024, WARNING),
        ("initial_master", "degree", [F(2023, "degree", 40)], [2023], False, 2024, None),
        ("education_bachelor", "degree", [F(2023, "degree", 40)], [2023], False, 2024, WARNING),
    ],
)
def test_repeated_failure_levels(kind, contract, failed, years_in, package, next_year, expected):
    signal = repeated_failure_signal(
        programme="BA-X",
        programme_kind=kind,
        contract=contract,
        course="C1",
        failed_years=failed,
        years_in_programme=years_in,
        in_threshold_package=package,
        next_year=next_year,
        computed_on=TODAY,
    )
    assert level_of(signal) == expected


@pytest.mark.parametrize(
    ("failed", "words"),
    [
        ([F(2023, "degree", 40)], "refuses a third enrolment in it when that year is a credit contract or its"),
        ([F(2023, "credit", 80)], "refuses a third enrolment in it when that year is a credit contract or its"),
        ([F(2022, "degree", 40)], "when the study efficiency of that year is under 50 % as well"),
        ([F(2023, "degree", 60)], "does not refuse a third enrolment by itself"),
        ([F(2022, "degree", 60), F(2023, "degree", 70)], "refuses any further enrolment in it, with any contract"),
        ([F(2022, "degree", 40), F(2023, "degree", 30)], "A third enrolment in it is refused for 2024-2025"),
    ],
)
def test_repeated_failure_grounds(failed, words):
    signal = repeated_failure_signal(
        programme="BA-X",
        programme_kind="initial_bachelor",
        contract="degree",
        course="C1",
        failed_years=failed,
        years_in_programme=[2022, 2023],
        in_threshold_package=False,
        next_year=2024,
        computed_on=TODAY,
    )
    assert (signal.kind, signal.course) == (REPEATED_FAILURE, "C1")
    assert words in str(signal.grounds)
    assert "C1 was not passed in" in str(signal.grounds)
    assert "starts the count again (Art. 10)" in str(signal.clears)


# --- 3. Associate degree (Art. 29) ----------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "starter", "bound", "efficiency", "period", "expected"),
    [
        # a starter under 50 % after the second or the third exam period -> binding conditions ahead
        ("associate", True, False, Fraction(40), 2, WARNING),
        ("associate", True, False, Fraction(4999, 100), 3, WARNING),
        # exactly 50 %: no risk
        ("associate", True, False, Fraction(50), 2, None),
        ("associate", True, False, Fraction(50), 3, None),
        # after the first exam period only: not judged yet
        ("associate", True, False, Fraction(40), 1, None),
        # not a starter, not under binding conditions
        ("associate", False, False, Fraction(40), 2, None),
        # nothing actually taken: nothing to judge
        ("associate", True, False, None, 2, None),
        # under binding conditions and under 50 % so far, after any publication -> refusal ahead
        ("associate", False, True, Fraction(40), 1, REFUSAL_AHEAD),
        ("associate", False, True, Fraction(4999, 100), 2, REFUSAL_AHEAD),
        ("associate", False, True, Fraction(50), 2, None),
        # no publication yet this year
        ("associate", False, True, Fraction(0), 0, None),
        # not an associate degree programme
        ("initial_bachelor", True, False, Fraction(40), 2, None),
    ],
)
def test_associate_levels(kind, starter, bound, efficiency, period, expected):
    signal = associate_signal(
        programme="GR-X",
        programme_kind=kind,
        starter=starter,
        under_binding_conditions=bound,
        efficiency=efficiency,
        last_period=period,
        computed_on=TODAY,
    )
    assert level_of(signal) == expected


def test_associate_grounds_show_the_efficiency_with_two_decimals():
    signal = associate_signal(
        programme="GR-X",
        programme_kind="associate",
        starter=True,
        under_binding_conditions=False,
        efficiency=Fraction(2, 3) * 60,  # 40.00
        last_period=2,
        computed_on=TODAY,
    )
    assert signal.kind == ASSOCIATE
    assert "study efficiency is 40.00 %, under 50 %" in str(signal.grounds)
    assert str(signal.clears) == "A study efficiency of at least 50 % after the third exam period."


# --- 4. Learning account (Art. 33, DOMAIN §2 rules 2, 11, 12) ------------------------
@pytest.mark.parametrize(
    ("retakes", "next_stage", "expected"),
    [
        ([6, 4], [30, 30], 60),  # 70, capped at 60
        ([6], [30], 36),
        ([], [], 0),
        ([], [60], 60),
        ([40, 30], [], 60),
        ([3], [27, 30], 60),  # exactly 60
    ],
)
def test_next_year_isp_credits(retakes, next_stage, expected):
    assert next_year_isp_credits(retake_credits=retakes, next_stage_credits=next_stage) == expected


@pytest.mark.parametrize(
    ("kind", "contract", "holds_bachelor", "balance", "isp", "left", "expected"),
    [
        ("initial_bachelor", "degree", False, 100, 40, 120, None),  # 60 after: no risk
        ("initial_bachelor", "degree", False, 100, 41, 120, WARNING),  # 59
        ("initial_bachelor", "degree", False, 61, 60, 120, WARNING),  # 1
        ("initial_bachelor", "degree", False, 60, 60, 120, REFUSAL_AHEAD),  # exactly 0
        ("initial_bachelor", "degree", False, 30, 60, 120, REFUSAL_AHEAD),  # -30
        ("initial_bachelor", "degree", False, -5, 0, 120, REFUSAL_AHEAD),  # already below 0
        ("initial_bachelor", "credit", False, 50, 20, 120, WARNING),  # 30
        # an exam contract is refused at 0 but its lines use nothing: 30 stays 30
        ("initial_bachelor", "exam_degree", False, 30, 60, 120, WARNING),
        ("initial_bachelor", "exam_degree", False, 0, 60, 120, REFUSAL_AHEAD),
        ("initial_master", "degree", False, 50, 60, 120, REFUSAL_AHEAD),  # -10
        # not covered by Art. 33
        ("bachelor_after_bachelor", "degree", False, 10, 60, 60, None),
        ("associate", "degree", False, 10, 60, 60, None),
        ("education_bachelor", "degree", True, 10, 60, 60, None),
        ("education_bachelor", "degree", False, 10, 60, 60, REFUSAL_AHEAD),
    ],
)
def test_learning_account_levels(kind, contract, holds_bachelor, balance, isp, left, expected):
    signal = learning_account_signal(
        programme="BA-X",
        programme_kind=kind,
        contract=contract,
        holds_bachelor=holds_bachelor,
        balance=balance,
        isp_credits=isp,
        credits_left_to_degree=left,
        computed_on=TODAY,
    )
    assert level_of(signal) == expected


@pytest.mark.parametrize(
    ("balance", "isp", "left", "present", "absent"),
    [
        # exactly 0 after: refused, no credit without learning account yet (60 of 60 covered)
        (60, 60, 120, ["would be 0: at 0 or below"], ["without learning account (increased", "Exception"]),
        # -30 after: 30 of next year's credits are without learning account
        (30, 60, 120, ["would be -30", "Next year 30 credits would be without learning account"], ["Exception"]),
        # 30 credits left to the degree after next year: the Art. 33 exception (at most 30)
        (20, 30, 60, ["Exception: with 30 credits left to the degree after next year"], []),
        # 31 left: no exception
        (20, 30, 61, ["would be -10"], ["Exception"]),
        # a limited account after next year
        (100, 41, 120, ["would be 59, under 60"], ["Exception", "would be without learning account"]),
    ],
)
def test_learning_account_grounds(balance, isp, left, present, absent):
    signal = learning_account_signal(
        programme="BA-X",
        programme_kind="initial_bachelor",
        contract="degree",
        holds_bachelor=False,
        balance=balance,
        isp_credits=isp,
        credits_left_to_degree=left,
        computed_on=TODAY,
    )
    grounds = str(signal.grounds)
    assert signal.kind == LEARNING_ACCOUNT
    assert grounds.startswith("Next year's ISP is assumed to hold the failed, not tolerated courses")
    for words in present:
        assert words in grounds
    for words in absent:
        assert words not in grounds


# --- 5. Tolerance (Art. 91 §2) ----------------------------------------------------------
PUBLISHED = datetime.date(2024, 6, 28)  # window: 28 June + 15 days = 13 July 2024


def test_choice_window_ends_fifteen_days_after_the_publication():
    assert choice_last_day(PUBLISHED) == datetime.date(2024, 7, 13)


B6, C6 = PendingChoice("B", 6, PUBLISHED), PendingChoice("C", 6, PUBLISHED)


@pytest.mark.parametrize(
    ("pending", "left", "efficiency", "today", "expected"),
    [
        ([B6], 12, Fraction(60), datetime.date(2024, 6, 28), INFORMATION),  # publication day: 15 days left
        ([B6], 12, Fraction(60), datetime.date(2024, 7, 7), INFORMATION),  # 6 days left
        ([B6], 12, Fraction(60), datetime.date(2024, 7, 8), WARNING),  # 5 days left
        ([B6], 12, Fraction(60), datetime.date(2024, 7, 13), WARNING),  # the last day of the window
        ([B6], 12, Fraction(60), datetime.date(2024, 7, 14), None),  # closed: no choice, no tolerance
        ([B6], 12, Fraction(60), datetime.date(2024, 6, 27), None),  # not published yet
        ([B6], 12, Fraction(50), datetime.date(2024, 7, 1), INFORMATION),  # exactly 50 %: tolerance possible
        ([B6], 12, Fraction(4999, 100), datetime.date(2024, 7, 1), None),  # under 50 %: no tolerance at all
        ([B6], 12, None, datetime.date(2024, 7, 1), None),
        ([B6], 5, Fraction(60), datetime.date(2024, 7, 1), None),  # 6 credits, 5 left: none fits
        ([B6], 6, Fraction(60), datetime.date(2024, 7, 1), INFORMATION),  # exactly enough
        ([B6, C6], 6, Fraction(60), datetime.date(2024, 7, 1), INFORMATION),  # one of two fits
        ([], 12, Fraction(60), datetime.date(2024, 7, 1), None),
    ],
)
def test_tolerance_levels(pending, left, efficiency, today, expected):
    signal = tolerance_signal(
        programme="BA-X", pending=pending, tolerance_left=left, efficiency=efficiency, today=today
    )
    assert level_of(signal) == expected


def test_tolerance_grounds_and_the_nearest_window():
    later = PendingChoice("D", 3, datetime.date(2024, 9, 13))  # window to 28 September
    signal = tolerance_signal(
        programme="BA-X",
        pending=[C6, B6, later],
        tolerance_left=10,
        efficiency=Fraction(60),
        today=datetime.date(2024, 9, 14),
    )
    # only D is still open (B and C closed on 13 July): 14 days left
    assert (signal.kind, signal.level, signal.computed_on) == (TOLERANCE, INFORMATION, datetime.date(2024, 9, 14))
    assert "1 tolerable fail awaits a choice: D; the choice closes on 28/09/2024" in str(signal.grounds)
    assert "Not all of them" not in str(signal.grounds)
    assert str(signal.clears) == "Record a tolerance choice for each pending course by 28/09/2024."

    both = tolerance_signal(
        programme="BA-X", pending=[C6, B6], tolerance_left=6, efficiency=Fraction(60), today=datetime.date(2024, 7, 1)
    )
    assert "2 tolerable fails await a choice: B, C" in str(both.grounds)
    assert "the pending fails take 12" in str(both.grounds)
    assert "Not all of them can be tolerated." in str(both.grounds)


# --- The signal as a whole --------------------------------------------------------------
def test_grounds_follow_the_reader_language_and_the_exchange_entry():
    signal = associate_signal(
        programme="GR-X",
        programme_kind="associate",
        starter=False,
        under_binding_conditions=True,
        efficiency=Fraction(45),
        last_period=2,
        computed_on=TODAY,
    )
    entry = signal.as_exchange()
    assert entry["kind"] == "associate_degree"
    assert entry["level"] == "refusal_ahead"
    assert (entry["programme"], entry["course"], entry["computed_on"]) == ("GR-X", None, "2024-07-01")
    assert "45.00 %" in entry["grounds"]
    assert set(entry) == {"kind", "level", "programme", "course", "grounds", "computed_on"}


def test_by_urgency():
    def make(level, programme, course=None):
        return Signal("k", level, programme, course, None, TODAY, None)

    signals = [make(INFORMATION, "A"), make(REFUSAL_AHEAD, "B"), make(WARNING, "A", "X"), make(REFUSAL_AHEAD, "A")]
    assert [(s.level, s.programme) for s in by_urgency(signals)] == [
        (REFUSAL_AHEAD, "A"),
        (REFUSAL_AHEAD, "B"),
        (WARNING, "A"),
        (INFORMATION, "A"),
    ]
