"""The marks still missing before a publication (Art. 86), counted once and kept.

A mark is missing for an ISP line of the exam period's academic year that is examined in
that period and has no result in it yet: first-semester courses in exam period 1,
second-semester and year courses in exam period 2 (Art. 36), lines still in the ISP, not
exempted, of enrolled students. The third exam period is the second chance, taken only by
the students who choose to: nothing is missing there.

Counting them walks every line the period examines (half a second at 25,000 students, seconds
at 250,000): the home page of student administration shows the count a Celery task keeps in
``MissingMarksTally`` (every ``MISSING_MARKS_EVERY`` minutes, by beat, and after each marksheet)
instead of counting on every visit (issue 19). A period never counted is counted on the spot
while a worker is asked to keep its count.
"""

import logging

from django.db import transaction
from django.db.models import Count, Exists, OuterRef

from core import clock
from programmes.models import ExamPeriod, Semester
from students.models import EnrolmentStatus, ISPLine

from .models import MissingMarksTally, Result

logger = logging.getLogger(__name__)

# The semesters whose courses an exam period examines for the first time (Art. 36).
EXAMINED = {1: (Semester.FIRST,), 2: (Semester.SECOND, Semester.YEAR)}


def missing_marks(period: ExamPeriod):
    """The ISP lines examined in ``period`` (1 or 2) that have no result in it yet."""
    return ISPLine.objects.filter(
        enrolment__academic_year_id=period.academic_year_id,
        enrolment__status=EnrolmentStatus.ENROLLED,
        removed_on__isnull=True,
        exempted=False,
        course__semester__in=EXAMINED.get(period.number, ()),
    ).exclude(Exists(Result.objects.filter(isp_line=OuterRef("pk"), exam_period=period)))


def _counted(period: ExamPeriod) -> MissingMarksTally:
    """The marks missing for ``period`` counted now, not kept (one query)."""
    counts = missing_marks(period).aggregate(lines=Count("pk"), courses=Count("course", distinct=True))
    return MissingMarksTally(
        exam_period=period, lines=counts["lines"], courses=counts["courses"], counted_at=clock.now()
    )


def count(period: ExamPeriod) -> MissingMarksTally:
    """Count the marks missing for ``period`` now and keep the count (a query and an upsert)."""
    tally = _counted(period)
    MissingMarksTally.objects.bulk_create(
        [tally],
        update_conflicts=True,
        unique_fields=["exam_period"],
        update_fields=["lines", "courses", "counted_at"],
    )
    return tally


def tally_of(period: ExamPeriod) -> MissingMarksTally:
    """The kept count of ``period``'s missing marks. A period never counted is counted now, and a
    worker is asked to keep the count (a page that is read writes nothing itself)."""
    try:
        tally = period.missing_marks_tally  # read with the period (``exams.home.next_publication``)
    except MissingMarksTally.DoesNotExist:
        tally = None
    if tally is None:
        tally = _counted(period)
        recount_soon(period.pk)
    return tally


def recount_soon(period_id: int) -> None:
    """Have a worker count ``period_id``'s missing marks again once the current transaction
    commits (a marksheet was entered). A broker that is down leaves the count to beat's next
    run."""

    def queue():
        from .tasks import missing_marks_count

        try:
            missing_marks_count.delay(period_id)
        except Exception:  # noqa: BLE001 - beat counts again within minutes
            logger.exception("exams: could not queue the count of the missing marks of period %s", period_id)

    transaction.on_commit(queue)
