"""Publication of an exam period's results (Art. 86): the one moment results count.

``results_publish`` runs in stages, in one transaction: (1) final marks and
outcomes of the lines examined in the period, (2) credit certificates, (3) the
learning account refunds with the bonus. Later stages (tolerance, programme
results) build on the outcomes stored by stage 1.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch

from programmes.models import ExamPeriod
from students import rules as account_rules
from students.models import EntryKind, ISPLine, LearningAccountEntry, LineOutcome
from students.services import BATCH, bonus_state, ledger_book

from . import rules
from .models import Result


@dataclass
class PublicationReport:
    examined: int = 0
    certified: int = 0
    refunded_credits: int = 0
    bonus_credits: int = 0


def result_mark(result: Result) -> rules.Mark:
    if result.score is not None:
        return result.score
    if result.grade:
        return result.grade
    return rules.mark_from_parts([(part.credits, part.score) for part in result.parts.all()])


def _stage_marks(period: ExamPeriod, day: datetime.date) -> list[ISPLine]:
    """Stage 1: the year's final mark and outcome of every line examined in ``period``."""
    published = Result.objects.filter(exam_period__number__lte=period.number).select_related("exam_period")
    lines = list(
        ISPLine.objects.select_for_update(of=("self",))
        .filter(enrolment__academic_year_id=period.academic_year_id, exempted=False)
        .filter(Exists(Result.objects.filter(isp_line=OuterRef("pk"), exam_period=period)))
        .select_related("course", "enrolment__programme", "enrolment__academic_year")
        .prefetch_related(Prefetch("results", queryset=published.prefetch_related("parts").order_by("opportunity")))
    )
    for line in lines:
        mark = rules.final_mark(result_mark(r) for r in line.results.all())
        line.mark = rules.mark_to_text(mark)
        line.outcome = rules.outcome(mark, tolerable_course=line.course.tolerable)
        # Stage 2: a credit certificate for a pass (Art. 76-77); it is never taken back here.
        line.newly_certified = line.outcome == LineOutcome.PASSED and line.certified_on is None
        if line.newly_certified:
            line.certified_on = day
    return lines


def _stage_refunds(lines: list[ISPLine], day: datetime.date, report: PublicationReport) -> None:
    """Stage 3: passed lines give their credits back, with the bonus (LA; DOMAIN §2 rules 7-8)."""
    refundable = [line for line in lines if line.newly_certified and line.deducted_credits > 0]
    by_student = defaultdict(list)
    for line in refundable:
        by_student[line.enrolment.student_id].append(line)
    bonus_left = bonus_state(by_student)
    rebuilt = set(
        LearningAccountEntry.objects.filter(student_id__in=list(by_student), kind=EntryKind.REBUILD).values_list(
            "student_id", flat=True
        )
    )
    entries = []
    for student_id, student_lines in by_student.items():
        student_lines.sort(key=lambda line: line.course.code)
        passed = [
            (
                line.deducted_credits,
                account_rules.earns_bonus(
                    contract=line.enrolment.contract,
                    programme_kind=line.enrolment.programme.kind,
                    rebuild_granted=student_id in rebuilt,
                ),
            )
            for line in student_lines
        ]
        refunds, _ = account_rules.pass_refunds(passed, bonus_left=bonus_left[student_id])
        for line, refund in zip(student_lines, refunds, strict=True):
            common = {
                "student_id": student_id,
                "on": day,
                "source": f"isp_line:{line.pk}",
                "academic_year": line.enrolment.academic_year,
                "programme": line.enrolment.programme,
                "course": line.course,
            }
            entries.append(
                LearningAccountEntry(
                    credits=refund.refund, kind=EntryKind.PASS_REFUND, reason=f"{line.course.code} passed", **common
                )
            )
            report.refunded_credits += refund.refund
            if refund.bonus:
                entries.append(
                    LearningAccountEntry(
                        credits=refund.bonus,
                        kind=EntryKind.BONUS,
                        reason=f"{line.course.code} passed: bonus on the first 60 credits",
                        **common,
                    )
                )
                report.bonus_credits += refund.bonus
            line.deducted_credits = 0
    ledger_book(entries)


@transaction.atomic
def results_publish(*, period: ExamPeriod, day: datetime.date | None = None) -> PublicationReport:
    """Publish ``period``'s results on ``day`` (default: its publication date)."""
    day = day or period.results_published_on
    report = PublicationReport()
    lines = _stage_marks(period, day)
    report.examined = len(lines)
    report.certified = sum(1 for line in lines if line.newly_certified)
    _stage_refunds(lines, day, report)
    ISPLine.objects.bulk_update(lines, ["mark", "outcome", "certified_on", "deducted_credits"], batch_size=BATCH)
    return report
