"""A new examination decision after publication (Art. 100-102).

An appeal that ends in a new examination decision, or a correction of an
administrative or material error, changes a published mark. Everything that
followed from the old mark follows again, on the decision day, through the same
rules as a publication: the year's final mark and outcome, the credit
certificate, the learning account (refund with bonus, or a correction when a
certificate is withdrawn), tolerance, the programme result and, when the
academic year has ended, its study progress measures.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core import events
from core.audit import audited_save
from core.errors import Problem, RefusedValidationError
from students import rules as account_rules
from students.ledger import bonus_state, ledger_book
from students.models import EntryKind, EntryReason, ISPLine, LearningAccountEntry, LineOutcome, ToleranceKind

from . import rules
from .models import Grade, Result
from .publication import published_periods
from .services import programme_results_update, result_mark
from .standing import TOLERANCE_CONTRACTS, standings


@dataclass
class Redecision:
    old_mark: rules.Mark | None
    new_mark: rules.Mark | None
    certified: bool = False
    withdrawn: bool = False
    tolerated: bool = False
    untolerated: bool = False
    measures_lifted: int = 0
    measures_taken: int = 0


def _set_mark(result: Result, mark: rules.Mark) -> None:
    if not rules.mark_allowed(mark, pass_fail=result.isp_line.course.pass_fail):
        raise RefusedValidationError(
            [Problem("mark", _("The mark %(mark)s is not allowed for this course (Art. 65-66).") % {"mark": mark})]
        )
    result.parts.all().delete()
    if isinstance(mark, int):
        result.score, result.grade = mark, ""
    else:
        result.score, result.grade = None, Grade(mark)


@transaction.atomic
def result_redecide(*, result: Result, mark: rules.Mark, on: datetime.date, reason: str) -> Redecision:
    """Replace ``result``'s mark by a new decision taken on ``on`` and let everything
    that follows from it follow (see the module docstring)."""
    result = (
        Result.objects.select_for_update()
        .select_related(
            "isp_line__course", "isp_line__enrolment__programme", "isp_line__enrolment__academic_year", "exam_period"
        )
        .get(pk=result.pk)
    )
    line = result.isp_line
    enrolment = line.enrolment
    old = rules.mark_from_text(line.mark)
    _set_mark(result, mark)
    audited_save(result, by=None, reason=reason)

    results = list(
        line.results.select_related("exam_period__academic_year").prefetch_related("parts").order_by("opportunity")
    )
    # The opportunities whose publication has been processed, on or before the decision day.
    published_on = published_periods({r.exam_period for r in results})
    published = [r for r in results if r.exam_period_id in published_on and published_on[r.exam_period_id] <= on]
    new = rules.final_mark(result_mark(r) for r in published)
    outcome = rules.outcome(new, tolerable_course=line.course.tolerable)
    report = Redecision(old_mark=old, new_mark=new)
    line.mark, line.outcome = rules.mark_to_text(new), outcome
    entries = []
    common = {
        "student_id": enrolment.student_id,
        "on": on,
        "academic_year": enrolment.academic_year,
        "programme": enrolment.programme,
        "course": line.course,
    }
    if outcome == LineOutcome.PASSED:
        if line.tolerated_on is not None:
            # A pass replaces the tolerance; the tolerance credit is free again.
            line.tolerated_on, line.tolerance_kind = None, ""
            report.untolerated = True
        if line.certified_on is None:
            line.certified_on = on
            report.certified = True
            if line.deducted_credits:
                earns = account_rules.earns_bonus(
                    contract=enrolment.contract,
                    programme_kind=enrolment.programme.kind,
                    rebuild_granted=LearningAccountEntry.objects.filter(
                        student_id=enrolment.student_id, kind=EntryKind.REBUILD
                    ).exists(),
                )
                bonus_left = bonus_state([enrolment.student_id])[enrolment.student_id]
                (refund,), _left = account_rules.pass_refunds([(line.deducted_credits, earns)], bonus_left=bonus_left)
                entries.append(
                    LearningAccountEntry(
                        credits=refund.refund,
                        kind=EntryKind.PASS_REFUND,
                        source=f"isp_line:{line.pk}",
                        reason_code=EntryReason.PASSED_REDECIDED,
                        **common,
                    )
                )
                if refund.bonus:
                    entries.append(
                        LearningAccountEntry(
                            credits=refund.bonus,
                            kind=EntryKind.BONUS,
                            source=f"isp_line:{line.pk}",
                            reason_code=EntryReason.PASSED_REDECIDED_BONUS,
                            **common,
                        )
                    )
                line.deducted_credits = 0
    elif line.certified_on is not None:
        # The certificate is withdrawn (a correction, Art. 102): what passing gave back is taken again.
        line.certified_on = None
        report.withdrawn = True
        given = LearningAccountEntry.objects.filter(
            source=f"isp_line:{line.pk}", kind__in=[EntryKind.PASS_REFUND, EntryKind.BONUS]
        )
        taken_back = sum(given.values_list("credits", flat=True))
        if taken_back:
            entries.append(
                LearningAccountEntry(
                    credits=-taken_back,
                    kind=EntryKind.CORRECTION,
                    source=f"isp_line:{line.pk}:withdrawn:{on.isoformat()}",
                    reason_code=EntryReason.CERTIFICATE_WITHDRAWN,
                    **common,
                )
            )
    if outcome != LineOutcome.PASSED and line.tolerated_on is not None and outcome != LineOutcome.TOLERABLE:
        line.tolerated_on, line.tolerance_kind = None, ""
        report.untolerated = True
    line.save(update_fields=["mark", "outcome", "certified_on", "deducted_credits", "tolerated_on", "tolerance_kind"])
    ledger_book(entries)

    key = (enrolment.student_id, enrolment.programme_id)
    if outcome == LineOutcome.TOLERABLE and line.tolerated_on is None and enrolment.contract in TOLERANCE_CONTRACTS:
        standing = standings([key])[key]
        year = standing.year(enrolment.pk)
        courses = rules.automatic_tolerance_final_stage(
            records=standing.records(year),
            programme_credits=standing.programme.credits,
            compulsory=standing.compulsory,
            efficiency=year.efficiency,
            left=standing.tolerance(year)["left"],
        )
        if line.course_id in courses and all(c in {x.course_id for x in year.active if not x.done} for c in courses):
            for other in year.active:
                if other.course_id in courses:
                    ISPLine.objects.filter(pk=other.id).update(tolerated_on=on, tolerance_kind=ToleranceKind.AUTOMATIC)
            report.tolerated = True
    programme_results_update(pairs=[key], day=on)
    # The study progress measures live above exams: they follow through the event.
    for lifted, taken in events.answers(
        events.results_redecided.send(
            sender=Result,
            academic_year_id=enrolment.academic_year_id,
            student_ids=[enrolment.student_id],
            on=on,
            reason=reason,
        )
    ):
        report.measures_lifted += lifted
        report.measures_taken += taken
    return report
