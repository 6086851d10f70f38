"""Student administration's fee panel on the home page (core.home): the open tuition
balances, as the open-balances page lists them (the latest statement of each fee, not 0)."""

import datetime

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.home import Item, Panel, register_panel
from core.permissions import Capability

from .selectors import latest_statements


def items(user, today: datetime.date) -> list[Item]:
    counts = latest_statements().exclude(total=0).aggregate(open=Count("pk"), amount=Sum("total"))
    count = counts["open"]
    amount = counts["amount"] or 0
    return [
        Item(
            ngettext("%(count)s open fee balance", "%(count)s open fee balances", count) % {"count": count},
            count,
            reverse("fees:open_balances"),
            note=_("€ %(amount)s in all.") % {"amount": number_format(amount, 2, use_l10n=True, force_grouping=True)}
            if count
            else "",
        )
    ]


def register() -> None:
    register_panel(
        Panel(
            "fees",
            gettext_lazy("Tuition fees"),
            Capability.FEE_PAGES,
            50,
            items,
            ("fees:open_balances", gettext_lazy("Open the balances")),
        )
    )
