"""What "published" means, once for the whole application (EXCHANGE.md, Art. 86).

A period's results are published when the timeline has processed its publication
transition: on the planned date (``ExamPeriod.results_published_on``) unless something
holds it. Nothing else decides it — never a comparison of dates, never a key parsed
elsewhere.
"""

import datetime
from collections.abc import Iterable

from core.timeline import processed_keys, transition_processed
from programmes.models import ExamPeriod


def publication_key(period: ExamPeriod) -> str:
    """The transition that publishes ``period``'s results (Art. 86): once it is
    processed, the period's results are official."""
    return f"exam_period:{period.academic_year.code}:{period.number}:publication"


def is_published(period: ExamPeriod) -> bool:
    """Whether ``period``'s results have been published."""
    return transition_processed(publication_key(period))


def published_periods(periods: Iterable[ExamPeriod]) -> dict[int, datetime.date]:
    """The exam periods (by id) whose publication has been processed, with its date (one query)."""
    keys = {publication_key(p): p for p in periods}
    return {keys[key].pk: keys[key].results_published_on for key in processed_keys(keys)}
