"""The ombudsperson's queue of reschedule requests (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import WordSearchMixin
from exams.forms import ExamPeriodField
from programmes.models import ExamPeriod, Programme
from students.selectors import student_found_q

from .models import RequestKind, RequestStatus


class ExamPeriodFilter(django_filters.ModelChoiceFilter):
    field_class = ExamPeriodField


class RequestFilter(WordSearchMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or student number"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("name or number")}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RequestKind.choices, empty_label=_("all kinds"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RequestStatus.choices, empty_label=_("any"))
    exam_period = ExamPeriodFilter(
        label=_("Exam period"), queryset=ExamPeriod.objects.none(), empty_label=_("all exam periods")
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        field_name="isp_line__enrolment__programme",
        queryset=Programme.objects.none(),
        empty_label=_("all programmes"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue: open after its decision date"), method="filter_overdue", widget=forms.CheckboxInput
    )
    late = django_filters.BooleanFilter(
        label=_("Late or not eligible"), method="filter_late", widget=forms.CheckboxInput
    )

    def __init__(self, *args, today, programmes=None, periods=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["programme"].queryset = programmes if programmes is not None else Programme.objects.all()
        self.filters["exam_period"].queryset = periods if periods is not None else ExamPeriod.objects.all()

    def filter_q(self, queryset, name, value):
        return queryset.filter(student_found_q(self.words(value), "isp_line__enrolment__student"))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        # rules.request_overdue, as a query.
        return queryset.filter(status=RequestStatus.OPEN, decide_by__lt=self.today)

    def filter_late(self, queryset, name, value):
        return queryset.filter(Q(late=True) | Q(ineligible=True)) if value else queryset
