"""What progress registers on the timeline: the study progress measures taken at the end of
each academic year (DOMAIN §5, Art. 29-33), after everything else of that day."""

from core.timeline import CalendarTransition, Stage, TransitionSource, register_transition_source
from programmes.models import AcademicYear

from .measures import measures_take


def _year_ends(up_to):

    for year in AcademicYear.objects.filter(ends_on__lte=up_to):
        yield CalendarTransition(
            f"ay:{year.code}:year_end", year.ends_on, Stage.YEAR_END, lambda y=year: measures_take(year=y)
        )


def register() -> None:
    register_transition_source(TransitionSource("year_end_measures", Stage.YEAR_END, 10, _year_ends))
