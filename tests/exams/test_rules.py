"""Marks and outcomes (DOMAIN §4; Art. 65, 66, 76, 89, 91; preface "Rounding rules"), then
programme results and tolerance (Art. 78, 79, 81, 91): the pure rules, no database.

Every expected value is worked out by hand from the regulations and DOMAIN §4.
"""

import datetime
from fractions import Fraction

import pytest

from exams.rules import (
    MARK_RANGE,
    NOT_A_MARK,
    CourseRecord,
    MarkError,
    as_mark,
    automatic_tolerance_final_stage,
    automatic_tolerance_threshold,
    final_mark,
    is_pass,
    is_tolerable,
    level_of_achievement,
    mark_allowed,
    mark_from_parts,
    mark_from_text,
    mark_to_text,
    objection_in_time,
    outcome,
    parse_mark,
    programme_passed,
    programme_percentage,
    programme_result_possible,
    study_efficiency,
    tolerance_choice_refusal,
    tolerance_credit,
)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # Art. 65: "If a 7/20 grade or less is awarded on one of the partial
        # examinations, the result of the course is reduced to the result of the
        # partial examination with the lowest grade": (3x12 + 3x6) -> 6, not 9.
        pytest.param([(3, 12), (3, 6)], 6, id="part-6-gives-lowest"),
        # Art. 65: 7 is "7/20 or less" too: 7, not (7+20)/2 = 13.5.
        pytest.param([(3, 7), (3, 20)], 7, id="part-7-gives-lowest"),
        # Two parts at or below 7: the lowest of them.
        pytest.param([(3, 7), (3, 5)], 5, id="two-low-parts-lowest"),
        pytest.param([(5, 0), (1, 20)], 0, id="part-0-gives-0"),
        # 8 is above 7: the weighted mean applies, (8 + 20)/2 = 14.
        pytest.param([(3, 8), (3, 20)], 14, id="part-8-weighted"),
        # Art. 65 "weighted by means of the credits" + preface half up:
        # (3x12 + 3x13)/6 = 12.5 -> 13.
        pytest.param([(3, 12), (3, 13)], 13, id="equal-weights-12.5-up"),
        # (4x10 + 4x11)/8 = 10.5 -> 11.
        pytest.param([(4, 10), (4, 11)], 11, id="equal-weights-10.5-up"),
        # Weights 2 and 4: (2x8 + 4x11)/6 = 60/6 = 10.
        pytest.param([(2, 8), (4, 11)], 10, id="weights-2-4-exact-10"),
        # Weights 2 and 4: (2x11 + 4x8)/6 = 54/6 = 9 -- the heavier part weighs more.
        pytest.param([(2, 11), (4, 8)], 9, id="weights-2-4-exact-9"),
        # Weights 2 and 4: (2x9 + 4x10)/6 = 58/6 = 9.67 -> 10.
        pytest.param([(2, 9), (4, 10)], 10, id="weights-2-4-9.67-up"),
        # Weights 2 and 4: (2x10 + 4x9)/6 = 56/6 = 9.33 -> 9.
        pytest.param([(2, 10), (4, 9)], 9, id="weights-2-4-9.33-down"),
        # (5x12 + 1x13)/6 = 73/6 = 12.17 -> 12.
        pytest.param([(5, 12), (1, 13)], 12, id="weights-5-1-12.17-down"),
        # (1x10 + 2x11)/3 = 32/3 = 10.67 -> 11.
        pytest.param([(1, 10), (2, 11)], 11, id="weights-1-2-10.67-up"),
        # Three parts: (2x14 + 2x15 + 2x16)/6 = 15.
        pytest.param([(2, 14), (2, 15), (2, 16)], 15, id="three-parts-15"),
        # (1x9 + 1x10 + 2x10)/4 = 39/4 = 9.75 -> 10.
        pytest.param([(1, 9), (1, 10), (2, 10)], 10, id="three-parts-9.75-up"),
        # A single part is the course mark.
        pytest.param([(6, 15)], 15, id="single-part"),
        pytest.param([(6, 7)], 7, id="single-part-7"),
    ],
)
def test_mark_from_parts(parts, expected):
    assert mark_from_parts(parts) == expected


def test_mark_from_parts_needs_a_part():
    with pytest.raises(ValueError):
        mark_from_parts([])


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        # One published opportunity: that is the mark.
        pytest.param([12], 12, id="one-opportunity"),
        pytest.param(["NA"], "NA", id="one-opportunity-NA"),
        # No published opportunity yet: no mark.
        pytest.param([], None, id="nothing-published"),
        # Art. 89 §2: retaking a fail, the second result stands when it is higher.
        pytest.param([6, 11], 11, id="second-higher-stands"),
        pytest.param([9, 10], 10, id="tolerable-then-pass"),
        # Art. 89 §2: "the first result ... is maintained if this is higher than
        # the result obtained ... in the second examination opportunity".
        pytest.param([9, 6], 9, id="second-lower-keeps-first"),
        pytest.param([8, 7], 8, id="tolerable-kept-over-7"),
        pytest.param([8, 8], 8, id="equal-marks"),
        # Art. 66: NA equals an intolerable fail; it is the lowest mark
        # (DOMAIN §4), so a numeric first mark stays over a missed retake ...
        pytest.param([9, "NA"], 9, id="missed-retake-keeps-9"),
        pytest.param([0, "NA"], 0, id="missed-retake-keeps-0"),
        # ... and any mark at the retake beats a first NA.
        pytest.param(["NA", 7], 7, id="NA-then-7"),
        pytest.param(["NA", 0], 0, id="NA-then-0"),
        pytest.param(["NA", 14], 14, id="NA-then-14"),
        # Pass/fail courses: P after F stands; F and NA are both intolerable,
        # NA being the lowest.
        pytest.param(["F", "P"], "P", id="F-then-P"),
        pytest.param(["NA", "P"], "P", id="NA-then-P"),
        pytest.param(["F", "NA"], "F", id="F-then-NA"),
        pytest.param(["NA", "F"], "F", id="NA-then-F"),
        pytest.param(["F", "F"], "F", id="F-twice"),
    ],
)
def test_final_mark(marks, expected):
    assert final_mark(marks) == expected


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        # Art. 76: "at least 10 out of 20 points or a 'pass' assessment".
        pytest.param(10, True, id="10-passes"),
        pytest.param(20, True, id="20-passes"),
        pytest.param(14, True, id="14-passes"),
        pytest.param(9, False, id="9-fails"),
        pytest.param(0, False, id="0-fails"),
        pytest.param("P", True, id="P-passes"),
        # Art. 65: a fail grade is an intolerable fail; Art. 66: NA likewise.
        pytest.param("F", False, id="F-fails"),
        pytest.param("NA", False, id="NA-fails"),
        # No published mark yet: no credit certificate.
        pytest.param(None, False, id="no-mark"),
    ],
)
def test_is_pass(mark, expected):
    assert is_pass(mark) is expected


@pytest.mark.parametrize(
    ("mark", "tolerable_course", "expected"),
    [
        # DOMAIN §4: "Tolerable fail: 8 or 9 in a tolerable course".
        pytest.param(8, True, True, id="8-tolerable-course"),
        pytest.param(9, True, True, id="9-tolerable-course"),
        # ... only in tolerable courses.
        pytest.param(8, False, False, id="8-non-tolerable-course"),
        pytest.param(9, False, False, id="9-non-tolerable-course"),
        # "Everything else failed is intolerable": 7 and below.
        pytest.param(7, True, False, id="7-intolerable"),
        pytest.param(0, True, False, id="0-intolerable"),
        # A pass is no fail at all.
        pytest.param(10, True, False, id="10-is-a-pass"),
        pytest.param("P", True, False, id="P-is-a-pass"),
        # Art. 65: F "is equal to an intolerable fail"; Art. 66: NA likewise.
        pytest.param("F", True, False, id="F-intolerable"),
        pytest.param("NA", True, False, id="NA-intolerable"),
        pytest.param(None, True, False, id="no-mark"),
    ],
)
def test_is_tolerable(mark, tolerable_course, expected):
    assert is_tolerable(mark, tolerable_course=tolerable_course) is expected


@pytest.mark.parametrize(
    ("mark", "tolerable_course", "expected"),
    [
        # EXCHANGE course status: `pending` (no published result yet).
        pytest.param(None, True, "pending", id="no-mark-pending"),
        # Art. 76: 10+ or P.
        pytest.param(10, True, "passed", id="10-passed"),
        pytest.param(17, False, "passed", id="17-passed"),
        pytest.param("P", False, "passed", id="P-passed"),
        # DOMAIN §4: 8 or 9 in a tolerable course.
        pytest.param(9, True, "tolerable", id="9-tolerable"),
        pytest.param(8, True, "tolerable", id="8-tolerable"),
        pytest.param(9, False, "failed", id="9-non-tolerable-course-failed"),
        pytest.param(7, True, "failed", id="7-failed"),
        pytest.param(0, True, "failed", id="0-failed"),
        # Art. 65-66: F and NA are intolerable fails.
        pytest.param("F", True, "failed", id="F-failed"),
        pytest.param("NA", True, "failed", id="NA-failed"),
    ],
)
def test_outcome(mark, tolerable_course, expected):
    assert outcome(mark, tolerable_course=tolerable_course) == expected


@pytest.mark.parametrize(
    ("mark", "pass_fail", "expected"),
    [
        # Art. 65: "an integer ranging from 0 to 20/20" for numeric courses.
        pytest.param(0, False, True, id="0-numeric"),
        pytest.param(12, False, True, id="12-numeric"),
        pytest.param(20, False, True, id="20-numeric"),
        pytest.param(21, False, False, id="21-refused"),
        pytest.param(-1, False, False, id="minus-1-refused"),
        # A bool is no mark, although Python counts True as 1.
        pytest.param(True, False, False, id="True-refused"),
        pytest.param(False, False, False, id="False-refused"),
        # Not an integer.
        pytest.param(12.5, False, False, id="12.5-refused"),
        pytest.param("12", False, False, id="text-12-refused"),
        # Art. 65: pass/fail "for the courses for which is mentioned ... a
        # pass/fail decision" -- P/F only there, numbers not there.
        pytest.param("P", False, False, id="P-on-numeric-refused"),
        pytest.param("F", False, False, id="F-on-numeric-refused"),
        pytest.param("P", True, True, id="P-on-pass-fail"),
        pytest.param("F", True, True, id="F-on-pass-fail"),
        pytest.param(12, True, False, id="12-on-pass-fail-refused"),
        pytest.param(0, True, False, id="0-on-pass-fail-refused"),
        # Art. 66: NA for any assessment not taken.
        pytest.param("NA", False, True, id="NA-numeric"),
        pytest.param("NA", True, True, id="NA-pass-fail"),
        # Unknown codes.
        pytest.param("X", False, False, id="unknown-code-numeric"),
        pytest.param("X", True, False, id="unknown-code-pass-fail"),
        pytest.param("p", True, False, id="lower-case-p"),
    ],
)
def test_mark_allowed(mark, pass_fail, expected):
    assert mark_allowed(mark, pass_fail=pass_fail) is expected


@pytest.mark.parametrize(
    ("mark", "text"),
    [
        # EXCHANGE `mark`: an integer 0-20, or "P", "F", "NA" -- stored as text and
        # read back unchanged; no published mark is empty.
        pytest.param(0, "0", id="0"),
        pytest.param(9, "9", id="9"),
        pytest.param(20, "20", id="20"),
        pytest.param("P", "P", id="P"),
        pytest.param("F", "F", id="F"),
        pytest.param("NA", "NA", id="NA"),
        pytest.param(None, "", id="no-mark"),
    ],
)
def test_mark_text_round_trip(mark, text):
    assert mark_to_text(mark) == text
    assert mark_from_text(text) == mark
    assert type(mark_from_text(text)) is type(mark)


# --- Reading a mark: the one parser of marksheets, appeal forms and the records import ---------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Art. 65-66: a whole number 0-20, or P, F, NA; as typed, in any case, spaces around ignored.
        pytest.param("12", 12, id="12"),
        pytest.param("0", 0, id="0"),
        pytest.param("20", 20, id="20"),
        pytest.param(" 7 ", 7, id="spaces"),
        pytest.param("007", 7, id="leading-zeros"),
        pytest.param("P", "P", id="P"),
        pytest.param("f", "F", id="lower-f"),
        pytest.param(" na", "NA", id="lower-na"),
        # Not 0-20.
        pytest.param("21", MARK_RANGE, id="21"),
        pytest.param("-1", MARK_RANGE, id="minus-1"),
        # Not a mark at all.
        pytest.param("", NOT_A_MARK, id="empty"),
        pytest.param("X", NOT_A_MARK, id="X"),
        pytest.param("12.5", NOT_A_MARK, id="decimal"),
        pytest.param("1 2", NOT_A_MARK, id="inner-space"),
        pytest.param("\u00b2", NOT_A_MARK, id="superscript-two"),  # isdigit() but no number
        pytest.param("\u0663", NOT_A_MARK, id="arabic-indic-three"),  # int() reads it; not a mark as typed
        pytest.param("1" * 5000, NOT_A_MARK, id="5000-digits"),  # int() raised a plain ValueError
        pytest.param("PF", NOT_A_MARK, id="PF"),
    ],
)
def test_parse_mark(text, expected):
    if expected in (MARK_RANGE, NOT_A_MARK):
        with pytest.raises(MarkError) as caught:
            parse_mark(text)
        assert caught.value.reason == expected
        assert isinstance(caught.value, ValueError)
    else:
        assert parse_mark(text) == expected
        assert type(parse_mark(text)) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # A typed value (the records import's JSON): a number is an int, a letter a string as written.
        pytest.param(12, 12, id="int-12"),
        pytest.param("NA", "NA", id="NA"),
        pytest.param(21, MARK_RANGE, id="int-21"),
        pytest.param(-3, MARK_RANGE, id="int-minus-3"),
        pytest.param("12", NOT_A_MARK, id="string-12"),
        pytest.param("p", NOT_A_MARK, id="lower-p"),
        pytest.param(True, NOT_A_MARK, id="boolean"),
        pytest.param(12.0, NOT_A_MARK, id="float"),
        pytest.param(None, NOT_A_MARK, id="none"),
    ],
)
def test_as_mark(value, expected):
    if expected in (MARK_RANGE, NOT_A_MARK):
        with pytest.raises(MarkError) as caught:
            as_mark(value)
        assert caught.value.reason == expected
    else:
        assert as_mark(value) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # Art. 91 §1: 10 % of the programme's credits: 180 -> 18.
        pytest.param(
            {"programme_credits": 180, "exempted_credits": 0, "cap": None},
            18,
            id="180-credits-18",
        ),
        # Art. 91 §1 "after deduction of exemptions", half up: (180-15)/10 = 16.5 -> 17.
        pytest.param(
            {"programme_credits": 180, "exempted_credits": 15, "cap": None},
            17,
            id="exempted-15-16.5-up",
        ),
        # (180-14)/10 = 16.6 -> 17; (180-16)/10 = 16.4 -> 16.
        pytest.param(
            {"programme_credits": 180, "exempted_credits": 14, "cap": None},
            17,
            id="exempted-14-16.6-up",
        ),
        pytest.param(
            {"programme_credits": 180, "exempted_credits": 16, "cap": None},
            16,
            id="exempted-16-16.4-down",
        ),
        # Art. 91 §1: nursing "is limited to 18 credits": a cap below 10 % (240 -> 24 -> 18).
        pytest.param(
            {"programme_credits": 240, "exempted_credits": 0, "cap": 18},
            18,
            id="nursing-cap-18",
        ),
        # A cap above 10 % changes nothing.
        pytest.param(
            {"programme_credits": 120, "exempted_credits": 0, "cap": 18},
            12,
            id="cap-not-reached",
        ),
        # A 60-credit master: 6.
        pytest.param(
            {"programme_credits": 60, "exempted_credits": 0, "cap": None, "programme_kind": "initial_master"},
            6,
            id="master-60-credits",
        ),
    ],
)
def test_tolerance_credit_non_starter(kwargs, expected):
    kwargs = {"programme_kind": "initial_bachelor", "starter": False, **kwargs}
    assert tolerance_credit(**kwargs) == expected


@pytest.mark.parametrize(
    ("programme_kind", "programme_credits", "expected"),
    [
        # Art. 91 §1: "For starting students in bachelor's degree programmes ...
        # limited to 12 credits": 18 -> 12.
        pytest.param("initial_bachelor", 180, 12, id="starter-initial-bachelor-12"),
        pytest.param("education_bachelor", 180, 12, id="starter-education-bachelor-12"),
        # A bachelor-after-bachelor is a bachelor's degree programme too (programmes.rules.BACHELOR_KINDS).
        pytest.param("bachelor_after_bachelor", 180, 12, id="starter-bachelor-after-bachelor-12"),
        # Below 12 the 10 % stands.
        pytest.param("initial_bachelor", 90, 9, id="starter-bachelor-below-cap"),
        # Not a bachelor programme: no starter cap (a 180-credit master is
        # hypothetical, it only shows the cap does not apply).
        pytest.param("initial_master", 180, 18, id="starter-master-no-cap"),
    ],
)
def test_tolerance_credit_starter(programme_kind, programme_credits, expected):
    assert (
        tolerance_credit(
            programme_credits=programme_credits,
            exempted_credits=0,
            cap=None,
            programme_kind=programme_kind,
            starter=True,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("certified", "taken", "expected"),
    [
        # DOMAIN §4: credits with a credit certificate / credits actually taken x 100.
        pytest.param(54, 60, Fraction(90), id="54-of-60-is-90"),
        pytest.param(30, 60, Fraction(50), id="30-of-60-is-50"),
        pytest.param(40, 60, Fraction(200, 3), id="40-of-60-exact"),
        pytest.param(0, 60, Fraction(0), id="nothing-certified"),
        pytest.param(60, 60, Fraction(100), id="everything-certified"),
        # EXCHANGE: null before anything is actually taken.
        pytest.param(0, 0, None, id="nothing-taken"),
    ],
)
def test_study_efficiency(certified, taken, expected):
    assert study_efficiency(certified_credits=certified, actually_taken_credits=taken) == expected


# --- Programme results and tolerance (DOMAIN §4; Art. 78, 79, 81, 91): the pure rules, no database.
#
# Every expected value is worked out by hand from the regulations; the arithmetic is in the comments.
# (formerly tests/exams/test_programme_rules.py)


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


# --- programme_result_possible (Art. 14) -------------------------------------------------
@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        # "Students can only obtain a diploma if they are registered for a degree contract or a
        # degree-exam contract."
        pytest.param("degree", True, id="degree"),
        pytest.param("exam_degree", True, id="degree-exam"),
        # A credit contract aims at "a credit certificate for one or more courses", and so does
        # a credit-exam contract: no degree, whatever was passed.
        pytest.param("credit", False, id="credit"),
        pytest.param("exam_credit", False, id="credit-exam"),
    ],
)
def test_programme_result_possible(contract, expected):
    assert programme_result_possible(contract=contract) is expected


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
