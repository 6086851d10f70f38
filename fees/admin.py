from django.contrib import admin

from .models import FeeSchedule, FeeStatement


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ("academic_year_code", "fixed_none", "per_credit_none", "fixed_scholarship", "surcharge_per_credit")


@admin.register(FeeStatement)
class FeeStatementAdmin(admin.ModelAdmin):
    """Read-only: statements are appended by the recalculation, never edited."""

    list_display = ("student", "academic_year_code", "key", "on", "total", "change", "reason")
    list_filter = ("academic_year_code", "group", "reason")
    search_fields = ("student__number", "student__last_name")
    list_select_related = ("student",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
