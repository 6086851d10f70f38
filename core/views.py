from django.shortcuts import render

from . import clock
from .home import panels_for
from .permissions import Capability, requires, scope


@requires(Capability.SIGNED_IN)
def home(request):
    today = clock.today()
    # The user's roles as ``scope`` read them (no second query); a superuser's are everything.
    user_scope = scope(request.user)
    roles = [] if user_scope.superuser else sorted(user_scope.groups)
    return render(
        request,
        "core/home.html",
        {"panels": panels_for(request.user, today=today), "today": today, "roles": roles},
    )
