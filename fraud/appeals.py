"""A fraud decision under appeal (Art. 101 g; DOMAIN §7): what the appeals register links and
what its outcome does to the decision.

Art. 101 g: an examination disciplinary decision, a sanction imposed as a result of examination
facts (any decision of the committee on an irregularity under Art. 85), can be appealed. The
appeals app (above fraud) links an appeal of category (g) to the ``FraudDecision``; an appeal
decided with a new decision sets the fraud decision aside (``decision_set_aside``): it stops
carrying its effects that are read from it (the code FR, no credit certificate, no retake this
year, the highest result set aside), its exclusion measures (6°, 7°) are lifted, what carrying it
out changed is undone (``effects.decision_reverse``: the examiner's marks back, a 1° retake moment
withdrawn), and the complete committee decides anew on the same file (``services.decision_record``). An inadmissible or
unfounded appeal leaves the decision as it is.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import errors
from core.audit import audited_save
from core.history import register_reasons, stored_reason
from students.models import Measure, MeasureKind
from students.refusals import measure_lift

from . import effects, rules
from .models import DecisionStatus, FileKind, FraudDecision
from .services import Refused

SET_ASIDE = gettext_noop("set aside on appeal %(appeal)s (Art. 101 g)")
register_reasons(SET_ASIDE)
FRAUD_MEASURES = (MeasureKind.FRAUD_EXCLUSION, MeasureKind.FRAUD_ENROLMENT_BAN)


def appealable_decisions(student_id: int):
    """The student's fraud decisions an appeal of category (g) can name (Art. 101 g): final
    decisions on a fraud or plagiarism file (a decision awaiting ratification is not final yet,
    Art. 85 §2; a dispute's outcome is no sanction, Art. 92), the latest first."""
    return (
        FraudDecision.objects.filter(fraud_file__student_id=student_id, status=DecisionStatus.FINAL)
        .exclude(fraud_file__kind=FileKind.DISPUTE)
        .select_related("fraud_file__course", "fraud_file__exam_period__academic_year", "ratification")
        .order_by("-decided_on", "-pk")
    )


def is_appealable(decision: FraudDecision) -> bool:
    return decision.status == DecisionStatus.FINAL and decision.fraud_file.kind != FileKind.DISPUTE


def notified_on(decision: FraudDecision) -> datetime.date:
    """The day the appeal period of Art. 101 runs from for this decision: its notification as
    recorded, else the day it became final (the fraud authority's ratification for 6°, 7° and an
    annulment, Art. 85 §2-3; the committee's decision otherwise; DOMAIN §7: a decision without a
    recorded notification counts from its decision date)."""
    recorded = getattr(decision, "notified_on", None)
    if recorded:
        return recorded
    ratification = getattr(decision, "ratification", None) if decision.needs_ratification else None
    if ratification is not None and ratification.decided_on:
        return ratification.decided_on
    return decision.decided_on


@transaction.atomic
def decision_set_aside(*, decision: FraudDecision, by_appeal: str, on: datetime.date, by=None) -> FraudDecision:
    """An appeal of category (g) against ``decision`` decided with a new decision (Art. 101 g):
    the decision is set aside on ``on`` and the complete committee decides anew on the file
    (``services.decision_record`` accepts a new decision after it). ``by_appeal``: the appeal's
    reference, kept in the history. The fraud measures the decision took (6° exclusion, 7° ban)
    are lifted through ``students.refusals.measure_lift`` (the enrolments they refused are
    admitted again). Refused, with nothing written, for a decision that is not final (awaiting
    ratification, not ratified, already set aside) or a dispute's outcome. What carrying the decision
    out changed is undone through the same services (``effects.decision_reverse``): the examiner's
    marks restored (a published one by a new decision, with its certificate and learning-account
    refund), a 1° retake moment still ahead withdrawn from the individual exam schedule."""
    decision = (
        FraudDecision.objects.select_for_update(of=("self",))
        .select_related("fraud_file__course", "fraud_file__exam_period__academic_year")
        .get(pk=decision.pk)
    )
    if not is_appealable(decision):
        raise Refused(
            [
                errors.Problem(
                    "not_appealable",
                    _(
                        "Only a final decision on a fraud or plagiarism file is set aside on appeal: this one is not "
                        "(Art. 85 §2, 101 g)."
                    ),
                )
            ]
        )
    if on < decision.decided_on:
        raise Refused([_("An appeal sets a decision aside after it was taken (Art. 101).")])
    chosen = {rules.Sanction(s) for s in decision.sanctions}
    if rules.Sanction.PROGRAMME_EXCLUSION in chosen:
        fraud_file = decision.fraud_file
        year = fraud_file.exam_period.academic_year
        spans = rules.exclusion_years(
            year.first_year or year.starts_on.year,
            decision.ban_years if rules.Sanction.ENROLMENT_BAN in chosen else None,
        )
        label = stored_reason(SET_ASIDE, appeal=by_appeal)
        for measure in Measure.objects.filter(
            student_id=fraud_file.student_id,
            kind__in=FRAUD_MEASURES,
            programme_id=fraud_file.course.programme_id,
            from_year_code__in=[span["from"] for span in spans.values()],
            lifted_on__isnull=True,
        ):
            measure_lift(measure=measure, on=on, reason=label[:200])
    decision.status = DecisionStatus.SET_ASIDE
    audited_save(decision, by=by, reason=stored_reason(SET_ASIDE, appeal=by_appeal))
    # No longer final: the marks come back without the sanction's refusals and certificate bar.
    effects.decision_reverse(decision, on=on, reason=stored_reason(SET_ASIDE, appeal=by_appeal))
    return decision
