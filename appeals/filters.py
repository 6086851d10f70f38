"""The appeal register's filters (django-filter)."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme

from . import rules
from .models import AppealStatus, Category, Outcome


class AppealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Student or reference"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("name, number or A-0001")}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AppealStatus.choices, empty_label=_("any"))
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices, empty_label=_("any"))
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("any"))
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.all(), empty_label=_("all programmes")
    )
    due_soon = django_filters.BooleanFilter(
        label=_("Due within five days"), method="filter_due_soon", widget=forms.CheckboxInput
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue", widget=forms.CheckboxInput)
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("newest first"),
        fields=(("decision_due_on", "due"), ("posted_on", "posted"), ("student__last_name", "name")),
        field_labels={
            "decision_due_on": _("decision due"),
            "posted_on": _("postal date"),
            "student__last_name": _("name"),
        },
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def filter_q(self, queryset, name, value):
        for word in value.split():
            reference = word.upper().removeprefix("A-")
            q = (
                Q(student__number__icontains=word)
                | Q(student__first_name__icontains=word)
                | Q(student__last_name__icontains=word)
            )
            if reference.isdigit():
                q |= Q(pk=int(reference))
            queryset = queryset.filter(q)
        return queryset

    def filter_due_soon(self, queryset, name, value):
        if not value:
            return queryset
        soon = self.today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
        return queryset.filter(status=AppealStatus.OPEN, decision_due_on__gte=self.today, decision_due_on__lte=soon)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=AppealStatus.OPEN).filter(
            Q(overdue_since__isnull=False) | Q(decision_due_on__lt=self.today)
        )
