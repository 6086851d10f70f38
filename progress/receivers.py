"""What progress does when a lower layer announces a decision (``core.events``)."""

from core import events
from programmes.models import AcademicYear

from .measures import measures_review_onwards


def review_measures_after_redecision(sender, *, academic_year_id, student_ids, on, reason, **kwargs):
    """A new decision about a year that has ended: its measures are taken again (Art. 101-102),
    and those of the later years that rest on it (a binding-conditions refusal on the binding
    conditions, Art. 29)."""
    year = AcademicYear.objects.get(pk=academic_year_id)
    return measures_review_onwards(year=year, student_ids=student_ids, on=on, reason=reason)


def connect() -> None:
    events.results_redecided.connect(review_measures_after_redecision, dispatch_uid="progress.measures_review")
