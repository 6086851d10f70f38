"""Test-only URLconf: the project's URLs plus a view that always refuses (for 403.html)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def denied(request):
    raise PermissionDenied


urlpatterns = [path("test-denied/", denied, name="test-denied"), *project_urlpatterns]
