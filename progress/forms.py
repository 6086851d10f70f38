"""Forms of the coach's pages; every decision stays in the services and rules."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import BoundedDatesMixin
from students.models import DerogationGround, DerogationKind, DerogationOutcome

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
