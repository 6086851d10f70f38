"""The administration's outbox page (/notifications/, DOMAIN §11)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.pagination import CappedPaginator
from core.permissions import Capability, requires

from . import services
from .kinds import Kind
from .models import NEEDS_ATTENTION, Notification, Status
from .selectors import outbox, unnotified

PAGE_SIZE = 100


@require_GET
@requires(Capability.NOTIFICATION_OUTBOX)
def outbox_list(request):
    """The notifications, filtered by status (or those needing attention) and kind."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status not in {"attention", "unnotified", *Status.values}:
        status = ""
    if kind not in Kind.values:
        kind = ""
    page = CappedPaginator(outbox(status=status, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    # Each label translated once for the page, not once a row (``get_FOO_display`` translates
    # every choice of the field on each call: a third of the page's time with 100 rows).
    kinds = [(value, str(label)) for value, label in Kind.choices]
    statuses = [(value, str(label)) for value, label in Status.choices]
    kind_labels, status_labels = dict(kinds), dict(statuses)
    for row in page.object_list:
        row.kind_label = kind_labels.get(row.kind, row.kind)
        row.status_label = status_labels.get(row.status, row.status)
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": statuses,
            "kinds": kinds,
            "attention": outbox(status="attention").count(),
            "unnotified": unnotified().count(),
            "held": settings.NOTIFICATIONS_HOLD,
            "can_resend": True,
            "attention_statuses": [Status(s).label for s in NEEDS_ATTENTION],
        },
    )


@require_POST
@requires(Capability.NOTIFICATION_OUTBOX)
def notification_resend(request, pk):
    """Resend a notification (DOMAIN §11): a new row, the first kept; back to where it was asked."""
    row = get_object_or_404(Notification, pk=pk)
    try:
        services.notification_resend(notification=row)
    except services.Refused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The notification is queued to be sent again; the first one is kept."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return redirect(back or "notifications:outbox")
