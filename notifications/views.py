"""The administration's outbox page (/notifications/, DOMAIN §11)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.permissions import Capability, requires

from .kinds import Kind
from .models import NEEDS_ATTENTION, Status
from .selectors import outbox

PAGE_SIZE = 100


@require_GET
@requires(Capability.NOTIFICATION_OUTBOX)
def outbox_list(request):
    """The notifications, filtered by status (or those needing attention) and kind."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status not in {"attention", *Status.values}:
        status = ""
    if kind not in Kind.values:
        kind = ""
    page = Paginator(outbox(status=status, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "attention": outbox(status="attention").count(),
            "attention_statuses": [Status(s).label for s in NEEDS_ATTENTION],
        },
    )
