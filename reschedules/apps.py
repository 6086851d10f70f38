from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReschedulesConfig(AppConfig):
    name = "reschedules"
    verbose_name = _("Exam schedule and reschedules")
