"""Student administration's fee panel on the home page (core.home): the open tuition
balances, as the open-balances page lists them (the latest statement of each fee, not 0)."""

import datetime

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import pagination
from core.home import Item, Panel, register_panel
from core.pagination import shown_count
from core.permissions import Capability

from .selectors import latest_statements


def items(user, today: datetime.date) -> list[Item]:
    # Up to core.pagination.CAP + 1 open balances (shown "1,000+" beyond) in one query that reads
    # at most that many (issue 19); their amount in all only when they are all counted.
    cap = pagination.CAP
    counts = (
        latest_statements()
        .exclude(total=0)
        .order_by()
        .values("pk", "total")[: cap + 1]
        .aggregate(open=Count("pk"), amount=Sum("total"))
    )
    count = counts["open"]
    amount = counts["amount"] or 0
    if not count:
        note = ""
    elif count > cap:
        note = _("The amount in all is in the CSV export of the open balances.")
    else:
        note = _("€ %(amount)s in all.") % {"amount": number_format(amount, 2, use_l10n=True, force_grouping=True)}
    return [
        Item(
            ngettext("%(count)s open fee balance", "%(count)s open fee balances", count)
            % {"count": shown_count(count)},
            count,
            reverse("fees:open_balances"),
            note=note,
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
