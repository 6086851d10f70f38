"""The Celery tasks of a publication spread over workers (``exams.fanout``) and of the count of
the marks still missing before a publication (``exams.tallies``)."""

import datetime

from celery import shared_task

from core import clock

from . import fanout


@shared_task(acks_late=True, reject_on_worker_lost=True)
def publication_batch(batch_id: int, held: list[int]) -> bool:
    """Plan one batch of a publication: exactly once, however often it is delivered (a worker
    killed mid-way leaves it unplanned, and it is delivered again)."""
    return fanout.batch_plan(batch_id=batch_id, held=held)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def publication_finish(period_id: int, day: str, held: list[int], batch_count: int) -> dict | None:
    """The chord's callback: write every batch's plan and record the period as published."""
    return fanout.finish(period_id=period_id, day=datetime.date.fromisoformat(day), held=held, batch_count=batch_count)


@shared_task
def missing_marks_count(period_id: int | None = None) -> int | None:
    """Count the marks still missing for the exam period ``period_id``, or, without one, for the
    period whose results are published next (beat, every few minutes), and keep the count for
    the home page (``exams.tallies``). Returns the count, or None when there is nothing to count."""
    from programmes.models import ExamPeriod

    from . import home, tallies

    if period_id is None:
        period = home.next_publication(clock.today())
        if period is None or period.number not in tallies.EXAMINED:
            return None
    else:
        period = ExamPeriod.objects.filter(pk=period_id).first()
        if period is None:
            return None
    return tallies.count(period).lines
