"""The fraud files' panel on the home page (core.home): the files waiting for a decision within
what the user sees (``views.files_for``), the decisions waiting for the fraud authority (the
Student Council chair's 48 hours passed: "danger"), and for an examiner the files reported."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy, ngettext

from core import clock
from core.home import Item, Panel, register_panel
from core.permissions import Capability, scope

from . import rules
from .models import DecisionStatus, Ratification
from .views import OPEN, files_for


def items(user, today: datetime.date) -> list[Item]:
    """One aggregate query over the files the user sees; the decisions awaiting ratification are
    read only when there are any."""
    files = files_for(user)
    listing = reverse("fraud:file_list")
    user_scope = scope(user)
    counts = files.aggregate(
        reported=Count("pk", filter=Q(reported_by_user=user), distinct=True),
        waiting=Count(
            "pk",
            filter=Q(latest_status__isnull=True)
            | Q(latest_status__in=[DecisionStatus.NOT_RATIFIED, DecisionStatus.SET_ASIDE]),
            distinct=True,
        ),
        awaiting=Count("pk", filter=Q(latest_status=DecisionStatus.AWAITING_RATIFICATION), distinct=True),
    )
    shown = []
    if user_scope.reports_fraud:
        reported = counts["reported"]
        shown.append(
            Item(
                ngettext("%(count)s file you reported", "%(count)s files you reported", reported) % {"count": reported},
                reported,
                listing,
            )
        )
    if not user_scope.reports_fraud or user_scope.superuser:
        waiting = counts["waiting"]
        shown.append(
            Item(
                ngettext(
                    "%(count)s file waiting for the committee's decision",
                    "%(count)s files waiting for the committee's decision",
                    waiting,
                )
                % {"count": waiting},
                waiting,
                f"{listing}?{urlencode({'status': OPEN})}",
                note=gettext_lazy("Hearings first: the examiner, then the student with an ombudsperson (Art. 74, 84)."),
            )
        )
    awaiting = counts["awaiting"]
    if awaiting or user_scope.ratifies:
        overdue = 0
        if awaiting:
            now = clock.now()
            overdue = sum(
                1
                for requested_at in Ratification.objects.filter(
                    decision__status=DecisionStatus.AWAITING_RATIFICATION,
                    decision__fraud_file__in=files.values("pk"),
                    council_advice_requested_at__isnull=False,
                    council_advice="",
                ).values_list("council_advice_requested_at", flat=True)
                if rules.advice_may_be_disregarded(requested_at=requested_at, now=now)
            )
        shown.append(
            Item(
                ngettext(
                    "%(count)s decision awaiting ratification",
                    "%(count)s decisions awaiting ratification",
                    awaiting,
                )
                % {"count": awaiting},
                awaiting,
                f"{listing}?{urlencode({'status': DecisionStatus.AWAITING_RATIFICATION})}",
                "danger" if overdue else ("warning" if awaiting else ""),
                ngettext(
                    "The Student Council chair's 48 hours have passed for %(count)s: the advice may be disregarded "
                    "(Art. 85 §2).",
                    "The Student Council chair's 48 hours have passed for %(count)s: the advice may be disregarded "
                    "(Art. 85 §2).",
                    overdue,
                )
                % {"count": overdue}
                if overdue
                else "",
            )
        )
    return shown


def register() -> None:
    register_panel(
        Panel(
            "fraud",
            gettext_lazy("Fraud files"),
            Capability.FRAUD_PAGES,
            37,
            items,
            ("fraud:file_list", gettext_lazy("Open the fraud files")),
        )
    )
