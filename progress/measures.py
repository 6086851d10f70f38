"""Study progress measures at the end of an academic year (DOMAIN §5, Art. 29-33).
Called by the timeline on the year's ``ends_on`` (``progress.deadlines``) and again after
a new decision about an ended year (an appeal, a correction: ``core.events``). The
refusals the measures cause are in ``students.refusals``."""

import datetime
from collections import defaultdict

from django.db import transaction

from core import events
from core.audit import audited_save
from core.rounding import round_half_up
from core.timeline import transition_processed
from exams.standing import standings
from programmes.models import AcademicYear
from programmes.rules import THRESHOLD_KINDS, academic_year_code
from students import rules
from students.ledger import BATCH, balances
from students.models import (
    Contract,
    Enrolment,
    EnrolmentStatus,
    Measure,
    MeasureKind,
)
from students.refusals import (
    FRAUD_KINDS,
    REFUSALS,
    enrolments_readmit,
    enrolments_refuse_by_measures,
    identical_groups,
    lifted_announce,
    measure_data,
)


def year_end_key(year: AcademicYear) -> str:
    """The timeline transition that takes ``year``'s study progress measures."""
    return f"ay:{year.code}:year_end"


def _code_plus(code: str, years: int) -> str:
    first = int(code[:4])
    return academic_year_code(first + years)


def _first_year(code: str) -> int:
    """``"2023-2024"`` -> 2023."""
    return int(code[:4])


@transaction.atomic
def measures_take(*, year: AcademicYear) -> int:
    """Take the year-end measures of ``year`` and refuse the enrolments they hit; each student
    is told each measure taken (DOMAIN §11), a re-run takes and tells nothing twice."""
    seen = {}
    measures = measures_due(year=year, seen=seen)
    taken = measures_create(measures)
    taken_announce(taken, seen=seen)
    enrolments_refuse_by_measures(student_ids={m.student_id for m in measures if m.kind in REFUSALS})
    return len(measures)


def measures_create(measures: list[Measure]) -> list[Measure]:
    """Save the ``measures`` not taken yet (one per student, kind, programme, course and first
    year: the model's constraints) and return those it saved, with their programme, course and
    year loaded: a re-run of a year end, or a review, saves nothing twice (a fixed number of
    queries)."""
    if not measures:
        return []
    student_ids = {m.student_id for m in measures}
    codes = {m.from_year_code for m in measures}
    existing = set(
        Measure.objects.filter(student_id__in=student_ids, from_year_code__in=codes).values_list(
            "student_id", "kind", "programme_id", "course_id", "from_year_code"
        )
    )
    new = {}
    for m in measures:
        if _key(m) not in existing:
            new.setdefault(_key(m), m)
    Measure.objects.bulk_create(list(new.values()), batch_size=BATCH, ignore_conflicts=True)
    if not new:
        return []
    saved = Measure.objects.filter(
        student_id__in={key[0] for key in new}, from_year_code__in={key[4] for key in new}
    ).select_related("programme", "course", "decided_in")
    return [m for m in saved if _key(m) in new]


def taken_announce(measures, *, seen: dict) -> None:
    """Tell each student a measure taken (Art. 29-33), with its appeal route (Art. 101) and, for a
    refusal, the request to lift it (Art. 34): one announcement per measure, in the caller's
    transaction. ``seen`` as ``measures_due`` fills it: the study efficiency an Art. 29 measure
    was judged on. A fraud measure is told by its fraud sanction (Art. 85): not here."""
    for m in measures:
        if m.kind in FRAUD_KINDS:
            continue
        efficiency = ""
        if m.kind in (MeasureKind.BINDING_CONDITIONS, MeasureKind.BINDING_CONDITIONS_REFUSAL):
            judged = seen.get((m.student_id, m.programme_id), (None, False))[0]
            efficiency = "" if judged is None else str(round_half_up(judged, 2))
        events.decision_announce(
            sender="progress",
            kind="measure_taken",
            decided_on=m.decided_on,
            object_label=Measure._meta.label,
            object_id=m.pk,
            student_ids=[m.student_id],
            data={**measure_data(m), "study_efficiency": efficiency, "decided_on": m.decided_on},
        )


def measures_due(*, year: AcademicYear, student_ids=None, seen: dict | None = None) -> list[Measure]:
    """The measures the rules call for at the end of ``year`` (unsaved), for every
    student enrolled that year or only for ``student_ids``. ``seen``, when given, is filled
    with what the Art. 29 measures were judged on: ``(student id, programme id)`` ->
    ``(study efficiency of the year, under binding conditions)``."""
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
    # Art. 29: who is under binding conditions in ``year``, and in which programme.
    bound = set(
        Measure.objects.filter(
            student_id__in=student_ids,
            kind=MeasureKind.BINDING_CONDITIONS,
            lifted_on__isnull=True,
            from_year_code__lte=year.code,
            until_year_code__gte=year.code,
        ).values_list("student_id", "programme_id")
    )
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
            kind in THRESHOLD_KINDS
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
        if seen is not None:
            seen[(student_id, programme_id)] = (current.efficiency, (student_id, programme_id) in bound)
        if rules.binding_conditions_due(programme_kind=kind, starter=starter, efficiency=current.efficiency):
            measure(MeasureKind.BINDING_CONDITIONS, student_id, programme_id, next_code)
        # Art. 29: under binding conditions this year and again under 50 %: refused in the
        # programme for the next academic year.
        if rules.binding_conditions_refusal_due(
            under_binding_conditions=(student_id, programme_id) in bound, efficiency=current.efficiency
        ):
            measure(MeasureKind.BINDING_CONDITIONS_REFUSAL, student_id, programme_id, next_code)
        # Art. 31: repeated failure of a course (or an identical one), over all programmes.
        if rules.repeated_failure_applies(programme_kind=kind, contract=contract):
            # Art. 10: after a break in this programme the count starts again (not for
            # the threshold package); a refused year is a year not registered.
            years_in_programme = [
                _first_year(y.year_code)
                for y in standing.years
                if y.year_start <= current.year_start and y.status != EnrolmentStatus.REFUSED
            ]
            package = standing.package if standing.threshold_applies else set()
            for line in current.active:
                if line.done or line.exempted:
                    continue
                starts = rules.course_count_starts(
                    years_in_programme=years_in_programme, in_threshold_package=line.course_id in package
                )
                failed_years = {}
                for other in by_student[student_id]:
                    for y in other.years:
                        if y.year_start > current.year_start or y.status == EnrolmentStatus.REFUSED:
                            continue
                        if starts is not None and _first_year(y.year_code) < starts:
                            continue
                        for other_line in y.active:
                            if group.get(other_line.course_id) == group.get(line.course_id) and not other_line.done:
                                failed_years[y.year_id] = (_first_year(y.year_code), y.contract, y.efficiency)
                if rules.repeated_failure_refusal_due(failed_years=list(failed_years.values())):
                    measure(MeasureKind.REPEATED_FAILURE_REFUSAL, student_id, programme_id, next_code, line.course_id)
        # Art. 33: a learning account of 0 or below.
        # DOMAIN §2 rule 11: any contract in a first bachelor, or lines that use the account.
        uses = rules.admission_covers(contract=contract, programme_kind=kind, holds_bachelor=False)
        if uses and balance[student_id] <= 0:
            previous_years = [y for y in standing.years if y.year_start < current.year_start]
            both = len({y.year_id for y in previous_years}) >= 1  # this year and the one before
            left = max(0, standing.programme.credits - sum(r.credits for r in standing.records(current) if r.done))
            exception = rules.admission(
                covered=True,
                balance=balance[student_id],
                enrolled_in_both_previous_years=both,
                credits_left_to_degree=left,
                requested=True,  # the written request comes with the next enrolment
            ).exception
            if rules.learning_account_refusal_due(
                uses_learning_account=uses, balance=balance[student_id], exception=exception
            ):
                measure(MeasureKind.LEARNING_ACCOUNT_REFUSAL, student_id, programme_id, next_code)
    return measures


LIFTED_REASON_LENGTH = Measure._meta.get_field("lifted_reason").max_length


def lifted_reason(measure: Measure, *, reason: str, year: AcademicYear, seen: dict) -> str:
    """Why a measure of ``year`` is lifted after a new decision: the decision's ``reason``,
    and for a binding-conditions refusal (Art. 29) what it no longer rests on: the student
    is no longer under binding conditions in ``year``, or no longer stays under 50 %."""
    if measure.kind != MeasureKind.BINDING_CONDITIONS_REFUSAL:
        return reason[:LIFTED_REASON_LENGTH]
    efficiency, bound = seen.get((measure.student_id, measure.programme_id), (None, False))
    if not bound:
        detail = f"no longer under binding conditions in {year.code} (Art. 29)"
    elif efficiency is not None:
        detail = f"study efficiency {round_half_up(efficiency, 2)} % in {year.code}, at least 50 % (Art. 29)"
    else:
        detail = f"binding conditions of {year.code} met (Art. 29)"
    return f"{reason}: {detail}"[:LIFTED_REASON_LENGTH]


# The measures the study progress rules take and review (Art. 29-33). A fraud sanction's measures
# (Art. 85 §1 6°-7°) are the fraud procedure's: a review never lifts them.
REVIEWED_KINDS = tuple(
    kind for kind in MeasureKind if kind not in (MeasureKind.FRAUD_EXCLUSION, MeasureKind.FRAUD_ENROLMENT_BAN)
)


def _key(m: Measure) -> tuple:
    return (m.student_id, m.kind, m.programme_id, m.course_id, m.from_year_code)


@transaction.atomic
def measures_review(*, year: AcademicYear, student_ids, on: datetime.date, reason: str) -> tuple[int, int]:
    """After a new decision about ``year`` (an appeal, a correction), take the
    year-end measures of ``student_ids`` again when that year has ended: measures no
    longer due are lifted on ``on``, new ones are taken, and enrolments follow.
    Returns (lifted, taken)."""
    if not transition_processed(year_end_key(year)):
        return 0, 0  # the measures of this year are still to come
    seen = {}
    due = {_key(m): m for m in measures_due(year=year, student_ids=student_ids, seen=seen)}
    existing = {
        _key(m): m
        for m in Measure.objects.filter(
            student_id__in=student_ids, decided_in=year, lifted_on__isnull=True, kind__in=REVIEWED_KINDS
        ).select_related("programme", "course", "decided_in")
    }
    lifted = [m for k, m in existing.items() if k not in due]
    for m in lifted:
        m.lifted_on = on
        m.lifted_reason = lifted_reason(m, reason=reason, year=year, seen=seen)
        audited_save(m, by=None, reason=m.lifted_reason, update_fields=["lifted_on", "lifted_reason"])
    # DOMAIN §11: the student is told each measure lifted and each new one.
    lifted_announce(lifted, sender="progress")
    new = [m for k, m in due.items() if k not in existing]
    for m in new:
        m.decided_on = on
    taken_announce(measures_create(new), seen=seen)
    enrolments_refuse_by_measures(student_ids=student_ids)
    enrolments_readmit(student_ids=student_ids, on=on)
    return len(lifted), len(new)


@transaction.atomic
def measures_review_onwards(*, year: AcademicYear, student_ids, on: datetime.date, reason: str) -> tuple[int, int]:
    """``measures_review`` for ``year`` and then for every later academic year whose measures
    were already taken, in order: a measure of a later year can rest on one of ``year``
    (a binding-conditions refusal on the binding conditions, Art. 29) or on its results
    (the threshold package, the years of a repeated failure), so each is judged again on
    what the years before it now hold. Returns the totals (lifted, taken)."""
    lifted = taken = 0
    for each in AcademicYear.objects.filter(starts_on__gte=year.starts_on).order_by("starts_on"):
        if not transition_processed(year_end_key(each)):
            break
        year_lifted, year_taken = measures_review(year=each, student_ids=student_ids, on=on, reason=reason)
        lifted += year_lifted
        taken += year_taken
    return lifted, taken
