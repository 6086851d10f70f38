"""The outbox (DOMAIN §11): a notification is written with its decision and sent at most once.

An Peeters (r0200001, an.peeters@student.example) is told of a fraud sanction decided on
1 February 2024; the college went live on 1 January 2024 (conftest).
"""

import datetime
import smtplib

import pytest
from django.core import mail
from django.db import transaction

from notifications import services, tasks
from notifications.models import Notification, Status
from notifications.selectors import outbox
from tests.support.factories import StudentFactory
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date


class Boom(Exception):
    pass


def _send_all():
    return services.pending_send()


# --- Written with the decision --------------------------------------------------------------------
def test_the_row_is_written_in_the_decisions_transaction(student, announce):
    with transaction.atomic():
        announce([student.pk])
    row = Notification.objects.get()
    assert (row.student_id, row.kind, row.status, row.language, row.attempts) == (
        student.pk,
        "fraud_sanction",
        Status.PENDING,
        "nl",
        0,
    )
    assert row.data["decided_on"] == "2024-02-01"
    assert row.sent_at is None


def test_a_decision_that_rolls_back_leaves_no_row(student, announce):
    with pytest.raises(Boom), transaction.atomic():
        announce([student.pk])
        raise Boom
    assert not Notification.objects.exists()


def test_the_sending_is_queued_when_the_decision_commits(student, announce, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announce([student.pk])
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("go_live", "decided_on", "rows"),
    [
        (D(2024, 1, 1), D(2023, 12, 31), 0),  # the day before going live: historical
        (D(2024, 1, 1), D(2024, 1, 1), 1),  # the day it went live
        (None, D(2024, 2, 1), 0),  # not live at all
    ],
)
def test_a_historical_decision_is_never_told(settings, student, announce, go_live, decided_on, rows):
    settings.NOTIFICATIONS_GO_LIVE = go_live
    announce([student.pk], decided_on=decided_on)
    assert Notification.objects.count() == rows


def test_data_missing_a_templates_key_is_refused(student):
    from django.core.exceptions import ImproperlyConfigured

    from core import events

    with pytest.raises(ImproperlyConfigured, match="academic_year"):
        events.decision_announce(
            sender="tests",
            kind="results_published",
            decided_on=D(2024, 2, 6),
            object_label="programmes.ExamPeriod",
            student_ids=[student.pk],
            data={"exam_period": 1, "published_on": D(2024, 2, 6)},
        )


# --- Sending ----------------------------------------------------------------------------------------
def test_a_row_is_sent_once_with_its_message_id(student, announce):
    announce([student.pk])
    row = Notification.objects.get()
    with on(D(2024, 2, 2)):
        assert _send_all()[services.SENT] == 1
        assert _send_all() == {"retries": []}  # nothing pending any more
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["an.peeters@student.example"]
    assert message.from_email == "Studentenadministratie <studentenadministratie@college.example>"
    assert message.extra_headers["Message-ID"] == f"<{row.message_key}@college.example>"
    assert message.message()["Message-ID"] == f"<{row.message_key}@college.example>"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert row.sent_at is not None


def test_a_crash_between_the_send_and_the_mark_never_sends_again(student, announce, monkeypatch):
    """The worker dies after the mail server accepted the message, before the row is marked sent:
    the row stays "sending", is listed for the administration and is not sent by itself again."""
    announce([student.pk])
    real = services._deliver

    def deliver_then_die(message):
        real(message)
        raise Boom("worker killed")

    monkeypatch.setattr(services, "_deliver", deliver_then_die)
    with on(D(2024, 2, 2)), pytest.raises(Boom):
        _send_all()
    monkeypatch.setattr(services, "_deliver", real)
    row = Notification.objects.get()
    assert row.status == Status.SENDING
    with on(D(2024, 2, 2)):
        assert _send_all() == {"retries": []}
        assert services.notification_send(notification_id=row.pk) == services.SKIPPED
        tasks.notifications_send()  # the sweep
    assert len(mail.outbox) == 1
    assert list(outbox(status="attention")) == [row]


def test_a_row_claimed_by_another_worker_is_skipped(student, announce):
    announce([student.pk])
    row = Notification.objects.get()
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING)
    assert services.notification_send(notification_id=row.pk) == services.SKIPPED
    assert mail.outbox == []


def test_refused_before_acceptance_is_retried_with_back_off_then_failed(student, announce, monkeypatch):
    """Three attempts (conftest): after the first and the second a retry in 1 and 2 seconds; the
    third fails the row."""
    announce([student.pk])
    row = Notification.objects.get()

    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({"an.peeters@student.example": (550, b"mailbox unavailable")})

    monkeypatch.setattr(services, "_deliver", refuse)
    queued = []

    def apply_async(args, countdown):
        queued.append(countdown)
        tasks.notifications_send(*args)

    monkeypatch.setattr(tasks.notifications_send, "apply_async", apply_async)
    with on(D(2024, 2, 2)):
        tasks.notifications_send([row.pk])
    row.refresh_from_db()
    assert queued == [1, 2]
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert "mailbox unavailable" in row.error
    assert list(outbox(status="attention")) == [row]


def test_a_server_that_accepts_on_the_second_attempt(student, announce, monkeypatch):
    announce([student.pk])
    real, calls = services._deliver, []

    def refuse_once(message):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("no server")
        real(message)

    monkeypatch.setattr(services, "_deliver", refuse_once)
    with on(D(2024, 2, 2)):
        assert services.pending_send()["retries"] == [(Notification.objects.get().pk, 1)]
        assert services.pending_send()[services.SENT] == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (12, 3600)],
)
def test_the_back_off_doubles_and_is_capped(settings, attempts, seconds):
    settings.NOTIFICATIONS_RETRY_SECONDS, settings.NOTIFICATIONS_RETRY_CAP = 60, 3600
    assert services.backoff(attempts) == seconds


def test_a_student_without_an_address_is_listed_not_sent(announce):
    nobody = StudentFactory(email="")
    announce([nobody.pk])
    row = Notification.objects.get()
    assert row.status == Status.NO_ADDRESS
    _send_all()
    assert mail.outbox == []
    assert list(outbox(status="attention")) == [row]


def test_the_hold_switch_holds_every_message_until_released(settings, student, announce):
    settings.NOTIFICATIONS_HOLD = True
    announce([student.pk])
    row = Notification.objects.get()
    assert row.status == Status.HELD
    _send_all()
    assert mail.outbox == []
    settings.NOTIFICATIONS_HOLD = False
    assert services.held_release() == 1
    with on(D(2024, 2, 2)):
        _send_all()
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1


def test_a_row_pending_when_the_hold_is_switched_on_is_held(settings, student, announce):
    announce([student.pk])
    settings.NOTIFICATIONS_HOLD = True
    assert services.pending_send()[services.HELD] == 1
    assert Notification.objects.get().status == Status.HELD
    assert mail.outbox == []


def test_a_resend_is_a_new_row_with_the_same_message_id(student, announce):
    announce([student.pk])
    with on(D(2024, 2, 2)):
        _send_all()
    first = Notification.objects.get()
    again = services.notification_resend(notification=first)
    with on(D(2024, 2, 3)):
        _send_all()
    first.refresh_from_db()
    again.refresh_from_db()
    assert (first.status, again.status, again.resent_from_id) == (Status.SENT, Status.SENT, first.pk)
    assert again.message_id == first.message_id
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [first.message_id, first.message_id]


def test_a_bulk_announcement_writes_one_row_per_student(announce):
    students = [StudentFactory(email=f"s{i}@student.example") for i in range(3)]
    ids = announce([s.pk for s in students])
    assert len(ids[0]) == 3
    assert set(Notification.objects.values_list("student_id", flat=True)) == {s.pk for s in students}


def test_a_decision_sent_to_an_address_of_its_own(student):
    """Art. 101: an appeal's decision goes to the address the appeal names; a student without an
    address of their own is reached there too."""
    from core import events
    from tests.notifications.samples import SAMPLES

    nobody = StudentFactory(number="r0200003", email="")
    events.decision_announce(
        sender="tests",
        kind="fraud_sanction",
        decided_on=D(2024, 2, 1),
        object_label="appeals.Appeal",
        student_ids=[student.pk, nobody.pk],
        data=SAMPLES["fraud_sanction"],
        address="lawyer@firm.example",
    )
    assert set(Notification.objects.values_list("status", "address")) == {(Status.PENDING, "lawyer@firm.example")}
    with on(D(2024, 2, 2)):
        assert services.pending_send()[services.SENT] == 2
    assert [message.to for message in mail.outbox] == [["lawyer@firm.example"]] * 2
    again = services.notification_resend(notification=Notification.objects.filter(student=nobody).get())
    assert again.address == "lawyer@firm.example"
