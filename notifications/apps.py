from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core import events

        from .receivers import decision_notified

        # Every deciding app announces through core's event; the outbox row is written in its
        # transaction (ARCHITECTURE.md, DOMAIN §11).
        events.decision_notified.connect(decision_notified, dispatch_uid="notifications.decision_notified")
