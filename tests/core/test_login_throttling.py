"""Login throttling (issue 14, point 2; django-axes, config/settings.py): after five failed logins
for one username from one address within the cool-off time (15 minutes), that username is refused
from that address, the right password included, on the site's and on the admin's login page, with
the lockout page; other users and other addresses go on; a superuser unlocks in the admin; a
successful login before the limit starts the count again."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from tests.support import personas

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
HOME = reverse("home")
PASSWORD = personas.PASSWORD
ADDRESS = "192.0.2.10"  # documentation addresses (RFC 5737): only a header here
OTHER_ADDRESS = "198.51.100.7"
LOCKOUT_TEXT = "Too many failed logins for this user name."


def log_in(client, username, password, *, url=LOGIN, address=ADDRESS, **headers):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **kwargs):
    """``times`` wrong passwords; returns the status of each answer."""
    statuses = []
    for _ in range(times):
        statuses.append(log_in(client, username, "wrong-password", **kwargs).status_code)
        assert not signed_in(client)
    return statuses


@pytest.fixture
def coach(db):
    return personas.coach("coach")


@pytest.fixture
def office(db):
    return personas.administration("office")


def test_five_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client, coach):
    # The login form with its error four times; the fifth failure reaches the limit.
    assert fail(client, "coach", 5) == [200, 200, 200, 200, 429]
    response = log_in(client, "coach", PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert LOCKOUT_TEXT in content
    assert "is blocked for 15 minutes" in content
    assert "vendor/bootstrap/bootstrap.min.css" in content  # the site's page, not a bare text
    assert not signed_in(client)
    assert client.get(HOME).status_code == 302  # still anonymous


def test_four_wrong_passwords_then_the_right_one_logs_in(client, coach):
    fail(client, "coach", 4)
    response = log_in(client, "coach", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_login_before_the_limit_starts_the_count_again(client, coach):
    fail(client, "coach", 4)
    assert log_in(client, "coach", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "coach", 4)  # 8 failures in all, but only 4 since the last success
    assert log_in(client, "coach", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lockout_is_per_username_and_address(client, coach, office):
    fail(client, "coach", 5)
    # Another user from the same address logs in.
    assert log_in(client, "office", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    # The same user from another address logs in.
    assert log_in(client, "coach", PASSWORD, address=OTHER_ADDRESS).status_code == 302
    client.post(reverse("logout"))
    # From the first address the user is still refused.
    assert log_in(client, "coach", PASSWORD).status_code == 429


def test_the_admin_login_is_locked_too(client, office):
    fail(client, "office", 5, url=ADMIN_LOGIN)
    response = log_in(client, "office", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert not signed_in(client)
    # The site's login page counts the same failures: refused there as well.
    assert log_in(client, "office", PASSWORD).status_code == 429


def test_failures_on_both_login_pages_add_up(client, office):
    fail(client, "office", 3, url=ADMIN_LOGIN)
    fail(client, "office", 2)
    assert log_in(client, "office", PASSWORD, url=ADMIN_LOGIN).status_code == 429


def test_the_lockout_ends_after_the_cool_off_time(client, coach):
    start = datetime.datetime(2026, 11, 23, 10, 0)
    with time_machine.travel(start, tick=False):
        fail(client, "coach", 5)
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert log_in(client, "coach", PASSWORD).status_code == 429
    # Trying while locked out starts the cool-off again (django-axes' default): 15 minutes from then.
    with time_machine.travel(start + datetime.timedelta(minutes=14 + 16), tick=False):
        assert log_in(client, "coach", PASSWORD).status_code == 302


def test_the_limit_follows_the_setting(client, coach, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail(client, "coach", 2)
    response = log_in(client, "coach", PASSWORD)
    assert response.status_code == 429


def test_a_superuser_unlocks_in_the_admin_and_the_user_gets_in_again(client, coach, admin_client):
    fail(client, "coach", 5)
    assert log_in(client, "coach", PASSWORD).status_code == 429

    # The admin lists the locked attempt (and keeps every failure in the failure log).
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"), {"q": "coach"})
    assert changelist.status_code == 200
    attempt = AccessAttempt.objects.get(username="coach", ip_address=ADDRESS)
    assert reverse("admin:axes_accessattempt_change", args=[attempt.pk]) in changelist.content.decode()
    assert AccessFailureLog.objects.filter(username="coach", ip_address=ADDRESS).count() >= 5

    # Deleting the attempt unlocks.
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(username="coach").exists()

    response = log_in(client, "coach", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_office_cannot_unlock(client, office):
    """Unlocking is for a superuser: the student administration office's staff account has no
    permission on the access attempts."""
    client.force_login(office)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_the_test_clients_login_is_throttled_too(client, coach):
    """``client.login()`` (authenticate() without a request; tests/support/auth.py) works, and
    a user locked out from the test client's address stays out."""
    assert client.login(username="coach", password=PASSWORD)
    client.logout()
    fail(client, "coach", 5, address="127.0.0.1")
    assert not client.login(username="coach", password=PASSWORD)


# --- The address behind a reverse proxy (PROXY_COUNT) ------------------------------------------
PROXY = "127.0.0.1"


def test_behind_a_proxy_the_lockout_follows_the_address_the_proxy_saw(client, coach, settings):
    settings.PROXY_COUNT = 1
    # The client wrote an address of its own first; the proxy appended the one it saw.
    fail(client, "coach", 5, address=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.99, {ADDRESS}")
    attempt = AccessAttempt.objects.get(username="coach")
    assert attempt.ip_address == ADDRESS
    # Changing the written part does not get the client past the lockout.
    refused = log_in(client, "coach", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.1, {ADDRESS}")
    assert refused.status_code == 429
    # Another client through the same proxy logs in.
    other = log_in(client, "coach", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=OTHER_ADDRESS)
    assert other.status_code == 302


def test_without_a_proxy_the_header_is_not_read(client, coach, settings):
    settings.PROXY_COUNT = 0
    fail(client, "coach", 5, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert log_in(client, "coach", PASSWORD, HTTP_X_FORWARDED_FOR=OTHER_ADDRESS).status_code == 429
    assert AccessAttempt.objects.get(username="coach").ip_address == ADDRESS


def test_a_header_without_an_address_falls_back_to_the_connection(client, coach, settings):
    settings.PROXY_COUNT = 1
    fail(client, "coach", 1, address=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert AccessAttempt.objects.get(username="coach").ip_address == PROXY
