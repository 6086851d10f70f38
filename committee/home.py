"""The committees' panel on the home page (core.home): deliberations to prepare, open and to
sign for the user's committees, and for the administration the publications within five working
days whose deliberation is not closed."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from core.dates import show_date
from core.home import Item, Panel, register_panel
from core.permissions import Capability, scope
from exams.publication import published_periods
from programmes.models import ExamPeriod

from . import rules
from .models import Committee, Deliberation, DeliberationStatus, Report
from .selectors import deliberations_for

WARNING_DAYS = 5


def _signed_now():
    """Whether the deliberation's current report version is signed (Art. 82), as a subquery."""
    newer = Report.objects.filter(deliberation=OuterRef("deliberation"), version__gt=OuterRef("version"))
    return Exists(
        Report.objects.filter(
            deliberation=OuterRef("pk"), chair_signed_at__isnull=False, secretary_signed_at__isnull=False
        ).exclude(Exists(newer))
    )


def publications_waiting(today: datetime.date) -> list[tuple[ExamPeriod, list[str]]]:
    """The exam periods published within ``WARNING_DAYS`` working days (not yet published) with
    the committees of their year whose deliberation on them is not closed."""
    horizon = today + datetime.timedelta(days=WARNING_DAYS + 4)
    periods = list(
        ExamPeriod.objects.filter(results_published_on__gte=today, results_published_on__lte=horizon).select_related(
            "academic_year"
        )
    )
    if not periods:
        return []
    published = published_periods(periods)
    periods = [p for p in periods if p.pk not in published]
    if not periods:
        return []
    closed = set(
        Deliberation.objects.filter(exam_period__in=periods, status=DeliberationStatus.CLOSED).values_list(
            "exam_period_id", "committee_id"
        )
    )
    committees = list(
        Committee.objects.filter(academic_year_id__in={p.academic_year_id for p in periods}).order_by("name")
    )
    result = []
    for period in periods:
        waiting = [
            c.name
            for c in committees
            if c.academic_year_id == period.academic_year_id
            and rules.publication_warning(
                today=today,
                publication_day=period.results_published_on,
                deliberation_closed=(period.pk, c.pk) in closed,
            )
        ]
        if waiting:
            result.append((period, waiting))
    return result


def items(user, today: datetime.date) -> list[Item]:
    home = reverse("committee:home")
    counts = deliberations_for(user).aggregate(
        prepared=Count("pk", filter=Q(status=DeliberationStatus.PREPARED)),
        opened=Count("pk", filter=Q(status=DeliberationStatus.OPEN)),
        to_sign=Count("pk", filter=Q(status=DeliberationStatus.CLOSED) & ~Q(_signed_now())),
    )
    prepared, opened, to_sign = counts["prepared"], counts["opened"], counts["to_sign"]
    shown = [
        Item(
            ngettext("%(count)s deliberation to prepare", "%(count)s deliberations to prepare", prepared)
            % {"count": prepared},
            prepared,
            home,
            note=gettext_lazy("The select committee's inventory (Art. 69)."),
        ),
        Item(
            ngettext("%(count)s deliberation open", "%(count)s deliberations open", opened) % {"count": opened},
            opened,
            home,
            "warning",
        ),
        Item(
            ngettext("%(count)s deliberation report to sign", "%(count)s deliberation reports to sign", to_sign)
            % {"count": to_sign},
            to_sign,
            home,
            note=gettext_lazy("Signed by the chair and the secretary (Art. 82)."),
        ),
    ]
    if scope(user).sees_all_committees:
        for period, committees in publications_waiting(today):
            shown.append(
                Item(
                    ngettext(
                        "Publication of %(period)s on %(day)s: %(count)s deliberation not closed",
                        "Publication of %(period)s on %(day)s: %(count)s deliberations not closed",
                        len(committees),
                    )
                    % {"period": period, "day": show_date(period.results_published_on), "count": len(committees)},
                    len(committees),
                    home,
                    "danger",
                    ", ".join(committees),
                )
            )
    return shown


def register() -> None:
    register_panel(
        Panel(
            "committee",
            gettext_lazy("Examination committees"),
            Capability.COMMITTEE_PAGES,
            35,
            items,
            ("committee:home", gettext_lazy("Open the committees' pages")),
        )
    )
