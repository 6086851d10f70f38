"""What the demo college told its students (DOMAIN §11): its history before the go-live date
(``NOTIFICATIONS_GO_LIVE``) is historical and never told; the decisions since are in the outbox,
sent by the worker (``make run`` prints them on its console)."""

from django.conf import settings
from django.db.models import Count

from notifications.models import Notification


def notifications_summary() -> str:
    """One line for ``load_demo``: what was told since the go-live date, per kind."""
    go_live = settings.NOTIFICATIONS_GO_LIVE
    if go_live is None:
        return "Notifications: not live (NOTIFICATIONS_GO_LIVE is not set): nothing is told to the students."
    counts = dict(Notification.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    told = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing yet"
    return f"Notifications: live since {go_live.isoformat()} (the history before it is never told); told since: {told}."
