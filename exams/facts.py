"""The one place where exams turns result rows into what other rules ask about them.

*Opportunity taken* (Art. 89 §1): an ISP line's exam opportunity has been taken once a
result of it exists in an exam period that had started — whatever the mark, an exam
not taken (NA) included: "a student who does not take part in an exam ... has used
that examination opportunity". The learning account (refunds on removal and
deregistration) and the ISP editor (a line examined cannot be removed) both ask this
function, the ledger through ``core.gates.opportunities_taken``.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from .models import Result


def _taken(on: datetime.date):
    return Result.objects.filter(exam_period__starts_on__lte=on)


def opportunities_taken(line_ids: Iterable[int], *, on: datetime.date, first_only: bool = False) -> set[int]:
    """The lines of ``line_ids`` with an exam opportunity taken by ``on`` (the first one
    only, with ``first_only``)."""
    results = _taken(on).filter(isp_line_id__in=list(line_ids))
    if first_only:
        results = results.filter(opportunity=1)
    return set(results.values_list("isp_line_id", flat=True))


def opportunities_taken_and_first(line_ids: Iterable[int], *, on: datetime.date) -> tuple[set[int], set[int]]:
    """Both answers of ``opportunities_taken`` in one query: the lines of ``line_ids`` with an
    exam opportunity taken by ``on``, and those whose first opportunity was taken by ``on``."""
    taken, first = set(), set()
    for line_id, opportunity in (
        _taken(on).filter(isp_line_id__in=list(line_ids)).order_by().values_list("isp_line_id", "opportunity")
    ):
        taken.add(line_id)
        if opportunity == 1:
            first.add(line_id)
    return taken, first


def opportunity_taken(on: datetime.date, line_ref: str = "pk") -> Exists:
    """The same as an ``Exists()`` to annotate ISP lines (``line_ref`` names the line)."""
    return Exists(_taken(on).filter(isp_line=OuterRef(line_ref)))
