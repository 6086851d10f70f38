"""The administration's outbox page and the admin's resend action (DOMAIN §11)."""

import pytest
from django.urls import reverse

from notifications.models import Notification, Status
from tests.support.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(coach_world, student, announce):
    nobody = StudentFactory(number="r0200002", email="")
    # The coach world's own decisions may be told too (it is live): only these two rows count here.
    Notification.objects.all().delete()
    announce([student.pk, nobody.pk])
    return Notification.objects.order_by("student__number")


@pytest.mark.parametrize(("who", "status"), [("administration", 200), ("admin", 200), ("coach", 403)])
def test_only_the_administration_opens_the_outbox(client, coach_world, rows, who, status):
    client.force_login(getattr(coach_world, who))
    assert client.get(reverse("notifications:outbox")).status_code == status


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({}, ["r0200001", "r0200002"]),
        ({"status": "attention"}, ["r0200002"]),
        ({"status": "pending"}, ["r0200001"]),
        ({"kind": "results_published"}, []),
        ({"status": "nonsense"}, ["r0200001", "r0200002"]),
    ],
)
def test_the_outbox_filters_by_status_and_kind(client, coach_world, rows, query, numbers):
    client.force_login(coach_world.administration)
    page = client.get(reverse("notifications:outbox"), query).content.decode()
    assert [n for n in ("r0200001", "r0200002") if n in page] == numbers


def test_the_menu_shows_the_outbox_to_the_administration_only(client, coach_world):
    client.force_login(coach_world.administration)
    assert reverse("notifications:outbox") in client.get(reverse("home")).content.decode()
    client.force_login(coach_world.coach)
    assert reverse("notifications:outbox") not in client.get(reverse("home")).content.decode()


def test_the_admin_resends_as_a_new_row_and_keeps_the_first(client, coach_world, rows):
    first = rows[0]
    Notification.objects.filter(pk=first.pk).update(status=Status.SENDING)
    client.force_login(coach_world.admin)
    url = reverse("admin:notifications_notification_changelist")
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:notifications_notification_change", args=[first.pk])).status_code == 200
    response = client.post(url, {"action": "resend", "_selected_action": [first.pk]})
    assert response.status_code == 302
    again = Notification.objects.get(resent_from=first)
    assert (again.status, again.message_key) == (Status.PENDING, first.message_key)
    assert Notification.objects.get(pk=first.pk).status == Status.SENDING


def test_the_outbox_pages_the_newest_rows_up_to_the_cap_and_says_so(client, coach_world, rows, monkeypatch):
    """Issue 19: the outbox counts and pages its first rows only (a cap of 1 here: the newest of
    the two rows), then tells how to find the others."""
    from core import pagination

    client.force_login(coach_world.administration)
    assert 'id="outbox-capped"' not in client.get(reverse("notifications:outbox")).content.decode()
    monkeypatch.setattr(pagination, "CAP", 1)
    response = client.get(reverse("notifications:outbox"), {"page": "last"})
    page = response.context["page"]
    newest = Notification.objects.order_by("-created_at", "-pk").first()
    assert list(page.object_list) == [newest]
    assert (page.paginator.capped, page.number) == (True, 1)
    assert 'id="outbox-capped"' in response.content.decode()


def test_the_outbox_rows_read_in_the_readers_language_with_their_resend_form(client, coach_world, rows):
    """Each row's kind and status in the reader's language, and a resend form for a row that
    may be sent again, back to the page it was asked from; not for a row still to send."""
    failed, pending = rows[0], rows[1]
    Notification.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    Notification.objects.filter(pk=pending.pk).update(status=Status.PENDING)
    client.force_login(coach_world.administration)
    client.cookies["django_language"] = "nl"
    body = client.get(reverse("notifications:outbox"), {"kind": "fraud_sanction"}).content.decode()
    assert body.count("<td>fraudesanctie (art. 85)</td>") == 2
    assert "<td>niet geslaagd</td>" in body
    assert body.count("Opnieuw versturen</button>") == 1
    assert f'action="{reverse("notifications:resend", args=[failed.pk])}"' in body
    assert f'action="{reverse("notifications:resend", args=[pending.pk])}"' not in body
    assert 'name="next" value="/notifications/?kind=fraud_sanction"' in body


def test_the_outbox_renders_a_full_page_without_a_query_a_row(
    client, coach_world, student, announce, django_assert_max_num_queries
):
    """Issue 19: a page of rows costs the same queries as a page of one."""
    students = [student, *(StudentFactory(number=f"r03000{n:02d}") for n in range(20))]
    Notification.objects.all().delete()
    announce([s.pk for s in students])
    client.force_login(coach_world.administration)
    client.get(reverse("notifications:outbox"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:outbox"))
    assert len(response.context["page"].object_list) == 21
