"""Study progress measures at the end of an academic year (DOMAIN §5, Art. 29-33),
and the refusals they cause. Called by the timeline on the year's ``ends_on``."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from exams.standing import standings
from programmes.models import AcademicYear, Course
from programmes.rules import academic_year_code

from . import rules
from .models import (
    Contract,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    ISPLine,
    LearningAccountEntry,
    Measure,
    MeasureKind,
)
from .services import BATCH, balances, ledger_book

REFUSALS = {
    MeasureKind.THRESHOLD_REFUSAL,
    MeasureKind.REPEATED_FAILURE_REFUSAL,
    MeasureKind.LEARNING_ACCOUNT_REFUSAL,
}


def identical_groups(course_ids) -> dict[int, int]:
    """Each course mapped to one representative of its identical courses (Art. 31)."""
    group = {c: c for c in course_ids}
    pairs = Course.identical_to.through.objects.filter(
        Q(from_course_id__in=course_ids) | Q(to_course_id__in=course_ids)
    ).values_list("from_course_id", "to_course_id")
    for a, b in pairs:
        group.setdefault(a, a)
        group.setdefault(b, b)
    changed = True
    while changed:
        changed = False
        for a, b in pairs:
            low = min(group[a], group[b])
            if group[a] != low or group[b] != low:
                group[a] = group[b] = low
                changed = True
    return group


def _code_plus(code: str, years: int) -> str:
    first = int(code[:4])
    return academic_year_code(first + years)


@transaction.atomic
def measures_take(*, year: AcademicYear) -> int:
    """Take the year-end measures of ``year`` and refuse the enrolments they hit."""
    measures = measures_due(year=year)
    Measure.objects.bulk_create(measures, batch_size=BATCH, ignore_conflicts=True)
    enrolments_refuse_by_measures(student_ids={m.student_id for m in measures if m.kind in REFUSALS})
    return len(measures)


def measures_due(*, year: AcademicYear, student_ids=None) -> list[Measure]:
    """The measures the rules call for at the end of ``year`` (unsaved), for every
    student enrolled that year or only for ``student_ids``."""
    enrolments = Enrolment.objects.filter(academic_year=year).exclude(status=EnrolmentStatus.REFUSED)
    if student_ids is not None:
        enrolments = enrolments.filter(student_id__in=student_ids)
    enrolments = list(enrolments.values_list("pk", "student_id", "programme_id", "programme__kind", "contract"))
    student_ids = {e[1] for e in enrolments}
    all_pairs = set(
        Enrolment.objects.filter(student_id__in=student_ids, academic_year__starts_on__lte=year.starts_on)
        .values_list("student_id", "programme_id")
        .distinct()
    )
    found = standings(all_pairs)
    by_student = defaultdict(list)
    for (student_id, _programme_id), standing in found.items():
        by_student[student_id].append(standing)
    course_ids = {line.course_id for s in found.values() for y in s.years for line in y.lines}
    group = identical_groups(course_ids)
    balance = balances(student_ids)
    next_code = _code_plus(year.code, 1)
    decided_on = year.ends_on
    measures = []

    def measure(kind, student_id, programme_id, until, course_id=None):
        measures.append(
            Measure(
                student_id=student_id,
                kind=kind,
                programme_id=programme_id,
                course_id=course_id,
                from_year_code=next_code,
                until_year_code=until,
                decided_on=decided_on,
                decided_in=year,
            )
        )

    for enrolment_id, student_id, programme_id, kind, contract in enrolments:
        standing = found[(student_id, programme_id)]
        current = standing.year(enrolment_id)
        # Art. 30: decree threshold, after the second academic year of enrolment.
        if (
            kind == "initial_bachelor"
            and contract == Contract.DEGREE
            and standing.threshold_applies
            and rules.threshold_refusal_due(
                years_enrolled=standing.years_enrolled(current),
                package_reached=bool(standing.threshold_reached(current)),
            )
        ):
            measure(
                MeasureKind.THRESHOLD_REFUSAL,
                student_id,
                programme_id,
                _code_plus(year.code, rules.THRESHOLD_REFUSAL_YEARS),
            )
        # Art. 29: binding conditions for associate-degree starters.
        starter = standing.years[0].enrolment_id == enrolment_id
        if rules.binding_conditions_due(programme_kind=kind, starter=starter, efficiency=current.efficiency):
            measure(MeasureKind.BINDING_CONDITIONS, student_id, programme_id, next_code)
        # Art. 31: repeated failure of a course (or an identical one), over all programmes.
        if rules.repeated_failure_applies(programme_kind=kind, contract=contract):
            for line in current.active:
                if line.done or line.exempted:
                    continue
                failed_years = {}
                for other in by_student[student_id]:
                    for y in other.years:
                        if y.year_start > current.year_start:
                            continue
                        for other_line in y.active:
                            if group.get(other_line.course_id) == group.get(line.course_id) and not other_line.done:
                                failed_years[y.year_id] = (y.contract, y.efficiency)
                if rules.repeated_failure_refusal_due(failed_years=list(failed_years.values())):
                    measure(MeasureKind.REPEATED_FAILURE_REFUSAL, student_id, programme_id, next_code, line.course_id)
        # Art. 33: a learning account of 0 or below.
        uses = rules.line_uses_learning_account(
            contract=contract, programme_kind=kind, holds_bachelor=False, exempted=False
        )
        if uses and balance[student_id] <= 0:
            previous_years = [y for y in standing.years if y.year_start < current.year_start]
            both = len({y.year_id for y in previous_years}) >= 1  # this year and the one before
            left = max(0, standing.programme.credits - sum(r.credits for r in standing.records(current) if r.done))
            exception = rules.admission(
                uses_learning_account=True,
                balance=balance[student_id],
                enrolled_in_both_previous_years=both,
                credits_left_to_degree=left,
            ).exception
            if rules.learning_account_refusal_due(
                uses_learning_account=uses, balance=balance[student_id], exception=exception
            ):
                measure(MeasureKind.LEARNING_ACCOUNT_REFUSAL, student_id, programme_id, next_code)
    return measures


def _key(m: Measure) -> tuple:
    return (m.student_id, m.kind, m.programme_id, m.course_id, m.from_year_code)


@transaction.atomic
def measures_review(*, year: AcademicYear, student_ids, on: datetime.date, reason: str) -> tuple[int, int]:
    """After a new decision about ``year`` (an appeal, a correction), take the
    year-end measures of ``student_ids`` again when that year has ended: measures no
    longer due are lifted on ``on``, new ones are taken, and enrolments follow.
    Returns (lifted, taken)."""
    from core.models import Transition

    if not Transition.objects.filter(key=f"ay:{year.code}:year_end").exists():
        return 0, 0  # the measures of this year are still to come
    due = {_key(m): m for m in measures_due(year=year, student_ids=student_ids)}
    existing = {
        _key(m): m for m in Measure.objects.filter(student_id__in=student_ids, decided_in=year, lifted_on__isnull=True)
    }
    lifted = [m for k, m in existing.items() if k not in due]
    for m in lifted:
        m.lifted_on = on
        m.lifted_reason = reason
        m.save(update_fields=["lifted_on", "lifted_reason"])
    new = [m for k, m in due.items() if k not in existing]
    for m in new:
        m.decided_on = on
    Measure.objects.bulk_create(new, ignore_conflicts=True)
    enrolments_refuse_by_measures(student_ids=student_ids)
    enrolments_readmit(student_ids=student_ids, on=on)
    return len(lifted), len(new)


@transaction.atomic
def measure_lift(*, measure: Measure, on: datetime.date, reason: str) -> int:
    """Lift a refusal (refusal-lifting committee, Art. 34; an appeal): the enrolments
    it refused are admitted again. Returns how many were readmitted."""
    measure.lifted_on = on
    measure.lifted_reason = reason
    measure.save(update_fields=["lifted_on", "lifted_reason"])
    return enrolments_readmit(student_ids=[measure.student_id], on=on)


def enrolments_readmit(*, student_ids, on: datetime.date) -> int:
    """Admit again the processed enrolments refused by a measure that no longer
    refuses them: their ISP lines take from the learning account again, on ``on``."""
    refused = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(student_id__in=student_ids, status=EnrolmentStatus.REFUSED, enrolment_processed=True)
        .exclude(status_reason="")
        .select_related("academic_year", "programme")
    )
    still = refusals_for(refused)
    readmit = [e for e in refused if e.pk not in still and e.status_reason.startswith("Refused:")]
    entries = []
    for enrolment in readmit:
        enrolment.status = (
            EnrolmentStatus.DEREGISTERED if enrolment.deregistration_processed else EnrolmentStatus.ENROLLED
        )
        enrolment.status_reason = ""
        lines = list(
            enrolment.lines.filter(removed_on__isnull=True, exempted=False, certified_on__isnull=True).select_related(
                "course"
            )
        )
        uses = rules.line_uses_learning_account(
            contract=enrolment.contract, programme_kind=enrolment.programme.kind, holds_bachelor=False, exempted=False
        )
        credits = sum(line.course.credits for line in lines) if uses else 0
        for line in lines:
            line.deducted_credits = line.course.credits if uses else 0
        ISPLine.objects.bulk_update(lines, ["deducted_credits"])
        if credits:
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=on,
                    credits=-credits,
                    kind=EntryKind.DEDUCTION,
                    source=f"enrolment:{enrolment.pk}:readmitted:{on.isoformat()}",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    reason=f"ISP {enrolment.academic_year.code} readmitted: {credits} credits",
                )
            )
        enrolment.save(update_fields=["status", "status_reason"])
    ledger_book(entries)
    return len(readmit)


def refusing_measure(*, enrolment: Enrolment, measures, course_groups, programme_courses) -> Measure | None:
    """The measure that refuses ``enrolment``, if any (Art. 30 §2-3, 31 §3-4, 33)."""
    code = enrolment.academic_year.code
    for m in measures:
        if m.lifted_on is not None or m.kind not in REFUSALS:
            continue
        if not (m.from_year_code <= code <= m.until_year_code):
            continue
        if m.kind == MeasureKind.THRESHOLD_REFUSAL and m.programme_id == enrolment.programme_id:
            return m
        if m.kind == MeasureKind.REPEATED_FAILURE_REFUSAL:
            wanted = course_groups.get(m.course_id, m.course_id)
            if any(course_groups.get(c, c) == wanted for c in programme_courses.get(enrolment.programme_id, ())):
                return m
        if m.kind == MeasureKind.LEARNING_ACCOUNT_REFUSAL and rules.line_uses_learning_account(
            contract=enrolment.contract,
            programme_kind=enrolment.programme.kind,
            holds_bachelor=False,
            exempted=False,
        ):
            return m
    return None


def refusals_for(enrolments: list[Enrolment]) -> dict[int, Measure]:
    """For each enrolment refused by a measure, that measure (a fixed number of queries)."""
    student_ids = {e.student_id for e in enrolments}
    measures = defaultdict(list)
    for m in Measure.objects.filter(student_id__in=student_ids, kind__in=REFUSALS, lifted_on__isnull=True):
        measures[m.student_id].append(m)
    if not measures:
        return {}
    programme_ids = {e.programme_id for e in enrolments}
    programme_courses = defaultdict(list)
    for course_id, programme_id in Course.objects.filter(programme_id__in=programme_ids).values_list(
        "pk", "programme_id"
    ):
        programme_courses[programme_id].append(course_id)
    wanted = {m.course_id for ms in measures.values() for m in ms if m.course_id}
    groups = identical_groups(wanted | {c for cs in programme_courses.values() for c in cs})
    found = {}
    for enrolment in enrolments:
        m = refusing_measure(
            enrolment=enrolment,
            measures=measures.get(enrolment.student_id, []),
            course_groups=groups,
            programme_courses=programme_courses,
        )
        if m:
            found[enrolment.pk] = m
    return found


def refusal_reason(measure: Measure) -> str:
    text = f"Refused: {measure.get_kind_display()}"
    if measure.course_id:
        text += f" ({measure.course.code})"
    return text


def enrolments_refuse_by_measures(*, student_ids) -> int:
    """Refuse already processed enrolments that a new measure hits, and give back
    what they took from the learning account: a refused enrolment takes nothing."""
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(student_id__in=student_ids, enrolment_processed=True)
        .exclude(status=EnrolmentStatus.REFUSED)
        .select_related("academic_year", "programme")
    )
    hit = refusals_for(enrolments)
    if not hit:
        return 0
    entries, refused = [], []
    lines = list(ISPLine.objects.filter(enrolment_id__in=list(hit), deducted_credits__gt=0))
    by_enrolment = defaultdict(list)
    for line in lines:
        by_enrolment[line.enrolment_id].append(line)
    for enrolment in enrolments:
        m = hit.get(enrolment.pk)
        if m is None:
            continue
        enrolment.status = EnrolmentStatus.REFUSED
        enrolment.status_reason = refusal_reason(m)
        refused.append(enrolment)
        credits = sum(line.deducted_credits for line in by_enrolment[enrolment.pk])
        if credits:
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=max(m.decided_on, enrolment.enrolled_on),
                    credits=credits,
                    kind=EntryKind.REFUND,
                    source=f"enrolment:{enrolment.pk}:refusal",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    reason=f"Enrolment {enrolment.academic_year.code} refused by a measure: {credits} credits back",
                )
            )
        for line in by_enrolment[enrolment.pk]:
            line.deducted_credits = 0
    ledger_book(entries)
    Enrolment.objects.bulk_update(refused, ["status", "status_reason"], batch_size=BATCH)
    ISPLine.objects.bulk_update(lines, ["deducted_credits"], batch_size=BATCH)
    return len(refused)


def measures_of(student) -> list[dict]:
    """The measures of a student, as the study progress file shows them."""
    return [
        {
            "kind": m.kind,
            "programme": m.programme.code,
            "course": m.course.code if m.course else None,
            "from": m.from_year_code,
            "until": m.until_year_code,
        }
        for m in student.measures.select_related("programme", "course").filter(lifted_on__isnull=True)
    ]
