"""Rounding as the regulations' preface prescribes: half up, 0.5 included."""

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_half_up(value, places: int = 0) -> Decimal:
    """Round ``value`` (int, Fraction, Decimal or str) half up to ``places`` decimals.

    Fractions keep the computation exact: 2/3 of a credit never becomes 0.66666,
    and a Fraction just below a half is never pushed up to it by a division.
    """
    if isinstance(value, Fraction):
        scaled = abs(value) * Fraction(10) ** places
        digits = math.floor(scaled + Fraction(1, 2))
        sign = "-" if value < 0 and digits else ""
        return Decimal(f"{sign}{digits}E{-places}")
    quantum = Decimal(1).scaleb(-places)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def round_half_up_int(value) -> int:
    return int(round_half_up(value, 0))
