"""What reschedules registers on the timeline (``core.timeline``): the publication of each exam
period's individual exam schedules (Art. 41, 43; DOMAIN §1 ``ies_opens``, §6, §11), told to its
students once (``announcements.exam_schedule_publish``). It runs among the day's publications, after
the day's enrolments and ISP changes (EXCHANGE.md, same-day order)."""

from django.db.models import Count, Min, Q

from core.timeline import CalendarTransition, Stage, TransitionSource, register_transition_source
from programmes.models import ExamPeriod

from . import rules
from .announcements import exam_schedule_publish, schedule_key
from .models import ExamMoment


def _schedules(up_to):
    """Each exam period's schedule on the first day one of its exams is on the individual exam
    schedules: the year's ``ies_opens``, or the later day the planning announced the first (Art. 43)."""
    first = {
        row["exam_period_id"]: row
        for row in ExamMoment.objects.filter(exam_period__academic_year__ies_opens__lte=up_to)
        .values("exam_period_id")
        .annotate(first=Min("announced_on"), unannounced=Count("pk", filter=Q(announced_on__isnull=True)))
        .order_by()
    }
    if not first:
        return
    for period in ExamPeriod.objects.filter(pk__in=list(first)).select_related("academic_year"):
        row, opens = first[period.pk], period.academic_year.ies_opens
        due = opens if row["unannounced"] else rules.schedule_announced_on(ies_opens=opens, announced_on=row["first"])
        if due <= up_to:
            publish = lambda p=period, d=due: exam_schedule_publish(period=p, day=d)  # noqa: E731
            yield CalendarTransition(schedule_key(period), due, Stage.PUBLICATIONS, publish)


def register() -> None:
    register_transition_source(TransitionSource("exam_schedule_publication", Stage.PUBLICATIONS, 30, _schedules))
