"""Base pages: login, home, logout and the error pages."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.support import personas

pytestmark = pytest.mark.django_db


# --- Login, home, logout ------------------------------------------------------------


def test_login_page_opens_for_anonymous_users_with_a_crispy_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_username"' in content
    assert "form-control" in content  # rendered by crispy-bootstrap5
    assert "vendor/bootstrap/bootstrap.min.css" in content


def test_home_sends_anonymous_users_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_home_greets_staff_and_links_to_the_admin(admin_client, admin_user):
    admin_user.first_name, admin_user.last_name = "An", "Peeters"
    admin_user.save()
    response = admin_client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, An Peeters" in content
    assert reverse("admin:index") in content
    assert f'action="{reverse("logout")}"' in content
    assert f'action="{reverse("set_language")}"' in content


def test_home_of_a_user_without_staff_access_has_no_admin_link(client):
    user = personas.make_user("coach", password="x")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, coach" in content
    assert reverse("admin:index") not in content


def test_logging_in_leads_home(client):
    personas.make_user("coach", password="a-long-password-1")
    response = client.post(reverse("login"), {"username": "coach", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_works_by_post(admin_client):
    assert admin_client.get(reverse("logout")).status_code == 405  # Django 5: never by GET
    response = admin_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert admin_client.get(reverse("home")).status_code == 302


def test_logged_out_template_renders():
    content = render_to_string("registration/logged_out.html")
    assert "You have been logged out" in content


# --- Error pages --------------------------------------------------------------------


@pytest.mark.urls("tests.core.urls_denied")
def test_permission_denied_shows_the_403_page(admin_client):
    response = admin_client.get("/test-denied/")
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "You do not have permission to view this page" in content
    assert f'href="{reverse("home")}"' in content


def test_unknown_page_shows_the_404_page(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "Page not found" in response.content.decode()


def test_500_page_renders_without_a_request():
    content = render_to_string("500.html")
    assert "Something went wrong" in content
