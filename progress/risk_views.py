"""The coach's risk list (Art. 28): the risk signals as last computed (``RiskSignal``, filled
after each publication) of the students the user sees, filtered by kind, level, programme
and student, sorted most urgent first, and the same list as a CSV file.

Art. 28: "Through the study progress file, students learn when they run the risk of being
refused further enrolment due to negative study results". The list lets the coach find
them first; the grounds are on each student's page (computed afresh, in the reader's
language)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import clock, pagination
from core.csv import csv_response
from core.pagination import CappedPaginator, grouped_rows, shown_count
from core.permissions import Capability, requires, scope
from programmes.models import Programme
from students.selectors import students_for

from .filters import RISK_DEFAULT_ORDER, RISK_SORT_FIELDS, RiskSignalFilter, sort_links
from .home import SubqueryCount
from .models import RiskLevel, RiskSignal
from .risk import URGENCY

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
    """The number of ``signals`` at each level, the most urgent first, each up to
    ``core.pagination.CAP + 1`` (shown "1,000+" beyond, issue 19), in one query."""
    cap = pagination.CAP
    levels = list(reversed(RiskLevel.choices))
    row = (
        RiskSignal.objects.order_by()
        .annotate(
            **{
                f"n_{level}": SubqueryCount(signals.filter(level=level).order_by().values("pk")[: cap + 1])
                for level, _label in levels
            }
        )
        .values(*(f"n_{level}" for level, _label in levels))[:1]
    )
    counts = next(iter(row), {})
    return [
        {
            "level": level,
            "label": label,
            "count": counts.get(f"n_{level}", 0),
            "shown": shown_count(counts.get(f"n_{level}", 0)),
            "badge": LEVEL_BADGES[level],
        }
        for level, label in levels
    ]


def risk_pages(filterset) -> CappedPaginator:
    """The risk list's pages (issue 19): the first ``core.pagination.CAP`` signals. In the
    default order (most urgent first) a page is read a level at a time (``grouped_rows``: the
    signals of one urgency in the order of the student numbers, an index walk), not by sorting
    every signal; a search or another sort reads its signals and sorts them."""
    queryset = filterset.qs
    paginator = CappedPaginator(queryset, PAGE_SIZE)
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    if not data.get("ordering") and not data.get("q"):
        level = data.get("level")
        urgencies = [URGENCY[level]] if level else sorted(set(URGENCY.values()), reverse=True)
        groups = [{"urgency": urgency} for urgency in urgencies]
        order = RISK_DEFAULT_ORDER[1:]
        paginator.rows = lambda offset, limit: grouped_rows(queryset, groups, order, offset, limit)
    return paginator


@require_GET
@requires(Capability.STUDENT_PAGES)
def risk_list(request):
    filterset = risk_filter(request)
    page = risk_pages(filterset).get_page(request.GET.get("page"))
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
