"""Half-up rounding (regulations, preface "Rounding rules"; DOMAIN §4 "Rounding").

Preface: "rounding down up until 0.5 and rounding up from 0.5 onwards (0.5
inclusive)". Expected values are worked out by hand from that sentence.
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from core.rounding import round_half_up, round_half_up_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Preface: 0.5 inclusive rounds up.
        pytest.param(Decimal("12.5"), 13, id="decimal-12.5-up"),
        pytest.param("12.5", 13, id="str-12.5-up"),
        pytest.param(Fraction(25, 2), 13, id="fraction-25/2-up"),
        # Preface: below 0.5 rounds down.
        pytest.param(Decimal("12.49"), 12, id="decimal-12.49-down"),
        pytest.param("12.49", 12, id="str-12.49-down"),
        pytest.param(Fraction(1249, 100), 12, id="fraction-12.49-down"),
        # Half up, not banker's rounding: even neighbours still go up.
        pytest.param(Decimal("12.5"), 13, id="odd-neighbour-12.5"),
        pytest.param(Decimal("13.5"), 14, id="even-neighbour-13.5"),
        pytest.param(Decimal("14.5"), 15, id="even-neighbour-14.5"),
        pytest.param(Decimal("0.5"), 1, id="half-of-one"),
        pytest.param(Fraction(1, 2), 1, id="fraction-one-half"),
        # DOMAIN §2 rule 6: half of 27 credits = 13.5 -> 14.
        pytest.param(Fraction(27, 2), 14, id="generation-half-of-27"),
        # Preface: above 0.5 rounds up, 0.4999.. down.
        pytest.param(Decimal("12.51"), 13, id="12.51-up"),
        pytest.param(Fraction(2, 3), 1, id="two-thirds-up"),
        pytest.param(Fraction(1, 3), 0, id="one-third-down"),
        # Whole values stay as they are.
        pytest.param(7, 7, id="int-7"),
        pytest.param(0, 0, id="int-0"),
        pytest.param(Fraction(20), 20, id="fraction-20"),
        # Exactness: a Fraction just below a half is below a half, however
        # close (DOMAIN §4: compared unrounded, i.e. exactly).
        pytest.param(Fraction(1, 2) - Fraction(1, 10**30), 0, id="fraction-just-below-half"),
        pytest.param(Fraction(1, 2) + Fraction(1, 10**30), 1, id="fraction-just-above-half"),
        pytest.param(Fraction(10**40 + 1, 2), 5 * 10**39 + 1, id="fraction-huge-half"),
    ],
)
def test_round_half_up_int(value, expected):
    assert round_half_up_int(value) == expected
    assert isinstance(round_half_up_int(value), int)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        # Preface: half up at the last kept decimal: 74.495 -> 74.50.
        pytest.param("74.495", 2, "74.50", id="str-74.495"),
        pytest.param(Decimal("74.495"), 2, "74.50", id="decimal-74.495"),
        pytest.param(Fraction(74495, 1000), 2, "74.50", id="fraction-74.495"),
        # Just below the half at the third decimal rounds down.
        pytest.param(Decimal("74.494999"), 2, "74.49", id="decimal-74.494999"),
        pytest.param(Fraction(74494, 1000), 2, "74.49", id="fraction-74.494"),
        # 1/8 = 0.125 -> 0.13 (half up); 5/8 = 0.625 -> 0.63.
        pytest.param(Fraction(1, 8), 2, "0.13", id="fraction-one-eighth"),
        pytest.param(Fraction(5, 8), 2, "0.63", id="fraction-five-eighths"),
        # EXCHANGE "study_efficiency: rounded half up to two decimals":
        # 40 of 60 credits = 66.666..% -> 66.67; 20 of 60 = 33.333..% -> 33.33.
        pytest.param(Fraction(40 * 100, 60), 2, "66.67", id="efficiency-40-of-60"),
        pytest.param(Fraction(20 * 100, 60), 2, "33.33", id="efficiency-20-of-60"),
        # 54 of 60 = 90 % exactly: two decimals shown.
        pytest.param(Fraction(54 * 100, 60), 2, "90.00", id="efficiency-54-of-60"),
        pytest.param(90, 2, "90.00", id="int-90-two-places"),
        # One decimal: 12.25 -> 12.3, 12.24 -> 12.2.
        pytest.param("12.25", 1, "12.3", id="one-place-12.25"),
        pytest.param("12.24", 1, "12.2", id="one-place-12.24"),
        # Default: no decimals.
        pytest.param("12.5", 0, "13", id="zero-places-12.5"),
        # Exactness at two places: 0.005 minus a hair stays 0.00.
        pytest.param(Fraction(5, 1000) - Fraction(1, 10**30), 2, "0.00", id="fraction-just-below-0.005"),
        pytest.param(Fraction(5, 1000), 2, "0.01", id="fraction-0.005"),
    ],
)
def test_round_half_up_to_places(value, places, expected):
    result = round_half_up(value, places)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    # The number of decimals is kept, so "90.00" prints as 90.00.
    assert str(result) == expected


def test_round_half_up_defaults_to_whole_numbers():
    # Preface: "for all calculations" -- the default is a whole number.
    assert round_half_up("12.5") == Decimal(13)
    assert str(round_half_up("12.5")) == "13"
