from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core import events, gates

        from . import checks, selectors  # noqa: F401 - checks registers itself
        from .receivers import decision_notified
        from .services import is_live

        gates.notified_days.answer_with(selectors.notified_days)
        gates.student_notifications.answer_with(selectors.student_notifications)
        gates.decisions_told.answer_with(is_live)

        # Every deciding app announces through core's event; the outbox row is written in its
        # transaction (ARCHITECTURE.md, DOMAIN §11).
        events.decision_notified.connect(decision_notified, dispatch_uid="notifications.decision_notified")
