from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fees"
    verbose_name = _("tuition fees")

    def ready(self):
        from . import deadlines, home

        deadlines.register()
        home.register()
        from core import gates

        from . import signals  # noqa: F401
        from .preview import isp_change_fee, year_fee_preview

        gates.isp_change_fee.answer_with(isp_change_fee)
        gates.year_fee_preview.answer_with(year_fee_preview)
