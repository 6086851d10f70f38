"""Student administration's fee pages: the open balances and their CSV export."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.csv import csv_response
from core.pagination import CappedPaginator, grouped_rows
from core.permissions import Capability, requires

from .filters import OpenBalanceFilter
from .selectors import latest_statements


def _filtered(request) -> OpenBalanceFilter:
    queryset = (
        latest_statements()
        .exclude(total=0)
        .select_related("student")
        .order_by("-academic_year_code", "student__last_name", "student__first_name", "student__number", "key")
    )
    return OpenBalanceFilter(request.GET or None, queryset=queryset)


# The order within an academic year (the list's order after the year, newest first): the
# student's name and number (an index walk, issue 19), then the fee.
YEAR_ORDER = ("student__last_name", "student__first_name", "student__number", "key")


@requires(Capability.FEE_PAGES)
def open_balances(request):
    found = _filtered(request)
    chosen = found.form.cleaned_data.get("academic_year_code") if found.is_bound and found.form.is_valid() else ""
    groups = [{"academic_year_code": code} for code in ([chosen] if chosen else found.year_codes)]
    queryset = found.qs
    paginator = CappedPaginator(
        queryset, 50, rows=lambda offset, limit: grouped_rows(queryset, groups, YEAR_ORDER, offset, limit)
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "fees/open_balances.html", {"filter": found, "page": page, "query": query.urlencode()})


@requires(Capability.FEE_PAGES)
def export_csv(request):
    """The filtered open balances for the finance department, one row per fee."""
    response, writer = csv_response("open-balances.csv")
    writer.row(
        [
            _("student number"),
            _("name"),
            _("academic year"),
            _("fee group"),
            _("programmes"),
            _("grant status"),
            _("date"),
            _("fixed cost"),
            _("variable cost"),
            _("surcharge"),
            _("digital learning platform"),
            _("amount"),
        ]
    )
    for s in _filtered(request).qs.iterator():
        writer.row(
            [
                s.student.number,
                s.student.full_name,
                s.academic_year_code,
                s.get_group_display(),
                s.programme_codes,
                s.get_grant_status_display(),
                s.on,
                s.fixed,
                s.variable,
                s.surcharge,
                s.platform,
                s.total,
            ]
        )
    return response
