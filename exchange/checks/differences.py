"""How a record in the file differs from the one stored under the same key, in words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from exchange.parsing import show

_MAX_LISTED_DIFFERENCES = 3


def _describe_item(field: str, item: tuple) -> str:
    if field == "isp":
        course, added_on, removed_on, exempted = item
        text = _("%(course)s added %(added)s") % {"course": course, "added": added_on.isoformat()}
        if removed_on:
            text += " " + _("removed %(date)s") % {"date": removed_on.isoformat()}
        if exempted:
            text += " " + _("exempted")
        return text
    if field == "results":
        course, _added_on, period, opportunity, score, grade, parts = item
        if parts:
            mark = " + ".join(f"{credits}x{score}" for credits, score in parts)
        else:
            mark = str(score) if score is not None else grade
        return _("%(course)s opportunity %(opportunity)d in exam period %(period)d: %(mark)s") % {
            "course": course,
            "opportunity": opportunity,
            "period": period,
            "mark": mark,
        }
    course, _added_on, on = item
    return _("%(course)s on %(date)s") % {"course": course, "date": on.isoformat()}


def differences_between(stored: dict[str, Any], incoming: dict[str, Any]) -> list[str]:
    """``field: X in the database, Y in the file`` for every field that differs."""
    out = []
    for field, file_value in incoming.items():
        db_value = stored[field]
        if db_value == file_value:
            continue
        if isinstance(file_value, frozenset):
            only_db = sorted(db_value - file_value, key=str)
            only_file = sorted(file_value - db_value, key=str)

            def listing(items, field=field):
                shown = [_describe_item(field, item) for item in items[:_MAX_LISTED_DIFFERENCES]]
                if len(items) > _MAX_LISTED_DIFFERENCES:
                    shown.append("...")
                return ", ".join(shown) if shown else _("nothing")

            out.append(
                _("%(field)s: %(db)s only in the database, %(file)s only in the file")
                % {"field": field, "db": listing(only_db), "file": listing(only_file)}
            )
        else:
            out.append(
                _("%(field)s: %(db)s in the database, %(file)s in the file")
                % {"field": field, "db": _show_value(db_value), "file": _show_value(file_value)}
            )
    return out


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return value if value else "''"
    return show(value)


def exists_differently(what: str, differences: list[str]) -> str:
    return _("%(what)s already exists with different content (%(differences)s)") % {
        "what": what,
        "differences": "; ".join(differences),
    }


def show_requires(requires: set[tuple[str, str]]) -> str:
    return ", ".join(f"{course} ({kind})" for course, kind in sorted(requires)) or _("nothing")
