"""Headers and sessions (issue 14, point 13): every page carries a Content-Security-Policy that
allows the site's own files only (no inline script or style), Referrer-Policy and
Cross-Origin-Opener-Policy; the session cookie ends with the browser; a session ends after
SESSION_IDLE_SECONDS without a request and goes on while the user is active. The browser's side
of the policy is tests/e2e/test_csp.py; the templates' side is checked here too."""

import datetime
import os
import re
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.support import personas

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LOGIN = reverse("login")
START = datetime.datetime(2026, 11, 23, 9, 0)


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("signed_in", [False, True], ids=["login page", "home"])
def test_a_page_carries_the_policy_and_the_headers(client, signed_in):
    if signed_in:
        client.force_login(personas.coach())
    response = client.get(HOME if signed_in else LOGIN)
    assert response.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in response  # enforced, not only reported
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    # No directive lets inline code or eval in; scripts and style sheets fall back to 'self'.
    for sources in directives.values():
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources
    assert "script-src" not in directives
    assert "style-src" not in directives
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_admin_carries_the_policy(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert policy(response)["default-src"] == ["'self'"]


def test_the_session_cookie_ends_with_the_browser(client):
    personas.coach()
    response = client.post(LOGIN, {"username": "coach", "password": personas.PASSWORD})
    assert response.status_code == 302
    cookie = SimpleCookie(response.cookies.output(header="", sep="\n"))[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["expires"]
    assert not cookie["max-age"]


def _signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


@pytest.fixture
def eight_hours(settings):
    """The production default of SESSION_IDLE_SECONDS (the test settings keep sessions for two
    weeks, as many tests move the clock on by days; test_the_environment_sets_the_limits reads
    the default)."""
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60


def test_an_idle_session_ends_after_eight_hours(client, eight_hours):
    with time_machine.travel(START, tick=False):
        client.force_login(personas.coach())
        assert _signed_in(client)
    with time_machine.travel(START + datetime.timedelta(hours=7, minutes=59), tick=False):
        assert _signed_in(client)
    # The request at 7:59 renewed it: 8 hours later (plus a minute) it has ended.
    with time_machine.travel(START + datetime.timedelta(hours=15, minutes=59, seconds=61), tick=False):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_an_active_session_goes_on_past_eight_hours(client, eight_hours):
    with time_machine.travel(START, tick=False):
        client.force_login(personas.coach())
    for hours in range(2, 25, 2):  # a request every two hours for a day
        with time_machine.travel(START + datetime.timedelta(hours=hours), tick=False):
            assert _signed_in(client), f"signed out after {hours} hours"


def test_the_idle_time_follows_the_setting(client, settings):
    settings.SESSION_COOKIE_AGE = 600
    with time_machine.travel(START, tick=False):
        client.force_login(personas.coach())
    with time_machine.travel(START + datetime.timedelta(minutes=9), tick=False):
        assert _signed_in(client)
    with time_machine.travel(START + datetime.timedelta(minutes=9 + 11), tick=False):
        assert not _signed_in(client)


def test_the_session_is_renewed_at_most_once_a_minute(client):
    """No database write on every request: the stored expiry moves on only when a minute has
    passed since the last renewal."""
    with time_machine.travel(START, tick=False):
        client.force_login(personas.coach())
        assert _signed_in(client)
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(START + datetime.timedelta(seconds=30), tick=False):
        assert _signed_in(client)
    assert Session.objects.get(session_key=key).expire_date == first
    with time_machine.travel(START + datetime.timedelta(seconds=90), tick=False):
        assert _signed_in(client)
    assert Session.objects.get(session_key=key).expire_date == first + datetime.timedelta(seconds=90)


def test_the_environment_sets_the_limits():
    """AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES and SESSION_IDLE_SECONDS (README, Configuration)."""
    script = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), s.SESSION_COOKIE_AGE)"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "a-secret-for-this-test-only",
        "AXES_FAILURE_LIMIT": "7",
        "AXES_COOLOFF_MINUTES": "30",
        "SESSION_IDLE_SECONDS": "3600",
    }
    command = [sys.executable, "-c", f"import django; django.setup(); {script}"]
    out = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["7", "1800", "3600"]
    for name in ("AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "SESSION_IDLE_SECONDS"):
        env.pop(name)
    out = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["5", str(15 * 60), str(8 * 60 * 60)]


# --- The templates: nothing inline that the policy would refuse ------------------------------
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
}
# The study progress file's PDF is made on the server by xhtml2pdf and never served as a page:
# its <style> element is inside {% if pdf %} (progress/exports.py). So is the deliberation
# report's PDF (committee/report_views.py), a template used for the PDF only.
ALLOWED = {("progress/file_official.html", "<style> element"), ("committee/report_pdf.html", "<style> element")}
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)


def test_no_template_has_an_inline_script_style_or_handler():
    root = Path(settings.BASE_DIR) / "templates"
    found = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        for what, pattern in INLINE.items():
            if pattern.search(text) and (name, what) not in ALLOWED:
                found.append(f"{name}: {what}")
    assert found == []


def test_the_check_finds_each_kind():
    samples = {
        "inline script": "<script>alert(1)</script>",
        "style attribute": '<div style="width: 5%">',
        "event handler attribute": '<select onchange="this.form.submit()">',
        "javascript: URL": '<a href="javascript:void(0)">',
        "<style> element": "<style>p {}</style>",
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not INLINE["inline script"].search('<script src="/static/js/a.js"></script>')
    assert not INLINE["style attribute"].search('<link rel="stylesheet" href="/static/css/a.css">')
