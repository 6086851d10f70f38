"""What exams registers on the timeline: the publication of each exam period's results
(Art. 86) and the students' decisions that follow it, tolerance choices and objections
(Art. 91)."""

from django.db.models import Min

from core import gates
from core.timeline import (
    CalendarTransition,
    FactKind,
    Stage,
    TransitionSource,
    register_fact_kind,
    register_transition_source,
)
from programmes.models import ExamPeriod
from students.models import ISPLine

from . import fanout
from .models import HeldPublication, ToleranceChoice, ToleranceObjection
from .publication import publication_days, publication_key, release_key
from .services import (
    postponed_result_publish,
    results_publish,
    results_release,
    tolerance_choices_process,
    tolerance_objections_process,
)


def _publications(up_to):
    """Each exam period's publication on its day (Art. 86); the programmes a committee's
    deliberation holds on that day are left out of it (EXCHANGE.md). Spread over the Celery
    workers when ``PUBLICATION_FANOUT`` is on (``exams.fanout``)."""
    spread = fanout.enabled()
    for period in ExamPeriod.objects.filter(results_published_on__lte=up_to).select_related("academic_year"):
        if spread:
            # Spread over the workers; its last step records the transition (exams.fanout).
            yield CalendarTransition(
                publication_key(period),
                period.results_published_on,
                Stage.PUBLICATIONS,
                lambda p=period: fanout.publish_spread(period=p),
                records_itself=True,
            )
            continue
        yield CalendarTransition(
            publication_key(period),
            period.results_published_on,
            Stage.PUBLICATIONS,
            lambda p=period: results_publish(period=p),
        )


def _releases(up_to):
    """Each held programme's results on the day its deliberation is released (EXCHANGE.md)."""
    held = list(
        HeldPublication.objects.filter(released_on__isnull=True).select_related(
            "exam_period__academic_year", "programme"
        )
    )
    if not held:
        return
    release = gates.held_programmes(list({h.exam_period_id for h in held}))
    for h in held:
        key = (h.exam_period_id, h.programme_id)
        # A deliberation gone since the publication holds nothing any more.
        day = release.get(key, h.exam_period.results_published_on)
        if day is None or day > up_to:
            continue
        day = max(day, h.exam_period.results_published_on)
        yield CalendarTransition(
            release_key(h.exam_period, h.programme.code),
            day,
            Stage.PUBLICATIONS,
            lambda p=h.exam_period, programme=h.programme_id, d=day: results_release(
                period=p, programme_id=programme, day=d
            ),
        )


def _postponed(up_to):
    """Each result announced later (Art. 69) on its own day, once its programme's results of the
    period are published; never before."""
    periods = {
        p.pk: p for p in ExamPeriod.objects.filter(results_published_on__lte=up_to).select_related("academic_year")
    }
    if not periods:
        return
    postponed = gates.postponed_results(list(periods))
    if not postponed:
        return
    programme_of = dict(
        ISPLine.objects.filter(pk__in=[line for _period, line in postponed]).values_list(
            "pk", "enrolment__programme_id"
        )
    )
    published = publication_days((periods[period_id], programme_of[line]) for period_id, line in postponed)
    for (period_id, line_id), announce_on in sorted(postponed.items()):
        period = periods[period_id]
        published_on = published.get((period_id, programme_of[line_id]))
        if published_on is None:
            continue
        due = max(announce_on, published_on)
        if due > up_to:
            continue
        yield CalendarTransition(
            f"{publication_key(period)}:postponed:{line_id}",
            due,
            Stage.PUBLICATIONS,
            lambda p=period, line=line_id, day=due: postponed_result_publish(period=p, isp_line_id=line, day=day),
        )


def register() -> None:
    register_transition_source(TransitionSource("exam_period_publication", Stage.PUBLICATIONS, 10, _publications))
    register_transition_source(TransitionSource("held_publication_release", Stage.PUBLICATIONS, 15, _releases))
    register_transition_source(TransitionSource("postponed_result_publication", Stage.PUBLICATIONS, 20, _postponed))
    register_fact_kind(
        FactKind(
            "tolerance_choice",
            Stage.DECISIONS,
            10,
            tolerance_choices_process,
            lambda: ToleranceChoice.objects.filter(processed=False).aggregate(d=Min("on"))["d"],
        )
    )
    register_fact_kind(
        FactKind(
            "tolerance_objection",
            Stage.DECISIONS,
            20,
            tolerance_objections_process,
            lambda: ToleranceObjection.objects.filter(processed=False).aggregate(d=Min("on"))["d"],
        )
    )
