"""Forms of the catalogue, used by the admin (and later by the catalogue pages)."""

import datetime
from itertools import combinations

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from core import clock
from core.dates import show_date
from core.validators import EARLIEST, around_year, check_dates

from . import rules
from .models import AcademicYear, Course, ExamPeriod, Programme

CREDITS_POSITIVE = _("Credits must be a whole number of at least 1.")
STAGE_AT_LEAST_ONE = _("The programme stage starts at 1.")


def _require_at_least(field: forms.Field, minimum: int, message) -> None:
    """Replace the field's lower bound (0 for a positive integer model field) with
    ``minimum`` and our own message, so that 0 and -1 get the same clear error."""
    field.min_value = minimum
    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
    field.validators.append(MinValueValidator(minimum, message=message))
    field.widget.attrs["min"] = minimum


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["code", "name", "kind", "degree_code", "cluster", "credits", "tolerance_cap"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "credits" in self.fields:
            _require_at_least(self.fields["credits"], 1, CREDITS_POSITIVE)


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "programme",
            "code",
            "name",
            "credits",
            "semester",
            "stage",
            "tolerable",
            "resit",
            "pass_fail",
            "elective",
            "identical_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "credits" in self.fields:
            _require_at_least(self.fields["credits"], 1, CREDITS_POSITIVE)
        if "stage" in self.fields:
            _require_at_least(self.fields["stage"], 1, STAGE_AT_LEAST_ONE)


# How far ahead an academic year can be set up (its calendar is planned ahead of the year).
YEARS_AHEAD = 5


def calendar_dates(year: AcademicYear | None):
    """The dates of an academic year's calendar and exam periods: that year with the years
    before and after it (``core.validators.around_year``, planned ahead: no bound by today)."""
    if year is None or year.starts_on is None or year.ends_on is None:
        return None
    return around_year(year.starts_on, year.ends_on, today=None)


class AcademicYearForm(forms.ModelForm):
    """An academic year from 1950-1951 up to ``YEARS_AHEAD`` years ahead; its dates lie in the
    calendar years the code names, or the year before or after."""

    class Meta:
        model = AcademicYear
        fields = ["code", "starts_on", "ends_on", *rules.CALENDAR_FIELDS]

    def clean_code(self):
        code = self.cleaned_data["code"]
        first = rules.parse_academic_year_code(code)
        last = clock.today().year + YEARS_AHEAD
        if first is not None and not EARLIEST.year <= first <= last:
            raise ValidationError(
                _("Give an academic year from %(earliest)s to %(latest)s.")
                % {"earliest": rules.academic_year_code(EARLIEST.year), "latest": rules.academic_year_code(last)},
                code="year_range",
            )
        return code

    def _post_clean(self):
        # A refused code is left out of the instance: the model's check would then only add
        # "use two consecutive years" to the code's own message.
        if "code" not in self._errors:
            super()._post_clean()

    def clean(self):
        first = rules.parse_academic_year_code(self.cleaned_data.get("code") or "")
        if first is not None:
            allowed = around_year(datetime.date(first, 1, 1), datetime.date(first + 1, 12, 31), today=None)
            dates = [name for name, field in self.fields.items() if isinstance(field, forms.DateField)]
            check_dates(self, dict.fromkeys(dates, allowed))
        return super().clean()


class ExamPeriodForm(forms.ModelForm):
    class Meta:
        model = ExamPeriod
        fields = ["academic_year", "number", "starts_on", "ends_on", "results_published_on"]

    def clean(self):
        # The publication, too, belongs with the academic year (an exam period lies inside it).
        year = self.cleaned_data.get("academic_year")
        if year is None:
            try:
                year = self.instance.academic_year  # an inline's: the year being saved
            except ObjectDoesNotExist:
                year = None
        allowed = calendar_dates(year)
        if allowed is not None:
            check_dates(self, dict.fromkeys(("starts_on", "ends_on", "results_published_on"), allowed))
        return super().clean()


class ExamPeriodInlineFormSet(forms.BaseInlineFormSet):
    """The exam periods of one academic year, checked against each other.

    ``ExamPeriod.clean`` compares a period with the rows already saved, and it cannot
    see the academic year at all while that year is being added. Here every period
    of the submission is checked against the year being saved (with the dates just
    entered) and against every other period of the same submission.
    """

    def clean(self):
        super().clean()
        year = self.instance
        periods = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (self.can_delete and self._should_delete_form(form)):
                continue
            if not form.has_changed() and form.instance._state.adding:
                continue  # an empty extra row
            start, end = form.cleaned_data.get("starts_on"), form.cleaned_data.get("ends_on")
            if not (start and end):
                continue
            if year.starts_on and year.ends_on and not (year.contains(start) and year.contains(end)):
                form.add_error(
                    "starts_on",
                    _("The exam period must lie inside academic year %(year)s (%(start)s to %(end)s).")
                    % {"year": year.code, "start": show_date(year.starts_on), "end": show_date(year.ends_on)},
                )
                continue
            periods.append((form, form.cleaned_data.get("number"), start, end))

        overlapping = []
        for (_form_a, number_a, start_a, end_a), (form_b, number_b, start_b, end_b) in combinations(periods, 2):
            if rules.periods_overlap(start_a, end_a, start_b, end_b):
                form_b.add_error(
                    "starts_on", _("The exam period overlaps exam period %(number)s.") % {"number": number_a}
                )
                overlapping.append((number_a, number_b))
        if overlapping:
            raise ValidationError(
                [
                    ValidationError(
                        _("Exam periods %(first)s and %(second)s overlap."),
                        code="overlap",
                        params={"first": a, "second": b},
                    )
                    for a, b in overlapping
                ]
            )
