"""Forms of the appeal register; every decision stays in ``appeals.rules`` and the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import BoundedDatesMixin
from exams import rules as exam_rules
from programmes.models import Programme
from programmes.selectors import year_dates

from .models import Category, CorrectionException, Outcome


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def typed_mark(text: str) -> exam_rules.Mark:
    """A mark as typed (``exams.rules.parse_mark``), or the form's error."""
    try:
        return exam_rules.parse_mark(text)
    except exam_rules.MarkError:
        raise forms.ValidationError(_("A mark is a whole number from 0 to 20, or P, F or NA.")) from None


class StudentForm(forms.Form):
    student = forms.CharField(
        label=_("Name or student number"),
        max_length=100,
        help_text=_(
            "A student number, or part of the name or the number: the students found are listed to choose from."
        ),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "placeholder": _("name or number")}),
    )


class AppealForm(BoundedDatesMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category (Art. 101)"), choices=[("", "---------"), *Category.choices])
    decision = forms.ChoiceField(
        label=_("Decision appealed"),
        required=False,
        help_text=_("Link the decision where it lives in the system; leave empty and describe it below otherwise."),
    )
    decision_text = forms.CharField(
        label=_("Description of the decision"),
        required=False,
        max_length=300,
        help_text=_("Filled in from the linked decision when left empty."),
    )
    decision_on = date_field(
        _("Published or notified on"),
        required=False,
        help_text=_(
            "For an examination decision the publication of the results counts; for a linked decision its date "
            "is used when left empty."
        ),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False, empty_label=_("from the decision")
    )
    posted_on = date_field(_("Postal date"), help_text=_("The postal date of the registered letter (Art. 101)."))
    email = forms.EmailField(
        label=_("E-mail address for the procedure"),
        required=False,
        help_text=_("Empty: the e-mail address the college gave the student is used."),
    )
    facts_and_objections = forms.CharField(
        label=_("Facts and objections"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    pending_feedback = forms.BooleanField(
        label=_("Lodged pending feedback"),
        required=False,
        help_text=_("The student elaborates within five calendar days, or the appeal is void (Art. 101)."),
    )

    def __init__(self, *args, decisions=(), programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("", _("not in the system: described below")), *decisions]
        self.fields["programme"].queryset = programmes if programmes is not None else Programme.objects.all()


class ElaborationForm(BoundedDatesMixin, forms.Form):
    on = date_field(_("Elaborated on"), help_text=_("The postal or e-mail date of the elaboration."))
    facts_and_objections = forms.CharField(label=_("Facts and objections"), widget=forms.Textarea(attrs={"rows": 4}))


class PostponeForm(BoundedDatesMixin, forms.Form):
    announced_on = date_field(_("Announced to the student on"))
    later_on = date_field(_("Decision announced for"))
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(BoundedDatesMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    on = date_field(_("Decided on"))
    mark = forms.CharField(
        label=_("New mark"),
        required=False,
        max_length=2,
        help_text=_("A new examination decision on the linked result: 0-20, or P, F, NA."),
    )
    reason = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, outcomes=None, **kwargs):
        """``outcomes``: the outcomes open to the appeal (``rules.outcomes_open``); all by default."""
        super().__init__(*args, **kwargs)
        if outcomes is not None:
            self.fields["outcome"].choices = [(value, label) for value, label in Outcome.choices if value in outcomes]

    def clean_mark(self):
        text = self.cleaned_data["mark"]
        return typed_mark(text) if text.strip() else None


class LiftingRequestForm(BoundedDatesMixin, forms.Form):
    measure = forms.ModelChoiceField(label=_("Refusal"), queryset=None, empty_label=None)
    submitted_on = date_field(_("Submitted on"))
    grounds = forms.CharField(label=_("Special individual circumstances"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, refusals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = refusals

    def date_ranges(self):
        # The request is for the academic year the refusal holds the student back from.
        measure = self.cleaned_data.get("measure")
        if measure is None:
            return super().date_ranges()
        return {"submitted_on": year_dates(code=measure.from_year_code, today=self.today_or_clock())}


class LiftingDecisionForm(BoundedDatesMixin, forms.Form):
    granted = forms.TypedChoiceField(
        label=_("Decision of the refusal-lifting committee"),
        choices=[("yes", _("lift the refusal")), ("no", _("reject the request"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on = date_field(_("Decided on"))
    reason = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionForm(BoundedDatesMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("Mark corrected"),
        required=False,
        help_text=_("A published result of the student; leave empty for another administrative error."),
    )
    mark = forms.CharField(label=_("Correct mark"), required=False, max_length=2)
    subject = forms.CharField(
        label=_("What was corrected"), required=False, max_length=200, help_text=_("For another error.")
    )
    decision_on = date_field(
        _("Decision of"), required=False, help_text=_("For another error: the day of the decision corrected.")
    )
    in_favour = forms.TypedChoiceField(
        label=_("For another error: the correction is"),
        required=False,
        choices=[("yes", _("in the student's favour")), ("no", _("against the student's interest"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    old_value = forms.CharField(label=_("Before"), required=False, max_length=100)
    new_value = forms.CharField(label=_("After"), required=False, max_length=100)
    on = date_field(_("Corrected on"))
    exception = forms.ChoiceField(
        label=_("Late correction against the student because"),
        required=False,
        choices=[("", _("no exception (within ten days)")), *CorrectionException.choices],
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, results=(), decision_range=None, **kwargs):
        """``decision_range``: the days a decision of the student can date from (the academic
        years of their record); the correction's own date is bounded by ``date_range``."""
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", _("another administrative error")), *results]
        self.decision_range = decision_range

    def date_ranges(self):
        ranges = super().date_ranges()
        if self.decision_range is not None:
            ranges["decision_on"] = self.decision_range
        return ranges

    def clean(self):
        data = super().clean()
        if data.get("result"):
            if not (data.get("mark") or "").strip():
                self.add_error("mark", _("Give the correct mark."))
            else:
                try:
                    data["mark"] = typed_mark(data["mark"])
                except forms.ValidationError as error:
                    self.add_error("mark", error)
        else:
            if not (data.get("subject") or "").strip():
                self.add_error("subject", _("Say what was corrected."))
            if not data.get("decision_on") and "decision_on" not in self.errors:
                self.add_error("decision_on", _("Give the day of the decision corrected."))
            if data.get("in_favour") is None:
                self.add_error("in_favour", _("Say whether the correction is in the student's favour."))
        return data
