"""Refusals by study progress measures (Art. 29 §2-3, 30 §2-3, 31 §3-4, 33, 34): which measures
refuse which enrolments, refusing and readmitting them, lifting a measure. The measures
themselves are taken at the end of the year by ``progress.measures``, and after exam fraud by
``fraud.effects`` (Art. 85 §1 6°-7°: ``fraud_exclusion``, ``fraud_enrolment_ban``)."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from core import events
from programmes.models import AcademicYear, Course
from programmes.rules import academic_year_code

from . import rules
from .ledger import BATCH, balances, ledger_book
from .models import (
    Degree,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    EntryReason,
    ISPLine,
    LearningAccountEntry,
    Measure,
    MeasureKind,
)

REFUSALS = {
    MeasureKind.THRESHOLD_REFUSAL,
    MeasureKind.REPEATED_FAILURE_REFUSAL,
    MeasureKind.LEARNING_ACCOUNT_REFUSAL,
    MeasureKind.BINDING_CONDITIONS_REFUSAL,
    MeasureKind.FRAUD_EXCLUSION,
    MeasureKind.FRAUD_ENROLMENT_BAN,
}
# The fraud procedure's measures (Art. 85 §1 6°-7°): the fraud sanction tells them and their
# lifting (``fraud``), the study progress notifications do not.
FRAUD_KINDS = (MeasureKind.FRAUD_EXCLUSION, MeasureKind.FRAUD_ENROLMENT_BAN)
# Refusals of one programme (and of all its courses, Art. 29 §3). "The study programmes that
# lead to the same degree" (Art. 29 §3, DOMAIN §5) need a programme's degree code, which
# programmes do not carry yet: the programme itself only.


def identical_groups(course_ids, *, pairs=None) -> dict[int, int]:
    """Each course mapped to one representative of its identical courses (Art. 31): the pairs of
    identical courses with one of ``course_ids`` in them, joined. ``pairs``: the caller's read of
    ``Course.identical_to`` (both directions, as the relation is stored), holding at least every
    pair of ``course_ids``; the others are left out, so the answer is the same as without."""
    course_ids = set(course_ids)
    if pairs is None:
        pairs = list(
            Course.identical_to.through.objects.filter(
                Q(from_course_id__in=course_ids) | Q(to_course_id__in=course_ids)
            ).values_list("from_course_id", "to_course_id")
        )
    else:
        pairs = [(a, b) for a, b in pairs if a in course_ids or b in course_ids]
    group = {c: c for c in course_ids}
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


@transaction.atomic
def measure_lift(*, measure: Measure, on: datetime.date, reason: str, tell: bool = True) -> int:
    """Lift a refusal (refusal-lifting committee, Art. 34; an appeal): the enrolments
    it refused are admitted again. Returns how many were readmitted. The student is told
    (DOMAIN §11) when the measure was not lifted yet, unless ``tell`` is false: a caller whose
    own notification already tells the lifting (the committee's decision)."""
    newly_lifted = measure.lifted_on is None
    measure.lifted_on = on
    measure.lifted_reason = reason
    measure.save(update_fields=["lifted_on", "lifted_reason"])
    if newly_lifted and tell:
        lifted_announce([measure], sender="students")
    return enrolments_readmit(student_ids=[measure.student_id], on=on)


# --- What the student is told (DOMAIN §11) -------------------------------------------------------
def programme_words(programme) -> str:
    return f"{programme.code} {programme.name}"


def course_words(course) -> str:
    return f"{course.code} {course.name}" if course is not None else ""


def measure_data(measure: Measure) -> dict:
    """The measure in words for its notifications (its programme, course and year loaded)."""
    return {
        "academic_year": measure.decided_in.code,
        "measure_kind": measure.kind,
        "programme": programme_words(measure.programme),
        "course": course_words(measure.course),
        "from_year": measure.from_year_code,
        "until_year": measure.until_year_code,
    }


def lifted_announce(measures, *, sender: str) -> None:
    """Tell each student a measure lifted (Art. 34; a new decision about the results it rested on,
    Art. 101-102): one announcement per measure, in the caller's transaction. Not a fraud
    measure: the fraud procedure tells its own (Art. 85)."""
    for measure in measures:
        if measure.kind in FRAUD_KINDS:
            continue
        events.decision_announce(
            sender=sender,
            kind="measure_lifted",
            decided_on=measure.lifted_on,
            object_label=Measure._meta.label,
            object_id=measure.pk,
            student_ids=[measure.student_id],
            data={**measure_data(measure), "lifted_on": measure.lifted_on, "reason": measure.lifted_reason},
        )


def refused_announce(enrolment: Enrolment, *, kind: str, course=None, decided_on: datetime.date) -> None:
    """Tell the student an enrolment refused (Art. 29 §2-3, 30 §2-3, 31 §3-4, 33; Art. 85 §1
    6°-7°) because of a measure of ``kind`` (or, for ``learning_account_refusal``, on admission,
    DOMAIN §2 rule 11), in the caller's transaction; the enrolment's programme and year loaded."""
    events.decision_announce(
        sender="students",
        kind="enrolment_refused",
        decided_on=decided_on,
        object_label=Enrolment._meta.label,
        object_id=enrolment.pk,
        student_ids=[enrolment.student_id],
        data={
            "academic_year": enrolment.academic_year.code,
            "programme": programme_words(enrolment.programme),
            "measure_kind": kind,
            "course": course_words(course),
            "decided_on": decided_on,
        },
    )


def rebuild_reversals(enrolments, *, on: datetime.date) -> list[LearningAccountEntry]:
    """DOMAIN §2 rule 10: a student who becomes enrolled in an academic year whose start
    granted a rebuild (an enrolment readmitted after a refusal, as a later enrolment in
    ``students.services.enrolments_process``) was enrolled in that year, so that year's
    rebuild is reversed by a correction entry, on ``on`` (the day the enrolment counts
    again). One correction per rebuild: it is keyed by the rebuild's source."""
    wanted = {(e.student_id, e.academic_year_id): e for e in enrolments}
    if not wanted:
        return []
    rebuilds = LearningAccountEntry.objects.filter(
        student_id__in={s for s, _y in wanted},
        academic_year_id__in={y for _s, y in wanted},
        kind=EntryKind.REBUILD,
    ).select_related("academic_year")
    rebuilds = [r for r in rebuilds if (r.student_id, r.academic_year_id) in wanted]
    corrected = set(
        LearningAccountEntry.objects.filter(
            kind=EntryKind.CORRECTION, source__in=[r.source for r in rebuilds]
        ).values_list("source", flat=True)
    )
    entries = []
    for rebuild in rebuilds:
        if rebuild.source in corrected:
            continue
        enrolment = wanted[(rebuild.student_id, rebuild.academic_year_id)]
        entries.append(
            LearningAccountEntry(
                student_id=rebuild.student_id,
                on=on,
                credits=rules.rebuild_correction(rebuilt_this_year=rebuild.credits, enrolment_refused=False),
                kind=EntryKind.CORRECTION,
                source=rebuild.source,
                academic_year=rebuild.academic_year,
                programme=enrolment.programme,
                reason_code=EntryReason.REBUILD_REVERSED,
            )
        )
    return entries


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
    readmitted_ids = {e.student_id for e in readmit}
    balance = balances(readmitted_ids)
    holders = set(
        Degree.objects.filter(student_id__in=readmitted_ids, kind="bachelor", on__lte=on).values_list(
            "student_id", flat=True
        )
    )
    entries, reversed_sources = [], set()
    for enrolment in readmit:
        # Rule 10: readmitted, the student is enrolled in that year: its rebuild is reversed
        # (once), and an enrolment refused when it was processed is measured against the
        # balance without it (rule 12's balance at enrolment).
        reversals = [r for r in rebuild_reversals([enrolment], on=on) if r.source not in reversed_sources]
        reversed_sources |= {r.source for r in reversals}
        entries += reversals
        balance[enrolment.student_id] += sum(e.credits for e in reversals)
        if enrolment.balance_at_enrolment is None:
            enrolment.balance_at_enrolment = balance[enrolment.student_id]
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
            contract=enrolment.contract,
            programme_kind=enrolment.programme.kind,
            holds_bachelor=enrolment.student_id in holders,
            exempted=False,
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
                    reason_code=EntryReason.READMITTED,
                )
            )
        balance[enrolment.student_id] -= credits
        enrolment.save(update_fields=["status", "status_reason", "balance_at_enrolment"])
    ledger_book(entries)
    return len(readmit)


def degrees_of(student_ids) -> dict[int, list[tuple[datetime.date, str, int | None]]]:
    """Each student's recorded degrees as ``threshold_refusal_until`` takes them: (date,
    code of the last academic year that started on or before it, programme id)."""
    found = defaultdict(list)
    degrees = Degree.objects.filter(student_id__in=student_ids, processed=True)
    rows = list(degrees.values_list("student_id", "on", "programme_id"))
    if not rows:
        return found
    years = list(AcademicYear.objects.order_by("starts_on").values_list("starts_on", "code"))
    for student_id, on, programme_id in rows:
        found[student_id].append((on, _year_code_on(on, years), programme_id))
    return found


def _year_code_on(day: datetime.date, years) -> str:
    """The code of the last academic year (``years``: (starts_on, code) in order) that
    started on or before ``day``; before the calendar, the year that starts in September."""
    code = None
    for starts_on, year_code in years:
        if starts_on <= day:
            code = year_code
    return code or academic_year_code(day.year if day.month >= 9 else day.year - 1)


def measure_until(measure: Measure, degrees) -> str:
    """The last academic year ``measure`` covers: a threshold refusal ends early with a
    degree from another programme (Art. 30 §2)."""
    if measure.kind != MeasureKind.THRESHOLD_REFUSAL:
        return measure.until_year_code
    return rules.threshold_refusal_until(
        until_year_code=measure.until_year_code,
        decided_on=measure.decided_on,
        programme_id=measure.programme_id,
        degrees=degrees,
    )


def refusing_measure(*, enrolment: Enrolment, measures, course_groups, programme_courses, degrees=()) -> Measure | None:
    """The measure that refuses ``enrolment``, if any (Art. 29 §2-3, 30 §2-3, 31 §3-4, 33);
    ``degrees`` as ``degrees_of`` gives them for the student."""
    code = enrolment.academic_year.code
    for m in measures:
        if m.lifted_on is not None or m.kind not in REFUSALS:
            continue
        if not (m.from_year_code <= code <= measure_until(m, degrees)):
            continue
        if m.kind == MeasureKind.THRESHOLD_REFUSAL and m.programme_id == enrolment.programme_id:
            return m
        # Art. 29 §3: the same programme and those leading to the same degree (DOMAIN §5).
        if m.kind == MeasureKind.BINDING_CONDITIONS_REFUSAL and (
            m.programme_id == enrolment.programme_id or m.programme.degree == enrolment.programme.degree
        ):
            return m
        if m.kind == MeasureKind.REPEATED_FAILURE_REFUSAL:
            wanted = course_groups.get(m.course_id, m.course_id)
            if any(course_groups.get(c, c) == wanted for c in programme_courses.get(enrolment.programme_id, ())):
                return m
        # Art. 85 §1 6°: excluded from the programme, the student enrols in it at the earliest the
        # next academic year; the enrolment the exclusion ends is not refused after the fact (its
        # results of the period are lost, its later opportunities refused by the result rules).
        if (
            m.kind == MeasureKind.FRAUD_EXCLUSION
            and m.programme_id == enrolment.programme_id
            and enrolment.enrolled_on > m.decided_on
        ):
            return m
        # Art. 85 §1 7°: no enrolment in any programme of the college in the years of the ban.
        if m.kind == MeasureKind.FRAUD_ENROLMENT_BAN:
            return m
        if m.kind == MeasureKind.LEARNING_ACCOUNT_REFUSAL and rules.admission_covers(
            contract=enrolment.contract,
            programme_kind=enrolment.programme.kind,
            holds_bachelor=False,
        ):
            return m
    return None


def refusals_for(enrolments: list[Enrolment], *, measures: list[Measure] | None = None) -> dict[int, Measure]:
    """For each enrolment refused by a measure, that measure (a fixed number of queries).
    ``measures``: the caller's read of the students' measures not lifted (``open_measures``; other
    kinds among them are skipped)."""
    student_ids = {e.student_id for e in enrolments}
    if measures is None:
        measures = open_measures(student_ids, kinds=REFUSALS)
    by_student = defaultdict(list)
    for m in measures:
        if m.kind in REFUSALS and m.lifted_on is None and m.student_id in student_ids:
            by_student[m.student_id].append(m)
    measures = by_student
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
    degrees = degrees_of(list(measures))
    found = {}
    for enrolment in enrolments:
        m = refusing_measure(
            enrolment=enrolment,
            measures=measures.get(enrolment.student_id, []),
            course_groups=groups,
            programme_courses=programme_courses,
            degrees=degrees.get(enrolment.student_id, []),
        )
        if m:
            found[enrolment.pk] = m
    return found


def open_measures(student_ids, *, kinds) -> list[Measure]:
    """The measures of ``kinds`` not lifted of ``student_ids``, with their programme and course."""
    return list(
        Measure.objects.filter(student_id__in=set(student_ids), kind__in=kinds, lifted_on__isnull=True).select_related(
            "programme", "course"
        )
    )


def refusal_reason(measure: Measure) -> str:
    text = f"Refused: {measure.get_kind_display()}"
    if measure.course_id:
        text += f" ({measure.course.code})"
    return text


def enrolments_refuse_by_measures(*, student_ids) -> int:
    """Refuse already processed enrolments that a new measure hits, and give back
    what they took from the learning account: a refused enrolment takes nothing. Each
    enrolment refused is told to its student (DOMAIN §11); one already refused is not refused,
    nor told, again."""
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
        refused_on = max(m.decided_on, enrolment.enrolled_on)
        refused_announce(enrolment, kind=m.kind, course=m.course, decided_on=refused_on)
        credits = sum(line.deducted_credits for line in by_enrolment[enrolment.pk])
        if credits:
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=refused_on,
                    credits=credits,
                    kind=EntryKind.REFUND,
                    source=f"enrolment:{enrolment.pk}:refusal",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    reason_code=EntryReason.REFUSED,
                )
            )
        for line in by_enrolment[enrolment.pk]:
            line.deducted_credits = 0
    ledger_book(entries)
    Enrolment.objects.bulk_update(refused, ["status", "status_reason"], batch_size=BATCH)
    ISPLine.objects.bulk_update(lines, ["deducted_credits"], batch_size=BATCH)
    return len(refused)


def measures_with_end(student) -> list[Measure]:
    """All the student's measures (lifted ones too), each with ``until``: the last academic year
    it covers (a threshold refusal ended by a degree, Art. 30 §2, ends with that degree's year)."""
    measures = list(Measure.objects.filter(student=student).select_related("programme", "course"))
    degrees = degrees_of([student.pk]).get(student.pk, [])
    for measure in measures:
        measure.until = measure_until(measure, degrees)
    return measures


def measures_of(student, measures: list[Measure] | None = None) -> list[dict]:
    """The measures of a student in force, as the study progress file shows them (a threshold
    refusal ended by a degree, Art. 30 §2, with that degree's academic year as ``until``);
    ``measures``: ``measures_with_end(student)`` when the caller has it."""
    measures = measures_with_end(student) if measures is None else measures
    return [
        {
            "kind": m.kind,
            "programme": m.programme.code,
            "course": m.course.code if m.course else None,
            "from": m.from_year_code,
            "until": m.until,
        }
        for m in measures
        if m.lifted_on is None
    ]
