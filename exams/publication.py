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

from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from core.models import Transition
from core.timeline import processed_keys, transition_processed
from programmes.models import ExamPeriod

from .models import HeldPublication


def publication_key(period: ExamPeriod) -> str:
    """The transition that publishes ``period``'s results (Art. 86): once it is
    processed, the period's results are official, except those of a held programme."""
    return f"exam_period:{period.academic_year.code}:{period.number}:publication"


def publication_key_expression():
    """``publication_key`` as an SQL expression on an exam period (the same key, built by the
    database), so that a query of periods can ask whether each one is published."""
    return Concat(
        Value("exam_period:"),
        F("academic_year__code"),
        Value(":"),
        Cast("number", output_field=CharField()),
        Value(":publication"),
        output_field=CharField(),
    )


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


def _held_name(programme_id: int) -> str:
    return f"publication_held_{programme_id}"


def _released_name(programme_id: int) -> str:
    return f"publication_released_{programme_id}"


def with_publication(periods: QuerySet, programme_ids: Iterable[int]) -> QuerySet:
    """``periods`` (an ``ExamPeriod`` queryset) read with their publication, in the same query:
    ``published``, whether the publication transition is processed, and, for each of
    ``programme_ids`` (a few), whether the period holds the programme and the day it was
    released (``HeldPublication``). ``publication_day_of`` answers from them as
    ``publication_days`` does."""
    held = HeldPublication.objects.filter(exam_period=OuterRef("pk"))
    annotations = {}
    for programme_id in sorted(set(programme_ids)):
        mine = held.filter(programme_id=programme_id)
        annotations[_held_name(programme_id)] = Exists(mine)
        annotations[_released_name(programme_id)] = Subquery(mine.values("released_on")[:1])
    return (
        periods.alias(publication_key=publication_key_expression())
        .annotate(published=Exists(Transition.objects.filter(key=OuterRef("publication_key"))))
        .annotate(**annotations)
    )


def publication_read(period: ExamPeriod, programme_id: int) -> bool:
    """Whether ``period`` was read by ``with_publication`` with ``programme_id`` among its
    programmes: ``publication_day_of`` can answer for the programme without a query."""
    return hasattr(period, "published") and hasattr(period, _held_name(programme_id))


def publication_day_of(period: ExamPeriod, programme_id: int) -> datetime.date | None:
    """The day ``period``'s results of the programme were published, or None; ``period`` read by
    ``with_publication`` with the programme among its ``programme_ids`` (no query)."""
    if not period.published:
        return None
    if getattr(period, _held_name(programme_id)):
        return getattr(period, _released_name(programme_id))
    return period.results_published_on


def publication_day(period: ExamPeriod, programme_id: int) -> datetime.date | None:
    """The day ``period``'s results of the programme were published, or None."""
    return publication_days([(period, programme_id)]).get((period.pk, programme_id))
