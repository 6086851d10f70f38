"""Rounding as the regulations' preface prescribes: half up, 0.5 included."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_half_up(value, places: int = 0) -> Decimal:
    """Round ``value`` (int, Fraction, Decimal or str) half up to ``places`` decimals.

    Fractions keep the computation exact: 2/3 of a credit never becomes 0.66666.
    """
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-places)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def round_half_up_int(value) -> int:
    return int(round_half_up(value, 0))
