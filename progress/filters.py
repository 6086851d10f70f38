"""The coach's student list: filters on the enrolments in the user's scope (django-filter),
and the sortable column headers; the risk list's filters on the risk signals (Art. 28)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from core.filters import OrderingFilter, WordSearchMixin
from programmes.models import AcademicYear, Programme
from students import rules
from students.models import EnrolmentStatus, ISPStatus
from students.selectors import student_found_q

from .models import RiskKind, RiskLevel

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
# The name, then the student number (the order of the index ``student_name_order``: a page is
# read by walking it, issue 19), then the id.
TIE_BREAK = ("student__last_name", "student__first_name", "student__number", "pk")
# The sort keys read through the leading key's few values (core.pagination.grouped_rows): the
# field, and what its groups are (``progress.views.sort_groups``).
GROUPED_SORTS = {
    "programme": "programme",
    "year": "academic_year",
    "contract": "contract",
    "status": "status",
    "isp": "isp_status",
}
# The sort keys computed for every row (no index): read only when the list has at most
# ``core.pagination.CAP`` rows (issue 19).
COMPUTED_SORTS = frozenset({"credits", "balance"})


class StableOrderingFilter(OrderingFilter):
    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value and any(v for v in value):
            qs = qs.order_by(*qs.query.order_by, *TIE_BREAK)
        return qs


class _ListedChoiceIterator(ModelChoiceIterator):
    """The choices of a ``_ListedModelChoiceField``: its rows, read once."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.field.rows:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows) + (self.field.empty_label is not None) + (self.field.null_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows)


class _ListedModelChoiceField(ModelChoiceField):
    """A model choice whose rows are read once for the form (the options shown and the check
    of the chosen one; a ModelChoiceField reads its queryset for each), or given as ``rows``
    (the rows of ``queryset``, already read by the caller): the student list's query budget
    (issue 19)."""

    iterator = _ListedChoiceIterator

    def __init__(self, *args, rows=None, **kwargs):
        self._given_rows = rows
        self._read_rows = None
        super().__init__(*args, **kwargs)

    @property
    def rows(self) -> list:
        if self._given_rows is not None:
            return self._given_rows
        if self._read_rows is None:
            self._read_rows = list(self.queryset)
        return self._read_rows

    def _set_queryset(self, queryset):
        self._read_rows = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def to_python(self, value):
        """As ModelChoiceField's, the chosen row found among the rows instead of by a query."""
        if self.null_label is not None and value == self.null_value:
            return value
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        key = self.to_field_name or "pk"
        model = self.queryset.model
        if isinstance(value, model):
            value = getattr(value, key)
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        try:
            wanted = field.get_prep_value(value)
        except (ValueError, TypeError):
            wanted = None
        for row in self.rows if wanted is not None else ():
            if getattr(row, key) == wanted:
                return row
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class _ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ListedModelChoiceField


class EnrolmentFilter(WordSearchMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or student number"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("name or number"), "autofocus": True}),
    )
    programme = _ListedModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("all programmes")
    )
    academic_year = _ListedModelChoiceFilter(
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

    def __init__(self, *args, programmes=None, years=None, year_rows=None, **kwargs):
        """``programmes`` and ``years``: the choices (every one unless told); ``year_rows``:
        the rows of ``years``, when the caller has read them already."""
        super().__init__(*args, **kwargs)
        self.filters["programme"].queryset = programmes if programmes is not None else Programme.objects.all()
        self.filters["academic_year"].queryset = years if years is not None else AcademicYear.objects.all()
        if year_rows is not None:
            self.filters["academic_year"].extra["rows"] = year_rows

    def filter_q(self, queryset, name, value):
        return queryset.filter(student_found_q(self.words(value)))

    def filter_below_60(self, queryset, name, value):
        return queryset.filter(balance__lt=rules.LIMITED_BALANCE) if value else queryset

    def filter_refused(self, queryset, name, value):
        """The enrolments refused (by a study progress measure or the learning account,
        Art. 29-33) in the years the other filters select: an enrolment is listed once,
        with its own status; a refusal of a later year does not list this year's one."""
        return queryset.filter(status=EnrolmentStatus.REFUSED) if value else queryset


def sort_links(query, fields=SORT_FIELDS) -> dict[str, dict]:
    """For each sort key of ``fields`` (the student list's unless told): ``query`` (the list's
    filters, a QueryDict without ``page``) with the ordering a click on the column's header
    asks for, and the column's current ``direction`` ("ascending", "descending" or "") for
    ``aria-sort``."""
    current = query.get("ordering", "")
    links = {}
    for _field, key in fields:
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


# --- The coach's risk list (Art. 28) --------------------------------------------------------
# The risk list's sort keys (the ``ordering`` parameter). Without one the list reads most
# urgent first (``RISK_DEFAULT_ORDER``); "urgency" ascending is the least urgent first.
RISK_SORT_FIELDS = (
    ("urgency", "urgency"),
    ("student__last_name", "student"),
    ("kind", "kind"),
    ("computed_on", "computed"),
)
# A sort on the student is on the name, then the number (two students may share a name).
RISK_SORT_THEN = {"student__last_name": ("student__first_name", "student__number")}
# Most urgent first, then the student number; every ordering ends with these, and the primary
# key, so that a page never shows a row twice or skips one.
RISK_DEFAULT_ORDER = ("-urgency", "student__number", "kind", "course_code", "pk")


class RiskOrderingFilter(OrderingFilter):
    def filter(self, qs, value):
        if not value or not any(v for v in value):
            return qs.order_by(*RISK_DEFAULT_ORDER)
        ordering = []
        for param in value:
            if not param:
                continue
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            ordering.append(field)
            for then in RISK_SORT_THEN.get(field.lstrip("-"), ()):
                ordering.append(f"-{then}" if descending else then)
        return qs.order_by(*ordering, *RISK_DEFAULT_ORDER)


class RiskSignalFilter(WordSearchMixin, django_filters.FilterSet):
    """The coach's risk list (Art. 28): the risk signals as last computed, by kind, level,
    programme and student (name or number), sorted most urgent first unless told."""

    q = django_filters.CharFilter(
        label=_("Name or student number"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("name or number")}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RiskKind.choices, empty_label=_("any"))
    level = django_filters.ChoiceFilter(label=_("Level"), choices=RiskLevel.choices, empty_label=_("any"))
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("all programmes")
    )
    ordering = RiskOrderingFilter(
        label=_("Sort by"),
        empty_label=_("most urgent first"),
        fields=RISK_SORT_FIELDS,
        field_labels={
            "urgency": _("urgency"),
            "student__last_name": _("student"),
            "kind": _("kind"),
            "computed_on": _("computed on"),
        },
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["programme"].queryset = programmes if programmes is not None else Programme.objects.all()

    def filter_q(self, queryset, name, value):
        return queryset.filter(student_found_q(self.words(value)))
