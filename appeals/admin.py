"""The appeal register in the admin: look up, search and correct what was typed.

Registering, elaborating, postponing and deciding go through the register's pages (the
services and their rules: deadlines, outcomes, the new examination decision); here the
computed dates, the status and the outcome are read-only, and nothing is deleted."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin

from .models import Appeal, Correction, RefusalLiftingRequest


class NoAddNoDeleteMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("flagged overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_since__isnull=False, status="open")
        return queryset


@admin.register(Appeal)
class AppealAdmin(NoAddNoDeleteMixin, AuditedAdmin):
    list_display = [
        "reference_link",
        "student",
        "category",
        "programme",
        "posted_on",
        "status",
        "outcome",
        "decision_due_on",
        "overdue_since",
    ]
    list_filter = ["status", "outcome", "category", OverdueFilter, "pending_feedback", "programme"]
    search_fields = ["student__number", "student__last_name", "student__first_name", "decision_text"]
    date_hierarchy = "posted_on"
    list_select_related = ["student", "programme"]
    fields = [
        "student",
        "category",
        "programme",
        "decision_text",
        "result",
        "exam_period",
        "programme_result",
        "measure",
        "exemption",
        "isp_line",
        "refusal_lifting_request",
        "fraud_decision",
        "decision_on",
        "posted_on",
        "email",
        "facts_and_objections",
        "pending_feedback",
        "elaborated_on",
        "status",
        "voided_on",
        "decision_due_on",
        "later_announced_on",
        "later_decision_on",
        "later_reasons",
        "overdue_since",
        "outcome",
        "decided_on",
        "decided_by",
        "decision_reason",
        "old_mark",
        "new_mark",
        "registered_by",
        "registered_at",
    ]
    # What the deadlines are computed from, and what the services decide, is changed only there.
    readonly_fields = [f for f in fields if f not in ("email", "decision_text", "facts_and_objections")]

    @admin.display(description=_("reference"), ordering="pk")
    def reference_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.reference)


@admin.register(RefusalLiftingRequest)
class RefusalLiftingRequestAdmin(NoAddNoDeleteMixin, AuditedAdmin):
    list_display = ["__str__", "student", "academic_year_code", "submitted_on", "status", "decided_on"]
    list_filter = ["status", "academic_year_code", "measure__kind"]
    search_fields = ["student__number", "student__last_name", "student__first_name"]
    date_hierarchy = "submitted_on"
    list_select_related = ["student", "measure"]
    fields = [
        "student",
        "measure",
        "academic_year_code",
        "submitted_on",
        "grounds",
        "status",
        "decided_on",
        "decided_by",
        "decision_reason",
        "tolerated_courses",
        "registered_by",
        "registered_at",
    ]
    readonly_fields = [f for f in fields if f != "grounds"]


@admin.register(Correction)
class CorrectionAdmin(NoAddNoDeleteMixin, AuditedAdmin):
    list_display = ["corrected_on", "student", "subject", "old_value", "new_value", "in_favour", "recorded_by"]
    list_filter = ["in_favour", "exception"]
    search_fields = ["student__number", "student__last_name", "subject", "reason"]
    date_hierarchy = "corrected_on"
    list_select_related = ["student", "recorded_by"]
    fields = [
        "student",
        "result",
        "subject",
        "decision_on",
        "corrected_on",
        "in_favour",
        "exception",
        "old_value",
        "new_value",
        "reason",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False
