"""The outbox's reads (DOMAIN §11)."""

import datetime

from django.db.models import Exists, OuterRef

from core import clock

from .models import NEEDS_ATTENTION, Notification, Status

# The rows of a decision that has not reached the student (yet): not sent, and no resend sent.
NOT_SENT = (Status.PENDING, Status.HELD, *NEEDS_ATTENTION)


def outbox(*, status: str = "", kind: str = ""):
    """The notifications, newest first, filtered by status and kind; "attention": the rows left
    sending by a crash, failed, or without an address, which the administration follows up;
    "unnotified": every row of a live decision the student has not been sent (DOMAIN §11: its
    clock has not started)."""
    rows = Notification.objects.select_related("student").order_by("-created_at", "-pk")
    if status == "attention":
        rows = rows.filter(status__in=NEEDS_ATTENTION)
    elif status == "unnotified":
        rows = unnotified(rows)
    elif status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def unnotified(rows=None):
    """The rows not sent whose decision no other row told the same student (a resend, DOMAIN §11)."""
    rows = Notification.objects.all() if rows is None else rows
    told = Notification.objects.filter(
        status=Status.SENT,
        student_id=OuterRef("student_id"),
        kind=OuterRef("kind"),
        object_label=OuterRef("object_label"),
        object_id=OuterRef("object_id"),
    )
    return rows.filter(status__in=NOT_SENT).exclude(Exists(told))


def sent_on(row: Notification) -> datetime.date | None:
    """The notification date: the day (in the college's time zone) the message was sent."""
    return clock.day_of(row.sent_at) if row.sent_at else None


def notified_days(object_label: str, object_ids) -> dict[int, datetime.date | None]:
    """For each object a live notification was written about, the day it was first sent (None:
    not sent yet); objects never told are left out (gate ``core.gates.notified_days``)."""
    days: dict[int, datetime.date | None] = {}
    for object_id, status, sent_at in Notification.objects.filter(
        object_label=object_label, object_id__in=list(object_ids)
    ).values_list("object_id", "status", "sent_at"):
        day = clock.day_of(sent_at) if status == Status.SENT and sent_at else None
        known = days.get(object_id)
        days[object_id] = known if day is None or (known is not None and known <= day) else day
    return days


def student_notifications(student_id: int) -> list[dict]:
    """What the student was told and when, newest first (gate ``core.gates.student_notifications``)."""
    return [
        {
            "id": row.pk,
            "kind": row.kind,
            "kind_label": row.get_kind_display(),
            "decided_on": row.decided_on,
            "sent_on": sent_on(row),
            "status": row.status,
            "status_label": row.get_status_display(),
            "resent_from_id": row.resent_from_id,
            "resendable": row.resendable,
        }
        for row in Notification.objects.filter(student_id=student_id).order_by("-created_at", "-pk")
    ]
