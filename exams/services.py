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
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from core.rounding import round_half_up
from programmes.models import ExamPeriod
from students import rules as account_rules
from students.models import (
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    ISPLine,
    LearningAccountEntry,
    LineOutcome,
    ToleranceKind,
)
from students.services import BATCH, bonus_state, ledger_book

from . import rules
from .models import ProgrammeResult, Result, ToleranceChoice, ToleranceObjection
from .standing import TOLERANCE_CONTRACTS, standings


@dataclass
class PublicationReport:
    examined: int = 0
    certified: int = 0
    refunded_credits: int = 0
    bonus_credits: int = 0
    tolerated: int = 0
    programmes_passed: int = 0


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
        refunds, _left = account_rules.pass_refunds(passed, bonus_left=bonus_left[student_id])
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


def _tolerate(line_ids: list[int], *, day: datetime.date, kind: str) -> None:
    for start in range(0, len(line_ids), BATCH):
        ISPLine.objects.filter(pk__in=line_ids[start : start + BATCH]).update(tolerated_on=day, tolerance_kind=kind)


def _stage_automatic_tolerance(period: ExamPeriod, enrolment_ids: set[int], day, report) -> dict:
    """Stage 4: automatic tolerance (Art. 91 §3): (a) when it makes a student pass
    the programme; (b) at the end of the first and second academic year in an
    initial bachelor when it makes the student reach the decree threshold, with
    (c) the single 7/20 exception. The end of the year is the publication of the
    year's last exam period **(decided)**."""
    rows = (
        Enrolment.objects.filter(pk__in=enrolment_ids)
        .exclude(status=EnrolmentStatus.REFUSED)
        .values_list("pk", "student_id", "programme_id", "contract")
    )
    enrolments = {pk: (student, programme, contract) for pk, student, programme, contract in rows}
    found = standings((student, programme) for student, programme, _c in enrolments.values())
    last_period = period.number == max(
        ExamPeriod.objects.filter(academic_year_id=period.academic_year_id).values_list("number", flat=True)
    )
    tolerated = []
    for enrolment_id, (student_id, programme_id, contract) in enrolments.items():
        if contract not in TOLERANCE_CONTRACTS:
            continue
        standing = found[(student_id, programme_id)]
        year = standing.year(enrolment_id)
        position = standing.tolerance(year)
        own = {line.course_id: line for line in year.active if not line.done}
        courses = rules.automatic_tolerance_final_stage(
            records=standing.records(year),
            programme_credits=standing.programme.credits,
            compulsory=standing.compulsory,
            efficiency=year.efficiency,
            left=position["left"],
        )
        if not courses and last_period and standing.threshold_applies and standing.years_enrolled(year) <= 2:
            courses = rules.automatic_tolerance_threshold(
                package=standing.package_records(year), efficiency=year.efficiency, left=position["left"]
            )
        # Only lines of this year's ISP can be tolerated at this publication.
        if courses and all(c in own for c in courses):
            tolerated += [own[c].id for c in courses]
    _tolerate(tolerated, day=day, kind=ToleranceKind.AUTOMATIC)
    report.tolerated = len(tolerated)
    return found


def programme_results_update(*, pairs, day: datetime.date) -> int:
    """Stage 5: the programme result (Art. 78-81) of each (student, programme):
    recorded when the programme is passed, withdrawn when it no longer is (an
    objection to automatic tolerance undoes it)."""
    pairs = set(pairs)
    found = standings(pairs)
    existing = {
        (r.student_id, r.programme_id): r
        for r in ProgrammeResult.objects.filter(
            student_id__in={s for s, _p in pairs}, programme_id__in={p for _s, p in pairs}
        )
    }
    new, gone = [], []
    for key, standing in found.items():
        if not standing.years:
            continue
        passed = standing.passed()
        if passed and key not in existing:
            percentage, level = standing.result()
            new.append(
                ProgrammeResult(
                    student_id=key[0],
                    programme_id=key[1],
                    academic_year_id=standing.years[-1].year_id,
                    passed_on=day,
                    percentage=round_half_up(percentage or 0, 4),
                    level=level or "",
                )
            )
        elif not passed and key in existing:
            gone.append(existing[key].pk)
    bulk_create_with_history(new, ProgrammeResult, batch_size=BATCH, ignore_conflicts=True)
    for result in ProgrammeResult.objects.filter(pk__in=gone):
        result.delete()  # one by one, so that the history records the withdrawal
    return len(new)


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
    found = _stage_automatic_tolerance(period, {line.enrolment_id for line in lines}, day, report)
    report.programmes_passed = programme_results_update(pairs=found.keys(), day=day)
    return report


# --- Student decisions (Art. 91 §2-3) ------------------------------------------------
CHOICE_REFUSALS = {
    "already_tolerated": _("This course is already tolerated."),
    "passed": _("This course is passed: there is nothing to tolerate (Art. 91)."),
    "not_tolerable": _("Only a tolerable fail (8 or 9 in a tolerable course) can be tolerated (Art. 91 §1)."),
    "window_closed": _("The 15 calendar days after the publication have passed (Art. 91 §2)."),
    "efficiency": _("Tolerance needs a study efficiency of at least 50 % this academic year (Art. 91 §1)."),
    "credit_short": _("Not enough tolerance credit is left for this course (Art. 91 §1)."),
    "no_result": _("This course has no published result yet."),
    "no_tolerance": _("This contract has no tolerance (Art. 91)."),
}


def tolerance_choice_check(*, line: ISPLine, on: datetime.date) -> str | None:
    """Why a choice to tolerate ``line`` on ``on`` would be refused (a reason code), or None."""
    enrolment = line.enrolment
    key = (enrolment.student_id, enrolment.programme_id)
    standing = standings([key])[key]
    year = standing.year(enrolment.pk)
    position = standing.tolerance(year)
    if position is None:
        return "no_tolerance"
    if line.outcome == LineOutcome.PENDING and line.tolerated_on is None:
        return "no_result"
    published = ExamPeriod.objects.filter(
        academic_year_id=year.year_id, results_published_on__lte=on
    ).values_list("results_published_on", flat=True)
    return rules.tolerance_choice_refusal(
        outcome=line.outcome,
        tolerated=line.tolerated_on is not None,
        chosen_on=on,
        publications=list(published),
        efficiency=year.efficiency,
        credits=line.course.credits,
        left=position["left"],
    )


@transaction.atomic
def tolerance_choices_process(*, day: datetime.date) -> int:
    """Student choices due by ``day``: applied, or refused with the rule's reason."""
    choices = list(
        ToleranceChoice.objects.select_for_update(of=("self",))
        .filter(processed=False, on__lte=day)
        .select_related("isp_line__course", "isp_line__enrolment")
        .order_by("on", "pk")
    )
    pairs = set()
    for choice in choices:
        line = choice.isp_line
        line.refresh_from_db(fields=["tolerated_on", "tolerance_kind", "outcome"])
        reason = tolerance_choice_check(line=line, on=choice.on)
        choice.processed = True
        if reason:
            choice.refusal = str(CHOICE_REFUSALS[reason])
        else:
            _tolerate([line.pk], day=choice.on, kind=ToleranceKind.CHOSEN)
            pairs.add((line.enrolment.student_id, line.enrolment.programme_id))
        choice.save(update_fields=["processed", "refusal"])
    if pairs:
        programme_results_update(pairs=pairs, day=day)
    return len(choices)


OBJECTION_REFUSALS = {
    "not_automatic": _("Only a tolerance applied automatically can be objected to (Art. 91 §3)."),
    "late": _("The 5 calendar days after the publication have passed (Art. 91 §3)."),
}


@transaction.atomic
def tolerance_objections_process(*, day: datetime.date) -> int:
    """Objections due by ``day``: one in time undoes the automatic tolerance and what
    followed from it (the programme result)."""
    objections = list(
        ToleranceObjection.objects.select_for_update(of=("self",))
        .filter(processed=False, on__lte=day)
        .select_related("isp_line__enrolment")
        .order_by("on", "pk")
    )
    pairs = set()
    for objection in objections:
        line = objection.isp_line
        objection.processed = True
        if line.tolerance_kind != ToleranceKind.AUTOMATIC or line.tolerated_on is None:
            objection.refusal = str(OBJECTION_REFUSALS["not_automatic"])
        elif not rules.objection_in_time(tolerated_on=line.tolerated_on, objected_on=objection.on):
            objection.refusal = str(OBJECTION_REFUSALS["late"])
        else:
            ISPLine.objects.filter(pk=line.pk).update(tolerated_on=None, tolerance_kind="")
            pairs.add((line.enrolment.student_id, line.enrolment.programme_id))
        objection.save(update_fields=["processed", "refusal"])
    if pairs:
        programme_results_update(pairs=pairs, day=day)
    return len(objections)
