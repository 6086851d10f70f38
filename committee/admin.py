"""The examination committees in the admin (Art. 68): the office keeps each year's committees,
the clusters they cover and their members, with history, and schedules the deliberations. What
happens in a deliberation (attendance, hearings, decisions, votes, the report) is written through
the committee's pages and its services; here it is read-only, for the administration."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin

from .models import (
    Attendance,
    CaseFile,
    Committee,
    CommitteeCluster,
    Decision,
    Deliberation,
    Hearing,
    Member,
    Postponement,
    Recusal,
    Report,
)


class ClusterInline(admin.TabularInline):
    model = CommitteeCluster
    extra = 1
    fields = ["cluster"]


class MemberInline(admin.TabularInline):
    model = Member
    extra = 1
    fields = ["name", "role", "user", "programme"]
    autocomplete_fields = ["user", "programme"]


@admin.register(Committee)
class CommitteeAdmin(AuditedAdmin):
    list_display = ["name", "academic_year", "cluster_names", "approved_on"]
    list_filter = ["academic_year"]
    search_fields = ["name", "clusters__cluster", "members__name"]
    inlines = [ClusterInline, MemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("academic_year").prefetch_related("clusters")

    @admin.display(description=_("clusters"))
    def cluster_names(self, obj):
        return ", ".join(c.cluster for c in obj.clusters.all())


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["member", "presence", "replaces"]


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ["student", "kind", "isp_line", "new_score", "level", "reason", "outcome"]


@admin.register(Deliberation)
class DeliberationAdmin(AuditedAdmin):
    """Scheduled here (committee, exam period, day, place); held on the committee's pages."""

    list_display = ["__str__", "meets_on", "place", "status", "opened_on", "closed_on", "pages"]
    list_filter = ["status", "exam_period__academic_year", "committee__name"]
    search_fields = ["committee__name"]
    readonly_fields = ["status", "opened_on", "closed_on"]
    fields = ["committee", "exam_period", "meets_on", "place", "status", "opened_on", "closed_on"]
    inlines = [AttendanceInline, DecisionInline]
    list_select_related = ["committee", "exam_period", "exam_period__academic_year"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Once held, what the deliberation is about no longer changes.
        if obj is not None and obj.status != "prepared":
            return [*self.readonly_fields, "committee", "exam_period"]
        return self.readonly_fields

    @admin.display(description=_("pages"))
    def pages(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("committee:deliberation", args=[obj.pk]), _("open"))


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["student", "kind", "isp_line", "outcome", "deliberation"]
    list_filter = ["kind", "outcome", "deliberation__committee__name"]
    search_fields = ["student__number", "student__last_name", "reason"]
    list_select_related = ["student", "isp_line__course", "deliberation__committee", "deliberation__exam_period"]


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "kind", "heard", "student", "course", "deliberation"]
    list_filter = ["kind"]
    search_fields = ["student__number", "heard"]
    list_select_related = ["student", "course", "deliberation__committee", "deliberation__exam_period"]


@admin.register(Recusal)
class RecusalAdmin(ReadOnlyAdmin):
    list_display = ["member", "student", "ground", "deliberation"]
    list_select_related = ["member", "student", "deliberation__committee", "deliberation__exam_period"]


@admin.register(CaseFile)
class CaseFileAdmin(ReadOnlyAdmin):
    list_display = ["kind", "student", "course", "indicated_by", "deliberation"]
    list_filter = ["kind"]
    list_select_related = ["student", "course", "indicated_by", "deliberation__committee", "deliberation__exam_period"]


@admin.register(Postponement)
class PostponementAdmin(ReadOnlyAdmin):
    list_display = ["isp_line", "announce_on", "deliberation"]
    list_select_related = [
        "isp_line__course",
        "isp_line__enrolment__student",
        "deliberation__committee",
        "deliberation__exam_period",
    ]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["deliberation", "version", "chair_signed_at", "secretary_signed_at"]
    list_select_related = ["deliberation__committee", "deliberation__exam_period"]
    exclude = ["content"]
