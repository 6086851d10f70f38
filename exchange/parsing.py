"""Reading JSON values into Python ones, with every problem reported at its place in the file.

A parser is called as ``parse(value, path, problems)``: it returns the parsed value,
or :data:`BAD` after adding a problem ``"path: message"``. The shapes of the
``study-records/1`` document are built from these in :mod:`exchange.schema`.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.validators import EARLIEST

MAX_SMALL = 32767
MAX_INT = 2**31 - 1

BAD = object()  # a value that failed to parse; its problem is already reported
ABSENT = object()  # an optional key whose absence must stay visible (not replaced by a default)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Characters that end a line (for a terminal or ``str.splitlines``) or cannot be seen: a
# problem quotes what the file holds, and each problem is printed on one line.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks written as escapes (``\\n``, ``\\x00``)."""
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


class Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append(one_line(f"{path}: {message}"))


Parser = Callable[[Any, str, Problems], Any]


_PATH_TOKEN = re.compile(r"\[(\d+)\]|([^.\[:]+)")


def path_order(problem: str) -> list[tuple[int, int | str]]:
    """Sort key of ``"students[2].isp[10].course: ..."``: record by record, indices as numbers."""
    path = problem.split(": ", 1)[0]
    return [(0, int(index)) if index else (1, name) for index, name in _PATH_TOKEN.findall(path)]


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def show(value: Any) -> str:
    """A value as the file would write it, for messages."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    shown = json.dumps(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def got(expected: str, value: Any) -> str:
    return _("expected %(expected)s, got %(value)s") % {"expected": expected, "value": show(value)}


@dataclasses.dataclass(frozen=True)
class Field:
    parse: Parser
    required: bool = True
    default: Any = None
    nullable: bool = False


def optional(parse: Parser, default: Any = None, *, nullable: bool = False) -> Field:
    return Field(parse, required=False, default=default, nullable=nullable)


def text(max_length: int, *, blank: bool = False) -> Parser:
    def parse(value, path, problems):
        if not isinstance(value, str):
            problems.add(path, got(_("a text"), value))
            return BAD
        if not blank and not value.strip():
            problems.add(path, _("must not be empty"))
            return BAD
        if len(value) > max_length:
            problems.add(path, _("is longer than %(max)d characters") % {"max": max_length})
            return BAD
        if "\x00" in value:  # PostgreSQL cannot store it; no system writes it in a name or a code
            problems.add(path, _("contains a NUL character"))
            return BAD
        return value

    return parse


def email(value, path, problems):
    value = text(254, blank=True)(value, path, problems)
    if value is BAD or value == "":
        return value
    try:
        validate_email(value)
    except ValidationError:
        problems.add(path, _("%(value)s is not an e-mail address") % {"value": show(value)})
        return BAD
    return value


def integer(minimum: int = -MAX_INT, maximum: int = MAX_INT) -> Parser:
    def parse(value, path, problems):
        # bool is a subclass of int in Python, but true is not a number in JSON.
        if type(value) is not int:
            problems.add(path, got(_("an integer"), value))
            return BAD
        if not minimum <= value <= maximum:
            if maximum in (MAX_SMALL, MAX_INT):
                problems.add(path, _("must be at least %(min)d, got %(value)d") % {"min": minimum, "value": value})
            else:
                problems.add(
                    path,
                    _("must be between %(min)d and %(max)d, got %(value)d")
                    % {"min": minimum, "max": maximum, "value": value},
                )
            return BAD
        return value

    return parse


def boolean(value, path, problems):
    if not isinstance(value, bool):
        problems.add(path, got(_("true or false"), value))
        return BAD
    return value


def date(value, path, problems):
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            # No record of ours is older (core.validators); the deadlines reckon back from a date.
            if day >= EARLIEST:
                return day
            problems.add(path, _("%(date)s lies before %(earliest)s") % {"date": value, "earliest": EARLIEST})
            return BAD
    problems.add(path, got(_("a date YYYY-MM-DD"), value))
    return BAD


def choice(choices: Iterable[str]) -> Parser:
    choices = tuple(choices)

    def parse(value, path, problems):
        if value not in choices or not isinstance(value, str):
            problems.add(
                path,
                _("%(value)s is not one of %(choices)s")
                % {"value": show(value), "choices": ", ".join(f"'{c}'" for c in choices)},
            )
            return BAD
        return value

    return parse


def list_of(item: Parser) -> Parser:
    """A list; the items that parse are kept (objects carry their ``_path``)."""

    def parse(value, path, problems):
        if not isinstance(value, list):
            problems.add(path, got(_("a list"), value))
            return BAD
        parsed = []
        for index, raw in enumerate(value):
            item_path = f"{path}[{index}]"
            result = item(raw, item_path, problems)
            if result is not BAD:
                parsed.append(result)
        return parsed

    return parse


def with_path(item: Parser) -> Parser:
    """For lists of plain values whose items are checked later and need their place in the file."""

    def parse(value, path, problems):
        result = item(value, path, problems)
        return BAD if result is BAD else (path, result)

    return parse


def object_of(fields: dict[str, Field]) -> Parser:
    """An object with exactly these keys; parsed values are kept, bad ones left out.

    The result always holds ``_path``; a key whose value failed to parse is missing
    from it, so later checks that need that value skip it instead of repeating the
    problem in other words.
    """

    def parse(value, path, problems):
        if not isinstance(value, dict):
            problems.add(path or _("(top level)"), got(_("an object"), value))
            return BAD
        for key in value:
            if key not in fields:
                problems.add(
                    join(path, str(key)), _("unknown key (expected one of %(keys)s)") % {"keys": ", ".join(fields)}
                )
        # ``_given`` tells "absent" from "given but invalid" (already reported).
        parsed: dict[str, Any] = {"_path": path, "_given": frozenset(value)}
        for name, field in fields.items():
            if name not in value:
                if field.required:
                    problems.add(join(path, name), _("required field is missing"))
                elif field.default is not ABSENT:
                    parsed[name] = field.default() if callable(field.default) else field.default
                continue
            raw = value[name]
            if raw is None and field.nullable:
                parsed[name] = None
                continue
            result = field.parse(raw, join(path, name), problems)
            if result is not BAD:
                parsed[name] = result
        return parsed

    return parse
