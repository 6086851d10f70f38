"""Student administration's results panel on the home page (core.home): the marks still
missing before the next publication of exam results (Art. 86).

A mark is missing for an ISP line of the exam period's academic year that is examined in
that period and has no result in it yet: first-semester courses in exam period 1,
second-semester and year courses in exam period 2 (Art. 36), lines still in the ISP, not
exempted, of enrolled students. The third exam period is the second chance, taken only by
the students who choose to: nothing is missing there, the panel shows the marks entered."""

import datetime

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import pagination
from core.home import Item, Panel, register_panel
from core.pagination import shown_count
from core.permissions import Capability
from programmes.models import ExamPeriod, Semester
from students.models import EnrolmentStatus, ISPLine

from .models import Result
from .publication import published_periods

# The semesters whose courses an exam period examines for the first time (Art. 36).
EXAMINED = {1: (Semester.FIRST,), 2: (Semester.SECOND, Semester.YEAR)}


def next_publication(today: datetime.date) -> ExamPeriod | None:
    """The exam period whose results are published next: on ``today`` or later, not run yet."""
    periods = list(
        ExamPeriod.objects.filter(results_published_on__gte=today)
        .select_related("academic_year")
        .order_by("results_published_on", "pk")[:4]
    )
    done = published_periods(periods)
    return next((p for p in periods if p.pk not in done), None)


def missing_marks(period: ExamPeriod):
    """The ISP lines examined in ``period`` (1 or 2) that have no result in it yet."""
    return ISPLine.objects.filter(
        enrolment__academic_year_id=period.academic_year_id,
        enrolment__status=EnrolmentStatus.ENROLLED,
        removed_on__isnull=True,
        exempted=False,
        course__semester__in=EXAMINED.get(period.number, ()),
    ).exclude(Exists(Result.objects.filter(isp_line=OuterRef("pk"), exam_period=period)))


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
    # Not capped (issue 19): the lines of a year carry no key of their own (the year is their
    # enrolment's), so a count up to the cap still walks every line the period examines when few
    # marks are missing, the state before a publication, and a LIMIT turns PostgreSQL's hash
    # anti-join into a slower walk in key order (1.6 s instead of 0.6 s at 25,000 students).
    counts = missing_marks(period).aggregate(lines=Count("pk"), courses=Count("course", distinct=True))
    missing, courses = counts["lines"], counts["courses"]
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
            % {**context, "courses": courses},
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
