from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CollegeAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the project's site as ``admin.site`` (``core.sites``)."""

    default = False  # named in INSTALLED_APPS; "core" means CoreConfig
    default_site = "core.sites.CollegeAdminSite"


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in
        from django.db.models import Field
        from django.db.models.fields.related import ForeignObject

        from .admin import cap_admin_search
        from .lookups import ArrayIn, ArrayRelatedIn
        from .middleware import renewed_on_login

        # A long __in list as one array on PostgreSQL (core.lookups).
        Field.register_lookup(ArrayIn)
        ForeignObject.register_lookup(ArrayRelatedIn)

        # django.contrib.admin comes first in INSTALLED_APPS: its ready() has loaded every
        # admin module (autodiscover) by now.
        cap_admin_search(admin.site)
        # A login starts the session's idle time (core.middleware.SessionIdleMiddleware).
        user_logged_in.connect(renewed_on_login, dispatch_uid="core.session_renewed_on_login")
