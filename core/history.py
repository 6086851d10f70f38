"""The change history of audited records (django-simple-history) as the rows of the shared
table ``templates/includes/_history.html``: when, who, what, and what changed."""

import re
from collections import defaultdict

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EVENTS = {"+": _("created"), "-": _("deleted")}
# The change reason of the records an import writes (``exchange.write.history``).
IMPORT_REASON = "import_records"


# --- change reasons: stored in English, shown in the reader's language ---------------------
# A reason is stored as the English text of its message (``stored_reason``); the page shows
# it through the catalogue (``reason_text``). A message with values (``%(name)s``) is
# registered by the app that writes it (``register_reasons``), so the values can be read
# back out of the English text and the sentence translated, each value through the
# catalogue too (a choice label such as an appeal's outcome).
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_REASONS: dict[str, re.Pattern] = {}


def register_reasons(*msgids: str) -> None:
    """Change reasons with values an app writes (marked with ``gettext_noop``)."""
    for msgid in msgids:
        parts = _PLACEHOLDER.split(msgid)
        pattern = "".join(
            re.escape(part.replace("%%", "%")) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        _REASONS[msgid] = re.compile(pattern, re.S)


def stored_reason(msgid: str, **values) -> str:
    """The reason to store for ``msgid`` (English, marked with ``gettext_noop``) with its
    ``values``; a lazy value (a choice label) is stored in English too."""
    if not values:
        return msgid
    with translation.override(None):
        return msgid % {name: str(value) for name, value in values.items()}


def reason_text(stored: str) -> str:
    """A stored change reason in the reader's language; text the catalogue does not know
    (what a person typed) as it is."""
    if not stored:
        return ""
    translated = gettext(stored)
    if translated != stored:
        return translated
    for msgid, pattern in _REASONS.items():
        found = pattern.fullmatch(stored)
        if found:
            return gettext(msgid) % {name: gettext(value) for name, value in found.groupdict().items()}
    return stored


def _field_label(record, name: str):
    """A field's name as the reader reads it: its verbose name."""
    try:
        return record._meta.get_field(name).verbose_name
    except (AttributeError, LookupError):  # not a model instance, or not a field
        return name


def _shown(record, name: str, value):
    """A value of a change history as the reader reads it: the label of a choice."""
    try:
        field = record._meta.get_field(name)
    except (AttributeError, LookupError):  # not a model instance, or not a field
        return value
    if field.choices and value not in (None, ""):
        return dict(field.flatchoices).get(value, value)
    return value


def history_rows(records, *, fields=(), label=None, describe=None, events: bool = False) -> list[dict]:
    """One row per historical record, oldest first for each object, each compared with the
    object's previous version on ``fields``.

    A row has ``when``, ``who`` (None: the system), ``what``, ``event`` (``events``: created,
    deleted), ``changes`` ((field label, old, new) for each of ``fields`` that changed;
    ``label(name)`` names a field, default its name) and ``note``. ``what`` is
    ``describe(record)`` when the page lists several records, with the change reason as the
    note; otherwise it is the change reason itself.
    """
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    rows = []
    for versions in by_object.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in versions:
            changes = []
            if previous is not None:
                for name in fields:
                    old, new = getattr(previous, name), getattr(record, name)
                    if old != new:
                        changes.append(
                            (
                                label(name) if label else _field_label(record, name),
                                _shown(record, name, old),
                                _shown(record, name, new),
                            )
                        )
            reason = record.history_change_reason or ""
            shown = reason_text(reason)
            rows.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": describe(record) if describe else shown,
                    "event": EVENTS.get(record.history_type, "") if events else "",
                    "changes": changes,
                    "note": shown if describe else "",
                    "reason": reason,
                }
            )
            previous = record
    return rows


def group_imports(rows: list[dict]) -> list[dict]:
    """``rows`` (newest first) with the rows one import wrote (reason ``IMPORT_REASON``, the
    same user, the same day) folded into one row: ``group`` holds them (oldest first),
    ``count`` says how many, ``when`` is the newest, ``day`` the local day. An import row
    keeps no note (its reason is a code); every other row stays as it is."""
    out, groups = [], {}
    for row in rows:
        if row.get("reason") != IMPORT_REASON:
            out.append(row)
            continue
        row = {**row, "note": ""}
        when = row["when"]
        day = (timezone.localtime(when) if timezone.is_aware(when) else when).date()
        key = (row["who"].pk if row["who"] else None, day)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "when": row["when"],
                "who": row["who"],
                "what": "",
                "event": "",
                "changes": [],
                "note": "",
                "reason": IMPORT_REASON,
                "day": day,
                "group": [],
            }
            out.append(group)
        group["group"].append(row)
    for group in groups.values():
        group["group"].reverse()  # in the order the import wrote them
        group["count"] = len(group["group"])
    return out
