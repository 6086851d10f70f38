"""The ombudsperson's panel on the home page (core.home): the open requests of their
programmes to decide, those overdue (open after their decision date), and the annual
reports still to submit to the cluster (Art. 56-59)."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.home import Item, Panel, register_panel
from core.permissions import Capability

from .models import RequestStatus
from .selectors import ombuds_reports_for, reschedule_requests_for


def items(user, today: datetime.date) -> list[Item]:
    requests = reschedule_requests_for(user).filter(status=RequestStatus.OPEN)
    counts = requests.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(decide_by__lt=today)),
        next_due=Min("decide_by", filter=Q(decide_by__gte=today)),
    )
    reports = ombuds_reports_for(user).filter(submitted_on__isnull=True).aggregate(due=Count("pk"), first=Min("due_on"))
    base = reverse("exams:request_list")
    opened, overdue, due = counts["open"], counts["overdue"], reports["due"]
    report_note = ""
    if reports["first"]:
        first = date_format(reports["first"], "DATE_FORMAT")
        report_note = (_("Overdue since %(day)s.") if reports["first"] < today else _("Due on %(day)s.")) % {
            "day": first
        }
    return [
        Item(
            ngettext("%(count)s request to decide", "%(count)s requests to decide", opened) % {"count": opened},
            opened,
            f"{base}?{urlencode({'status': RequestStatus.OPEN})}",
            note=_("The next one is due on %(day)s.") % {"day": date_format(counts["next_due"], "DATE_FORMAT")}
            if counts["next_due"]
            else "",
        ),
        Item(
            ngettext("%(count)s request overdue", "%(count)s requests overdue", overdue) % {"count": overdue},
            overdue,
            f"{base}?{urlencode({'status': RequestStatus.OPEN, 'overdue': 'on'})}",
            "danger",
            _("Open after the day they should have been decided by."),
        ),
        Item(
            ngettext("%(count)s annual report to submit", "%(count)s annual reports to submit", due) % {"count": due},
            due,
            reverse("exams:report_list"),
            "danger" if reports["first"] and reports["first"] < today else "warning",
            report_note,
        ),
    ]


def register() -> None:
    register_panel(
        Panel(
            "reschedules",
            gettext_lazy("Exam requests"),
            Capability.OMBUDS_WRITE,
            20,
            items,
            ("exams:request_list", gettext_lazy("Open the requests")),
        )
    )
