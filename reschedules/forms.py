"""Forms of the ombudsperson's pages; the rules and their messages stay in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exams.forms import ExamPeriodField
from programmes.models import Course, ExamPeriod

from .models import RequestKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RequestForm(forms.Form):
    """A request as it came in. ``lines`` are the student's ISP lines the user may log for;
    any course of their programmes is accepted here so that the service can say why one
    that is not in the ISP is refused."""

    kind = forms.ChoiceField(label=_("Kind of request"), choices=RequestKind.choices)
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    exam_period = ExamPeriodField(label=_("Exam period"), queryset=ExamPeriod.objects.none())
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the student asks and why, in a few words."),
    )
    evidence = forms.CharField(
        label=_("Evidence received"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: medical certificate of 12 January; statement of the sports federation."),
    )
    evidence_received_on = forms.DateField(label=_("Evidence received on"), required=False, widget=DATE)

    def __init__(self, *args, lines=(), courses=None, periods=None, **kwargs):
        super().__init__(*args, **kwargs)
        course_field = self.fields["course"]
        course_field.queryset = courses if courses is not None else Course.objects.none()
        # Offer the courses of the ISP (of each year); the queryset accepts the others.
        groups: dict[str, list] = {}
        seen = set()
        for line in lines:
            label = str(_("ISP %(year)s") % {"year": line.enrolment.academic_year.code})
            if (label, line.course_id) in seen:
                continue
            seen.add((label, line.course_id))
            groups.setdefault(label, []).append((line.course_id, f"{line.course.code} {line.course.name}"))
        course_field.choices = [("", "---------"), *groups.items()]
        self.fields["exam_period"].queryset = periods if periods is not None else ExamPeriod.objects.none()


class DecisionForm(forms.Form):
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


class MissedForm(forms.Form):
    very_serious_case = forms.BooleanField(
        label=_("A very serious case of force majeure: the student keeps the exam opportunity"),
        required=False,
        help_text=_("Without it the opportunity is lost and NA is entered as the result (Art. 43)."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
