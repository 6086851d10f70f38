"""The admin's long lists (core.admin.LongListAdminMixin, issue 19): a row's checkbox and link
are what Django's own make, built without Django's cost per row."""

from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_urls
from django.urls import reverse
from django.utils import translation

from core.admin import LongListAdminMixin
from students.models import Enrolment, LearningAccountEntry, Student
from tests.support.factories import EnrolmentFactory, StudentFactory

pytestmark = pytest.mark.django_db

LONG_LISTS = [(m, a) for m, a in admin.site._registry.items() if isinstance(a, LongListAdminMixin)]


def test_the_long_lists_are_the_college_wide_tables():
    listed = {m for m, _a in LONG_LISTS}
    assert {Student, Enrolment, LearningAccountEntry} <= listed


@pytest.mark.parametrize("model", [m for m, _a in LONG_LISTS], ids=lambda m: m._meta.label)
def test_a_long_list_counts_no_filter_choices(admin_client, model):
    """Django's facets ("Show counts") count every row for each choice of each filter: not on a
    long list, not even asked for by the address."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    response = admin_client.get(url, {"_facets": "1"})

    assert response.status_code == 200
    assert not response.context["cl"].add_facets
    assert "Show counts" not in response.content.decode() and "Hide counts" not in response.content.decode()


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("last_name", ["Peeters", 'O\'Brien & <Zoë> "Jr"'])
def test_a_rows_checkbox_is_djangos(language, last_name):
    student = StudentFactory(last_name=last_name)
    model_admin = admin.site._registry[Student]

    with translation.override(language):
        ours = model_admin.action_checkbox(student)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, student)

    assert str(ours) == str(djangos)
    assert ("Selecteer dit object" in ours) == (language == "nl")


def _row_links(html: str) -> set[str]:
    import re

    return set(re.findall(r'href="(/admin/students/student/\d+/change/[^"]*)"', html))


def test_a_rows_link_keeps_the_lists_filters_without_resolving_it(admin_client):
    students = [StudentFactory(last_name=f"Name{i}") for i in range(3)]
    url = "/admin/students/student/"
    query = {"q": "Name", "o": "1"}

    with mock.patch.object(admin_urls, "resolve", wraps=admin_urls.resolve) as resolve:
        response = admin_client.get(url, query)

    assert response.status_code == 200
    # The query string Django's add_preserved_filters builds: the list's own, quoted whole.
    assert _row_links(response.content.decode()) == {
        f"/admin/students/student/{s.pk}/change/?_changelist_filters=q%3DName%26o%3D1" for s in students
    }
    resolved = [c.args[0] for c in resolve.call_args_list]
    assert not [u for u in resolved if "/change/" in u]  # Django resolves each row's link (3 here)


def test_a_rows_link_without_filters_is_the_bare_change_page(admin_client):
    student = StudentFactory()

    response = admin_client.get("/admin/students/student/")

    assert _row_links(response.content.decode()) == {f"/admin/students/student/{student.pk}/change/"}


def test_the_enrolments_links_go_back_to_their_page(admin_client):
    enrolment = EnrolmentFactory()

    page = admin_client.get("/admin/students/enrolment/", {"status": enrolment.status}).content.decode()

    link = f"/admin/students/enrolment/{enrolment.pk}/change/?_changelist_filters=status%3D{enrolment.status}"
    assert f'href="{link}"' in page
