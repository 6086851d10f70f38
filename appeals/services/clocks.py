"""The appeal clocks (Art. 101), dated facts of the timeline (``core.timeline``): void after
the elaboration window, flagged overdue after the decision's due day. The day the next one is
due is a read: ``appeals.selectors.appeal_clocks_pending_on``."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from .. import rules
from ..models import Appeal, AppealStatus


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
    overdue = list(
        rows.filter(overdue_since__isnull=True, decision_due_on__lt=day).exclude(pk__in=[a.pk for a in voided])
    )
    for appeal in overdue:
        appeal.overdue_since = rules.overdue_on(due_on=appeal.decision_due_on)
    bulk_update_with_history(
        overdue, Appeal, ["overdue_since"], default_change_reason=gettext_noop("Overdue: no decision in time")
    )
    return len(voided) + len(overdue)
