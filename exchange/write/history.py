"""Bulk creation that also writes the history rows of models with a history (django-simple-history)."""

from simple_history.utils import bulk_create_with_history

from core.history import IMPORT_REASON as HISTORY_CHANGE_REASON


def bulk_create_recorded(objects: list, model) -> list:
    """``model.objects.bulk_create(objects)`` with one history row each, reason ``import_records``."""
    if not objects:
        return []
    return bulk_create_with_history(objects, model, default_change_reason=HISTORY_CHANGE_REASON)
