from celery import shared_task

from . import clock
from .timeline import run_deadlines


@shared_task
def ping(value: str) -> str:
    """A round trip through the broker and a worker, used by the health test."""
    return f"pong {value}"


@shared_task
def run_deadlines_today() -> dict:
    """Nightly beat job: bring every deadline up to today (EXCHANGE.md)."""
    return run_deadlines(today=clock.today()).as_dict()
