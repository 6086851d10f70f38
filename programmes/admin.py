from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import replay_deadlines

from . import rules
from .forms import AcademicYearForm, CourseForm, ExamPeriodForm, ExamPeriodInlineFormSet, ProgrammeForm
from .models import AcademicYear, Assignment, Course, ExamPeriod, Prerequisite, Programme

EXAM_PERIODS_PER_YEAR = 3


class ExamPeriodInline(admin.TabularInline):
    model = ExamPeriod
    form = ExamPeriodForm
    formset = ExamPeriodInlineFormSet
    fields = ["number", "starts_on", "ends_on", "results_published_on"]
    max_num = EXAM_PERIODS_PER_YEAR

    def get_extra(self, request, obj=None, **kwargs):
        # A new year gets a row for each of its three periods; an existing one only the missing rows.
        existing = obj.exam_periods.count() if obj is not None and obj.pk else 0
        return max(EXAM_PERIODS_PER_YEAR - existing, 0)


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    form = AcademicYearForm
    actions = [replay_deadlines]
    list_display = ["code", "starts_on", "ends_on", "first_semester_lock", "second_semester_lock"]
    search_fields = ["code"]
    ordering = ["-starts_on"]
    inlines = [ExamPeriodInline]
    fieldsets = [
        (None, {"fields": ["code", "starts_on", "ends_on"]}),
        (
            _("Calendar"),
            {
                "fields": list(rules.CALENDAR_FIELDS),
                "description": _(
                    "Leave a date empty to take its default, filled in when the academic year is saved: "
                    "ISP deadline 15 October, individual exam schedules open 16 October, first-semester lock "
                    "1 December, generation-student switch deadline 25 December, second-semester change "
                    "deadline 25 February, second-semester lock 15 March, Easter break from the Saturday "
                    "before Easter Sunday."
                ),
            },
        ),
    ]


@admin.register(ExamPeriod)
class ExamPeriodAdmin(admin.ModelAdmin):
    form = ExamPeriodForm
    list_display = ["__str__", "academic_year", "number", "starts_on", "ends_on", "results_published_on"]
    list_filter = ["academic_year"]
    list_select_related = ["academic_year"]
    search_fields = ["academic_year__code"]
    ordering = ["-academic_year__starts_on", "number"]


class CourseInline(admin.TabularInline):
    model = Course
    form = CourseForm
    fields = ["code", "name", "credits", "semester", "stage", "tolerable", "resit", "pass_fail", "elective"]
    extra = 0
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeForm
    list_display = ["code", "name", "kind", "cluster", "credits", "course_count"]
    list_filter = ["kind", "cluster"]
    search_fields = ["code", "name", "cluster"]
    inlines = [CourseInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_count=Count("courses"))

    @admin.display(description=_("courses"), ordering="course_count")
    def course_count(self, obj):
        return obj.course_count


class PrerequisiteInline(admin.TabularInline):
    model = Prerequisite
    fk_name = "course"
    fields = ["required", "kind"]
    autocomplete_fields = ["required"]
    extra = 0
    verbose_name = _("prerequisite")
    verbose_name_plural = _("prerequisites (sequencing)")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseForm
    list_display = [
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
    ]
    list_filter = ["programme", "semester", "stage", "tolerable", "resit", "pass_fail", "elective"]
    list_select_related = ["programme"]
    search_fields = ["code", "name", "programme__code"]
    filter_horizontal = ["identical_to"]
    inlines = [PrerequisiteInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Coaches and ombudspersons per programme and academic year (Art. 56, 58)."""

    list_display = ["user", "role", "programme", "academic_year"]
    list_filter = ["role", "academic_year", "programme"]
    list_select_related = ["user", "programme", "academic_year"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "programme__code", "programme__name"]
    autocomplete_fields = ["user", "programme", "academic_year"]
