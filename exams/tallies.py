"""The marks still missing before a publication (Art. 86), counted once and kept.

A mark is missing for an ISP line of the exam period's academic year that is examined in
that period and has no result in it yet: first-semester courses in exam period 1,
second-semester and year courses in exam period 2 (Art. 36), lines still in the ISP, not
exempted, of enrolled students. The third exam period is the second chance, taken only by
the students who choose to: nothing is missing there.

Counting them walks every line the period examines (half a second at 25,000 students, seconds
at 250,000), and counting the marks entered every result of the period: the home page of
student administration, the exam periods' list and a period's publication page show the counts
a Celery task keeps in ``MissingMarksTally``, in all and per course (every ``MISSING_MARKS_EVERY``
minutes, by beat, for the next publication; and after results are entered in a period), instead
of counting on every visit (issue 19). A period never counted is counted on the spot by the
pages of one period, while a worker is asked to keep its count; the list of every period counts
none itself.
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


def course_counts(period: ExamPeriod) -> dict[int, tuple[int, int]]:
    """Per course id: the marks entered in ``period`` and those still missing (none in the third
    exam period), for the courses with either (two queries)."""
    entered = dict(
        Result.objects.filter(exam_period=period)
        .order_by()
        .values_list("isp_line__course")
        .annotate(n=Count("pk"))
        .values_list("isp_line__course", "n")
    )
    missing = (
        dict(missing_marks(period).order_by().values_list("course").annotate(n=Count("pk")).values_list("course", "n"))
        if period.number in EXAMINED
        else {}
    )
    return {course: (entered.get(course, 0), missing.get(course, 0)) for course in entered.keys() | missing.keys()}


def _missing_counted(period: ExamPeriod) -> MissingMarksTally:
    """The marks missing for ``period`` counted now, in all, not kept (one query; nothing entered
    nor per course)."""
    counts = missing_marks(period).aggregate(lines=Count("pk"), courses=Count("course", distinct=True))
    return MissingMarksTally(
        exam_period=period, lines=counts["lines"], courses=counts["courses"], counted_at=clock.now()
    )


def _counted(period: ExamPeriod) -> MissingMarksTally:
    """The marks of ``period`` counted now, not kept (two queries)."""
    counts = course_counts(period)
    return MissingMarksTally(
        exam_period=period,
        lines=sum(missing for _entered, missing in counts.values()),
        courses=sum(1 for _entered, missing in counts.values() if missing),
        entered=sum(entered for entered, _missing in counts.values()),
        per_course={str(course): [entered, missing] for course, (entered, missing) in sorted(counts.items())},
        counted_at=clock.now(),
    )


def count(period: ExamPeriod) -> MissingMarksTally:
    """Count the marks of ``period`` now and keep the count (two queries and an upsert)."""
    tally = _counted(period)
    MissingMarksTally.objects.bulk_create(
        [tally],
        update_conflicts=True,
        unique_fields=["exam_period"],
        update_fields=["lines", "courses", "entered", "per_course", "counted_at"],
    )
    return tally


COUNT_NOW = {"all": _counted, "missing": _missing_counted, None: lambda period: None}


def tally_of(period: ExamPeriod, *, count_now: str | None = "all") -> MissingMarksTally | None:
    """The kept count of ``period``'s marks. A period never counted is counted now: all of it
    (``"all"``, per course: two queries), the marks missing in all only (``"missing"``: one
    query), or not at all (None: returns None); and a worker is asked to keep the count (a page
    that is read writes nothing itself)."""
    try:
        tally = period.missing_marks_tally  # read with the period (``exams.home.next_publication``)
    except MissingMarksTally.DoesNotExist:
        tally = None
    if tally is None:
        tally = COUNT_NOW[count_now](period)
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


def results_recorded(sender, *, exam_period_ids, **kwargs) -> None:
    """``core.events.results_recorded``: results were entered (``exams.results.results_record``)
    or imported (``exchange``) in these exam periods; a worker counts their marks again once the
    transaction commits."""
    for period_id in exam_period_ids:
        recount_soon(period_id)
