"""Forms of the fraud pages (Art. 74, 84-85, 92): the examiner's report, the plagiarism
investigation, the hearings, the committee's decision, the advice and the ratification. Every
rule stays in ``fraud.rules`` and ``fraud.services``: a form checks only what a person typed
(a known student, a date, a course the examiner examines); a service's refusal is added to the
form as its error (``add_refusal``), with the article it cites."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.validators import BoundedDatesMixin
from exams.models import Result
from programmes.models import Course, ExamPeriod
from reschedules.models import ExamMoment
from students.models import ISPLine, Student

from . import rules
from .models import FileKind, HearingKind

SANCTION_LABELS = {
    rules.Sanction.NOT_VALIDLY_TAKEN: _("1° the exam not validly taken: a retake at a moment the cluster sets"),
    rules.Sanction.APPROPRIATE_MARK: _("2° an appropriate mark"),
    rules.Sanction.ZERO_EXAM: _("3° zero for the exam or assignment, or a part of it"),
    rules.Sanction.ZERO_PERIOD: _("4° zero for some or all exams of the period (results not yet announced)"),
    rules.Sanction.COURSE_EXCLUSION: _("5° exclusion from one or more courses: no retake before next academic year"),
    rules.Sanction.PROGRAMME_EXCLUSION: _("6° exclusion from the programme (gross irregularity)"),
    rules.Sanction.ENROLMENT_BAN: _("7° loss of the right to enrol for one or two academic years (only with 6°)"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): a list of uploads. An empty file
    passes here: ``services.evidence_add`` refuses it with the article."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AwareDateTimeField(forms.DateTimeField):
    """A date and time typed in the college's time zone (the 48 hours run from it, Art. 85 §2)."""

    widget = DateTimeInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def add_refusal(form, refused, fields: dict[str, str] | None = None) -> None:
    """A service's refusal as the form's errors: a problem whose code names a field goes to that
    field, any other to the whole form."""
    fields = fields or {}
    for problem in refused.problems:
        field = fields.get(problem.code)
        form.add_error(field if field in form.fields else None, str(problem.message))


class ReportForm(BoundedDatesMixin, forms.Form):
    """The examiner's report (Art. 84; a dispute during an exam, Art. 92): the student, the course,
    the exam moment or the assignment, the date, what happened and the evidence."""

    kind = forms.ChoiceField(label=_("Kind"), choices=FileKind.choices, initial=FileKind.FRAUD)
    student = forms.CharField(label=_("Student number"), max_length=20)
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    exam_period = forms.ModelChoiceField(label=_("Exam period"), queryset=ExamPeriod.objects.none())
    exam_moment = forms.ModelChoiceField(
        label=_("Exam moment"),
        queryset=ExamMoment.objects.none(),
        required=False,
        help_text=_("The exam moment; leave empty for an assignment."),
    )
    assignment = forms.CharField(
        label=_("Assignment"), max_length=200, required=False, help_text=_("When it was not an exam moment.")
    )
    reported_on = forms.DateField(label=_("Date"), widget=DateInput())
    what_happened = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_(
            "One or more files; they are shown only to the committee, the ombudsperson and the administration."
        ),
    )

    def __init__(self, *args, courses, periods, moments, examined=None, **kwargs):
        """``courses``, ``periods``, ``moments``: the querysets offered; ``examined``: the (course
        id, academic year id) pairs the examiner examines (None: any, a superuser)."""
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["exam_period"].queryset = periods
        self.fields["exam_moment"].queryset = moments
        self.fields["exam_moment"].label_from_instance = _moment_label
        self.examined = examined

    def clean_student(self):
        number = self.cleaned_data["student"].strip()
        student = Student.objects.filter(number__iexact=number).first()
        if student is None:
            raise forms.ValidationError(_("No student has the number %(number)s.") % {"number": number})
        return student

    def clean(self):
        cleaned = super().clean()
        student, course, period = cleaned.get("student"), cleaned.get("course"), cleaned.get("exam_period")
        moment = cleaned.get("exam_moment")
        if course is not None and period is not None:
            if self.examined is not None and (course.pk, period.academic_year_id) not in self.examined:
                self.add_error("course", _("You report on a course you examine in that academic year (Art. 60, 84)."))
            elif (
                student is not None
                and not ISPLine.objects.filter(
                    enrolment__student=student, enrolment__academic_year_id=period.academic_year_id, course=course
                ).exists()
            ):
                self.add_error("student", _("The student does not take this course in that academic year (Art. 84)."))
        if moment is not None and course is not None and moment.course_id != course.pk:
            self.add_error("exam_moment", _("The exam moment is not one of this course (Art. 84)."))
        if moment is None and not (cleaned.get("assignment") or "").strip():
            self.add_error(
                "assignment",
                _("Choose the exam moment, or describe the assignment, the irregularity concerns (Art. 84)."),
            )
        return cleaned


def _moment_label(moment) -> str:
    return f"{moment.course.code} · {date_format(moment.on, 'SHORT_DATE_FORMAT')} {moment.starts_at:%H:%M}"


class InvestigationForm(BoundedDatesMixin, forms.Form):
    """The plagiarism investigation (Art. 84) and the four weighing factors of Art. 85."""

    chair = forms.CharField(label=_("Chair"), max_length=200)
    teacher = forms.CharField(label=_("Teacher"), max_length=200)
    programme_head = forms.CharField(label=_("Programme head"), max_length=200)
    expert = forms.CharField(label=_("Expert (optional)"), max_length=200, required=False)
    findings = forms.CharField(
        label=_("Findings"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Whether plagiarism was committed and how grave it is (Art. 84)."),
    )
    proportion = forms.CharField(
        label=_("1° The proportions of plagiarism"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plagiarism_kind = forms.CharField(
        label=_("2° The kind of plagiarism"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Incorrect or absent acknowledgements, copied passages, translated work ..."),
    )
    experience = forms.CharField(
        label=_("3° The experience of the student"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The student's advancement in the programme."),
    )
    intention = forms.CharField(
        label=_("4° The intention to commit fraud"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recorded_on = forms.DateField(label=_("Recorded on"), widget=DateInput())

    REFUSAL_FIELDS = {
        str(rules.InvestigationRefusal.CHAIR_MISSING): "chair",
        str(rules.InvestigationRefusal.TEACHER_MISSING): "teacher",
        str(rules.InvestigationRefusal.PROGRAMME_HEAD_MISSING): "programme_head",
        str(rules.InvestigationRefusal.NO_FINDINGS): "findings",
    }


class FraudHearingForm(BoundedDatesMixin, forms.Form):
    """A hearing (Art. 74, 84): the examiner, then the student heard by the chair with an
    ombudsperson present."""

    kind = forms.ChoiceField(label=_("Hearing"), choices=HearingKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    heard_by = forms.CharField(label=_("Heard by"), max_length=200)
    ombudsperson = forms.CharField(
        label=_("Ombudsperson present"),
        max_length=200,
        required=False,
        help_text=_("Required when the student is heard (Art. 84)."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    REFUSAL_FIELDS = {str(rules.HearingRefusal.NO_OMBUDSPERSON_AT_HEARING): "ombudsperson"}


class ResultChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, result):
        return f"{result.isp_line.course.code} · {result.exam_period} · {result.score}"


class CourseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, course):
        return f"{course.code} {course.name}"


class CertificateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, line):
        return f"{line.course.code} {line.course.name} · {line.enrolment.academic_year}"


class DecisionForm(BoundedDatesMixin, forms.Form):
    """The complete committee's decision (Art. 85 §1, §3): the sanctions 1°-7° with their fields,
    the reasons, the meeting."""

    sanctions = forms.MultipleChoiceField(
        label=_("Sanctions (Art. 85 §1)"),
        choices=[(str(s), SANCTION_LABELS[s]) for s in rules.Sanction],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_mark = forms.CharField(
        label=_("Appropriate mark (2°)"), max_length=4, required=False, help_text=_("0 to 20, or P or F.")
    )
    zeroed_results = ResultChoiceField(
        label=_("Results set to zero (4°)"),
        queryset=Result.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excluded_courses = CourseChoiceField(
        label=_("Courses excluded (5°)"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    judged_gross = forms.BooleanField(label=_("Judged a gross irregularity (6°, §3)"), required=False)
    thesis_change = forms.BooleanField(label=_("Change of thesis subject or supervisor (6°)"), required=False)
    ban_years = forms.TypedChoiceField(
        label=_("Years without enrolment (7°)"),
        choices=[("", "–"), ("1", _("the next academic year")), ("2", _("the next two academic years"))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    set_aside_highest_result = forms.BooleanField(
        label=_('Set aside "the highest result of the year stands"'),
        required=False,
        help_text=_("With any sanction but 1° (Art. 85 §1)."),
    )
    annulment = forms.BooleanField(label=_("Annul results and credit certificates (Art. 77, 85 §3)"), required=False)
    annulled_certificates = CertificateChoiceField(
        label=_("Certificates annulled (§3)"),
        queryset=ISPLine.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    retake_moment = forms.ModelChoiceField(
        label=_("Retake moment (1°)"),
        queryset=ExamMoment.objects.none(),
        required=False,
        help_text=_(
            "The exam moment the cluster sets for the retake; it goes on the student's individual exam schedule "
            "(Art. 85 §1 1°)."
        ),
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    deliberation = forms.ModelChoiceField(
        label=_("Deliberation"),
        queryset=None,
        required=False,
        empty_label=_("an earlier meeting"),
        help_text=_("The complete committee decides in a deliberation or an earlier meeting (Art. 85 §1)."),
    )

    REFUSAL_FIELDS = {
        str(rules.DecisionRefusal.NO_REASON): "reason",
        str(rules.DecisionRefusal.NO_MARK): "new_mark",
        str(rules.DecisionRefusal.MARK_NOT_ALLOWED): "new_mark",
        str(rules.DecisionRefusal.MARK_WITHOUT_SANCTION): "new_mark",
        str(rules.DecisionRefusal.NO_RESULTS): "zeroed_results",
        str(rules.DecisionRefusal.RESULTS_WITHOUT_SANCTION): "zeroed_results",
        str(rules.DecisionRefusal.RESULTS_ANNOUNCED): "zeroed_results",
        str(rules.DecisionRefusal.NO_COURSES): "excluded_courses",
        str(rules.DecisionRefusal.COURSES_WITHOUT_SANCTION): "excluded_courses",
        str(rules.DecisionRefusal.BAN_YEARS): "ban_years",
        str(rules.DecisionRefusal.BAN_YEARS_WITHOUT_BAN): "ban_years",
        str(rules.DecisionRefusal.NO_CERTIFICATES): "annulled_certificates",
        str(rules.DecisionRefusal.CERTIFICATES_WITHOUT_ANNULMENT): "annulled_certificates",
        str(rules.DecisionRefusal.THESIS_CHANGE_WITHOUT_EXCLUSION): "thesis_change",
        str(rules.DecisionRefusal.SET_ASIDE_NOT_ALLOWED): "set_aside_highest_result",
        "retake_without_sanction": "retake_moment",
        "retake_moment": "retake_moment",
    }

    def __init__(self, *args, fraud_file, deliberations, **kwargs):
        super().__init__(*args, **kwargs)
        student, year = fraud_file.student_id, fraud_file.exam_period.academic_year_id
        self.fields["zeroed_results"].queryset = (
            Result.objects.filter(isp_line__enrolment__student_id=student, exam_period__academic_year_id=year)
            .select_related("isp_line__course", "exam_period")
            .order_by("exam_period__number", "isp_line__course__code", "opportunity")
        )
        self.fields["excluded_courses"].queryset = (
            Course.objects.filter(isp_lines__enrolment__student_id=student, isp_lines__enrolment__academic_year_id=year)
            .distinct()
            .order_by("code")
        )
        self.fields["annulled_certificates"].queryset = (
            ISPLine.objects.filter(enrolment__student_id=student)
            .select_related("course", "enrolment__academic_year")
            .order_by("enrolment__academic_year__starts_on", "course__code")
        )
        self.fields["deliberation"].queryset = deliberations
        self.fields["retake_moment"].queryset = (
            ExamMoment.objects.filter(course_id=fraud_file.course_id, exam_period__academic_year_id=year)
            .select_related("exam_period")
            .order_by("on", "starts_at")
        )


class DisputeForm(BoundedDatesMixin, forms.Form):
    """The complete committee's final decision on a dispute during an exam (Art. 92): its
    outcome, no sanction."""

    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    deliberation = forms.ModelChoiceField(
        label=_("Deliberation"), queryset=None, required=False, empty_label=_("an earlier meeting")
    )

    REFUSAL_FIELDS = {str(rules.DisputeRefusal.NO_OUTCOME): "outcome"}

    def __init__(self, *args, deliberations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliberation"].queryset = deliberations


class NotifiedForm(BoundedDatesMixin, forms.Form):
    """The day the student was told of the final decision (Art. 85, 101), recorded by hand."""

    notified_on = forms.DateField(
        label=_("Student notified on"),
        widget=DateInput(),
        help_text=_("The appeal period of seven calendar days runs from this day (Art. 101)."),
    )


class AdviceForm(forms.Form):
    """The advice the fraud authority decides after (Art. 85 §2): the ombudsperson's, and the
    Student Council chair's with the date and time it was requested (the 48 hours run from it)."""

    ombudsperson_advice = forms.CharField(
        label=_("Ombudsperson's advice"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ombudsperson_advice_on = forms.DateField(label=_("Given on"), required=False, widget=DateInput())
    council_advice_requested_at = AwareDateTimeField(
        label=_("Student Council chair's advice requested at"), required=False
    )
    council_advice = forms.CharField(
        label=_("Student Council chair's advice"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    council_advice_given_at = AwareDateTimeField(label=_("Given at"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError(_("Record an advice or the date and time the advice was requested."))
        for name in ("council_advice_requested_at", "council_advice_given_at"):
            value = cleaned.get(name)
            if value is not None and timezone.is_naive(value):
                cleaned[name] = timezone.make_aware(value)
        return cleaned

    def arguments(self) -> dict:
        """The keyword arguments of ``services.advice_record``: only what was typed."""
        data = self.cleaned_data
        result = {}
        if data.get("ombudsperson_advice"):
            result["ombudsperson_advice"] = data["ombudsperson_advice"]
            result["ombudsperson_advice_on"] = data.get("ombudsperson_advice_on")
        if data.get("council_advice_requested_at"):
            result["council_advice_requested_at"] = data["council_advice_requested_at"]
        if data.get("council_advice"):
            result["council_advice"] = data["council_advice"]
            result["council_advice_given_at"] = data.get("council_advice_given_at")
        return result


class RatificationForm(forms.Form):
    """The fraud authority ratifies, or does not with its reasoning (Art. 85 §2-3)."""

    ratified = forms.TypedChoiceField(
        label=_("The fraud authority"),
        choices=[("yes", _("ratifies the decision")), ("no", _("does not ratify: the committee decides anew"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasoning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the decision is not ratified (Art. 85 §2)."),
    )
    on = forms.DateField(label=_("Decided on"), widget=DateInput())


FILE_STATUS_CHOICES = [
    ("", _("any status")),
    ("open", _("open: no decision yet")),
    ("awaiting_ratification", _("awaiting ratification")),
    ("final", _("final")),
    ("not_ratified", _("not ratified: to decide anew")),
    ("set_aside", _("set aside on appeal: to decide anew")),
]


class FileFilterForm(forms.Form):
    """The list's filters: the file's status and kind."""

    status = forms.ChoiceField(label=_("Status"), choices=FILE_STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("any kind")), *FileKind.choices], required=False)
