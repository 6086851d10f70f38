"""The project's admin site (core.sites): the list of apps every admin page shows, built once
per set of permissions and language, the same as Django builds it on every request."""

import pytest
from django.contrib import admin
from django.contrib.admin import sites
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import translation

from core.sites import CollegeAdminSite
from tests.support import personas

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _djangos(request, app_label=None):
    """The list as Django's own site builds it, its names in the current language."""
    built = admin.AdminSite.get_app_list(admin.site, request, app_label)
    return [
        {**app, "name": str(app["name"]), "models": [{**m, "name": str(m["name"])} for m in app["models"]]}
        for app in built
    ]


def test_the_site_is_the_colleges_with_its_titles(admin_client):
    assert isinstance(admin.site._wrapped, CollegeAdminSite)
    response = admin_client.get(reverse("admin:index"))
    assert "College student administration" in response.content.decode()
    assert response.context["available_apps"]


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("who", ["superuser", "administration", "committee"])
def test_the_kept_list_is_djangos_list(who, language):
    request = _request(getattr(personas, who)())
    with translation.override(language):
        first = admin.site.get_app_list(request)
        again = admin.site.get_app_list(request)
        expected = _djangos(request)
        for_one_app = admin.site.get_app_list(request, "students")
        expected_for_one_app = _djangos(request, "students")
    assert first == again == expected
    assert for_one_app == expected_for_one_app
    assert len(for_one_app) == 1


def test_names_follow_the_language():
    request = _request(personas.superuser())
    with translation.override("en"):
        english = {m["object_name"]: m["name"] for app in admin.site.get_app_list(request) for m in app["models"]}
    with translation.override("nl"):
        dutch = {m["object_name"]: m["name"] for app in admin.site.get_app_list(request) for m in app["models"]}
    assert english["Student"] == "Students"
    assert dutch["Student"] == "Studenten"
    assert all(isinstance(name, str) and type(name) is str for name in dutch.values())


def test_names_follow_a_catalogue_loaded_again():
    """The key is the language's catalogue, not only its code: a catalogue put in its place (the
    development server's after compilemessages, the tests' pseudo locale for English) names the
    models anew, and the former one is used again once it is back (a flake of the suite: the
    pseudo locale's names on a later test's English page, English names on the pseudo page)."""
    from tests.core.pseudo import CLOSE, OPEN, pseudo_locale

    request = _request(personas.superuser())

    def names():
        return {m["object_name"]: m["name"] for app in admin.site.get_app_list(request) for m in app["models"]}

    with translation.override("en"):
        assert names()["Student"] == "Students"
    with pseudo_locale():
        assert names()["Student"] == f"{OPEN}students{CLOSE}"  # capfirst meets the marker first
    with translation.override("en"):
        assert names()["Student"] == "Students"


def test_a_permission_granted_shows_its_model_at_once():
    """The permissions are asked on every request: a user given a permission sees its model on
    the next page, the list kept for their former permissions is not reused."""
    user = personas.nobody(is_staff=True)
    assert admin.site.get_app_list(_request(user)) == []
    user.user_permissions.add(Permission.objects.get(codename="view_student"))
    user = type(user).objects.get(pk=user.pk)  # Django caches a user's permissions on the object

    listed = admin.site.get_app_list(_request(user))

    assert [(app["app_label"], [m["object_name"] for m in app["models"]]) for app in listed] == [
        ("students", ["Student"])
    ]
    student = listed[0]["models"][0]
    assert student["view_only"] is True
    assert student["add_url"] is None
    assert student["admin_url"] == reverse("admin:students_student_changelist")


def test_the_urls_are_reversed_once(monkeypatch):
    request = _request(personas.superuser())
    admin.site.get_app_list(request)
    reversed_urls = []
    original = sites.reverse
    monkeypatch.setattr(sites, "reverse", lambda *a, **k: reversed_urls.append(a) or original(*a, **k))

    assert admin.site.get_app_list(request)
    assert reversed_urls == []


def test_the_urls_follow_the_script_prefix():
    request = _request(personas.superuser())
    admin.site.get_app_list(request)
    set_script_prefix("/studadmin/")
    try:
        listed = admin.site.get_app_list(request)
    finally:
        set_script_prefix("/")
    students = next(app for app in listed if app["app_label"] == "students")
    assert students["app_url"] == "/studadmin/admin/students/"
    assert all(m["admin_url"].startswith("/studadmin/admin/") for m in students["models"])


def test_a_caller_changing_its_list_changes_nothing_kept():
    request = _request(personas.superuser())
    listed = admin.site.get_app_list(request)
    listed[0]["models"].clear()
    listed[1]["name"] = "changed"
    listed[2]["models"][0]["perms"]["add"] = "changed"
    listed.clear()

    assert admin.site.get_app_list(request) == _djangos(request)


def test_the_kept_lists_are_bounded(monkeypatch):
    site = CollegeAdminSite(name="bounded")
    monkeypatch.setattr(site, "APP_LISTS_KEPT", 2)
    request = _request(personas.superuser())
    for language in ("en", "nl", "fr"):
        with translation.override(language):
            site.get_app_list(request)
    assert len(site._app_lists) == 1  # cleared at the third, then the third kept
