"""What progress does when a lower layer announces a decision (``core.events``)."""

import datetime

from django.db import transaction

from core import clock, events
from programmes.models import AcademicYear
from students.models import Enrolment

from .measures import measures_review_onwards


def review_measures_after_redecision(sender, *, academic_year_id, student_ids, on, reason, **kwargs):
    """A new decision about a year that has ended: its measures are taken again (Art. 101-102),
    and those of the later years that rest on it (a binding-conditions refusal on the binding
    conditions, Art. 29)."""
    year = AcademicYear.objects.get(pk=academic_year_id)
    return measures_review_onwards(year=year, student_ids=student_ids, on=on, reason=reason)


def risks_after_decision(sender, *, decided_on, student_ids=(), enrolment_ids=(), **kwargs):
    """Art. 28: after a decision a student is told of (a publication of results above all), the
    risk signals of the students it concerns are computed again, once the decision is committed.
    Only a live decision (dated today or later): a replay of the past leaves them to the nightly
    refresh, which judges on the real today."""
    today = clock.today()
    if not isinstance(decided_on, datetime.date) or decided_on < today:
        return None
    students, enrolments = list(student_ids), list(enrolment_ids)

    def refresh():
        from .risk_store import risk_refresh

        ids = set(students)
        if enrolments:
            ids |= set(Enrolment.objects.filter(pk__in=enrolments).values_list("student_id", flat=True))
        risk_refresh(ids, today=clock.today())

    # Robust: a refresh that fails leaves the decision committed; the nightly refresh repairs it.
    transaction.on_commit(refresh, robust=True)
    return None


def connect() -> None:
    events.results_redecided.connect(review_measures_after_redecision, dispatch_uid="progress.measures_review")
    events.decision_notified.connect(risks_after_decision, dispatch_uid="progress.risks_after_decision")
