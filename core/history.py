"""The change history of audited records (django-simple-history) as the rows of the shared
table ``templates/includes/_history.html``: when, who, what, and what changed."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

EVENTS = {"+": _("created"), "-": _("deleted")}


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
                        changes.append((label(name) if label else name, old, new))
            reason = record.history_change_reason or ""
            rows.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": describe(record) if describe else reason,
                    "event": EVENTS.get(record.history_type, "") if events else "",
                    "changes": changes,
                    "note": reason if describe else "",
                    "reason": reason,
                }
            )
            previous = record
    return rows
