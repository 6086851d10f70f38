from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReschedulesConfig(AppConfig):
    name = "reschedules"
    verbose_name = _("Exam schedule and reschedules")

    def ready(self):
        from core import gates

        from . import deadlines, home
        from .exam_dates import exam_dates

        gates.exam_dates.answer_with(exam_dates)
        deadlines.register()
        home.register()
