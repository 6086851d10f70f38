from django.shortcuts import render

from .permissions import Capability, requires


@requires(Capability.SIGNED_IN)
def home(request):
    return render(request, "core/home.html")
