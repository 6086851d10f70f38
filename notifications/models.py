"""The outbox: one row per message a student is sent (DOMAIN §11; pretix's outgoing mail as a model).

A row is written in the transaction of the decision it tells (``receivers``), and sent at most
once (``services.notification_send``): pending → sending (committed before the mail server is
called) → sent. A row left "sending" by a crash is never sent again by itself: it is listed for
the administration, who may resend it (a new row with the same message id, the first kept).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from students.models import Student

from .kinds import Kind


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    NO_ADDRESS = "no_address", _("no e-mail address")
    HELD = "held", _("held")


# What the administration looks at: the rows that did not (or may not have) reached the student.
NEEDS_ATTENTION = (Status.SENDING, Status.FAILED, Status.NO_ADDRESS)


# A row still waiting (pending, or held) goes out by itself: resending it would tell twice.
RESENDABLE = (Status.SENT, Status.SENDING, Status.FAILED, Status.NO_ADDRESS)


def _message_id() -> str:
    return f"{uuid.uuid4().hex}"


class Notification(models.Model):
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    object_label = models.CharField(_("about"), max_length=80, help_text=_("The kind of object it is about."))
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    language = models.CharField(_("language"), max_length=8)
    address = models.EmailField(
        _("address"),
        blank=True,
        help_text=_("Where it is sent when not to the student's own address (an appeal's address, Art. 101)."),
    )
    data = models.JSONField(_("template data"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The Message-ID header's local part: stable for the row, copied to a resent row (DOMAIN §11).
    message_key = models.CharField(_("message key"), max_length=64, default=_message_id, editable=False)
    resent_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resent from")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["object_label", "object_id"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.student_id} ({self.get_status_display()})"

    @property
    def resendable(self) -> bool:
        return self.status in RESENDABLE

    @property
    def recipient(self) -> str:
        """The address it is sent to: its own, else the student's (``student`` loaded)."""
        return self.address or self.student.email

    @property
    def message_id(self) -> str:
        """The Message-ID header: the row's key at the sender's domain."""
        from .rendering import sender_domain

        return f"<{self.message_key}@{sender_domain()}>"
