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

from .models import ToleranceChoice, ToleranceObjection
from .publication import publication_key, published_periods
from .services import postponed_result_publish, results_publish, tolerance_choices_process, tolerance_objections_process


def _publications(up_to):
    """Each exam period's publication on its day, unless a committee's open deliberation holds it
    (EXCHANGE.md): then it waits, and closing the deliberation sets the day it is released."""
    periods = list(ExamPeriod.objects.filter(results_published_on__lte=up_to).select_related("academic_year"))
    held = gates.publication_held([period.pk for period in periods]) if periods else set()
    for period in periods:
        if period.pk in held:
            continue
        yield CalendarTransition(
            publication_key(period),
            period.results_published_on,
            Stage.PUBLICATIONS,
            lambda p=period: results_publish(period=p),
        )


def _postponed(up_to):
    """Each result announced later (Art. 69) on its own day, once its period is published; never
    before the period's publication."""
    periods = {
        p.pk: p for p in ExamPeriod.objects.filter(results_published_on__lte=up_to).select_related("academic_year")
    }
    if not periods:
        return
    postponed = gates.postponed_results(list(periods))
    if not postponed:
        return
    published = published_periods(periods[period_id] for period_id, _line in postponed)
    for (period_id, line_id), announce_on in sorted(postponed.items()):
        period = periods[period_id]
        due = max(announce_on, period.results_published_on)
        if period_id not in published or due > up_to:
            continue
        yield CalendarTransition(
            f"{publication_key(period)}:postponed:{line_id}",
            due,
            Stage.PUBLICATIONS,
            lambda p=period, line=line_id, day=due: postponed_result_publish(period=p, isp_line_id=line, day=day),
        )


def register() -> None:
    register_transition_source(TransitionSource("exam_period_publication", Stage.PUBLICATIONS, 10, _publications))
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
