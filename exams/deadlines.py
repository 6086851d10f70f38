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
from .publication import publication_key
from .services import results_publish, tolerance_choices_process, tolerance_objections_process


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


def register() -> None:
    register_transition_source(TransitionSource("exam_period_publication", Stage.PUBLICATIONS, 10, _publications))
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
