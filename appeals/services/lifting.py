"""Refusal lifting (Art. 34): registering a request to the refusal-lifting committee, its
decision, and lifting a refusal (also by an appeal's new decision). The Art. 34 check and the
tolerances a lifting applies are reads: ``appeals.selectors``."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import clock, events
from core.audit import audited_save
from core.history import register_reasons, stored_reason
from exams.services import programme_results_update
from programmes.rules import academic_year_code
from students.models import Measure, ToleranceKind
from students.refusals import REFUSALS, measure_lift

from .. import rules
from ..models import LiftingStatus, RefusalLiftingRequest
from ..selectors import lifting_check, lifting_tolerances
from .base import Refused, not_in_the_future

# A change reason with a value: stored in English, shown in the reader's language (core.history).
DECIDED = gettext_noop("Decided: %(status)s")
register_reasons(DECIDED)


@transaction.atomic
def refusal_lifting_request_register(
    *, measure: Measure, submitted_on: datetime.date, grounds: str, by, today: datetime.date | None = None
) -> RefusalLiftingRequest:
    """Register a request to the refusal-lifting committee (Art. 34). A late request is
    registered too (the committee rejects it); one against no refusal, a lifted refusal or
    without grounds is refused."""
    today = today or clock.today()
    not_in_the_future(submitted_on, _("The request's date"), today)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.kind not in REFUSALS:
        raise Refused([_("Only a refusal of enrolment can be lifted (Art. 34).")])
    check = lifting_check(measure=measure, submitted_on=submitted_on, grounds=grounds)
    blocking = [m for p, m in zip(check.problems, check.messages, strict=True) if p != rules.LIFTING_LATE]
    if blocking:
        raise Refused(blocking)
    request = RefusalLiftingRequest(
        student_id=measure.student_id,
        measure=measure,
        academic_year_code=academic_year_code(rules.lifting_academic_year(submitted_on=submitted_on)),
        submitted_on=submitted_on,
        grounds=grounds,
        registered_by=by,
    )
    audited_save(request, by=by, reason=gettext_noop("Refusal-lifting request registered"))
    return request


def refusal_lift(*, measure: Measure, on: datetime.date, reason: str, tell: bool = True) -> list[str]:
    """Lift a refusal (Art. 34) on ``on``: the tolerances of ``lifting_tolerances`` are
    applied (tolerance kind "automatic") and the programme result follows; the enrolments the
    refusal held back are readmitted. Returns the course codes tolerated. ``tell``: whether the
    lifting itself is told (``measure_lift``; false for a caller whose own message tells it)."""
    tolerated = []
    for line in lifting_tolerances(measure):
        line.tolerated_on, line.tolerance_kind = on, ToleranceKind.AUTOMATIC
        audited_save(line, by=None, reason=reason, update_fields=["tolerated_on", "tolerance_kind"])
        tolerated.append(line.course.code)
    if tolerated:
        programme_results_update(pairs=[(measure.student_id, measure.programme_id)], day=on)
    measure_lift(measure=measure, on=on, reason=reason[:200], tell=tell)
    return sorted(tolerated)


@transaction.atomic
def refusal_lifting_decide(
    *,
    request: RefusalLiftingRequest | int,
    granted: bool,
    on: datetime.date,
    reason: str,
    by,
    today: datetime.date | None = None,
) -> RefusalLiftingRequest:
    """Record the refusal-lifting committee's decision (Art. 34). Granting lifts the refusal
    (``refusal_lift``); a late request can only be rejected. A rejection can be appealed
    under Art. 101 (a). The student is told of the decision (DOMAIN §11)."""
    request = RefusalLiftingRequest.objects.select_for_update().get(pk=getattr(request, "pk", request))
    today = today or clock.today()
    not_in_the_future(on, _("The decision's date"), today)
    if request.status != LiftingStatus.PENDING:
        raise Refused([_("This request is decided already.")])
    if on < request.submitted_on:
        raise Refused([_("The decision cannot come before the request.")])
    if not reason.strip():
        raise Refused([_("Give the motivation of the decision.")])
    measure = Measure.objects.select_for_update().get(pk=request.measure_id)
    if granted:
        check = lifting_check(
            measure=measure, submitted_on=request.submitted_on, grounds=request.grounds, exclude_pk=request.pk
        )
        if check.problems:
            raise Refused(check.messages)
        label = _("Refusal lifted (%(reference)s): %(reason)s") % {"reference": request.reference, "reason": reason}
        # The decision's own message (``refusal_lifting_decided``) tells the lifting: one message.
        request.tolerated_courses = ", ".join(refusal_lift(measure=measure, on=on, reason=label, tell=False))
    request.status = LiftingStatus.GRANTED if granted else LiftingStatus.REJECTED
    request.decided_on, request.decided_by, request.decision_reason = on, by, reason
    audited_save(request, by=by, reason=stored_reason(DECIDED, status=LiftingStatus(request.status).label))
    _decided_announce(request, measure)
    return request


def _decided_announce(request: RefusalLiftingRequest, measure: Measure) -> None:
    """The student is told of the committee's decision (Art. 34; DOMAIN §11), once: a request is
    decided once. A rejection can be appealed under Art. 101 (a) within seven calendar days after
    this notification (``notifications.kinds.APPEAL_FROM_NOTIFICATION``); the object is the request."""
    programme = measure.programme
    events.decision_announce(
        sender="appeals",
        kind="refusal_lifting_decided",
        decided_on=request.decided_on,
        object_label=RefusalLiftingRequest._meta.label,
        object_id=request.pk,
        student_ids=[request.student_id],
        data={
            "reference": request.reference,
            "measure": measure.kind,
            "programme": f"{programme.code} {programme.name}",
            "academic_year": request.academic_year_code,
            "granted": request.status == LiftingStatus.GRANTED,
            "tolerated_courses": [code for code in request.tolerated_courses.split(", ") if code],
            "motivation": request.decision_reason,
            "decided_on": request.decided_on,
        },
    )
