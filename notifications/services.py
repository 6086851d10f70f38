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
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock, errors
from core.clock import now as clock_now
from core.clock import today as clock_today
from students.models import Enrolment, Student

from .kinds import REQUIRED, Kind
from .models import Notification, Status
from .rendering import render, sender, sender_domain

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
    address: str = "",
) -> list[int]:
    """The outbox rows of an announced decision (DOMAIN §11), one per student (``student_ids``, or
    the students of ``enrolment_ids``), in the caller's transaction; the sending is queued for
    when it commits. Nothing for a historical decision. A student without an e-mail address (and
    no ``address`` given for it) gets a "no address" row, for the administration.
    ``ImproperlyConfigured`` for an unknown kind or data missing a key its templates need."""
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
                    address=address,
                    status=_initial_status(address or email),
                )
            )
    created = Notification.objects.bulk_create(rows, batch_size=500)
    if any(row.pk is None for row in created):  # pragma: no cover - every supported database returns the ids
        created = list(Notification.objects.filter(kind=kind, object_label=object_label, object_id=object_id))
    queued = [row.pk for row in created if row.status == Status.PENDING and kind not in digest_kinds()]
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


def _claim(notification_ids) -> list[Notification]:
    """Claim pending rows for this worker: skip those another holds the lock of or that are no
    longer pending; a row while sending is on hold becomes "held", one whose student has no
    address "no address"; mark the others "sending" and commit before the mail server is called.
    The rows claimed, each with its status."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("student")
            .filter(pk__in=list(notification_ids), status=Status.PENDING)
            .order_by("pk")
        )
        claimed = []
        for row in rows:
            if settings.NOTIFICATIONS_HOLD:
                status = Status.HELD
            elif not row.recipient:
                status = Status.NO_ADDRESS
            else:
                continue
            Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(status=status)
            row.status = status
            claimed.append(row)
        sending = [row.pk for row in rows if row.status == Status.PENDING]
        if sending:
            Notification.objects.filter(pk__in=sending, status=Status.PENDING).update(
                status=Status.SENDING, attempts=F("attempts") + 1
            )
            claimed += list(
                Notification.objects.select_related("student").filter(pk__in=sending, status=Status.SENDING)
            )
    return sorted(claimed, key=lambda row: row.pk)


def _message(row: Notification) -> EmailMessage:
    subject, body = render(row.kind, row.language, row.data, sent_on=clock_today())
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=sender(),
        to=[row.recipient],
        headers={"Message-ID": row.message_id, "X-Notification": str(row.pk)},
    )


def _digest_message(rows: list[Notification]) -> EmailMessage:
    """One message telling a student the day's notifications of the digest kinds, each as it would
    have been sent on its own (DOMAIN §11: each is still told once, in the student's language)."""
    first = rows[0]
    parts = []
    for row in rows:
        subject, body = render(row.kind, row.language, row.data, sent_on=clock_today())
        parts.append(f"{subject}\n{'=' * min(len(subject), 72)}\n\n{body}")
    with translation.override(first.language):
        subject = ngettext(
            "%(count)d notification from the student administration",
            "%(count)d notifications from the student administration",
            len(rows),
        ) % {"count": len(rows)}
    return EmailMessage(
        subject=subject,
        body=("\n\n" + "-" * 72 + "\n\n").join(parts),
        from_email=sender(),
        to=[first.recipient],
        headers={
            "Message-ID": f"<digest-{first.message_key}@{sender_domain()}>",
            "X-Notification": ",".join(str(row.pk) for row in rows),
        },
    )


def _deliver(message: EmailMessage) -> None:
    """Call the mail server (a seam: tests inject a crash after it)."""
    message.send(fail_silently=False)


def _after_sent(row: Notification, sent_on: datetime.date) -> None:
    """What the notification date means to the object told (DOMAIN §7, §11): a fraud sanction's
    appeal period runs from the day its notification was sent (Art. 85, 101). (Every other
    decision's notification date is read from the outbox: ``selectors.notified_days``.)"""
    if row.kind == Kind.FRAUD_SANCTION and row.object_id:
        from fraud.models import FraudDecision
        from fraud.services import Refused, decision_notify

        decision = FraudDecision.objects.filter(pk=row.object_id, notified_on__isnull=True).first()
        if decision is not None:
            try:
                with transaction.atomic():
                    decision_notify(decision=decision, on=sent_on, outbox=True)
            except Refused as refused:
                logger.warning("notifications: fraud decision %s not marked notified: %s", decision.pk, refused)


def _send(rows: list[Notification], build) -> str:
    """Send one message (``build(rows)``) for rows claimed "sending", and mark them."""
    ids = [row.pk for row in rows]
    try:
        message = build(rows)
    except Exception as error:  # a template or data error: nothing was sent
        Notification.objects.filter(pk__in=ids, status=Status.SENDING).update(status=Status.FAILED, error=repr(error))
        logger.exception("notifications: rendering %s failed", ids)
        return FAILED
    try:
        _deliver(message)
    except NOT_ACCEPTED as error:
        # Not accepted by the server: safe to try again, up to the last attempt.
        last = max(row.attempts for row in rows) >= settings.NOTIFICATIONS_MAX_ATTEMPTS
        Notification.objects.filter(pk__in=ids, status=Status.SENDING).update(
            status=Status.FAILED if last else Status.PENDING, error=repr(error)
        )
        return FAILED if last else RETRY
    # Anything else after the server was called (a crash included) leaves the rows "sending":
    # whether the message went out is unknown, so they are listed, never sent again by themselves.
    sent_at = clock_now()
    with transaction.atomic():
        Notification.objects.filter(pk__in=ids, status=Status.SENDING).update(
            status=Status.SENT, sent_at=sent_at, error=""
        )
        for row in rows:
            _after_sent(row, clock.day_of(sent_at))
    return SENT


def _outcome(row: Notification) -> str:
    return HELD if row.status == Status.HELD else NO_ADDRESS


def notification_send(*, notification_id: int) -> str:
    """Send one outbox row at most once (DOMAIN §11); the outcome (``SENT``, ``RETRY``, ...)."""
    try:
        claimed = _claim([notification_id])
    except Exception:
        logger.exception("notifications: claiming %s failed", notification_id)
        raise
    if not claimed:
        return SKIPPED
    row = claimed[0]
    if row.status != Status.SENDING:
        return _outcome(row)
    return _send([row], lambda rows: _message(rows[0]))


def digest_kinds() -> set[str]:
    """The kinds sent once a day in one message per student (``NOTIFICATIONS_DIGEST``)."""
    return set(settings.NOTIFICATIONS_DIGEST)


def pending_send(*, notification_ids=None) -> dict[str, int]:
    """Send the pending rows (``notification_ids``, or every pending row of a kind not sent as a
    digest: the sweep). The counts per outcome; the rows to retry are ``retries`` (id, seconds)."""
    rows = Notification.objects.filter(status=Status.PENDING)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    else:
        rows = rows.exclude(kind__in=digest_kinds())
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


def digest_send() -> dict[str, int]:
    """The daily digest (DOMAIN §11; ``NOTIFICATIONS_DIGEST``): each student's pending rows of the
    digest kinds in one message, sent at most once like a single row; the counts of rows per
    outcome. Rows the server did not accept stay pending for the next digest."""
    kinds = digest_kinds()
    counts: dict[str, int] = {}
    if not kinds:
        return counts
    pending = Notification.objects.filter(status=Status.PENDING, kind__in=kinds)
    per_student: dict[tuple[int, str], list[int]] = {}
    for pk, student_id, address in pending.order_by("student_id", "pk").values_list("pk", "student_id", "address"):
        per_student.setdefault((student_id, address), []).append(pk)
    for ids in per_student.values():
        claimed = _claim(ids)
        for row in claimed:
            if row.status != Status.SENDING:
                counts[_outcome(row)] = counts.get(_outcome(row), 0) + 1
        sending = [row for row in claimed if row.status == Status.SENDING]
        if sending:
            outcome = _send(sending, _digest_message)
            counts[outcome] = counts.get(outcome, 0) + len(sending)
    return counts


class Refused(errors.Refused):
    """A notification that cannot be resent (it is still waiting to be sent)."""


@transaction.atomic
def notification_resend(*, notification: Notification) -> Notification:
    """Send a notification again (DOMAIN §11): a new row with the same message id and data, for
    today's address and language; the first row is kept as it is. Refused for a row that is still
    waiting to be sent (pending or held)."""
    current = Notification.objects.select_for_update().get(pk=notification.pk)
    if not current.resendable:
        raise Refused(
            [
                _(
                    "This notification has not been sent yet: it goes out by itself, resending it would tell the "
                    "student twice."
                )
            ]
        )
    student = Student.objects.get(pk=notification.student_id)
    row = Notification.objects.create(
        student=student,
        kind=notification.kind,
        object_label=notification.object_label,
        object_id=notification.object_id,
        decided_on=notification.decided_on,
        language=student.language or "nl",
        data=notification.data,
        address=notification.address,
        message_key=notification.message_key,
        resent_from=notification,
        status=_initial_status(notification.address or student.email),
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
    now = list(Notification.objects.filter(pk__in=ids).exclude(kind__in=digest_kinds()).values_list("pk", flat=True))
    if now:
        transaction.on_commit(lambda: queue(now))
    return len(ids)
