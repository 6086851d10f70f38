from celery import shared_task


@shared_task
def risk_signals_refresh() -> int:
    """Every night, after the night's deadlines: the risk signals of every student judged
    (Art. 28), as the calendar moves (a tolerance window closing, a year ending)."""
    from core import clock

    from .risk_store import risk_refresh

    return risk_refresh(today=clock.today())
