"""Programme results and tolerance (DOMAIN §4; Art. 78, 79, 81, 91): the pure rules, no database.

Every expected value is worked out by hand from the regulations; the arithmetic is in the comments.
"""

import datetime
from fractions import Fraction

import pytest

from exams.rules import (
    CourseRecord,
    automatic_tolerance_final_stage,
    automatic_tolerance_threshold,
    level_of_achievement,
    objection_in_time,
    programme_passed,
    programme_percentage,
    tolerance_choice_refusal,
    tolerance_credit,
)


def rec(course, credits, mark, **flags) -> CourseRecord:
    """A course record; a mark of 10 or more (or P) is passed unless said otherwise."""
    if "passed" not in flags:
        flags["passed"] = mark == "P" or (isinstance(mark, int) and mark >= 10)
    return CourseRecord(course=course, credits=credits, mark=mark, **flags)


# The shared bachelor-after-bachelor example: 4 x 12 + 2 x 6 credits, G06 tolerated.
GER = [
    rec("G01", 12, 16),
    rec("G02", 12, 15),
    rec("G03", 12, 17),
    rec("G04", 12, 14),
    rec("G05", 6, 16),
    rec("G06", 6, 9, tolerated=True),
]
GER_COMPULSORY = {"G01", "G02", "G03", "G04", "G05", "G06"}


# --- programme_percentage (Art. 78) ------------------------------------------------------
@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # (16x12 + 15x12 + 17x12 + 14x12 + 16x6 + 9x6) / (60 x 20) = 894/1200 = 74.5 %, the
        # tolerated 9 included (EXCHANGE: "percentage includes tolerated marks").
        pytest.param(GER, Fraction(149, 2), id="banaba-example-74.5"),
        # Art. 78: pass/fail courses are excluded: 14 on 54 numeric credits and P on 6 ->
        # 14 x 54 / (54 x 20) = 70 %, not 14 x 54 / 1200 = 63 %.
        pytest.param(
            [rec("A", 12, 14), rec("B", 42, 14), rec("PF", 6, "P", pass_fail=True)], Fraction(70), id="pass-fail-out"
        ),
        # Exempted courses carry no mark and are left out: 18 on 12 credits -> 90 %.
        pytest.param(
            [rec("A", 48, None, exempted=True), rec("B", 6, 18), rec("C", 6, 18)], Fraction(90), id="exempted-out"
        ),
        # Exact, not rounded: (3x13 + 4x14) / (7 x 20) = 95/140 = 67.857... %.
        pytest.param([rec("A", 3, 13), rec("B", 4, 14)], Fraction(475, 7), id="exact-fraction"),
        # Only what is done counts: a failed course (not yet obtained) is not weighted.
        pytest.param([rec("A", 6, 14), rec("B", 6, 4)], Fraction(70), id="failed-not-weighted"),
        # Nothing numeric to weight (all pass/fail): no percentage at all.
        pytest.param(
            [rec("A", 12, "P", pass_fail=True), rec("B", 12, "P", pass_fail=True)], None, id="all-pass-fail-none"
        ),
        pytest.param([], None, id="nothing"),
    ],
)
def test_programme_percentage(records, expected):
    assert programme_percentage(records) == expected


# --- programme_passed (Art. 79) ----------------------------------------------------------
TEN = [rec(f"C{i}", 6, 10) for i in range(10)]  # 60 credits, every course 10


@pytest.mark.parametrize(
    ("records", "compulsory", "programme_credits", "expected"),
    [
        pytest.param(GER, GER_COMPULSORY, 60, True, id="banaba-example-passed"),
        # Art. 79 a): every course passed or exempted.
        pytest.param(
            [rec("A", 30, None, exempted=True), rec("B", 30, 12)], {"A", "B"}, 60, True, id="passed-and-exempted"
        ),
        # A compulsory course not done (still pending): not passed.
        pytest.param(GER[:5] + [rec("G06", 6, None)], GER_COMPULSORY, 60, False, id="compulsory-pending"),
        # A tolerable fail that is not tolerated: the compulsory course is not done.
        pytest.param(GER[:5] + [rec("G06", 6, 9)], GER_COMPULSORY, 60, False, id="tolerable-not-tolerated"),
        # Art. 79 b): "they do not obtain intolerable fail marks": an elective failed with 5
        # is an intolerable fail, even with enough other credits.
        pytest.param(GER + [rec("E1", 6, 5, elective=True)], GER_COMPULSORY, 60, False, id="intolerable-elective"),
        # NA equals an intolerable fail (Art. 66).
        pytest.param(GER + [rec("E1", 6, "NA", elective=True)], GER_COMPULSORY, 60, False, id="na-elective"),
        # F is an intolerable fail (Art. 65).
        pytest.param(
            GER + [rec("E1", 6, "F", pass_fail=True, elective=True)], GER_COMPULSORY, 60, False, id="f-elective"
        ),
        # A tolerable 8 in a surplus elective is no intolerable fail (DOMAIN §4).
        pytest.param(GER + [rec("E1", 6, 8, elective=True)], GER_COMPULSORY, 60, True, id="tolerable-elective-extra"),
        # Fewer credits done than the programme's: 54 of 60.
        pytest.param(GER[:5], {"G01", "G02"}, 60, False, id="credits-short"),
        # Art. 79 b): at least 50 %: every course done, but 10 x 54 + 8 x 6 (tolerated) = 588/1200 = 49 %.
        pytest.param(
            TEN[:9] + [rec("C9", 6, 8, tolerated=True)], {f"C{i}" for i in range(10)}, 60, False, id="percentage-49"
        ),
        # 10 x 48 + 11 x 6 + 9 x 6 (tolerated) = 600/1200 = exactly 50 %: passed.
        pytest.param(
            TEN[:8] + [rec("C8", 6, 11), rec("C9", 6, 9, tolerated=True)],
            {f"C{i}" for i in range(10)},
            60,
            True,
            id="percentage-50",
        ),
        # Every course pass/fail: no percentage, passed on the courses alone.
        pytest.param(
            [rec("P1", 12, "P", pass_fail=True), rec("P2", 12, "P", pass_fail=True)],
            {"P1", "P2"},
            24,
            True,
            id="all-pass-fail",
        ),
    ],
)
def test_programme_passed(records, compulsory, programme_credits, expected):
    assert programme_passed(programme_credits=programme_credits, compulsory=compulsory, records=records) is expected


# --- level_of_achievement (Art. 81) --------------------------------------------------------
@pytest.mark.parametrize(
    ("percentage", "expected"),
    [
        pytest.param(Fraction(50), "passed", id="50-passed"),
        # "passed (cum fructu), if less than 68 %"; compared unrounded (DOMAIN §4): 67.9995 %
        # would be reported as 68.00 but is still below 68.
        pytest.param(Fraction(135999, 2000), "passed", id="67.9995-passed"),
        pytest.param(Fraction(6799, 100), "passed", id="67.99-passed"),
        pytest.param(Fraction(68), "cum_laude", id="68-cum-laude"),
        pytest.param(Fraction(7699, 100), "cum_laude", id="76.99-cum-laude"),
        pytest.param(Fraction(77), "magna_cum_laude", id="77-magna"),
        pytest.param(Fraction(8499, 100), "magna_cum_laude", id="84.99-magna"),
        pytest.param(Fraction(85), "summa_cum_laude", id="85-summa"),
        pytest.param(Fraction(8999, 100), "summa_cum_laude", id="89.99-summa"),
        pytest.param(Fraction(90), "summa_cum_laude_congratulations", id="90-congratulations"),
        pytest.param(Fraction(100), "summa_cum_laude_congratulations", id="100-congratulations"),
        # The shared example: 74.5 % -> cum laude.
        pytest.param(Fraction(149, 2), "cum_laude", id="74.5-cum-laude"),
    ],
)
def test_level_boundaries(percentage, expected):
    level = level_of_achievement(
        percentage=percentage, examined_credits=60, all_pass_fail=False, programme_kind="initial_bachelor"
    )
    assert level == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # "No level of achievement ... to students whose actual programme of study amounts to
        # less than 20 credits": 19 -> none, 20 -> a level.
        pytest.param({"examined_credits": 19}, None, id="19-credits-none"),
        pytest.param({"examined_credits": 20}, "summa_cum_laude_congratulations", id="20-credits-level"),
        # "... or for a study programme where all courses are evaluated with a pass/fail mark".
        pytest.param({"all_pass_fail": True, "percentage": None}, None, id="all-pass-fail-none"),
        # "Similarly, no level ... for a bridging or preparatory programme".
        pytest.param({"programme_kind": "bridging"}, None, id="bridging-none"),
        pytest.param({"programme_kind": "preparatory"}, None, id="preparatory-none"),
        # Other kinds get one: bachelor after bachelor, postgraduate, associate, master.
        pytest.param({"programme_kind": "bachelor_after_bachelor"}, "summa_cum_laude_congratulations", id="banaba"),
        pytest.param({"programme_kind": "postgraduate"}, "summa_cum_laude_congratulations", id="postgraduate"),
        pytest.param({"programme_kind": "associate"}, "summa_cum_laude_congratulations", id="associate"),
        pytest.param({"percentage": None}, None, id="no-percentage-none"),
    ],
)
def test_no_level(kwargs, expected):
    arguments = {
        "percentage": Fraction(90),
        "examined_credits": 60,
        "all_pass_fail": False,
        "programme_kind": "initial_master",
        **kwargs,
    }
    assert level_of_achievement(**arguments) == expected


# --- tolerance_credit (Art. 79, 91 §1) ---------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # 10 % of the programme's credits "after deduction of exemptions", half up:
        # (60 - 12)/10 = 4.8 -> 5.
        pytest.param({"programme_credits": 60, "exempted_credits": 12}, 5, id="60-minus-12-4.8-up"),
        # (60 - 45)/10 = 1.5 -> 2 (half up, 0.5 included).
        pytest.param({"programme_credits": 60, "exempted_credits": 45}, 2, id="60-minus-45-1.5-up"),
        # (60 - 56)/10 = 0.4 -> 0.
        pytest.param({"programme_credits": 60, "exempted_credits": 56}, 0, id="60-minus-56-0.4-down"),
        # Everything exempted: nothing to tolerate; never negative.
        pytest.param({"programme_credits": 60, "exempted_credits": 60}, 0, id="all-exempted"),
        pytest.param({"programme_credits": 60, "exempted_credits": 66}, 0, id="never-negative"),
        # Starter in a bachelor: at most 12; exemptions first: (180 - 60)/10 = 12 -> 12,
        # (180 - 100)/10 = 8 -> 8 (below the cap), 180/10 = 18 -> 12.
        pytest.param({"exempted_credits": 60, "starter": True}, 12, id="starter-exempted-60"),
        pytest.param({"exempted_credits": 100, "starter": True}, 8, id="starter-exempted-100"),
        pytest.param({"starter": True}, 12, id="starter-capped"),
        # Not a starter any more: the full 10 %: 18.
        pytest.param({}, 18, id="non-starter-18"),
        # A programme cap below both: cap 10 -> 10 for starter and non-starter alike.
        pytest.param({"cap": 10, "starter": True}, 10, id="cap-10-starter"),
        pytest.param({"cap": 10}, 10, id="cap-10-non-starter"),
        # Cap after the exemptions: (240 - 40)/10 = 20 -> the nursing cap 18.
        pytest.param({"programme_credits": 240, "exempted_credits": 40, "cap": 18}, 18, id="cap-18-after-exemptions"),
        # The starter cap is for bachelor programmes only: associate 180 -> 18; a bachelor after
        # bachelor of 60 -> 6 (below 12 anyway).
        pytest.param({"programme_kind": "associate", "starter": True}, 18, id="associate-no-starter-cap"),
        pytest.param(
            {"programme_kind": "bachelor_after_bachelor", "programme_credits": 60, "starter": True},
            6,
            id="banaba-starter-6",
        ),
    ],
)
def test_tolerance_credit(kwargs, expected):
    arguments = {
        "programme_credits": 180,
        "exempted_credits": 0,
        "cap": None,
        "programme_kind": "initial_bachelor",
        "starter": False,
        **kwargs,
    }
    assert tolerance_credit(**arguments) == expected


# --- automatic_tolerance_final_stage (Art. 91 §3, final stage) ---------------------------------
UNTOLERATED = GER[:5] + [rec("G06", 6, 9)]


@pytest.mark.parametrize(
    ("records", "efficiency", "left", "expected"),
    [
        # The shared example: tolerating G06 (6 <= 6 left, efficiency 54/60 = 90 %) passes the
        # programme.
        pytest.param(UNTOLERATED, Fraction(90), 6, ["G06"], id="banaba-example"),
        # Not enough credit left: 6 > 5 (10 % of 60 - 12 exempted = 4.8 -> 5).
        pytest.param(UNTOLERATED, Fraction(90), 5, [], id="credit-short"),
        # Art. 91 §1: efficiency at least 50 %.
        pytest.param(UNTOLERATED, Fraction(4999, 100), 6, [], id="efficiency-49.99"),
        pytest.param(UNTOLERATED, Fraction(50), 6, ["G06"], id="efficiency-50"),
        pytest.param(UNTOLERATED, None, 6, [], id="efficiency-none"),
        # An intolerable fail as well: tolerating G06 does not make the student pass.
        pytest.param(GER[:4] + [rec("G05", 6, 5), rec("G06", 6, 9)], Fraction(80), 6, [], id="intolerable-fail-too"),
        # A compulsory course still pending: no pass, no tolerance.
        pytest.param(GER[:4] + [rec("G05", 6, None), rec("G06", 6, 9)], Fraction(80), 6, [], id="course-pending"),
        # Two tolerable fails, both needed and both within the credit: both.
        pytest.param(
            GER[:4] + [rec("G05", 6, 8), rec("G06", 6, 9)], Fraction(80), 12, ["G05", "G06"], id="two-tolerated"
        ),
        # ... but 12 > 6 left: none (all or nothing: one alone does not pass).
        pytest.param(GER[:4] + [rec("G05", 6, 8), rec("G06", 6, 9)], Fraction(80), 6, [], id="two-credit-short"),
        # Nothing tolerable: nothing to do.
        pytest.param(GER[:5] + [rec("G06", 6, 12)], Fraction(100), 6, [], id="nothing-tolerable"),
        # Tolerating would leave the programme under 50 %: 10 x 54 + 8 x 6 = 588/1200 = 49 %.
        pytest.param(TEN[:9] + [rec("C9", 6, 8)], Fraction(90), 6, [], id="would-be-49-percent"),
    ],
)
def test_automatic_tolerance_final_stage(records, efficiency, left, expected):
    compulsory = {r.course for r in records}
    programme_credits = sum(r.credits for r in records)
    courses = automatic_tolerance_final_stage(
        records=records, programme_credits=programme_credits, compulsory=compulsory, efficiency=efficiency, left=left
    )
    assert sorted(courses) == expected


# --- automatic_tolerance_threshold (Art. 91 §3 (b), (c)) ---------------------------------------
DONE = [rec("A01", 4, 14), rec("A03", 6, 12), rec("A04", 5, 15), rec("A05", 3, "P", pass_fail=True)]


@pytest.mark.parametrize(
    ("package", "efficiency", "left", "expected"),
    [
        # Threshold already reached: nothing to tolerate.
        pytest.param(DONE, Fraction(100), 12, [], id="reached"),
        # (b): tolerating A02 (9) and A11 (8), 12 <= 12 left, efficiency 80 %, reaches it.
        pytest.param(DONE + [rec("A02", 6, 9), rec("A11", 6, 8)], Fraction(80), 12, ["A02", "A11"], id="two-tolerable"),
        # 12 > 6 left: the threshold cannot be reached by tolerance.
        pytest.param(DONE + [rec("A02", 6, 9), rec("A11", 6, 8)], Fraction(80), 6, [], id="credit-short"),
        # Art. 91 §1: efficiency under 50 %.
        pytest.param(DONE + [rec("A02", 6, 9)], Fraction(4999, 100), 12, [], id="efficiency-49.99"),
        pytest.param(DONE + [rec("A02", 6, 9)], Fraction(50), 12, ["A02"], id="efficiency-50"),
        # An intolerable fail in the package: tolerance cannot reach the threshold.
        pytest.param(DONE + [rec("A02", 6, 9), rec("A09", 6, 5)], Fraction(80), 12, [], id="intolerable-too"),
        # A tolerable mark in a course that does not allow tolerance is a fail.
        pytest.param(DONE + [rec("A09", 6, 9, tolerable_course=False)], Fraction(80), 12, [], id="not-tolerable"),
        # (c): a single 7/20 with every other package course obtained counts as tolerable.
        pytest.param(DONE + [rec("A02", 6, 7)], Fraction(90), 12, ["A02"], id="single-seven"),
        # ... "if all other tolerance conditions are met": credit and efficiency.
        pytest.param(DONE + [rec("A02", 6, 7)], Fraction(90), 5, [], id="single-seven-credit-short"),
        pytest.param(DONE + [rec("A02", 6, 7)], Fraction(40), 12, [], id="single-seven-efficiency-40"),
        # Not single: a 7 and a tolerable 9 (the 9 is not obtained).
        pytest.param(DONE + [rec("A02", 6, 7), rec("A03b", 6, 9)], Fraction(80), 12, [], id="seven-and-nine"),
        # Only 7: a 6 is no exception.
        pytest.param(DONE + [rec("A02", 6, 6)], Fraction(90), 12, [], id="single-six"),
        # A 7 in a non-tolerable course stays a fail.
        pytest.param(DONE + [rec("A09", 6, 7, tolerable_course=False)], Fraction(90), 12, [], id="seven-not-tolerable"),
        # A course without a published result yet is neither obtained nor tolerable.
        pytest.param(DONE + [rec("A02", 6, 9), rec("A06", 6, None)], Fraction(80), 12, [], id="pending-course"),
    ],
)
def test_automatic_tolerance_threshold(package, efficiency, left, expected):
    assert sorted(automatic_tolerance_threshold(package=package, efficiency=efficiency, left=left)) == expected


# --- tolerance_choice_refusal (Art. 91 §1-2) ----------------------------------------------------
FEB, JUL = datetime.date(2024, 2, 6), datetime.date(2024, 7, 2)
CHOICE = {
    "outcome": "tolerable",
    "tolerated": False,
    "chosen_on": datetime.date(2024, 7, 5),
    "publications": [FEB, JUL],
    "efficiency": Fraction(80),
    "credits": 6,
    "left": 12,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, None, id="stands"),
        # "within 15 calendar days from the day on which the exam results become available":
        # the publication day itself, and up to day 15 (17 July); day 16 (18 July) is late.
        pytest.param({"chosen_on": JUL}, None, id="publication-day"),
        pytest.param({"chosen_on": datetime.date(2024, 7, 17)}, None, id="day-15-in-time"),
        pytest.param({"chosen_on": datetime.date(2024, 7, 18)}, "window_closed", id="day-16-late"),
        pytest.param({"chosen_on": datetime.date(2024, 2, 21)}, None, id="day-15-after-february"),
        pytest.param({"chosen_on": datetime.date(2024, 2, 22)}, "window_closed", id="day-16-after-february"),
        # Before any publication there is nothing to choose from.
        pytest.param({"chosen_on": datetime.date(2024, 2, 5), "publications": []}, "window_closed", id="before"),
        # Art. 91 §1: at least 50 % study efficiency.
        pytest.param({"efficiency": Fraction(4999, 100)}, "efficiency", id="efficiency-49.99"),
        pytest.param({"efficiency": Fraction(50)}, None, id="efficiency-50"),
        pytest.param({"efficiency": None}, "efficiency", id="efficiency-none"),
        # Enough tolerance credit left: 6 <= 6 stands, 7 > 6 does not.
        pytest.param({"left": 6}, None, id="credit-exact"),
        pytest.param({"credits": 8, "left": 6}, "credit_short", id="credit-short"),
        # Only a tolerable fail (8 or 9 in a tolerable course) can be tolerated.
        pytest.param({"outcome": "passed"}, "passed", id="passed"),
        pytest.param({"outcome": "failed"}, "not_tolerable", id="failed"),
        pytest.param({"outcome": "pending"}, "not_tolerable", id="pending"),
        pytest.param({"tolerated": True}, "already_tolerated", id="already-tolerated"),
        # A passed course is refused as passed even when the window has closed as well.
        pytest.param({"outcome": "passed", "chosen_on": datetime.date(2024, 8, 1)}, "passed", id="passed-and-late"),
    ],
)
def test_tolerance_choice_refusal(changes, expected):
    assert tolerance_choice_refusal(**{**CHOICE, **changes}) == expected


# --- objection_in_time (Art. 91 §3) -------------------------------------------------------------
@pytest.mark.parametrize(
    ("objected_on", "expected"),
    [
        # "at the latest 5 calendar days after the announcement": 2 July + 5 = 7 July.
        pytest.param(datetime.date(2024, 7, 2), True, id="publication-day"),
        pytest.param(datetime.date(2024, 7, 7), True, id="day-5-in-time"),
        pytest.param(datetime.date(2024, 7, 8), False, id="day-6-late"),
        pytest.param(datetime.date(2024, 7, 1), False, id="before-the-tolerance"),
        # Across a month end: 13 September + 5 = 18 September.
        pytest.param(datetime.date(2024, 9, 18), True, id="september-day-5"),
    ],
)
def test_objection_in_time(objected_on, expected):
    tolerated_on = datetime.date(2024, 9, 13) if objected_on.month == 9 else JUL
    assert objection_in_time(tolerated_on=tolerated_on, objected_on=objected_on) is expected
