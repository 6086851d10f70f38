"""The daily digest (DOMAIN §11; NOTIFICATIONS_DIGEST): the kinds configured are told once a day,
each student's in one message, every notification still at most once; the other kinds go out one
by one as before. An Peeters (r0200001) is told of two fraud sanctions decided on 1 February 2024."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from notifications import services, tasks
from notifications.models import Notification, Status
from tests.support.factories import StudentFactory
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def digest(settings):
    settings.NOTIFICATIONS_DIGEST = ["fraud_sanction"]
    return settings


def test_digest_kinds_are_not_queued_nor_swept_one_by_one(
    digest, student, announce, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announce([student.pk])
    assert callbacks == []
    assert services.pending_send() == {"retries": []}
    assert Notification.objects.get().status == Status.PENDING
    assert mail.outbox == []


def test_the_digest_tells_each_student_once_in_one_message(digest, student, announce):
    other = StudentFactory(number="r0200002", email="bo@student.example", language="en")
    announce([student.pk, other.pk], course="E1 Ethics")
    announce([student.pk], course="E2 Law")
    with on(D(2024, 2, 2)):
        assert tasks.notifications_digest() == {services.SENT: 3}
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["an.peeters@student.example", "bo@student.example"]
    an = by_address["an.peeters@student.example"]
    assert an.subject == "2 berichten van de studentenadministratie"
    assert "onregelmatigheden bij E1 Ethics" in an.body and "onregelmatigheden bij E2 Law" in an.body
    assert an.extra_headers["Message-ID"].startswith("<digest-")
    assert by_address["bo@student.example"].subject == "1 notification from the student administration"
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    # Sent at most once: the next digest finds nothing.
    mail.outbox.clear()
    assert tasks.notifications_digest() == {}
    assert mail.outbox == []


def test_a_digest_the_server_refused_stays_pending_for_the_next(digest, student, announce, monkeypatch):
    announce([student.pk])

    def refuse(message):
        raise smtplib.SMTPConnectError(421, "busy")

    monkeypatch.setattr(services, "_deliver", refuse)
    assert services.digest_send() == {services.RETRY: 1}
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Status.PENDING, 1)


def test_a_crash_after_the_server_leaves_the_digest_sending(digest, student, announce, monkeypatch):
    announce([student.pk], course="E1 Ethics")
    announce([student.pk], course="E2 Law")

    def crash(message):
        raise RuntimeError("worker killed after the server accepted")

    monkeypatch.setattr(services, "_deliver", crash)
    with pytest.raises(RuntimeError):
        services.digest_send()
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENDING}
    monkeypatch.undo()
    assert services.digest_send() == {}  # never resent by itself
    assert mail.outbox == []


def test_without_digest_kinds_the_digest_sends_nothing(student, announce):
    announce([student.pk])
    assert services.digest_send() == {}
    assert Notification.objects.get().status == Status.PENDING


def test_an_unknown_digest_kind_fails_the_system_check(settings):
    settings.NOTIFICATIONS_DIGEST = ["fraud_sanction", "gossip"]
    with pytest.raises(SystemCheckError, match="gossip"):
        call_command("check")
