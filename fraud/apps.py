from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FraudConfig(AppConfig):
    name = "fraud"
    verbose_name = _("Exam fraud and irregularities")

    def ready(self):
        from core import gates

        from . import deadlines, effects, home

        deadlines.register()
        home.register()
        gates.fraud_sanctioned_lines.answer_with(effects.sanctioned_lines)
        gates.fraud_result_refusals.answer_with(effects.result_refusals)
        # The code FR in the study progress file (Art. 85 §4) and the select committee's open files (Art. 69).
        from . import gate_answers

        gates.fraud_codes.answer_with(gate_answers.fraud_codes)
        gates.open_fraud_files.answer_with(gate_answers.open_fraud_files)
