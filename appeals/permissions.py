"""Who may see and do what in the appeal register (on top of ``core.permissions``).

Decided (Art. 34, 101-102; ARCHITECTURE.md, Permissions):

- Student administration keeps the register: its members and superusers read and write
  everything in it (appeals, refusal-lifting requests, corrections) and record the
  decisions of the appeal authority and of the refusal-lifting committee.
- The examination committee reads the register (``core.permissions.scope``: it sees every
  student) and decides the appeals against its own decisions, categories (f) and (g);
  it also records corrections of marks (Art. 102), the results being its decisions.
- Anybody else (coaches, ombudspersons, users without a role) gets a 403; anonymous
  visitors the login page. The register is not scoped to programmes: appeals are handled
  centrally, so every object is visible to whoever may read the register.

To be folded into ``core.permissions`` next to the student pages' checks.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from core import roles
from core.permissions import scope

from . import rules


def _groups(user) -> set[str]:
    cached = getattr(user, "_appeal_groups", None)
    if cached is None:
        cached = user._appeal_groups = set(user.groups.values_list("name", flat=True))
    return cached


def _active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def can_read(user) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or bool(_groups(user) & {roles.ADMINISTRATION, roles.COMMITTEE})


def can_write(user) -> bool:
    """Register appeals and requests, follow them up and record every decision."""
    return _active(user) and (user.is_superuser or roles.ADMINISTRATION in _groups(user))


def can_decide(user, appeal) -> bool:
    """Record the outcome of ``appeal``: the register's keepers, or the examination
    committee for its own decisions (Art. 101 (f), (g))."""
    if can_write(user):
        return True
    return _active(user) and roles.COMMITTEE in _groups(user) and rules.committee_may_decide(appeal.category)


def can_correct_marks(user) -> bool:
    return can_write(user) or (_active(user) and roles.COMMITTEE in _groups(user))


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def register_pages(view):
    """Login required (302 to the login page), then a role that reads the register (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # The register is global: whoever reads it sees every student (core.permissions).
        if not can_read(request.user) or not scope(request.user).sees_all:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
