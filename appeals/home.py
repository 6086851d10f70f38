"""The appeal register's panel on the home page (core.home): open appeals whose decision is
overdue or due within five days, appeals awaiting their elaboration, and refusal-lifting
requests the committee has not decided yet."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.home import Item, Panel, register_panel
from core.permissions import Capability

from .filters import AWAITING_ELABORATION, due_soon_q, overdue_q
from .models import Appeal, LiftingStatus, RefusalLiftingRequest


def items(user, today: datetime.date) -> list[Item]:
    counts = Appeal.objects.aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        due_soon=Count("pk", filter=due_soon_q(today)),
        awaiting=Count("pk", filter=AWAITING_ELABORATION),
    )
    lifting = RefusalLiftingRequest.objects.filter(status=LiftingStatus.PENDING).count()
    register = reverse("appeals:register")
    overdue, due_soon, awaiting = counts["overdue"], counts["due_soon"], counts["awaiting"]
    return [
        Item(
            ngettext("%(count)s appeal overdue", "%(count)s appeals overdue", overdue) % {"count": overdue},
            overdue,
            f"{register}?{urlencode({'overdue': 'on'})}",
            "danger",
            _("Open after the last day of the decision (Art. 101)."),
        ),
        Item(
            ngettext("%(count)s appeal due within five days", "%(count)s appeals due within five days", due_soon)
            % {"count": due_soon},
            due_soon,
            f"{register}?{urlencode({'due_soon': 'on', 'ordering': 'due'})}",
            "warning",
            _("Decided and announced by the last day, or a later date announced with reasons."),
        ),
        Item(
            ngettext(
                "%(count)s appeal awaiting its elaboration", "%(count)s appeals awaiting their elaboration", awaiting
            )
            % {"count": awaiting},
            awaiting,
            f"{register}?{urlencode({'awaiting_elaboration': 'on'})}",
            note=_("Lodged pending feedback: void when not elaborated within five days."),
        ),
        Item(
            ngettext(
                "%(count)s refusal-lifting request to decide", "%(count)s refusal-lifting requests to decide", lifting
            )
            % {"count": lifting},
            lifting,
            f"{reverse('appeals:lifting_list')}?{urlencode({'status': LiftingStatus.PENDING})}",
        ),
    ]


def register() -> None:
    register_panel(
        Panel(
            "appeals",
            gettext_lazy("Appeals"),
            Capability.APPEAL_REGISTER,
            30,
            items,
            ("appeals:register", gettext_lazy("Open the appeal register")),
        )
    )
