"""Celery tasks of the reschedules app: thin wrappers around the services."""

from celery import shared_task

from core import clock

from .services import ombuds_reports_prepare


@shared_task
def ombuds_reports_prepare_today() -> dict:
    """Nightly beat job (Art. 59): prepare the ombudsperson's annual reports of the years whose
    third exam period is published, and flag those not submitted by 15 November as overdue."""
    today = clock.today()
    summary = ombuds_reports_prepare(today=today)
    return {"today": today.isoformat(), "prepared": summary.prepared, "flagged_overdue": summary.flagged_overdue}
