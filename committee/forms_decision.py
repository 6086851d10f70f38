"""The forms of the select committee's inventory and of the decisions about one student
(Art. 69-70): they read what was typed and find the student, the course and the ISP line among
the committee's; whether the regulations allow the write is the services' (``committee.services``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import BoundedDatesMixin
from exams.models import Level, Result
from students.models import ISPLine

from . import rules, services
from .inventory import student_enrolments
from .models import DecisionKind, FileKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class _StudentCourseMixin:
    """Finds the student (by number) among the committee's students of the deliberation's year,
    and the course (by code) among that student's ISP lines of the year."""

    def _student_and_line(self, number: str, code: str, *, course_required: bool):
        enrolments = student_enrolments(self.deliberation, number.strip())
        student = next((e.student for e in enrolments.select_related("student")[:1]), None)
        if student is None:
            self.add_error(
                "student",
                _("No student with this number in the committee's programmes this academic year (Art. 68)."),
            )
            return None, None
        code = code.strip()
        if not code:
            if course_required:
                self.add_error("course", _("Give the course code."))
            return student, None
        line = (
            ISPLine.objects.filter(enrolment__in=enrolments, course__code__iexact=code, removed_on__isnull=True)
            .select_related("course")
            .first()
        )
        if line is None:
            self.add_error("course", _("This course is not in the student's ISP of this academic year."))
        return student, line


class CaseFileForm(_StudentCourseMixin, forms.Form):
    """A file the select committee puts before the committee (Art. 69)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=FileKind.choices)
    student = forms.CharField(label=_("Student number"), max_length=32)
    course = forms.CharField(
        label=_("Course code"), max_length=32, required=False, help_text=_("Optional: the course the file is about.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.deliberation = deliberation

    def clean(self):
        data = super().clean()
        if "student" in data:
            data["student"], line = self._student_and_line(
                data["student"], data.get("course", ""), course_required=False
            )
            data["course"] = line.course if line is not None else None
        return data


class PostponementForm(_StudentCourseMixin, BoundedDatesMixin, forms.Form):
    """A result the select committee announces later (Art. 69, last paragraph)."""

    student = forms.CharField(label=_("Student number"), max_length=32)
    course = forms.CharField(label=_("Course code"), max_length=32)
    announce_on = forms.DateField(label=_("Announced on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.deliberation = deliberation

    def clean(self):
        data = super().clean()
        if "student" in data and "course" in data:
            data["student"], line = self._student_and_line(data["student"], data["course"], course_required=True)
            if (
                line is not None
                and not Result.objects.filter(isp_line=line, exam_period=self.deliberation.exam_period).exists()
            ):
                self.add_error("course", _("This course has no result in this exam period to announce later."))
            data["isp_line"] = line
        return data


class PreviewForm(forms.Form):
    """A proposed decision about one student (Art. 70), for the preview."""

    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    line = forms.TypedChoiceField(label=_("Course"), coerce=int, required=False, empty_value=None)
    new_score = forms.IntegerField(label=_("New mark"), min_value=0, max_value=20, required=False)
    level = forms.ChoiceField(
        label=_("Level of achievement"), choices=[("", "---------"), *Level.choices], required=False
    )

    def __init__(self, *args, lines=(), **kwargs):
        """``lines``: the student's ISP lines of the year, with the examiner's mark: (line, mark)."""
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            ("", "---------"),
            *[
                (
                    line.pk,
                    f"{line.course.code} {line.course.name}"
                    + ("" if mark is None else " (" + _("mark %(mark)s") % {"mark": mark} + ")"),
                )
                for line, mark in lines
            ],
        ]


class ProposalForm(PreviewForm):
    """The preview's checks: what a decision of this kind names (Art. 70)."""

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        with_course = (rules.DecisionKind.MARK_ADJUSTED, rules.DecisionKind.TOLERATED, rules.DecisionKind.BEYOND_CREDIT)
        if kind in with_course and data.get("line") is None and "line" not in self.errors:
            self.add_error("line", services.DECISION_REFUSALS[rules.DecisionRefusal.NO_COURSE])
        adjusted = kind == rules.DecisionKind.MARK_ADJUSTED
        if adjusted and data.get("new_score") is None and "new_score" not in self.errors:
            self.add_error("new_score", services.DECISION_REFUSALS[rules.DecisionRefusal.NO_MARK])
        if kind == rules.DecisionKind.LEVEL_AWARDED and not data.get("level"):
            self.add_error("level", services.DECISION_REFUSALS[rules.DecisionRefusal.NO_LEVEL])
        return data


class DecisionForm(PreviewForm):
    """The decision recorded (Art. 70, 75): the proposal previewed, its reason, and whether a vote
    is asked. The proposal's fields travel hidden from the preview; whether the decision may be
    recorded (a reason, the examiner heard, quorum, ...) is ``services.decision_record``'s."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every decision of the committee is carefully justified (Art. 70)."),
    )
    ask_vote = forms.BooleanField(
        label=_("Ask for a vote"),
        required=False,
        help_text=_("The decision then waits for the members' votes (Art. 75)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "line", "new_score", "level"):
            self.fields[name].widget = forms.HiddenInput()
