from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Transition

admin.site.site_header = _("College student administration")
admin.site.site_title = _("Student administration")
admin.site.index_title = _("Student administration office")


class ReadOnlyAdminMixin:
    """For records that only the application writes (the ledger, processed transitions):
    staff may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(SimpleHistoryAdmin):
    """simple_history's admin with a read-only audit trail: every change is listed with
    who and when, but a past version cannot be restored from the history page — a
    correction is a new, visible change made through the ordinary form."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "due_on", "processed_at"]
    search_fields = ["key"]
    date_hierarchy = "due_on"
