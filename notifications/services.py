"""The outbox's writes: rows written with a decision, sent at most once (DOMAIN §11, EXCHANGE.md).

Modelled on pretix's outgoing mail (REFERENCES.md): the row is written in the business
transaction, the sending task queued on commit; a row is claimed under a row lock (rows already
in flight skipped) and by a conditional update (the row count says who won), marked "sending" and
committed before the mail server is called, and marked "sent" after. A row left "sending" by a
crash is never sent again by itself: the administration sees it and may resend it. Failures
before the server accepted the message (no connection, sender or recipient refused) are retried
with a capped back-off; after the last attempt the row is "failed".

Historical decisions — dated before ``NOTIFICATIONS_GO_LIVE``, or any decision while it is not
set (the college has not gone live) — are never told: no row is written (EXCHANGE.md "Time and
deadlines"); the clocks that run from a notification then run from the decision's date.
"""

import datetime
import json
import logging
import smtplib
import socket

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F

from core.clock import now as clock_now
from core.clock import today as clock_today
from students.models import Enrolment, Student

from .kinds import REQUIRED, Kind
from .models import Notification, Status
from .rendering import render, sender

logger = logging.getLogger(__name__)

# Failures before the mail server accepted the message: sending again cannot deliver it twice.
# A server that disconnects or times out mid-message may have accepted it: not retried.
NOT_ACCEPTED = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPAuthenticationError,
    ConnectionRefusedError,
    socket.gaierror,
)
BATCH = 2000

# What ``notification_send`` answers.
SENT, RETRY, FAILED, SKIPPED, HELD, NO_ADDRESS = "sent", "retry", "failed", "skipped", "held", "no_address"


def is_live(decided_on: datetime.date) -> bool:
    """A decision is told when it is dated on or after the go-live date (EXCHANGE.md); before it,
    or with no go-live date configured, it is historical."""
    go_live = settings.NOTIFICATIONS_GO_LIVE
    return go_live is not None and decided_on >= go_live


def _plain(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _initial_status(email: str) -> str:
    if not email:
        return Status.NO_ADDRESS
    return Status.HELD if settings.NOTIFICATIONS_HOLD else Status.PENDING


def notifications_write(
    *,
    kind: str,
    decided_on: datetime.date,
    object_label: str,
    object_id: int | None = None,
    student_ids=(),
    enrolment_ids=(),
    data: dict | None = None,
) -> list[int]:
    """The outbox rows of an announced decision (DOMAIN §11), one per student (``student_ids``, or
    the students of ``enrolment_ids``), in the caller's transaction; the sending is queued for
    when it commits. Nothing for a historical decision. A student without an e-mail address gets a
    "no address" row, for the administration. ``ImproperlyConfigured`` for an unknown kind or
    data missing a key its templates need."""
    if not is_live(decided_on):
        return []
    kind = Kind(kind)
    data = _plain(data or {})
    missing = REQUIRED[kind] - data.keys()
    if missing:
        raise ImproperlyConfigured(f"The {kind} notification lacks {sorted(missing)}.")
    ids = set(student_ids)
    enrolment_ids = sorted(set(enrolment_ids))
    for start in range(0, len(enrolment_ids), BATCH):
        ids |= set(
            Enrolment.objects.filter(pk__in=enrolment_ids[start : start + BATCH]).values_list("student_id", flat=True)
        )
    ids = sorted(ids)
    rows = []
    for start in range(0, len(ids), BATCH):
        for pk, email, language in Student.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "pk", "email", "language"
        ):
            rows.append(
                Notification(
                    student_id=pk,
                    kind=kind,
                    object_label=object_label,
                    object_id=object_id,
                    decided_on=decided_on,
                    language=language or "nl",
                    data=data,
                    status=_initial_status(email),
                )
            )
    created = Notification.objects.bulk_create(rows, batch_size=500)
    if any(row.pk is None for row in created):  # pragma: no cover - every supported database returns the ids
        created = list(Notification.objects.filter(kind=kind, object_label=object_label, object_id=object_id))
    queued = [row.pk for row in created if row.status == Status.PENDING]
    if queued:
        transaction.on_commit(lambda: queue(queued))
    return [row.pk for row in created]


def queue(notification_ids) -> None:
    """Hand the rows to the worker; a broker that is down leaves them pending for the sweep."""
    from .tasks import notifications_send

    try:
        notifications_send.delay(list(notification_ids))
    except Exception:  # noqa: BLE001 - the rows stay pending; ``pending_send`` picks them up
        logger.exception("notifications: could not queue %s rows", len(notification_ids))


def backoff(attempts: int) -> int:
    """Seconds before the next attempt: doubling from NOTIFICATIONS_RETRY_SECONDS, capped."""
    return min(settings.NOTIFICATIONS_RETRY_SECONDS * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_CAP)


def _claim(notification_id: int) -> Notification | None:
    """Claim a pending row for this worker: skip it when another holds its lock or it is no longer
    pending; mark it "sending" and commit before the mail server is called."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("student")
            .filter(pk=notification_id, status=Status.PENDING)
            .first()
        )
        if row is None:
            return None
        if settings.NOTIFICATIONS_HOLD:
            Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(status=Status.HELD)
            row.status = Status.HELD
            return row
        if not row.student.email:
            Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(status=Status.NO_ADDRESS)
            row.status = Status.NO_ADDRESS
            return row
        won = Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(
            status=Status.SENDING, attempts=F("attempts") + 1
        )
        if not won:
            return None
        row.refresh_from_db()
    return row


def _message(row: Notification) -> EmailMessage:
    subject, body = render(row.kind, row.language, row.data, sent_on=clock_today())
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=sender(),
        to=[row.student.email],
        headers={"Message-ID": row.message_id, "X-Notification": str(row.pk)},
    )


def _deliver(message: EmailMessage) -> None:
    """Call the mail server (a seam: tests inject a crash after it)."""
    message.send(fail_silently=False)


def _after_sent(row: Notification, sent_on: datetime.date) -> None:
    """What the notification date means to the object told (DOMAIN §7, §11): a fraud sanction's
    appeal period runs from the day its notification was sent (Art. 85, 101)."""
    if row.kind == Kind.FRAUD_SANCTION and row.object_id:
        from fraud.models import FraudDecision
        from fraud.services import Refused, decision_notify

        decision = FraudDecision.objects.filter(pk=row.object_id, notified_on__isnull=True).first()
        if decision is not None:
            try:
                with transaction.atomic():
                    decision_notify(decision=decision, on=sent_on)
            except Refused as refused:
                logger.warning("notifications: fraud decision %s not marked notified: %s", decision.pk, refused)


def notification_send(*, notification_id: int) -> str:
    """Send one outbox row at most once (DOMAIN §11); the outcome (``SENT``, ``RETRY``, ...)."""
    try:
        row = _claim(notification_id)
    except Exception:
        logger.exception("notifications: claiming %s failed", notification_id)
        raise
    if row is None:
        return SKIPPED
    if row.status in (Status.HELD, Status.NO_ADDRESS):
        return HELD if row.status == Status.HELD else NO_ADDRESS
    try:
        message = _message(row)
    except Exception as error:  # a template or data error: nothing was sent
        Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(status=Status.FAILED, error=repr(error))
        logger.exception("notifications: rendering %s failed", row.pk)
        return FAILED
    try:
        _deliver(message)
    except NOT_ACCEPTED as error:
        # Not accepted by the server: safe to try again, up to the last attempt.
        last = row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.FAILED if last else Status.PENDING, error=repr(error)
        )
        return FAILED if last else RETRY
    # Anything else after the server was called (a crash included) leaves the row "sending":
    # whether the message went out is unknown, so it is listed, never sent again by itself.
    sent_at = clock_now()
    with transaction.atomic():
        Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.SENT, sent_at=sent_at, error=""
        )
        _after_sent(row, clock_today())
    return SENT


def pending_send(*, notification_ids=None) -> dict[str, int]:
    """Send the pending rows (``notification_ids``, or every pending row: the sweep). The counts per
    outcome; the rows to retry are ``retries`` (id, seconds to wait)."""
    rows = Notification.objects.filter(status=Status.PENDING)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    counts: dict[str, int] = {}
    retries = []
    for pk in rows.order_by("pk").values_list("pk", flat=True):
        outcome = notification_send(notification_id=pk)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == RETRY:
            attempts = Notification.objects.filter(pk=pk).values_list("attempts", flat=True).get()
            retries.append((pk, backoff(attempts)))
    counts["retries"] = retries
    return counts


@transaction.atomic
def notification_resend(*, notification: Notification) -> Notification:
    """Send a notification again (DOMAIN §11): a new row with the same message id and data, for
    today's address and language; the first row is kept as it is."""
    student = Student.objects.get(pk=notification.student_id)
    row = Notification.objects.create(
        student=student,
        kind=notification.kind,
        object_label=notification.object_label,
        object_id=notification.object_id,
        decided_on=notification.decided_on,
        language=student.language or "nl",
        data=notification.data,
        message_key=notification.message_key,
        resent_from=notification,
        status=_initial_status(student.email),
    )
    if row.status == Status.PENDING:
        transaction.on_commit(lambda: queue([row.pk]))
    return row


@transaction.atomic
def held_release() -> int:
    """Lift the hold (``NOTIFICATIONS_HOLD`` switched off): the held rows become pending and are
    queued. The number released."""
    ids = list(Notification.objects.filter(status=Status.HELD).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(status=Status.PENDING)
    if ids:
        transaction.on_commit(lambda: queue(ids))
    return len(ids)
