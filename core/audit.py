"""Saving with who and why: the audit trail of django-simple-history.

Every service that changes an audited record saves it through ``audited_save``, so that its
history row names the user and the reason. Bulk writes pass the same to simple_history's
``bulk_create_with_history`` / ``bulk_update_with_history`` (``default_user``,
``default_change_reason``).
"""

REASON_LENGTH = 100  # simple_history's history_change_reason column


def audited_save(instance, *, by, reason: str = "", update_fields=None) -> None:
    """Save ``instance``; its history row records ``by`` and ``reason`` (cut to the column).

    ``by`` None leaves the history its own default: the user of the current request, if
    any. An empty ``reason`` records none."""
    if by is not None:
        instance._history_user = by
    if reason:
        instance._change_reason = str(reason)[:REASON_LENGTH]
    instance.save(update_fields=update_fields)
