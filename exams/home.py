"""Student administration's results panel on the home page (core.home): the marks still
missing before the next publication of exam results (Art. 86), as last counted
(``exams.tallies``). The third exam period is the second chance, taken only by the students
who choose to: nothing is missing there, the panel shows the marks entered."""

import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import clock, pagination
from core.dates import counted_when
from core.home import Item, Panel, register_panel
from core.pagination import shown_count
from core.permissions import Capability
from programmes.models import ExamPeriod

from .models import Result
from .publication import published_periods
from .tallies import EXAMINED, tally_of


def next_publication(today: datetime.date) -> ExamPeriod | None:
    """The exam period whose results are published next: on ``today`` or later, not run yet;
    with its count of missing marks, if it was counted (``exams.tallies``)."""
    periods = list(
        ExamPeriod.objects.filter(results_published_on__gte=today)
        .select_related("academic_year", "missing_marks_tally")
        .order_by("results_published_on", "pk")[:4]
    )
    done = published_periods(periods)
    return next((p for p in periods if p.pk not in done), None)


def items(user, today: datetime.date) -> list[Item]:
    period = next_publication(today)
    if period is None:
        return []
    context = {
        "number": period.number,
        "year": period.academic_year.code,
        "day": date_format(period.results_published_on, "DATE_FORMAT"),
    }
    url = reverse("exams:marksheet")
    if period.number not in EXAMINED:
        entered = pagination.capped_count(Result.objects.filter(exam_period=period))
        return [
            Item(
                ngettext(
                    "%(count)s mark entered for exam period %(number)s",
                    "%(count)s marks entered for exam period %(number)s",
                    entered,
                )
                % {**context, "count": shown_count(entered)},
                entered,
                url,
                note=_("Second chance of %(year)s, published on %(day)s.") % context,
            )
        ]
    # As last counted (exams.tallies): counting walks every line the period examines (issue 19).
    tally = tally_of(period, count_now="missing")
    missing, courses = tally.lines, tally.courses
    counted = counted_when(tally.counted_at, clock.now())
    return [
        Item(
            ngettext(
                "%(count)s mark missing for exam period %(number)s",
                "%(count)s marks missing for exam period %(number)s",
                missing,
            )
            % {**context, "count": missing},
            missing,
            url,
            "danger" if period.results_published_on <= today + datetime.timedelta(days=7) else "warning",
            ngettext(
                "In %(courses)s course; the results of %(year)s are published on %(day)s.",
                "In %(courses)s courses; the results of %(year)s are published on %(day)s.",
                courses,
            )
            % {**context, "courses": courses}
            + " "
            + counted,
        )
    ]


def register() -> None:
    register_panel(
        Panel(
            "exams",
            gettext_lazy("Exam results"),
            Capability.RESULTS_OFFICE,
            40,
            items,
            ("exams:marksheet", gettext_lazy("Upload a marksheet")),
        )
    )
