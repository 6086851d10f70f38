from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("Examinations")

    def ready(self):
        from core import events, gates

        from . import deadlines, facts, home, tallies

        deadlines.register()
        home.register()
        gates.opportunities_taken.answer_with(facts.opportunities_taken)
        # Results entered (here, or imported): their exam periods' marks are counted again.
        events.results_recorded.connect(tallies.results_recorded, dispatch_uid="exams.tallies")
