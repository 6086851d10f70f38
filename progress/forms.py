"""Forms of the coach's pages; every decision stays in the services and rules."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import clock
from core.dates import show_date
from core.validators import BoundedDatesMixin, plausible
from students.models import DerogationGround, DerogationKind, DerogationOutcome

from . import advice as advice_rules
from .models import AdviceTopic

ACTIONS = [("add", _("add")), ("remove", _("remove")), ("exempt", _("exempt"))]


class VersionForm(forms.Form):
    """The ISP version the page showed: a save on an older version is refused (optimistic lock)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class WorkflowForm(VersionForm):
    """Submit or approve; after the deadline on the late route with its reason (DOMAIN §3)."""

    late_reason = forms.CharField(
        label=_("Reason for the late step"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with your name as the person who allowed it."),
    )


class ISPChangeForm(VersionForm):
    action = forms.ChoiceField(choices=ACTIONS)
    course = forms.IntegerField(required=False)
    line = forms.IntegerField(required=False)
    basis = forms.CharField(
        label=_("Basis of the exemption"),
        required=False,
        max_length=200,
        help_text=_("The credit certificate or other proof the exemption rests on (Art. 25)."),
    )
    confirm = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "add" and not data.get("course"):
            raise forms.ValidationError(_("Choose a course to add."))
        if action in ("remove", "exempt") and not data.get("line"):
            raise forms.ValidationError(_("Choose a line of the ISP."))
        return data


class ToleratedRetakeForm(BoundedDatesMixin, VersionForm):
    """The cluster's approval of a request to retake a tolerated course (Art. 90 §3); the
    request's date lies in the enrolment's academic year or a neighbour (``date_range``)."""

    course = forms.ModelChoiceField(label=_("Tolerated course"), queryset=None)
    requested_on = forms.DateField(
        label=_("Requested by the student on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", _("Record the approved retake")))


class DerogationForm(VersionForm):
    """The cluster's decision on a derogation (Art. 22): approved, or refused with its reason,
    which the student is told (Art. 101 (e))."""

    outcome = forms.ChoiceField(
        label=_("Decision of the cluster"),
        choices=DerogationOutcome.choices,
        initial=DerogationOutcome.APPROVED,
        required=False,  # left out: approved, as before the choice existed
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label=_("Derogation"), choices=DerogationKind.choices)
    course = forms.ModelChoiceField(
        label=_("Course (sequencing only)"),
        queryset=None,
        required=False,
        help_text=_("Only courses with an SQ prerequisite: SSQ allows no derogation."),
    )
    credits = forms.IntegerField(
        label=_("Credits allowed (credit derogations only)"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("For fewer credits: the smallest number allowed; for more credits: the largest."),
    )
    ground = forms.ChoiceField(label=_("Ground"), choices=DerogationGround.choices)
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a refusal: the cluster's reason, which the student is told (required)."),
    )

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", _("Record the cluster's decision")))

    def clean(self):
        data = super().clean()
        data["outcome"] = data.get("outcome") or DerogationOutcome.APPROVED
        data["motivation"] = (data.get("motivation") or "").strip()
        if data.get("outcome") == DerogationOutcome.REFUSED and not data["motivation"]:
            self.add_error("motivation", _("State the cluster's reason for refusing the derogation (Art. 22, 101)."))
        return data


class StudyAdviceForm(forms.Form):
    """A coach's study advice conversation (Art. 27-28): the date it took place (not in the
    future), the topics from the short list (at least one), the advice given, the actions agreed
    and an optional follow-up date after today; shared with the ombudsperson or the examination
    committee only when the coach says so. ``follow_up_on_record``: the follow-up date of the
    advice being changed, which may stay as it is when it has come."""

    held_on = forms.DateField(
        label=_("Conversation on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=AdviceTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": advice_rules.NO_TOPIC},
    )
    advice = forms.CharField(label=_("Advice given"), widget=forms.Textarea(attrs={"rows": 4}))
    actions = forms.CharField(
        label=_("Agreed actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the student and the coach agreed to do."),
    )
    follow_up_on = forms.DateField(
        label=_("Follow-up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: the day the follow-up appears on your home page; after today."),
    )
    shared_with_ombuds = forms.BooleanField(
        label=_("Share with the ombudsperson"),
        required=False,
        help_text=_("Otherwise only the student's learning path coaches see this advice."),
    )
    shared_with_committee = forms.BooleanField(label=_("Share with the examination committee"), required=False)

    def __init__(self, *args, today=None, follow_up_on_record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or clock.today()
        self.follow_up_on_record = follow_up_on_record
        self.fields["held_on"].error_messages["required"] = advice_rules.NO_DATE
        self.fields["advice"].error_messages["required"] = advice_rules.NO_ADVICE

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if problem := advice_rules.held_on_problem(held_on, today=self.today):
            raise forms.ValidationError(problem, code="held_on")
        if (range_problem := plausible(today=self.today).problem(held_on)) is not None:
            raise forms.ValidationError(range_problem, code="date_range")
        return held_on

    def clean_follow_up_on(self):
        follow_up_on = self.cleaned_data.get("follow_up_on")
        problem = advice_rules.follow_up_problem(follow_up_on, today=self.today, unchanged=self.follow_up_on_record)
        if problem:
            raise forms.ValidationError(problem, code="follow_up_on")
        if (range_problem := plausible(today=self.today).problem(follow_up_on)) is not None:
            raise forms.ValidationError(range_problem, code="date_range")
        return follow_up_on


class _ReadChoices(forms.models.ModelChoiceIterator):
    """The choices of the queryset as read once (``ReadOnceModelChoiceField``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ReadOnceModelChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that reads its queryset once per form: the value is found among
    the choices read, which the form then shows, instead of a query of its own."""

    iterator = _ReadChoices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        found = {str(obj.pk): obj for obj in self.queryset}
        if str(value) not in found:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return found[str(value)]


class WhatIfForm(BoundedDatesMixin, forms.Form):
    """A what-if preview (issue 18): the change, its day within the enrolment (``date_range``:
    enrolled on .. the academic year's end) and what it needs. Submitted by GET: nothing is written."""

    kind = forms.ChoiceField(label=_("Change to preview"), widget=forms.RadioSelect)
    on = forms.DateField(
        label=_("Date of the change"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    programme = ReadOnceModelChoiceField(
        label=_("New programme (switch)"),
        queryset=None,
        required=False,
        help_text=_("Another programme of the academic year that no measure refuses to the student."),
        error_messages={
            "invalid_choice": _(
                "Choose another programme with a first stage in this academic year: not the student's own."
            )
        },
    )
    contract = forms.ChoiceField(label=_("New contract (change of contract)"), required=False)
    lines = forms.TypedMultipleChoiceField(
        label=_("Courses to drop"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args,
        kinds=(),
        programmes=None,
        contracts=(),
        lines=(),
        refusal=None,
        enrol_before=None,
        deregistered_on=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.enrol_before = enrol_before  # no enrolment from this day on (Art. 7)
        self.deregistered_on = deregistered_on
        self.fields["kind"].choices = kinds
        self.fields["programme"].queryset = programmes
        self.fields["contract"].choices = [("", "---------"), *contracts]
        self.fields["lines"].choices = lines
        self.refusal = refusal  # (programme, day) -> the measure refusing it, or None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if self.deregistered_on is not None:
            raise forms.ValidationError(
                _("The enrolment is deregistered already (%(on)s): there is no change to preview.")
                % {"on": show_date(self.deregistered_on)}
            )
        if kind == "switch" and data.get("on") and self.enrol_before and data["on"] >= self.enrol_before:
            self.add_error(
                "on",
                _("No enrolment in another programme from the second-semester lock (%(lock)s) on (Art. 7).")
                % {"lock": show_date(self.enrol_before)},
            )
        if kind == "switch":
            programme = data.get("programme")
            if programme is None:
                if "programme" not in self.errors:
                    self.add_error("programme", _("Choose the programme to switch to."))
            elif data.get("on") and self.refusal is not None:
                measure = self.refusal(programme, data["on"])
                if measure is not None:
                    self.add_error(
                        "programme",
                        _("The student cannot switch to %(programme)s: %(measure)s.")
                        % {"programme": programme.code, "measure": measure.get_kind_display()},
                    )
        if kind == "contract" and not data.get("contract"):
            self.add_error("contract", _("Choose the new contract."))
        if kind == "drop" and not data.get("lines") and "lines" not in self.errors:
            self.add_error("lines", _("Choose at least one course of the ISP to drop."))
        return data
