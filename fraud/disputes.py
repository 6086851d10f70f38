"""Disputes during an exam (Art. 92): a file of the same kind as a fraud file (``FileKind.DISPUTE``,
opened with ``services.fraud_file_open``, its hearings with ``services.hearing_record``), with its
own outcome instead of a sanction.

Art. 92: irregular conduct or a conflict between a student and an examiner before or during an
exam is reported to the committee's chair via the ombudsperson; the chair mediates, may take
measures (after consulting the ombudsperson) so that the exam runs correctly, hears the student
and the examiner, and the complete committee takes the final decision. That decision is stored
as a ``FraudDecision`` without sanctions whose ``reason`` is the outcome, final at once: it needs
no ratification (Art. 85 §2 concerns sanctions) and carries no code FR (Art. 85 §4). Conduct that
is fraud opens a fraud file. Material errors (Art. 93) are corrected as every other error is
(``appeals`` corrections, Art. 102), not here.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from committee.models import Deliberation
from core import errors
from core.audit import audited_save
from core.clock import today as clock_today

from . import rules
from .models import DecisionStatus, FileKind, FraudDecision, FraudFile
from .services import Refused, _deliberation_problems, _problems, hearings_held

DISPUTE_REFUSALS = {
    rules.DisputeRefusal.NO_OUTCOME: gettext_lazy(
        "State the complete committee's final decision on the dispute: its outcome (Art. 92)."
    ),
    rules.DisputeRefusal.EXAMINER_NOT_HEARD: gettext_lazy(
        "The chair hears the examiner before the committee decides on the dispute (Art. 92)."
    ),
    rules.DisputeRefusal.STUDENT_NOT_HEARD: gettext_lazy(
        "The chair hears the student before the committee decides on the dispute (Art. 92)."
    ),
}


@transaction.atomic
def dispute_decide(
    *,
    fraud_file: FraudFile,
    outcome: str,
    decided_on: datetime.date | None = None,
    deliberation: Deliberation | None = None,
    by=None,
) -> FraudDecision:
    """Record the complete committee's final decision on a dispute during an exam (Art. 92):
    after the chair heard the student and the examiner (``rules.dispute_refusals``), in a
    deliberation (open, report not signed, quorum met: Art. 71, 82) or at another meeting
    (``deliberation`` None), on or after the day of the report. The outcome is the decision's
    text; it is final at once. Refused, with nothing written: a file that is not a dispute (fraud
    and plagiarism take a sanction, Art. 85), a dispute already decided, or any refusal of the
    rule."""
    fraud_file = FraudFile.objects.select_for_update(of=("self",)).get(pk=fraud_file.pk)
    if fraud_file.kind != FileKind.DISPUTE:
        raise Refused(
            [
                errors.Problem(
                    "not_a_dispute",
                    _(
                        "Only a dispute during an exam is decided with its own outcome; fraud and plagiarism take a "
                        "sanction (Art. 85, 92)."
                    ),
                )
            ]
        )
    problems: list = []
    if fraud_file.decisions.exists():
        problems.append(
            errors.Problem(
                "already_decided", _("The complete committee has taken its final decision on this dispute (Art. 92).")
            )
        )
    decided_on = decided_on or clock_today()
    if decided_on < fraud_file.reported_on:
        problems.append(
            errors.Problem("before_report", _("The committee decides on a dispute after it was reported (Art. 92)."))
        )
    if deliberation is not None:
        problems += _deliberation_problems(deliberation, fraud_file)
    held = hearings_held(fraud_file)
    codes = rules.dispute_refusals(
        outcome=outcome, examiner_heard=held["examiner_heard"], student_heard=held["student_heard"]
    )
    problems += _problems(codes, DISPUTE_REFUSALS)
    if problems:
        raise Refused(problems)
    decision = FraudDecision(
        fraud_file=fraud_file,
        deliberation=deliberation,
        sanctions=[],
        reason=outcome.strip(),
        decided_on=decided_on,
        status=DecisionStatus.FINAL,
    )
    audited_save(decision, by=by, reason=gettext_noop("dispute decided"))
    return decision


def dispute_outcome(fraud_file: FraudFile) -> FraudDecision | None:
    """The committee's final decision on a dispute (Art. 92), or None while it is not decided."""
    if fraud_file.kind != FileKind.DISPUTE:
        return None
    return fraud_file.decisions.order_by("-pk").first()
