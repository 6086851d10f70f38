from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: rows are written by the decisions and sent by the worker; a
    notification is resent as a new row, the first kept (DOMAIN §11)."""

    list_display = ("created_at", "student", "kind", "status", "attempts", "sent_at", "language")
    list_filter = ("status", "kind", "language")
    search_fields = ("student__number", "student__last_name")
    list_select_related = ("student",)
    readonly_fields = [field.name for field in Notification._meta.fields] + ["message_id"]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend (a new notification; the first is kept)"), permissions=["view"])
    def resend(self, request, queryset):
        rows = []
        for row in queryset:
            try:
                rows.append(services.notification_resend(notification=row))
            except services.Refused as refused:
                self.message_user(request, f"{row}: {refused}", messages.WARNING)
        self.message_user(
            request,
            ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", len(rows))
            % {"count": len(rows)},
            messages.SUCCESS,
        )
