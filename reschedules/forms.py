"""Forms of the ombudsperson's pages; the rules and their messages stay in the services."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.validators import BoundedDatesMixin
from exams.forms import ExamPeriodField
from programmes.models import Course, ExamPeriod
from programmes.selectors import year_dates

from .models import RequestKind
from .services import REFUSALS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodSelect(forms.Select):
    """The exam period choice, each option with the academic year it belongs to (``data-year``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.years: dict[int, int] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.years:
            option["attrs"]["data-year"] = str(self.years[key])
        return option


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RequestForm(BoundedDatesMixin, forms.Form):
    """A request as it came in. ``lines`` are the student's ISP lines the user may log for;
    any course of their programmes is accepted here so that the service can say why one
    that is not in the ISP is refused."""

    # No default: the kind decides the deadline and the rules, so the user chooses it.
    kind = forms.ChoiceField(
        label=_("Kind of request"),
        choices=[("", _("Choose the kind of request")), *RequestKind.choices],
        error_messages={"required": _("Choose the kind of request.")},
    )
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.none(),
        error_messages={"required": _("Choose the course of the exam.")},
    )
    exam_period = ExamPeriodField(
        label=_("Exam period"),
        queryset=ExamPeriod.objects.none(),
        widget=PeriodSelect,
        help_text=_("The exam periods of the academic year of the chosen course's ISP."),
        error_messages={"required": _("Choose the exam period.")},
    )
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the student asks and why, in a few words."),
        error_messages={"required": _("Give the reason of the request.")},
    )
    evidence = forms.CharField(
        label=_("Evidence received"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: medical certificate of 12 January; statement of the sports federation."),
    )
    evidence_received_on = forms.DateField(label=_("Evidence received on"), required=False, widget=DATE)

    def __init__(self, *args, lines=(), courses=None, periods=None, today=None, exempted=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.exempted = set(exempted)  # course ids exempted in the ISP: no exam to move
        course_field = self.fields["course"]
        course_field.queryset = courses if courses is not None else Course.objects.none()
        # Offer the courses of the ISP (of each year); the queryset accepts the others.
        groups: dict[str, list] = {}
        seen = set()
        self.course_years: dict[int, set[int]] = {}  # course id -> academic years whose ISP has it
        for line in lines:
            year = line.enrolment.academic_year
            self.course_years.setdefault(line.course_id, set()).add(year.pk)
            label = str(_("ISP %(year)s") % {"year": year.code})
            if (label, line.course_id) in seen:
                continue
            seen.add((label, line.course_id))
            groups.setdefault(label, []).append((line.course_id, f"{line.course.code} {line.course.name}"))
        course_field.choices = [("", _("Choose the course")), *groups.items()]
        period_field = self.fields["exam_period"]
        period_field.queryset = periods if periods is not None else ExamPeriod.objects.none()
        period_field.empty_label = _("Choose the exam period")
        # The page offers the exam periods of the chosen course's year only (data-year, reschedules.js).
        period_field.widget.years = {p.pk: p.academic_year_id for p in period_field.queryset}

    def date_ranges(self):
        # The request and its evidence belong with the academic year of the exam period.
        period = self.cleaned_data.get("exam_period")
        if period is None:
            return super().date_ranges()
        return dict.fromkeys(self.date_fields(), year_dates(year=period.academic_year, today=self.today_or_clock()))

    def course_years_json(self) -> dict[str, list[int]]:
        return {str(course): sorted(years) for course, years in self.course_years.items()}

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if self.today is not None and day > self.today:
            raise forms.ValidationError(
                _("A request cannot be logged ahead of today (%(today)s).")
                % {"today": formats.date_format(self.today, "SHORT_DATE_FORMAT")}
            )
        return day

    def clean(self):
        data = super().clean()
        course, period = data.get("course"), data.get("exam_period")
        if course is None or period is None or not self.course_years:
            return data
        years = self.course_years.get(course.pk, set())
        if not years:
            params = {"course": f"{course.code} {course.name}", "year": period.academic_year.code}
            refusal = "exempted" if course.pk in self.exempted else "not_in_isp"
            self.add_error("course", REFUSALS[refusal] % params)
        elif period.academic_year_id not in years:
            offered = sorted(
                {p.academic_year.code for p in self.fields["exam_period"].queryset if p.academic_year_id in years}
            )
            self.add_error(
                "exam_period",
                _("%(course)s is not in this student's ISP for %(year)s: choose an exam period of %(years)s.")
                % {"course": course.code, "year": period.academic_year.code, "years": ", ".join(offered) or "–"},
            )
        return data


class DecisionForm(BoundedDatesMixin, forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("accepted")), ("no", _("rejected"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The decision is final (Art. 57) and is communicated with its reason."),
    )
    new_on = forms.DateField(label=_("New date"), required=False, widget=DATE)
    new_starts_at = forms.TimeField(label=_("New start time"), required=False, widget=TIME)
    new_room = forms.CharField(label=_("New room"), required=False, max_length=100)
    clash_override_reason = forms.CharField(
        label=_("Keep the new moment although it clashes: why"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_(
            "Only when the new moment clashes with another exam of the student and is kept anyway (for example: "
            "the other exam is moved too). The reason is recorded with the decision."
        ),
    )

    def __init__(self, *args, clash=False, **kwargs):
        super().__init__(*args, **kwargs)
        if clash or (self.data.get("clash_override_reason") or "").strip():
            self.show_clash_override()

    def date_ranges(self):
        # A rejection has no new moment: a date left in the field is ignored, not checked.
        return super().date_ranges() if self.cleaned_data.get("accepted") else {}

    def show_clash_override(self):
        self.fields["clash_override_reason"].widget = forms.Textarea(attrs={"rows": 2})


class MissedForm(forms.Form):
    very_serious_case = forms.BooleanField(
        label=_("A very serious case of force majeure: the student keeps the exam opportunity"),
        required=False,
        help_text=_("Without it the opportunity is lost and NA is entered as the result (Art. 43)."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
