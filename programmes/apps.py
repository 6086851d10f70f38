from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Catalogue")

    def ready(self):
        from core import permissions

        from .selectors import assignments_of

        # The scope of coaches and ombudspersons comes from their assignments (core.permissions).
        permissions.register_assignment_source(assignments_of)
