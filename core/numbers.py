"""Whole numbers as a person types them: in a search box, a filter's parameter, a cell of an
uploaded file.

``str.isdigit()`` is true for "²" or "①", which ``int()`` refuses (a 500 where a number was
expected), and ``int()`` reads other scripts' digits ("٣") and refuses more than 4,300 digits.
Here a number is ASCII digits 0-9 only, with an optional minus sign where asked for, and at
most ``MAX_DIGITS`` digits, so that it also fits any integer column."""

import re

MAX_DIGITS = 18  # 999,999,999,999,999,999 fits a signed 64-bit integer column
_UNSIGNED = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


def whole_number(text: str, *, signed: bool = False, max_digits: int = MAX_DIGITS) -> int | None:
    """``text`` (spaces around it ignored) as an ``int``, or None when it is not written with
    the digits 0-9 (``-`` in front only when ``signed``) or has more than ``max_digits`` digits."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not (_SIGNED if signed else _UNSIGNED).fullmatch(text) or len(text.lstrip("-")) > max_digits:
        return None
    return int(text)
