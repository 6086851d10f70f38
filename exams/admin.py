from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin import (
    AuditedAdmin,
    BoundedDatesAdminMixin,
    ProcessFactsOnSaveMixin,
    ReadOnlyAdminMixin,
    RefusalsOnSaveMixin,
)
from core.dates import counted_when
from core.models import Transition
from core.rounding import round_half_up
from programmes.admin import ExamPeriodAdmin as CatalogueExamPeriodAdmin
from programmes.models import Course, ExamPeriod
from programmes.selectors import year_dates
from students.models import Enrolment, ISPLine, Student

from .models import (
    HeldPublication,
    MissingMarksTally,
    ProgrammeResult,
    Result,
    ResultPart,
    ToleranceChoice,
    ToleranceObjection,
)
from .publication import publication_key
from .results import (
    RESULT_REFUSALS,
    ResultEntry,
    marksheet_lines,
    result_published_on,
    result_record,
    results_check,
    results_record,
    tolerance_choice_problem,
    tolerance_choice_record,
)
from .services import result_mark
from .standing import standings
from .tallies import EXAMINED, tally_of

SEARCH_STUDENTS = 5000  # the students a search word finds, read as a list of keys up to this many

ISP_LINE_RELATED = [
    "isp_line__course",
    "isp_line__enrolment__student",
    "isp_line__enrolment__programme",
    "isp_line__enrolment__academic_year",
]


class ExamPeriodChoicesMixin:
    """An exam period's name includes its academic year: fetch them together for the select."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "exam_period":
            kwargs.setdefault("queryset", db_field.related_model.objects.select_related("academic_year"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


BOTH_MARK_AND_GRADE = _("Give either a mark from 0 to 20 or a grade (P, F, NA), not both.")


class ResultAdminForm(forms.ModelForm):
    """A result checked by the same rules as every other way of entering one (exams.results):
    ``clean`` runs the service's own check so that a refusal lands on the form, and the
    admin saves through ``result_record``."""

    # The prefix of the partial exams inline on the result's own page; None where the
    # form has no such inline (the results inline of an ISP line keeps the stored parts).
    parts_prefix: str | None = "parts"
    check_alone = True

    class Meta:
        model = Result
        fields = ["isp_line", "exam_period", "opportunity", "score", "grade"]

    def _parts(self) -> tuple | None:
        """The partial exams as submitted ((credits, mark) pairs), or None when unreadable."""
        if self.parts_prefix is None:
            if self.instance.pk is None:
                return ()
            return tuple((p.credits, p.score) for p in self.instance.parts.all())
        prefix, data = self.parts_prefix, self.data
        try:
            total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
        except ValueError:
            return None
        found = []
        for i in range(total):
            if data.get(f"{prefix}-{i}-DELETE"):
                continue
            credits, score = (str(data.get(f"{prefix}-{i}-{name}", "")).strip() for name in ("credits", "score"))
            if not credits and not score:
                continue
            try:
                found.append((int(credits), int(score)))
            except ValueError:
                return None  # the inline shows its own error
        return tuple(found)

    def _value(self, name):
        """A field's cleaned value; a field the page shows read-only keeps the stored one."""
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name)

    def entry(self) -> ResultEntry | None:
        """The entry this form makes, or None while a field is still missing or invalid."""
        data = self.cleaned_data
        line, period, opportunity = (self._value(name) for name in ("isp_line", "exam_period", "opportunity"))
        if line is None or period is None or opportunity is None or "score" not in data or "grade" not in data:
            return None
        score, grade = data.get("score"), data.get("grade")
        if score is not None and grade:
            raise ValidationError(BOTH_MARK_AND_GRADE)
        parts = self._parts()
        if parts is None:
            return None
        mark = score if score is not None else (grade or None)
        return ResultEntry(isp_line=line, exam_period=period, opportunity=int(opportunity), mark=mark, parts=parts)

    def clean(self):
        data = super().clean()
        if data.get("score") is not None and data.get("grade"):
            raise ValidationError(BOTH_MARK_AND_GRADE)
        if self.check_alone:
            entry = self.entry()
            problems = results_check([entry]) if entry else []
            if problems:
                raise ValidationError(problems[0][1])
        return data

    def _post_clean(self):
        # One message per error: when a rule has refused the entry, the model's checks and
        # database constraints (which back the same rules) would only repeat it in their words.
        if not self._errors:
            super()._post_clean()


NOT_IN_ISP = _("%(course)s is not in the ISP of %(student)s for %(year)s (Art. 44 §2).")
ALREADY_ENTERED = _(
    "%(student)s already has a result for opportunity %(opportunity)s of %(course)s (%(mark)s): change that "
    "result on its own page."
)


class ResultAddForm(ResultAdminForm):
    """A new result, found by the student and the course (two search boxes) rather than an
    ISP line's id: the ISP line is the course's line in the student's ISP of the exam
    period's academic year (a line still in the ISP before a removed one, as the marksheet)."""

    student = forms.ModelChoiceField(
        label=_("Student"),
        queryset=Student.objects.all(),
        help_text=_("Type a student number or a name."),
    )
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.select_related("programme"),
        help_text=_("Type a course code or name."),
    )

    class Meta(ResultAdminForm.Meta):
        fields = ["exam_period", "opportunity", "score", "grade"]

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            # The admin's own autocomplete (search_fields of the student and course admins).
            for name, source in (("student", Enrolment), ("course", ISPLine)):
                field = self.fields[name]
                field.widget = AutocompleteSelect(source._meta.get_field(name), admin_site)
                field.queryset = field.queryset  # hands the widget its choices

    def clean(self):
        data = self.cleaned_data
        student, course, period = data.get("student"), data.get("course"), data.get("exam_period")
        if student and course and period:
            line = marksheet_lines(course=course, exam_period=period, numbers=[student.number]).get(student.number)
            if line is None:
                self.add_error(
                    "course",
                    NOT_IN_ISP % {"course": course.code, "student": student, "year": period.academic_year.code},
                )
                return data
            self.instance.isp_line = line
            opportunity = data.get("opportunity")
            existing = (
                Result.objects.filter(isp_line=line, opportunity=opportunity).prefetch_related("parts").first()
                if opportunity
                else None
            )
            if existing is not None:
                self.add_error(
                    None,
                    ALREADY_ENTERED
                    % {
                        "student": student,
                        "opportunity": opportunity,
                        "course": course.code,
                        "mark": result_mark(existing),
                    },
                )
                return data
            return super().clean()
        return data


class ResultInlineForm(ResultAdminForm):
    parts_prefix = None
    check_alone = False  # the formset checks the line's results together

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A result is an ISP line's opportunity: another opportunity is another result.
            self.fields["opportunity"].disabled = True


class ResultInlineFormSet(BaseInlineFormSet):
    """An ISP line's results, checked together (a second opportunity may come with its
    first) and entered together through ``results_record``."""

    by = None  # the user saving the page (set by ``ResultInline.get_formset``)

    def _entries(self, *, report: bool = False):
        """The entries of the forms kept (not marked for deletion), with their forms;
        ``report`` puts a form's own refusal (a mark and a grade) on it."""
        entries, forms_of = [], []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.errors:
                continue  # a form with its own error shows it once, and is not entered
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            try:
                entry = form.entry()
            except ValidationError as error:
                if report:
                    form.add_error(None, error)
                continue
            if entry is not None:
                entries.append(entry)
                forms_of.append(form)
        return entries, forms_of

    def clean(self):
        super().clean()
        refused = []
        for form in self.forms:
            if not (hasattr(form, "cleaned_data") and self.can_delete and self._should_delete_form(form)):
                continue
            # A form marked for deletion has its own errors ignored: refuse for the whole formset.
            published_on = result_published_on(form.instance) if form.instance.pk else None
            if published_on:
                refused.append(
                    RESULT_REFUSALS["published"]
                    % {"published_on": formats.date_format(published_on, "SHORT_DATE_FORMAT")}
                )
        entries, forms_of = self._entries(report=True)
        for index, message in results_check(entries):
            forms_of[index].add_error(None, message)
        if refused:
            raise ValidationError(refused)

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.deleted_forms:
            # Only unpublished results get here: ``clean`` refuses deleting a published one.
            if form.instance.pk is not None:
                self.deleted_objects.append(form.instance)
                self.delete_existing(form.instance, commit=commit)
        entries, forms_of = self._entries()
        # A refusal (``ResultsRefused``) rolls the page back; ``RefusalsOnSaveMixin`` shows it.
        summary = results_record(entries=entries, by=self.by)
        for form, result in zip(forms_of, summary.results, strict=True):
            if form.instance.pk is None:
                self.new_objects.append(result)
            elif form.has_changed():
                self.changed_objects.append((result, form.changed_data))
            form.instance = result
        return self.new_objects + [result for result, _fields in self.changed_objects]


class ResultInline(ExamPeriodChoicesMixin, admin.TabularInline):
    """The results of an ISP line (on the ISP line's page). The page's admin needs
    ``RefusalsOnSaveMixin``: the results are entered through ``results_record``."""

    model = Result
    form = ResultInlineForm
    formset = ResultInlineFormSet
    fields = ["exam_period", "opportunity", "score", "grade"]
    show_change_link = True
    extra = 0
    max_num = 2

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exam_period__academic_year", *ISP_LINE_RELATED)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.by = request.user
        return formset


class ResultPartInline(admin.TabularInline):
    """The partial exams of a result: read with the result's form and entered with it by
    ``result_record`` (never saved on their own)."""

    model = ResultPart
    fields = ["position", "credits", "score"]
    extra = 0


@admin.register(Result)
class ResultAdmin(RefusalsOnSaveMixin, ExamPeriodChoicesMixin, AuditedAdmin):
    list_display = ["student", "course", "period", "opportunity", "mark"]
    list_filter = [
        "exam_period__academic_year",
        "isp_line__enrolment__programme",
        "exam_period__number",
        "opportunity",
        "grade",
    ]
    list_select_related = ["exam_period__academic_year", *ISP_LINE_RELATED]
    # Bounded whatever the number of results (issue 19): the newest first by the primary key
    # (the model's ordering sorts the whole table by a joined column), columns sortable only
    # where an index serves the order, no second count of the whole table, and a search by
    # the beginning of a student number, a last name or a course code (indexed prefixes,
    # students.Student's and programmes' indexes) rather than a scan for a substring.
    ordering = ["-pk"]
    sortable_by = ["period"]
    show_full_result_count = False
    search_fields = [
        "isp_line__enrolment__student__number__istartswith",
        "isp_line__enrolment__student__last_name__istartswith",
        "isp_line__course__code__istartswith",
    ]
    search_help_text = _("The beginning of a student number, a last name or a course code.")
    form = ResultAdminForm
    add_form = ResultAddForm
    fields = ["isp_line", "exam_period", "opportunity", "score", "grade"]
    add_fields = ["student", "course", "exam_period", "opportunity", "score", "grade"]
    inlines = [ResultPartInline]

    def get_search_results(self, request, queryset, search_term):
        """Each word (as ``search_fields`` says) finds the students whose number or last name
        begins with it and the courses whose code does, each on its own table's indexes, and
        then their results through the ISP lines' keys: one condition across the joined tables
        would have the database join every result before it can filter."""
        words = [
            unescape_string_literal(w) if w[:1] in "\"'" and w[-1:] == w[:1] and len(w) > 1 else w
            for w in smart_split(search_term)
        ]
        for word in words:
            students = Student.objects.filter(Q(number__istartswith=word) | Q(last_name__istartswith=word))
            found = list(students.values_list("pk", flat=True)[: SEARCH_STUDENTS + 1])
            courses = list(Course.objects.filter(code__istartswith=word).values_list("pk", flat=True))
            match = Q(pk__in=[])
            if found:
                many = len(found) > SEARCH_STUDENTS  # too many for a list: the database reads them itself
                match |= Q(isp_line__enrolment__student__in=students.values("pk") if many else found)
            if courses:
                match |= Q(isp_line__course__in=courses)
            queryset = queryset.filter(match)
        return queryset, False

    def get_queryset(self, request):
        # The result's page shows its ISP line (student, programme, year, course) and exam
        # period: read with the result, not one query each.
        return super().get_queryset(request).select_related("exam_period__academic_year", *ISP_LINE_RELATED)

    def get_fields(self, request, obj=None):
        return list(self.add_fields) if obj is None else super().get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = [f for f in self.add_fields if f not in ("student", "course")]
            form = super().get_form(request, obj, change=change, **kwargs)
            site = self.admin_site

            class AddForm(form):
                def __init__(self, *args, **inner):
                    super().__init__(*args, admin_site=site, **inner)

            return AddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # A result is an ISP line's opportunity: another line or opportunity is another result.
        return [*readonly, "isp_line", "opportunity"] if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        entry = form.entry()
        recorded = result_record(
            isp_line=entry.isp_line,
            exam_period=entry.exam_period,
            opportunity=entry.opportunity,
            mark=entry.mark,
            parts=entry.parts,
            by=request.user,
        )
        obj.pk, obj._state.adding = recorded.pk, False

    def save_formset(self, request, form, formset, change):
        if formset.model is ResultPart:
            # ``result_record`` entered the partial exams with the result.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def has_delete_permission(self, request, obj=None):
        # A published result is changed only by an appeal or a correction (Art. 93, 101-102).
        if obj is not None and result_published_on(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, so that a published result is never deleted
        return actions

    @admin.display(description=_("student"), ordering="isp_line__enrolment__student__number")
    def student(self, obj):
        return obj.isp_line.enrolment.student

    @admin.display(description=_("course"), ordering="isp_line__course__code")
    def course(self, obj):
        return obj.isp_line.course

    @admin.display(description=_("exam period"), ordering="exam_period_id")
    def period(self, obj):
        # Sorted by the exam period's key (periods are created in order; the key is indexed
        # with the result's), not by the period's own ordering: that one sorts the whole table.
        return obj.exam_period

    @admin.display(description=_("mark"))
    def mark(self, obj):
        return obj.mark_display


class ToleranceAdmin(BoundedDatesAdminMixin, admin.ModelAdmin):
    list_display = ["isp_line", "student", "on", "processed", "refusal"]
    list_filter = ["processed", "isp_line__enrolment__academic_year", "isp_line__course__programme"]
    list_select_related = ISP_LINE_RELATED
    search_fields = ["isp_line__enrolment__student__number", "isp_line__course__code"]
    raw_id_fields = ["isp_line"]
    readonly_fields = ["processed", "refusal"]
    date_hierarchy = "on"

    @admin.display(description=_("student"), ordering="isp_line__enrolment__student__number")
    def student(self, obj):
        return obj.isp_line.enrolment.student

    def date_ranges(self, form, *, today):
        # A student's decision on a result of the ISP line's academic year (or a neighbour).
        line = form.cleaned_data.get("isp_line")
        return {"on": year_dates(year=line.enrolment.academic_year, today=today)} if line else {}


class ToleranceChoiceAdminForm(forms.ModelForm):
    """A new choice is checked by the rules of Art. 91 §2 (``tolerance_choice_check``)."""

    class Meta:
        model = ToleranceChoice
        fields = ["isp_line", "on"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("isp_line") and data.get("on"):
            problem = tolerance_choice_problem(isp_line=data["isp_line"], on=data["on"])
            if problem:
                raise ValidationError(problem)
        return data


class RecordedFactMixin:
    """A recorded choice or objection is a fact: nothing on it can be edited afterwards."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "isp_line", "on"] if obj is not None else readonly


@admin.register(ToleranceChoice)
class ToleranceChoiceAdmin(RefusalsOnSaveMixin, RecordedFactMixin, ToleranceAdmin):
    """A student's tolerance choice, recorded for them through ``tolerance_choice_record``:
    applied at once when its day has come."""

    form = ToleranceChoiceAdminForm

    def save_model(self, request, obj, form, change):
        if change:
            return  # a recorded choice is a fact: nothing on it can be edited
        recorded = tolerance_choice_record(isp_line=obj.isp_line, on=obj.on, today=clock.today(), by=request.user)
        obj.pk, obj.processed, obj.refusal = recorded.pk, recorded.processed, recorded.refusal
        obj._state.adding = False


@admin.register(ToleranceObjection)
class ToleranceObjectionAdmin(ProcessFactsOnSaveMixin, RecordedFactMixin, ToleranceAdmin):
    """A student's objection to an automatic tolerance, recorded for them and processed at
    once by the timeline when its day has come, as the nightly job would: the same
    ``tolerance_objections_process`` undoes the tolerance or records why it is refused."""

    def save_model(self, request, obj, form, change):
        if change:
            return  # a recorded objection is a fact: nothing on it can be edited
        super().save_model(request, obj, form, change)


@admin.register(ProgrammeResult)
class ProgrammeResultAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Programme results decided at a publication (Art. 78-81), read-only: the publication and
    new decisions (appeals, corrections) compute them from the results."""

    list_display = ["student", "programme", "academic_year", "passed_on", "percentage", "level"]
    list_filter = ["academic_year", "programme", "level"]
    list_select_related = ["student", "programme", "academic_year"]
    search_fields = ["student__number", "student__last_name", "programme__code"]
    autocomplete_fields = ["student", "programme", "academic_year"]
    date_hierarchy = "passed_on"


@admin.register(HeldPublication)
class HeldPublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The programmes a publication left out because an examination committee's deliberation
    on them was still open, and the day they were released (EXCHANGE.md), read-only: the
    publication and the deliberation's closing decide them."""

    list_display = ["exam_period", "programme", "released_on"]
    list_filter = ["exam_period__academic_year", "released_on"]
    list_select_related = ["exam_period__academic_year", "programme"]
    search_fields = ["programme__code", "programme__name"]


# --- On the enrolment's page (students.admin) ----------------------------------------------
def _day(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


class ISPLineResultsMixin:
    """Read-only result columns for the ISP lines inline of an enrolment: the results per
    opportunity, and the tolerance (chosen or automatic) with its date."""

    results_readonly_fields = ("mark", "outcome", "results", "certified_on", "tolerance")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "results",
                    queryset=Result.objects.select_related("exam_period")
                    .prefetch_related("parts")
                    .order_by("opportunity"),
                )
            )
        )

    @admin.display(description=_("results"))
    def results(self, line):
        if line.pk is None:
            return ""
        return "; ".join(
            str(
                _("%(opportunity)s: %(mark)s (exam period %(period)s)")
                % {"opportunity": r.opportunity, "mark": result_mark(r), "period": r.exam_period.number}
            )
            for r in line.results.all()
        )

    @admin.display(description=_("tolerated"))
    def tolerance(self, line):
        if line.tolerated_on is None:
            return ""
        return f"{line.get_tolerance_kind_display()}, {_day(line.tolerated_on)}"


class EnrolmentResultsMixin:
    """A read-only block on an enrolment's page: the study efficiency, the tolerance credit
    and the student's programme result (Art. 28, 78-81, 91), judged like the publication."""

    results_fields = ("study_efficiency", "tolerance_position", "programme_result")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.results_fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.results_fields]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None:
            fieldsets.append((_("Results, tolerance and programme result"), {"fields": list(self.results_fields)}))
        return fieldsets

    def _standing(self, enrolment):
        found = getattr(enrolment, "_standing", None)
        if found is None:
            key = (enrolment.student_id, enrolment.programme_id)
            standing = standings([key])[key]
            found = enrolment._standing = (standing, standing.year(enrolment.pk))
        return found

    @admin.display(description=_("study efficiency"))
    def study_efficiency(self, enrolment):
        _standing, year = self._standing(enrolment)
        if year.efficiency is None:
            return _("no credits actually taken")
        return _("%(percentage)s %% (%(certified)s of %(taken)s credits with a credit certificate)") % {
            "percentage": formats.number_format(round_half_up(year.efficiency, 2), 2),
            "certified": year.certified,
            "taken": year.actually_taken,
        }

    @admin.display(description=_("tolerance credit"))
    def tolerance_position(self, enrolment):
        standing, year = self._standing(enrolment)
        position = standing.tolerance(year)
        if position is None:
            return _("no tolerance under this contract")
        return _("%(credit)s credits, %(used)s used, %(left)s left") % position

    @admin.display(description=_("programme result"))
    def programme_result(self, enrolment):
        result = (
            ProgrammeResult.objects.filter(student_id=enrolment.student_id, programme_id=enrolment.programme_id)
            .select_related("academic_year")
            .first()
        )
        if result is None:
            return _("not passed (yet)")
        text = _("passed on %(day)s (%(year)s), %(percentage)s %%") % {
            "day": _day(result.passed_on),
            "year": result.academic_year.code,
            "percentage": formats.number_format(round_half_up(result.percentage, 2), 2),
        }
        return f"{text}, {result.get_level_display()}" if result.level else text


# The exam schedule and the ombudsperson's records have their own module.


# --- Exam periods: the publication planned and done (Art. 86) ------------------------------
def publication_done(period: ExamPeriod) -> Transition | None:
    """The timeline's record of ``period``'s publication (``exams.publication``), or None.
    Kept on the period: the changelist reads it for a whole page at once (``ExamPeriodAdmin``)."""
    if not hasattr(period, "_publication_done"):
        period._publication_done = Transition.objects.filter(key=publication_key(period)).first()
    return period._publication_done


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _grouped(count: int) -> str:
    """A count with its thousands grouped, in the reader's language (1.250.000 in Dutch)."""
    return formats.number_format(count, force_grouping=True)


def course_marks(tally: MissingMarksTally) -> list[dict]:
    """Per course of the tally's exam period, as last counted (``exams.tallies``): the marks
    entered and, for exam periods 1 and 2, those still missing (the lines examined there without
    a result); the courses with marks missing first."""
    counts = {int(course): counted for course, counted in tally.per_course.items()}
    courses = Course.objects.filter(pk__in=counts).select_related("programme")
    rows = [{"course": course, "entered": counts[course.pk][0], "missing": counts[course.pk][1]} for course in courses]
    return sorted(rows, key=lambda r: (-r["missing"], r["course"].programme.code, r["course"].code))


class ExamPeriodAdmin(CatalogueExamPeriodAdmin):
    """The catalogue's exam periods with their publication: the planned day, whether the timeline
    has published the results (when, and by whom: the deadline job, no person), and the marks
    still missing per course before it (a page of its own)."""

    list_display = ["__str__", "dates", "planned", "publication", "marks"]
    readonly_fields = ["publication", "marks"]

    def get_queryset(self, request):
        # The marks entered and missing as last counted (``exams.tallies``), read with the periods
        # (naming the year too: the changelist adds ``list_select_related`` only to a query
        # without any). Counting them walks every result and every line a period examines.
        return super().get_queryset(request).select_related("academic_year", "missing_marks_tally")

    def get_changelist_instance(self, request):
        """The page's publications read in one query, not one (or two) per row."""
        changelist = super().get_changelist_instance(request)
        periods = list(changelist.result_list)
        done = {t.key: t for t in Transition.objects.filter(key__in=[publication_key(p) for p in periods])}
        for period in periods:
            period._publication_done = done.get(publication_key(period))
        return changelist

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("results_published_on")
        if field is not None:
            # The planned day: whether the publication ran is shown under it (from the timeline).
            field.label = _("Publication planned on")
            field.help_text = _("The deadline job publishes the results on this day (Art. 86).")
        return form

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "<int:pk>/publication/",
                self.admin_site.admin_view(self.publication_view),
                name="{}_{}_publication".format(*info),
            )
        ]
        return urls + super().get_urls()

    def _publication_url(self, period) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_publication", args=[period.pk])

    @admin.display(description=_("exam days"), ordering="starts_on")
    def dates(self, period):
        return f"{_day(period.starts_on)} – {_day(period.ends_on)}"

    @admin.display(description=_("publication planned on"), ordering="results_published_on")
    def planned(self, period):
        return _day(period.results_published_on)

    @admin.display(description=_("publication"))
    def publication(self, period):
        if period.pk is None:
            return ""
        done = publication_done(period)
        if done is None:
            return _("not published yet")
        # The timeline records no user: the deadline job (nightly, or a replay) publishes.
        text = _("published on %(day)s by the system") % {"day": _day(done.due_on)}
        title = _("run by the deadline job at %(at)s: no person publishes the results") % {
            "at": _moment(done.processed_at)
        }
        return format_html('<span title="{}">{}</span>', title, text)

    @admin.display(description=_("marks"))
    def marks(self, period):
        if period.pk is None:
            return ""
        # As last counted (``exams.tallies``); a period never counted is counted by a worker, not
        # by the list (seconds a period with many students).
        tally = tally_of(period, count_now=None)
        if tally is None:
            text = _("not counted yet: being counted in the background")
            return format_html('<a href="{}">{}</a>', self._publication_url(period), text)
        counts = {"missing": _grouped(tally.lines), "entered": _grouped(tally.entered)}
        if period.number in EXAMINED and publication_done(period) is None:
            text = _("%(missing)s missing, %(entered)s entered") % counts
        else:
            text = _("%(entered)s entered") % counts
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            self._publication_url(period),
            counted_when(tally.counted_at, clock.now()),
            text,
        )

    def publication_view(self, request, pk):
        period = ExamPeriod.objects.select_related("academic_year").filter(pk=pk).first()
        if period is None:
            raise Http404
        if not self.has_view_permission(request, period):
            raise PermissionDenied
        done = publication_done(period)
        # As last counted: a period never counted is counted now (once), and a worker keeps it.
        tally = tally_of(period)
        rows = course_marks(tally)
        for row in rows:
            row["results_url"] = (
                reverse("admin:exams_result_changelist")
                + "?"
                + urlencode({"exam_period__id__exact": period.pk, "q": row["course"].code})
            )
            row["marksheet_url"] = (
                reverse("exams:marksheet") + "?" + urlencode({"course": row["course"].pk, "exam_period": period.pk})
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publication of %(period)s") % {"period": period},
            "period": period,
            "planned_on": period.results_published_on,
            "done": done,
            "done_at": timezone.localtime(done.processed_at) if done else None,
            "counts_missing": period.number in EXAMINED,
            "rows": rows,
            "missing_total": sum(r["missing"] for r in rows),
            "entered_total": sum(r["entered"] for r in rows),
            "counted": counted_when(tally.counted_at, clock.now()),
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/exams/examperiod/publication.html", context)


admin.site.unregister(ExamPeriod)
admin.site.register(ExamPeriod, ExamPeriodAdmin)
