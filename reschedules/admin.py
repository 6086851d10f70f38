"""Admin of the exam schedule and the ombudsperson's records (Art. 43, 50, 56-60, 97):
exam moments (with the planning department's CSV import), course examiners and special
statuses are kept by the office; reschedule requests and annual reports are written in
the ombudsperson's pages and only read here. Imported by ``exams.admin``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin import AuditedAdmin, BoundedDatesAdminMixin, ReadOnlyAdminMixin
from core.csv import CONTENT_TYPE as CSV_CONTENT_TYPE
from programmes.selectors import year_dates

from .announcements import MomentChange, moments_changed_announce
from .models import CourseExaminer, ExamMoment, IndividualMoment, OmbudsReport, RescheduleRequest, SpecialStatus
from .moments import MomentsFileError, MomentsRefused, exam_moments_import, moments_csv, read_moments_csv


class MomentsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Exam moments (CSV)"),
        help_text=_(
            "The planning department's export with the columns academic_year, exam_period, programme, course, "
            "date, start and room, and optionally duration (minutes; empty is three hours), separated by "
            "semicolons or commas. Every row is checked first: when one is refused, nothing is imported."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.cleaned_data["rows"] = read_moments_csv(upload)
        except MomentsFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


@admin.register(ExamMoment)
class ExamMomentAdmin(AuditedAdmin):
    change_list_template = "admin/reschedules/exammoment/change_list.html"
    list_display = ["course", "programme", "exam_period", "on", "starts_at", "duration", "room", "announced_on"]
    list_filter = ["exam_period__academic_year", "exam_period__number", "course__programme"]
    list_select_related = ["course__programme", "exam_period__academic_year"]
    search_fields = ["course__code", "course__name", "room"]
    autocomplete_fields = ["course"]
    date_hierarchy = "on"
    readonly_fields = ["announced_on"]
    actions = ["export_csv"]

    @admin.display(description=_("programme"), ordering="course__programme__code")
    def programme(self, obj):
        return obj.course.programme.code

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "exam_period":
            kwargs.setdefault("queryset", db_field.related_model.objects.select_related("academic_year"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A new exam, or one moved to another day or hour, is announced today (Art. 43).
        if not change or {"on", "starts_at"} & set(form.changed_data):
            obj.announced_on = clock.today()
        old = ExamMoment.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        # After the schedule's publication, the students whose exam changed are told (Art. 41, 43).
        told = MomentChange(obj, old.on, old.starts_at, old.room) if old else MomentChange(obj)
        moments_changed_announce([told], day=clock.today())

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="reschedules_exammoment_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        problems = None
        form = MomentsUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                summary = exam_moments_import(rows=form.cleaned_data["rows"], today=clock.today(), by=request.user)
            except MomentsRefused as refused:
                problems = refused.problems
            else:
                self.message_user(
                    request,
                    _("Exam moments imported: %(created)s new, %(updated)s moved or changed, %(unchanged)s unchanged.")
                    % {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:reschedules_exammoment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import exam moments"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reschedules/exammoment/import.html", context)

    @admin.action(description=_("Download the selected exam moments (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        moments = queryset.select_related("course__programme", "exam_period__academic_year").order_by("on", "starts_at")
        response = HttpResponse(moments_csv(moments), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="exam-moments.csv"'
        return response


@admin.register(CourseExaminer)
class CourseExaminerAdmin(admin.ModelAdmin):
    """Who examines which course in a year (Art. 60): an ombudsperson who examines a student's
    course hands that student's requests to the substitute (Art. 58)."""

    list_display = ["course", "academic_year", "user"]
    list_filter = ["academic_year", "course__programme"]
    list_select_related = ["course", "academic_year", "user"]
    search_fields = ["course__code", "course__name", "user__username", "user__last_name"]
    autocomplete_fields = ["course", "academic_year", "user"]


@admin.register(SpecialStatus)
class SpecialStatusAdmin(BoundedDatesAdminMixin, AuditedAdmin):
    """Special statuses per student and academic year (appendix on special statuses, Art. 97)."""

    list_display = ["student", "academic_year", "kind", "level", "granted_by", "granted_on"]
    list_filter = ["academic_year", "kind", "level"]
    list_select_related = ["student", "academic_year"]
    search_fields = ["student__number", "student__first_name", "student__last_name", "granted_by"]
    autocomplete_fields = ["student", "academic_year"]
    date_hierarchy = "granted_on"

    def date_ranges(self, form, *, today):
        year = form.cleaned_data.get("academic_year")
        return {"granted_on": year_dates(year=year, today=today)} if year else {}


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Logged and decided in the ombudsperson's pages; read here with their history."""

    list_display = ["requested_on", "kind", "student", "course", "exam_period", "status", "late", "ineligible"]
    list_filter = [
        "kind",
        "status",
        "late",
        "ineligible",
        "exam_period__academic_year",
        "isp_line__enrolment__programme",
    ]
    list_select_related = ["isp_line__course", "isp_line__enrolment__student", "exam_period__academic_year"]
    search_fields = ["isp_line__enrolment__student__number", "isp_line__course__code"]
    date_hierarchy = "requested_on"

    @admin.display(description=_("student"), ordering="isp_line__enrolment__student__number")
    def student(self, obj):
        return obj.isp_line.enrolment.student

    @admin.display(description=_("course"), ordering="isp_line__course__code")
    def course(self, obj):
        return obj.isp_line.course


@admin.register(OmbudsReport)
class OmbudsReportAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["programme", "academic_year", "prepared_on", "due_on", "submitted_on", "overdue"]
    list_filter = ["academic_year", "overdue"]
    list_select_related = ["programme", "academic_year"]


@admin.register(IndividualMoment)
class IndividualMomentAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Set and withdrawn by the decisions that own them (Art. 85 §1 1°: the fraud decision's retake,
    through ``reschedules.services``); read here with their history."""

    list_display = ["on", "starts_at", "isp_line", "exam_period", "source", "set_on", "withdrawn_on"]
    list_filter = ["source", "exam_period__academic_year"]
    list_select_related = ["isp_line__course", "isp_line__enrolment__student", "exam_period__academic_year"]
    search_fields = ["isp_line__enrolment__student__number", "isp_line__course__code", "reference"]
