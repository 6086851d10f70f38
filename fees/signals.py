"""Grant status changes and ISP approvals are not dated facts of the timeline: they are
made live (the admin site, the ISP editor), so their recalculation follows the save."""

from django.db import transaction
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from core import clock
from students.models import Enrolment, ISPStatus

TRACKED = ("grant_status", "isp_status")


@receiver(post_init, sender=Enrolment)
def _remember(sender, instance, **kwargs):
    instance._fees_seen = tuple(instance.__dict__.get(name) for name in TRACKED)


@receiver(post_save, sender=Enrolment)
def _recalculate_on_change(sender, instance, created, **kwargs):
    seen = getattr(instance, "_fees_seen", None)
    now = tuple(getattr(instance, name) for name in TRACKED)
    instance._fees_seen = now
    if created or seen is None or seen == now:
        return
    from .services import Reason, fees_recalculate

    if seen[0] != now[0]:
        reason = Reason.GRANT_STATUS
    elif now[1] == ISPStatus.APPROVED:
        reason = Reason.ISP_APPROVED
    else:
        return
    student, year = instance.student, instance.academic_year
    transaction.on_commit(
        lambda: fees_recalculate(student=student, academic_year=year, on=clock.today(), reason=reason)
    )
