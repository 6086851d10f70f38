"""Marks and outcomes (DOMAIN §4; Art. 65, 66, 76, 89, 91; preface "Rounding rules").

Every expected value is worked out by hand from the regulations and DOMAIN §4.
"""

from fractions import Fraction

import pytest

from exams.rules import (
    final_mark,
    is_pass,
    is_tolerable,
    mark_allowed,
    mark_from_parts,
    mark_from_text,
    mark_to_text,
    outcome,
    study_efficiency,
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
