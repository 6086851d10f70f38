from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import Course, ExamPeriod

from .marksheets import MarksheetFileError, read_marksheet


class CourseField(forms.TypedChoiceField):
    """A course, chosen in a list grouped by programme."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)

    def load(self):
        groups: dict = {}
        for course in Course.objects.select_related("programme").order_by("programme__code", "stage", "code"):
            label = f"{course.programme.code} {course.programme.name}"
            groups.setdefault(label, []).append((course.pk, f"{course.code} {course.name}"))
        self.choices = [("", "---------"), *groups.items()]

    def clean(self, value):
        pk = super().clean(value)
        try:
            return Course.objects.select_related("programme").get(pk=pk)
        except Course.DoesNotExist:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class ExamPeriodField(forms.ModelChoiceField):
    def label_from_instance(self, period):
        return _("%(year)s, exam period %(number)s") % {"year": period.academic_year.code, "number": period.number}


class MarksheetChoiceForm(forms.Form):
    """Which course and exam period a marksheet is for."""

    course = CourseField(label=_("Programme and course"))
    exam_period = ExamPeriodField(
        label=_("Exam period"),
        queryset=ExamPeriod.objects.select_related("academic_year").order_by("-academic_year__starts_on", "number"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].load()


class MarksheetForm(MarksheetChoiceForm):
    file = forms.FileField(
        label=_("Marksheet"),
        help_text=_(
            "A CSV file or an XLSX workbook with the columns student, opportunity and mark, and optionally "
            "parts (partial exams as credits:mark, for example 3:12;3:6). Rows without a mark are skipped."
        ),
    )

    def __init__(self, *args, upload: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = upload  # not for the blank template

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:
            return upload
        try:
            self.cleaned_data["marksheet"] = read_marksheet(upload)
        except MarksheetFileError as error:
            raise forms.ValidationError(str(error), code="marksheet") from None
        return upload
