"""The open balances list for student administration (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import WordSearchMixin
from programmes.models import Programme
from students.models import GrantStatus
from students.selectors import student_found_q

from .models import FeeStatement
from .selectors import statement_year_codes


class OpenBalanceFilter(WordSearchMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or student number"), method="filter_q")
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        empty_label=_("all programmes"),
        method="filter_programme",
    )
    academic_year_code = django_filters.ChoiceFilter(label=_("Academic year"), empty_label=_("all academic years"))
    grant_status = django_filters.ChoiceFilter(
        label=_("Grant status"), choices=GrantStatus.choices, empty_label=_("any")
    )
    total_min = django_filters.NumberFilter(label=_("Amount from"), field_name="total", lookup_expr="gte")
    total_max = django_filters.NumberFilter(label=_("Amount up to"), field_name="total", lookup_expr="lte")

    class Meta:
        model = FeeStatement
        fields = ["q", "programme", "academic_year_code", "grant_status", "total_min", "total_max"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year_codes = statement_year_codes()
        self.filters["academic_year_code"].extra["choices"] = [(c, c) for c in self.year_codes]

    def filter_q(self, queryset, name, value):
        return queryset.filter(student_found_q(self.words(value)))

    def filter_programme(self, queryset, name, value):
        if not value:
            return queryset
        code = value.code
        return queryset.filter(
            Q(programme_codes=code)
            | Q(programme_codes__startswith=f"{code}, ")
            | Q(programme_codes__endswith=f", {code}")
            | Q(programme_codes__contains=f", {code}, ")
        )
