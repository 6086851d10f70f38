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
from django.db.models import Q
from django.utils.translation import gettext as _

from core import events, gates
from core.audit import audited_save
from core.errors import Problem, RefusedValidationError
from students import rules as account_rules
from students.ledger import bonus_state, ledger_book
from students.models import EntryKind, EntryReason, ISPLine, LearningAccountEntry, LineOutcome, ToleranceKind

from . import rules
from .models import Grade, Result
from .publication import publication_days
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
    published_on = publication_days({(r.exam_period, enrolment.programme_id) for r in results})
    published = [
        r
        for r in results
        if (r.exam_period_id, enrolment.programme_id) in published_on
        and published_on[r.exam_period_id, enrolment.programme_id] <= on
    ]
    # Exam fraud (Art. 85 §1, §3): no certificate for a sanctioned course (Art. 76-77), and the
    # highest result of the year set aside when the committee decided so (the last one stands).
    fraud = gates.fraud_sanctioned_lines([line.pk]).get(line.pk)
    if fraud is not None and fraud["highest_set_aside"]:
        new = result_mark(published[-1]) if published else None
    else:
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
    if outcome == LineOutcome.PASSED and (fraud is None or fraud["certificate"]):
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
                # A certificate granted again after a withdrawal refunds again, under a source of its own.
                source = f"isp_line:{line.pk}"
                if LearningAccountEntry.objects.filter(
                    source__startswith=f"isp_line:{line.pk}:withdrawn:", kind=EntryKind.CORRECTION
                ).exists():
                    source = f"isp_line:{line.pk}:again:{on.isoformat()}"
                entries.append(
                    LearningAccountEntry(
                        credits=refund.refund,
                        kind=EntryKind.PASS_REFUND,
                        source=source,
                        reason_code=EntryReason.PASSED_REDECIDED,
                        **common,
                    )
                )
                if refund.bonus:
                    entries.append(
                        LearningAccountEntry(
                            credits=refund.bonus,
                            kind=EntryKind.BONUS,
                            source=source,
                            reason_code=EntryReason.PASSED_REDECIDED_BONUS,
                            **common,
                        )
                    )
                line.deducted_credits = 0
    elif line.certified_on is not None:
        # The certificate is withdrawn (a correction, Art. 102; annulled after exam fraud, Art. 77,
        # 85 §3): what passing gave back is taken again.
        line.certified_on = None
        report.withdrawn = True
        # What the line's certificates gave back, less what earlier withdrawals took again: a
        # certificate granted again after a withdrawal refunds anew, and is taken back once.
        given = list(
            LearningAccountEntry.objects.filter(
                Q(source=f"isp_line:{line.pk}") | Q(source__startswith=f"isp_line:{line.pk}:again:"),
                kind__in=[EntryKind.PASS_REFUND, EntryKind.BONUS],
            ).values_list("kind", "credits", "pk")
        )
        withdrawn = LearningAccountEntry.objects.filter(
            source__startswith=f"isp_line:{line.pk}:withdrawn:", kind=EntryKind.CORRECTION
        ).values_list("credits", flat=True)
        taken_back = sum(credits for _kind, credits, _pk in given) + sum(withdrawn)
        refunds = [(pk, credits) for kind, credits, pk in given if kind == EntryKind.PASS_REFUND]
        if taken_back > 0 and refunds:
            # The learning-account credits are deducted again: a new certificate gives them back.
            line.deducted_credits = max(refunds)[1]
        if taken_back > 0:
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
