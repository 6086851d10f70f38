"""Who may enter results in the application's own pages.

Decided: student administration keeps the results (Art. 67: examiners hand their
marks to the student administrative services centre), so its members and
superusers may upload marksheets; every other role gets a 403, an anonymous
visitor the login page. One helper, to be folded into ``core.permissions`` next to
the student pages' checks.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from core import roles


def can_record_results(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=roles.ADMINISTRATION).exists()


def results_office(view):
    """Login required (302 to the login page), then student administration or a superuser (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_record_results(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
