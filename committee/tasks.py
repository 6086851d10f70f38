"""The Celery task of the count of the students deliberated that a deliberation report states
(``committee.tallies``)."""

from celery import shared_task


@shared_task
def deliberated_count(deliberation_id: int | None = None, period_id: int | None = None) -> dict[int, int]:
    """Count the students deliberated in the deliberation ``deliberation_id``; or in the
    deliberations on exam period ``period_id`` whose report is not signed (results were entered);
    or, without either, in every deliberation not closed yet (beat, every few minutes). Keep each
    count for the report page (``committee.tallies``). Returns the counts by deliberation; none
    for a deliberation deleted since it was queued."""
    from .models import Deliberation
    from .tallies import count, not_closed, unsigned

    if deliberation_id is not None:
        deliberations = Deliberation.objects.filter(pk=deliberation_id)
    elif period_id is not None:
        deliberations = unsigned(period_id)
    else:
        deliberations = not_closed()
    return {d.pk: count(d).students for d in deliberations.select_related("committee").order_by("pk")}
