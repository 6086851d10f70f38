from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Examinations")

    def ready(self):
        from core import gates

        from . import deadlines, facts, home

        deadlines.register()
        home.register()
        gates.opportunities_taken.answer_with(facts.opportunities_taken)
