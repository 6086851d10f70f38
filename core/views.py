from django.shortcuts import render

from . import clock
from .home import panels_for
from .permissions import Capability, requires


@requires(Capability.SIGNED_IN)
def home(request):
    today = clock.today()
    return render(request, "core/home.html", {"panels": panels_for(request.user, today=today), "today": today})
