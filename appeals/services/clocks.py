"""The appeal clocks (Art. 101), dated facts of the timeline (``core.timeline``): void after
the elaboration window, flagged overdue after the decision's due day. The day the next one is
due is a read: ``appeals.selectors.appeal_clocks_pending_on``.

The student is told of the steps of their appeal (DOMAIN §11): ``appeal_announce``, used here for
a void appeal and by ``appeals.services.appeals`` for a later decision date and the decision."""

import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from core import events
from programmes.models import AcademicYear
from programmes.rules import academic_year_code

from .. import rules
from ..models import Appeal, AppealStatus
from ..selectors import decision_description


@transaction.atomic
def appeal_clocks_process(*, day: datetime.date, appeal_ids=None) -> int:
    """Process the appeal clocks due on or before ``day`` (Art. 101), once each:

    - an appeal lodged pending feedback and not elaborated becomes void on the day after
      the elaboration's last day;
    - an open appeal not decided by its due day is flagged overdue from the day after.

    Each stamp is the rule's date, not the day of processing. Returns how many changed."""
    rows = Appeal.objects.select_for_update().filter(status=AppealStatus.OPEN)
    if appeal_ids is not None:
        rows = rows.filter(pk__in=list(appeal_ids))
    # void_on(posted_on) <= day, with void_on = posted_on + a fixed number of days
    latest_posted = day - (rules.void_on(posted_on=day) - day)
    voided = list(rows.filter(pending_feedback=True, elaborated_on__isnull=True, posted_on__lte=latest_posted))
    for appeal in voided:
        appeal.status, appeal.voided_on = AppealStatus.VOID, rules.void_on(posted_on=appeal.posted_on)
    bulk_update_with_history(
        voided,
        Appeal,
        ["status", "voided_on"],
        default_change_reason=gettext_noop("Void: not elaborated within five days"),
    )
    for appeal in voided:
        _void_announce(appeal)
    overdue = list(
        rows.filter(overdue_since__isnull=True, decision_due_on__lt=day).exclude(pk__in=[a.pk for a in voided])
    )
    for appeal in overdue:
        appeal.overdue_since = rules.overdue_on(due_on=appeal.decision_due_on)
    bulk_update_with_history(
        overdue, Appeal, ["overdue_since"], default_change_reason=gettext_noop("Overdue: no decision in time")
    )
    return len(voided) + len(overdue)


# --- Telling the student (DOMAIN §11) -------------------------------------------------------
def appeal_academic_year(appeal: Appeal) -> str:
    """The academic year of the decision appealed: its exam period's, else the one its date lies in."""
    if appeal.exam_period_id:
        return appeal.exam_period.academic_year.code
    year = AcademicYear.objects.filter(starts_on__lte=appeal.decision_on, ends_on__gte=appeal.decision_on).first()
    return year.code if year else academic_year_code(rules.lifting_academic_year(submitted_on=appeal.decision_on))


def appeal_announce(appeal: Appeal, *, kind: str, decided_on: datetime.date, data: dict) -> None:
    """Tell the student a step of their appeal (Art. 101; DOMAIN §11), in the step's transaction:
    the decision appealed described in the student's language, frozen with the appeal's reference
    and academic year. The object is the appeal (``appeals.Appeal``)."""
    with translation.override(appeal.student.language or "nl"):
        decision = decision_description(appeal)
    events.decision_announce(
        sender="appeals",
        kind=kind,
        decided_on=decided_on,
        object_label=Appeal._meta.label,
        object_id=appeal.pk,
        student_ids=[appeal.student_id],
        data={"reference": appeal.reference, "decision": decision, "academic_year": appeal_academic_year(appeal)}
        | data,
        # Art. 101: the decision is sent to the address the appeal names, else the student's own.
        address=appeal.email,
    )


def _void_announce(appeal: Appeal) -> None:
    """Art. 101: an appeal lodged pending feedback and not elaborated within five calendar days is
    "automatically considered invalid"; the student is told, once: an appeal is voided at most once
    (an elaboration dated in time reopens it, and an elaborated appeal is never voided again)."""
    appeal = Appeal.objects.select_related("student", "exam_period__academic_year").get(pk=appeal.pk)
    appeal_announce(
        appeal,
        kind="appeal_void",
        decided_on=appeal.voided_on,
        data={
            "posted_on": appeal.posted_on,
            "elaboration_last_on": rules.elaboration_last_day(posted_on=appeal.posted_on),
            "voided_on": appeal.voided_on,
        },
    )
