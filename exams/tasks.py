"""The Celery tasks of a publication spread over workers (``exams.fanout``)."""

import datetime

from celery import shared_task

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
