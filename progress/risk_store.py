"""The risk signals kept for the coach's risk list (``progress.models.RiskSignal``).

Refreshed after every live decision a student is told of (a publication of results, a
measure, a correction, an approved ISP: ``progress.receivers``), every night for every student
judged (``progress.tasks.risk_signals_refresh``: windows close with the calendar) and when the
demo is loaded. The student page does not read them: it computes the signals afresh
(``progress.risk_facts.student_signals``) from the same rules.
"""

import datetime
import logging

from django.db import transaction

from . import risk
from .models import RiskSignal
from .risk_facts import judged_students, risk_facts, signals_of

logger = logging.getLogger(__name__)

BATCH = 2000  # students per batch: bounded memory and IN lists


def risk_refresh(student_ids=None, *, today: datetime.date) -> int:
    """Compute the risk signals of ``student_ids`` (None: every student judged on ``today``,
    and the signals of the others removed) and replace the stored ones, a batch at a time (each
    batch its own transaction). Returns the number of signals stored."""
    everyone = student_ids is None
    ids = judged_students(today=today) if everyone else sorted(set(student_ids))
    stored = 0
    for start in range(0, len(ids), BATCH):
        stored += _refresh_batch(ids[start : start + BATCH], today=today)
    if everyone:
        # Students no longer judged (no enrolment in the last two years) keep no signal.
        RiskSignal.objects.exclude(computed_on=today).delete()
    return stored


@transaction.atomic
def _refresh_batch(student_ids: list[int], *, today: datetime.date) -> int:
    facts = risk_facts(student_ids, today=today)
    rows = []
    for student_id, student_facts in facts.items():
        codes = {p.standing.programme.code: pk for pk, p in student_facts.programmes.items()}
        for signal in signals_of(student_facts, today=today):
            rows.append(
                RiskSignal(
                    student_id=student_id,
                    kind=signal.kind,
                    level=signal.level,
                    urgency=risk.URGENCY[signal.level],
                    programme_id=codes[signal.programme],
                    course_code=signal.course or "",
                    computed_on=signal.computed_on,
                    grounds=signal.grounds.as_data(),
                    clears=signal.clears.as_data(),
                )
            )
    RiskSignal.objects.filter(student_id__in=student_ids).delete()
    RiskSignal.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
