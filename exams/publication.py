"""What "published" means, once for the whole application (EXCHANGE.md, Art. 86).

A period's results are published when the timeline has processed its publication
transition: on the planned date (``ExamPeriod.results_published_on``). An examination
committee's deliberation still open on that day holds its programmes (``HeldPublication``):
their results are published when the deliberation is released, by a transition of their own,
and every clock that runs from the publication runs from that day for their students.
Nothing else decides it — never a comparison of dates, never a key parsed elsewhere.
"""

import datetime
from collections.abc import Iterable

from core.timeline import processed_keys, transition_processed
from programmes.models import ExamPeriod

from .models import HeldPublication


def publication_key(period: ExamPeriod) -> str:
    """The transition that publishes ``period``'s results (Art. 86): once it is
    processed, the period's results are official, except those of a held programme."""
    return f"exam_period:{period.academic_year.code}:{period.number}:publication"


def release_key(period: ExamPeriod, programme_code: str) -> str:
    """The transition that publishes a held programme's results of ``period`` (EXCHANGE.md)."""
    return f"{publication_key(period)}:programme:{programme_code}"


def is_published(period: ExamPeriod) -> bool:
    """Whether ``period``'s publication has been processed (a held programme may still wait)."""
    return transition_processed(publication_key(period))


def published_periods(periods: Iterable[ExamPeriod]) -> dict[int, datetime.date]:
    """The exam periods (by id) whose publication has been processed, with its date (one query);
    a held programme's results may still wait: ``publication_days`` answers per programme."""
    keys = {publication_key(p): p for p in periods}
    return {keys[key].pk: keys[key].results_published_on for key in processed_keys(keys)}


def publication_days(pairs: Iterable[tuple[ExamPeriod, int]]) -> dict[tuple[int, int], datetime.date]:
    """The day each (exam period, programme id) pair's results were published: the period's
    day, or the day a held programme was released; a pair not published yet is left out (two
    queries)."""
    pairs = list(pairs)
    published = published_periods({period for period, _programme in pairs})
    if not published:
        return {}
    held = {
        (period_id, programme_id): released_on
        for period_id, programme_id, released_on in HeldPublication.objects.filter(
            exam_period_id__in=list(published)
        ).values_list("exam_period_id", "programme_id", "released_on")
    }
    days = {}
    for period, programme_id in pairs:
        if period.pk not in published:
            continue
        key = (period.pk, programme_id)
        day = held[key] if key in held else published[period.pk]
        if day is not None:
            days[key] = day
    return days


def publication_day(period: ExamPeriod, programme_id: int) -> datetime.date | None:
    """The day ``period``'s results of the programme were published, or None."""
    return publication_days([(period, programme_id)]).get((period.pk, programme_id))
