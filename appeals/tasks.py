from celery import shared_task

from core import clock


@shared_task
def appeals_daily_summary() -> int:
    """Daily beat job: e-mail student administration the appeals to follow up today
    (overdue, due soon, awaiting elaboration, undecided lifting requests)."""
    from .services.summary import appeals_summary_send

    return appeals_summary_send(today=clock.today())
