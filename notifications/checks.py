"""System checks of the notifications' settings (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Error, register

from .kinds import Kind


@register()
def digest_kinds_exist(app_configs, **kwargs):
    """``NOTIFICATIONS_DIGEST`` names kinds that exist: a misspelt kind would be sent one by one."""
    unknown = sorted(set(settings.NOTIFICATIONS_DIGEST) - set(Kind.values))
    if not unknown:
        return []
    return [
        Error(
            f"NOTIFICATIONS_DIGEST names unknown kinds: {', '.join(unknown)}.",
            hint=f"Choose from: {', '.join(Kind.values)}.",
            id="notifications.E001",
        )
    ]
