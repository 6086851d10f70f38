from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Study progress")

    def ready(self):
        from . import deadlines, home, receivers

        deadlines.register()
        home.register()
        receivers.connect()
