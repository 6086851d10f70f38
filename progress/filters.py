"""The coach's student list: filters on the enrolments in the user's scope (django-filter),
and the sortable column headers."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import OrderingFilter, WordSearchMixin
from programmes.models import AcademicYear, Programme
from students import rules
from students.models import EnrolmentStatus, ISPStatus

# The sort keys (the ``ordering`` parameter) and the fields behind them. Every ordering ends
# with the name and the id, so that a page never shows a row twice or skips one.
SORT_FIELDS = (
    ("student__number", "number"),
    ("student__last_name", "name"),
    ("programme__code", "programme"),
    ("academic_year__starts_on", "year"),
    ("contract", "contract"),
    ("status", "status"),
    ("isp_status", "isp"),
    ("isp_credits", "credits"),
    ("balance", "balance"),
)
TIE_BREAK = ("student__last_name", "student__first_name", "pk")


class StableOrderingFilter(OrderingFilter):
    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value and any(v for v in value):
            qs = qs.order_by(*qs.query.order_by, *TIE_BREAK)
        return qs


class EnrolmentFilter(WordSearchMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or student number"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("name or number"), "autofocus": True}),
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("all programmes")
    )
    academic_year = django_filters.ModelChoiceFilter(
        label=_("Academic year"), queryset=AcademicYear.objects.none(), empty_label=_("all academic years")
    )
    isp_status = django_filters.ChoiceFilter(label=_("ISP status"), choices=ISPStatus.choices, empty_label=_("any"))
    below_60 = django_filters.BooleanFilter(
        label=_("Learning account below 60"), method="filter_below_60", widget=forms.CheckboxInput
    )
    refused = django_filters.BooleanFilter(label=_("Refused"), method="filter_refused", widget=forms.CheckboxInput)
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        empty_label=_("programme and name"),
        fields=SORT_FIELDS,
        field_labels={
            "student__number": _("student number"),
            "student__last_name": _("name"),
            "programme__code": _("programme"),
            "academic_year__starts_on": _("academic year"),
            "contract": _("contract"),
            "status": _("status"),
            "isp_status": _("ISP status"),
            "isp_credits": _("credits"),
            "balance": _("learning account"),
        },
    )

    def __init__(self, *args, programmes=None, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["programme"].queryset = programmes if programmes is not None else Programme.objects.all()
        self.filters["academic_year"].queryset = years if years is not None else AcademicYear.objects.all()

    def filter_q(self, queryset, name, value):
        for word in self.words(value):
            queryset = queryset.filter(
                Q(student__number__icontains=word)
                | Q(student__first_name__icontains=word)
                | Q(student__last_name__icontains=word)
            )
        return queryset

    def filter_below_60(self, queryset, name, value):
        return queryset.filter(balance__lt=rules.LIMITED_BALANCE) if value else queryset

    def filter_refused(self, queryset, name, value):
        """The enrolments refused (by a study progress measure or the learning account,
        Art. 29-33) in the years the other filters select: an enrolment is listed once,
        with its own status; a refusal of a later year does not list this year's one."""
        return queryset.filter(status=EnrolmentStatus.REFUSED) if value else queryset


def sort_links(query) -> dict[str, dict]:
    """For each sort key: ``query`` (the list's filters, a QueryDict without ``page``) with
    the ordering a click on the column's header asks for, and the column's current
    ``direction`` ("ascending", "descending" or "") for ``aria-sort``."""
    current = query.get("ordering", "")
    links = {}
    for _field, key in SORT_FIELDS:
        if current == key:
            direction, next_value = "ascending", f"-{key}"
        elif current == f"-{key}":
            direction, next_value = "descending", key
        else:
            direction, next_value = "", key
        params = query.copy()
        params["ordering"] = next_value
        links[key] = {"query": params.urlencode(), "direction": direction}
    return links
