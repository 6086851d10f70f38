"""The coach's risk list (Art. 28): the risk signals as last computed (``RiskSignal``, filled
after each publication) of the students the user sees, filtered by kind, level, programme
and student, sorted most urgent first, and the same list as a CSV file.

Art. 28: "Through the study progress file, students learn when they run the risk of being
refused further enrolment due to negative study results". The list lets the coach find
them first; the grounds are on each student's page (computed afresh, in the reader's
language)."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import clock
from core.csv import csv_response
from core.permissions import Capability, requires, scope
from programmes.models import Programme
from students.selectors import students_for

from .filters import RISK_SORT_FIELDS, RiskSignalFilter, sort_links
from .models import RiskLevel, RiskSignal

PAGE_SIZE = 50

# The badge of each level: the colour repeats what its text says (never the colour alone).
LEVEL_BADGES = {
    RiskLevel.REFUSAL_AHEAD: "text-bg-danger",
    RiskLevel.WARNING: "text-bg-warning",
    RiskLevel.INFORMATION: "text-bg-info",
}


def signals_for(user):
    """The risk signals of the students ``user`` sees (``students_for``: the student pages)."""
    signals = RiskSignal.objects.all()
    if scope(user).sees_all:
        return signals
    return signals.filter(student__in=students_for(user))


def risk_filter(request) -> RiskSignalFilter:
    """The risk list's filters on the signals the user sees (the page and its CSV export)."""
    user_scope = scope(request.user)
    signals = signals_for(request.user).select_related("student", "programme")
    if user_scope.sees_all:
        programmes = Programme.objects.all()
    else:
        programmes = Programme.objects.filter(pk__in={p for p, _y in user_scope.visible})
    return RiskSignalFilter(request.GET, queryset=signals, programmes=programmes.order_by("code"), request=request)


def level_counts(signals) -> list[dict]:
    """The number of ``signals`` at each level, the most urgent first (one query)."""
    counts = dict(signals.order_by().values_list("level").annotate(n=Count("pk")))
    return [
        {"level": level, "label": label, "count": counts.get(level, 0), "badge": LEVEL_BADGES[level]}
        for level, label in reversed(RiskLevel.choices)
    ]


@require_GET
@requires(Capability.STUDENT_PAGES)
def risk_list(request):
    filterset = risk_filter(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort = sort_links(query, RISK_SORT_FIELDS)
    if not query.get("ordering"):
        # Without a sort asked for, the list reads most urgent first.
        sort["urgency"]["direction"] = "descending"
    return render(
        request,
        "progress/risk_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "sort": sort,
            "counts": level_counts(filterset.qs),
            "badges": LEVEL_BADGES,
        },
    )


@require_GET
@requires(Capability.STUDENT_PAGES)
def risk_list_csv(request):
    """The filtered risk list (the same filters and order as the page, every page) as a CSV
    file for a Belgian Excel (``core.csv``)."""
    signals = risk_filter(request).qs
    response, writer = csv_response(_("risk-signals-%(day)s.csv") % {"day": clock.today().isoformat()})
    writer.row(
        [
            _("Student number"),
            _("Last name"),
            _("First name"),
            _("Programme"),
            _("Kind"),
            _("Level"),
            _("Course"),
            _("Computed on"),
        ]
    )
    for signal in signals:
        writer.row(
            [
                signal.student.number,
                signal.student.last_name,
                signal.student.first_name,
                signal.programme.code,
                signal.get_kind_display(),
                signal.get_level_display(),
                signal.course_code,
                signal.computed_on,
            ]
        )
    return response
