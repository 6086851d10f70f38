from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin

from .models import ProgrammeResult, Result, ResultPart, ToleranceChoice, ToleranceObjection

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


class ResultInline(ExamPeriodChoicesMixin, admin.TabularInline):
    """The results of an ISP line (on the ISP line's page)."""

    model = Result
    fields = ["exam_period", "opportunity", "score", "grade"]
    show_change_link = True
    extra = 0
    max_num = 2

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exam_period__academic_year", *ISP_LINE_RELATED)


class ResultPartInline(admin.TabularInline):
    model = ResultPart
    fields = ["position", "credits", "score"]
    extra = 0


@admin.register(Result)
class ResultAdmin(ExamPeriodChoicesMixin, AuditedAdmin):
    list_display = ["student", "course", "exam_period", "opportunity", "mark"]
    list_filter = ["exam_period__academic_year", "exam_period__number", "opportunity", "grade"]
    list_select_related = ["exam_period__academic_year", *ISP_LINE_RELATED]
    search_fields = [
        "isp_line__enrolment__student__number",
        "isp_line__enrolment__student__last_name",
        "isp_line__course__code",
        "isp_line__course__name",
    ]
    raw_id_fields = ["isp_line"]
    fields = ["isp_line", "exam_period", "opportunity", "score", "grade"]
    inlines = [ResultPartInline]

    @admin.display(description=_("student"), ordering="isp_line__enrolment__student__number")
    def student(self, obj):
        return obj.isp_line.enrolment.student

    @admin.display(description=_("course"), ordering="isp_line__course__code")
    def course(self, obj):
        return obj.isp_line.course

    @admin.display(description=_("mark"))
    def mark(self, obj):
        return obj.mark_display


class ToleranceAdmin(admin.ModelAdmin):
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


@admin.register(ToleranceChoice)
class ToleranceChoiceAdmin(ToleranceAdmin):
    pass


@admin.register(ToleranceObjection)
class ToleranceObjectionAdmin(ToleranceAdmin):
    pass


@admin.register(ProgrammeResult)
class ProgrammeResultAdmin(AuditedAdmin):
    """Programme results decided at a publication (Art. 78-81)."""

    list_display = ["student", "programme", "academic_year", "passed_on", "percentage", "level"]
    list_filter = ["academic_year", "programme", "level"]
    list_select_related = ["student", "programme", "academic_year"]
    search_fields = ["student__number", "student__last_name", "programme__code"]
    autocomplete_fields = ["student", "programme", "academic_year"]
    date_hierarchy = "passed_on"
