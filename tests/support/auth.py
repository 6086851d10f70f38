"""The test settings' first authentication backend (config/settings_test.py)."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class TestClientAxesBackend(AxesStandaloneBackend):
    """django-axes' backend, which refuses an ``authenticate()`` without a request: Django's test
    client's ``login()`` makes such a call. Here it gets an empty request from 127.0.0.1, so
    ``client.login()`` works and is still refused for a locked-out user; a request the site
    serves (the login pages, the browser tests) goes through axes unchanged."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            request = HttpRequest()
            request.META["REMOTE_ADDR"] = "127.0.0.1"
        return super().authenticate(request, username=username, password=password, **kwargs)
