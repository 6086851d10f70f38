"""How deep a records document may nest: no deeper than the ``study-records/1`` format needs.

The deepest value of the format is a partial exam's mark, nine containers down (the document,
``students``, a student, ``enrolments``, an enrolment, ``results``, a result, ``parts``, a
part). A file nested far deeper is no records file: Python's JSON reader gives up with a
``RecursionError`` at about a thousand levels, and anything that walked such values
recursively would too. ``import_records`` reports both as a file that is not valid JSON.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 20  # more than twice what the format needs, so a later version has room
CONTAINERS = (dict, list)


def nesting_depth(value: Any, *, limit: int = MAX_DEPTH) -> int:
    """How many objects and lists ``value`` nests (0 for a plain value), counted level by
    level without recursion; the count stops as soon as it passes ``limit``."""
    level = [value] if isinstance(value, CONTAINERS) else []
    depth = 0
    while level and depth <= limit:
        depth += 1
        below = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below.extend([child for child in children if isinstance(child, CONTAINERS)])
        level = below
    return depth


def too_deep_message() -> str:
    return _("its values are nested more than %(depth)d levels deep") % {"depth": MAX_DEPTH}


def depth_problem(value: Any) -> str | None:
    """Why ``value`` is nested too deeply to be a records document, or None."""
    return too_deep_message() if nesting_depth(value) > MAX_DEPTH else None
