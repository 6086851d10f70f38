"""The outbox's reads (DOMAIN §11)."""

from .models import NEEDS_ATTENTION, Notification


def outbox(*, status: str = "", kind: str = ""):
    """The notifications, newest first, filtered by status and kind; "attention": the rows left
    sending by a crash, failed, or without an address, which the administration follows up."""
    rows = Notification.objects.select_related("student").order_by("-created_at", "-pk")
    if status == "attention":
        rows = rows.filter(status__in=NEEDS_ATTENTION)
    elif status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows
