"""How many students a deliberation report says were deliberated (Art. 82), counted once and kept.

The report states how many students of the committee's programmes have a result in the exam
period: the students it does not name have their marks as proposed, without a decision of the
committee. Counting them walks every result of the period in those programmes (1.9 s at 250,000
students on PostgreSQL): the report page of a deliberation whose report is not signed yet shows
the count kept in ``DeliberatedTally`` instead of counting on every visit (issue 19). It is
counted again

- by a Celery task every ``DELIBERATED_EVERY`` minutes (beat) for every deliberation not closed
  yet (prepared or open);
- after results are entered in the exam period (``core.events.results_recorded``, sent by
  exams), for the period's deliberations whose report is not signed;
- exactly, on the spot, when the deliberation is closed (``services.deliberation_close``) and
  when its report is signed (``services.report_sign`` keeps the count the signed report holds,
  in the same transaction).

A deliberation never counted is counted on the spot while a worker is asked to keep its count.
The signed report is read as it was frozen, with its own count; signing and the demo count
exactly (``report.report_content`` without ``kept``).
"""

import logging

from django.db import transaction
from django.db.models import QuerySet

from core import clock
from exams.models import Result

from .models import DeliberatedTally, Deliberation, DeliberationStatus
from .selectors import programmes_of, report_signed

logger = logging.getLogger(__name__)


def deliberated(deliberation: Deliberation) -> QuerySet:
    """The students deliberated (Art. 82): every student with a result in ``deliberation``'s exam
    period in a programme of its committee (the student ids, each once)."""
    return (
        Result.objects.filter(
            exam_period_id=deliberation.exam_period_id,
            isp_line__enrolment__programme__in=programmes_of(deliberation.committee),
        )
        .values("isp_line__enrolment__student")
        .distinct()
    )


def _counted(deliberation: Deliberation) -> DeliberatedTally:
    """The students deliberated in ``deliberation`` counted now, not kept (one query)."""
    students = deliberated(deliberation).count()
    return DeliberatedTally(deliberation=deliberation, students=students, counted_at=clock.now())


def keep(deliberation: Deliberation, students: int) -> DeliberatedTally:
    """Keep ``students`` as ``deliberation``'s count (an upsert): the count just made, or the one
    a signed report holds."""
    tally = DeliberatedTally(deliberation=deliberation, students=students, counted_at=clock.now())
    DeliberatedTally.objects.bulk_create(
        [tally],
        update_conflicts=True,
        unique_fields=["deliberation"],
        update_fields=["students", "counted_at"],
    )
    return tally


def count(deliberation: Deliberation) -> DeliberatedTally:
    """Count the students deliberated in ``deliberation`` now and keep the count (a query and an
    upsert)."""
    return keep(deliberation, deliberated(deliberation).count())


def tally_of(deliberation: Deliberation) -> DeliberatedTally:
    """The kept count of the students deliberated in ``deliberation``. A deliberation never
    counted is counted now, and a worker is asked to keep the count (a page that is read writes
    nothing itself)."""
    try:
        tally = deliberation.deliberated_tally  # read with the deliberation (``selectors.deliberation_for``)
    except DeliberatedTally.DoesNotExist:
        tally = None
    if tally is None:
        tally = _counted(deliberation)
        recount_soon(deliberation_id=deliberation.pk)
    return tally


def not_closed() -> QuerySet[Deliberation]:
    """The deliberations beat counts again: those not closed yet (prepared or open; a correction
    opens a closed one again), whose results may still come in or change."""
    return Deliberation.objects.exclude(status=DeliberationStatus.CLOSED)


def unsigned(period_id: int) -> QuerySet[Deliberation]:
    """The deliberations on exam period ``period_id`` whose current report is not signed: the
    ones whose report page shows the kept count."""
    return Deliberation.objects.filter(exam_period_id=period_id).annotate(signed=report_signed()).filter(signed=False)


def recount_soon(*, deliberation_id: int | None = None, period_id: int | None = None) -> None:
    """Have a worker count again, once the current transaction commits, the students deliberated
    in ``deliberation_id``, or in the deliberations on exam period ``period_id`` whose report is
    not signed (results were entered). A broker that is down leaves the count to beat's next run
    (or to the close and the signature, which count exactly)."""

    def queue():
        from .tasks import deliberated_count

        try:
            deliberated_count.delay(deliberation_id=deliberation_id, period_id=period_id)
        except Exception:  # noqa: BLE001 - beat counts again within minutes
            logger.exception(
                "committee: could not queue the count of the students deliberated (deliberation %s, period %s)",
                deliberation_id,
                period_id,
            )

    transaction.on_commit(queue)


def results_recorded(sender, *, exam_period_ids, **kwargs) -> None:
    """``core.events.results_recorded``: results were entered in these exam periods; their
    deliberations are counted again once the transaction commits."""
    for period_id in exam_period_ids:
        recount_soon(period_id=period_id)
