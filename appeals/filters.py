"""The appeal register's filters (django-filter)."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import OrderingFilter, WordSearchMixin
from core.numbers import whole_number
from programmes.models import Programme
from students.selectors import student_found_q

from . import rules
from .models import AppealStatus, Category, Outcome


class AppealFilter(WordSearchMixin, django_filters.FilterSet):
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
    awaiting_elaboration = django_filters.BooleanFilter(
        label=_("Awaiting the elaboration"), method="filter_awaiting_elaboration", widget=forms.CheckboxInput
    )
    ordering = OrderingFilter(
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
        for word in self.words(value):
            q = student_found_q([word])
            reference = whole_number(word.upper().removeprefix("A-"))
            if reference is not None:
                q |= Q(pk=reference)
            queryset = queryset.filter(q)
        return queryset

    def filter_due_soon(self, queryset, name, value):
        return queryset.filter(due_soon_q(self.today)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(self.today)) if value else queryset

    def filter_awaiting_elaboration(self, queryset, name, value):
        return queryset.filter(AWAITING_ELABORATION) if value else queryset


def overdue_q(today: datetime.date) -> Q:
    """Open appeals whose decision is overdue (flagged by the clock, or due before ``today``)."""
    return Q(status=AppealStatus.OPEN) & (Q(overdue_since__isnull=False) | Q(decision_due_on__lt=today))


def due_soon_q(today: datetime.date) -> Q:
    """Open appeals whose decision is due within ``rules.DUE_SOON_DAYS`` days."""
    soon = today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
    return Q(status=AppealStatus.OPEN, decision_due_on__gte=today, decision_due_on__lte=soon)


# Lodged pending feedback and not elaborated yet (Art. 101).
AWAITING_ELABORATION = Q(status=AppealStatus.OPEN, pending_feedback=True, elaborated_on__isnull=True)
