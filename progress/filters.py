"""The coach's student list: filters on the enrolments in the user's scope (django-filter)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from programmes.models import AcademicYear, Programme
from students import rules
from students.models import EnrolmentStatus, ISPStatus, Measure

REFUSAL_KINDS = (
    "threshold_refusal",
    "repeated_failure_refusal",
    "learning_account_refusal",
    "binding_conditions_refusal",
)


class EnrolmentFilter(django_filters.FilterSet):
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
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("programme and name"),
        fields=(
            ("student__last_name", "name"),
            ("student__number", "number"),
            ("programme__code", "programme"),
            ("academic_year__starts_on", "year"),
            ("isp_status", "isp"),
            ("balance", "balance"),
        ),
        field_labels={
            "student__last_name": _("name"),
            "student__number": _("student number"),
            "programme__code": _("programme"),
            "academic_year__starts_on": _("academic year"),
            "isp_status": _("ISP status"),
            "balance": _("learning account"),
        },
    )

    def __init__(self, *args, programmes=None, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["programme"].queryset = programmes if programmes is not None else Programme.objects.all()
        self.filters["academic_year"].queryset = years if years is not None else AcademicYear.objects.all()

    def filter_q(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(student__number__icontains=word)
                | Q(student__first_name__icontains=word)
                | Q(student__last_name__icontains=word)
            )
        return queryset

    def filter_below_60(self, queryset, name, value):
        return queryset.filter(balance__lt=rules.LIMITED_BALANCE) if value else queryset

    def filter_refused(self, queryset, name, value):
        if not value:
            return queryset
        refusal = Measure.objects.filter(student=OuterRef("student"), kind__in=REFUSAL_KINDS, lifted_on__isnull=True)
        return queryset.filter(Q(status=EnrolmentStatus.REFUSED) | Exists(refusal))
