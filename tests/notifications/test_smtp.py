"""A notification sent through a real SMTP server on loopback (aiosmtpd, started by the test) and
read back: subject, Message-ID and the Dutch body (DOMAIN §11)."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from notifications import services
from notifications.models import Notification, Status
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date


class Keep:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


def test_a_notification_goes_through_a_real_smtp_server_once(smtp_server, student, announce):
    announce([student.pk])
    row = Notification.objects.get()
    with on(D(2024, 2, 2)):
        assert services.pending_send()[services.SENT] == 1
        services.pending_send()
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["an.peeters@student.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Beslissing van de examencommissie over onregelmatigheden bij E1 Ethics"
    assert message["Message-ID"] == f"<{row.message_key}@college.example>"
    body = message.get_content()
    assert "Op 01/02/2024 heeft de examencommissie in je fraudedossier voor E1 Ethics" in body
    assert "uiterlijk op 09/02/2024 (art. 101)" in body  # sent 2 February + 7 days
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_a_server_that_is_not_there_is_retried(settings, student, announce):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    announce([student.pk])
    with on(D(2024, 2, 2)):
        assert services.pending_send()["retries"] == [(Notification.objects.get().pk, 1)]
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert "Connection" in row.error or "refused" in row.error.lower()


def test_every_kind_goes_through_the_smtp_server_once_in_dutch(smtp_server, student):
    """One message of each kind (its sample data, tests/notifications/samples.py) written to the
    outbox, sent through the server once, and read back in Dutch with its own Message-ID."""
    from notifications.kinds import Kind
    from tests.notifications.samples import SAMPLES

    rows = {}
    for kind in Kind:
        (pk,) = services.notifications_write(
            kind=kind,
            decided_on=D(2024, 2, 1),
            object_label="tests.Sample",
            student_ids=[student.pk],
            data=SAMPLES[kind],
        )
        rows[kind] = Notification.objects.get(pk=pk)
    with on(D(2024, 2, 2)):
        assert services.pending_send()[services.SENT] == len(Kind)
        assert services.pending_send() == {"retries": []}  # at most once
    assert len(smtp_server.envelopes) == len(Kind)
    received = {}
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received[message["Message-ID"]] = message
    for kind, row in rows.items():
        message = received[f"<{row.message_key}@college.example>"]
        body = message.get_content()
        assert body.startswith("Beste student,"), kind
        assert "De studentenadministratie" in body, kind
        assert "{{" not in body and "<missing>" not in body, kind
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
