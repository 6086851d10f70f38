"""Writes on students, enrolments, ISPs and the learning account ledger.

Each ``*_process`` function handles the facts of one kind that are due on a day,
set-based, in one transaction; it is called by the timeline (``core.timeline``)
for imported facts and for live changes alike. Every function can run twice or
be interrupted and run again: the rows it handles are locked and marked
processed in the same transaction, and the ledger's unique (source, kind)
constraint refuses a second entry for the same fact.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Sum

from core import clock
from core.bulk import update_grouped
from exams.models import Result
from programmes.models import AcademicYear

from . import isp_facts, rules
from .models import (
    Degree,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    LineOutcome,
    Student,
)

BATCH = 5000


# --- ledger ------------------------------------------------------------------
def ledger_book(entries: Iterable[LearningAccountEntry]) -> int:
    """Append entries; one that exists already for its (source, kind) is skipped."""
    entries = [e for e in entries if e.credits != 0]
    LearningAccountEntry.objects.bulk_create(entries, batch_size=BATCH, ignore_conflicts=True)
    return len(entries)


def balances(student_ids: Iterable[int]) -> dict[int, int]:
    """Current balance of each student: the sum of their entries."""
    ids = list(set(student_ids))
    result = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), BATCH):
        rows = (
            LearningAccountEntry.objects.filter(student_id__in=ids[start : start + BATCH])
            .values("student_id")
            .annotate(total=Sum("credits"))
        )
        result.update({row["student_id"]: row["total"] for row in rows})
    return result


def bonus_state(student_ids: Iterable[int]) -> dict[int, int]:
    """Bonus left per student (LA: the first 60 credits come back twice)."""
    ids = list(set(student_ids))
    booked = defaultdict(int)
    rebuilt = set()
    opening = dict(Student.objects.filter(id__in=ids).values_list("id", "opening_bonus_left"))
    for row in (
        LearningAccountEntry.objects.filter(student_id__in=ids, kind__in=[EntryKind.BONUS, EntryKind.REBUILD])
        .values("student_id", "kind")
        .annotate(total=Sum("credits"))
    ):
        if row["kind"] == EntryKind.BONUS:
            booked[row["student_id"]] = row["total"]
        else:
            rebuilt.add(row["student_id"])
    return {
        sid: rules.bonus_left(opening_bonus=opening.get(sid), bonus_booked=booked[sid], rebuild_granted=sid in rebuilt)
        for sid in ids
    }


def _holds_bachelor(student_ids, day) -> set[int]:
    return set(
        Degree.objects.filter(student_id__in=student_ids, kind="bachelor", on__lte=day).values_list(
            "student_id", flat=True
        )
    )


def _uses_account(line: ISPLine, holds_bachelor: bool) -> bool:
    enrolment = line.enrolment
    return rules.line_uses_learning_account(
        contract=enrolment.contract,
        programme_kind=enrolment.programme.kind,
        holds_bachelor=holds_bachelor,
        exempted=line.exempted,
    )


def _taken_opportunities(line_ids, *, on: datetime.date, first_only: bool = False) -> set[int]:
    """Lines with an exam opportunity taken by ``on``: a result in an exam period
    that had started. An exam not taken (NA) is a taken opportunity too (Art. 89 §1)."""
    results = Result.objects.filter(isp_line_id__in=line_ids, exam_period__starts_on__lte=on)
    if first_only:
        results = results.filter(opportunity=1)
    return set(results.values_list("isp_line_id", flat=True))


# --- rule 1: opening ---------------------------------------------------------
def _opening_due_filter(day):
    return Q(account_opened=False) & (
        Q(opening_balance__isnull=False, opening_on__lte=day)
        | Q(opening_balance__isnull=True, first_enrolled_on__lte=day)
    )


def openings_pending_on():
    """Earliest day on which a learning account still has to open."""
    qs = Student.objects.filter(account_opened=False).annotate(first_enrolled_on=Min("enrolments__enrolled_on"))
    imported = qs.filter(opening_balance__isnull=False).aggregate(d=Min("opening_on"))["d"]
    first = qs.filter(opening_balance__isnull=True).aggregate(d=Min("first_enrolled_on"))["d"]
    return min((d for d in (imported, first) if d), default=None)


@transaction.atomic
def accounts_open(*, day: datetime.date) -> int:
    """Open the learning accounts due by ``day`` (rule 1)."""
    due = dict(
        Student.objects.filter(account_opened=False)
        .annotate(first_enrolled_on=Min("enrolments__enrolled_on"))
        .filter(_opening_due_filter(day))
        .values_list("pk", "first_enrolled_on")
    )
    # Locked without the aggregate (PostgreSQL refuses FOR UPDATE with GROUP BY).
    students = list(Student.objects.select_for_update().filter(pk__in=list(due), account_opened=False))
    for student in students:
        student.first_enrolled_on = due[student.pk]
    entries = []
    for student in students:
        credits, on = rules.opening_entry(
            imported_balance=student.opening_balance,
            imported_on=student.opening_on,
            first_enrolled_on=student.first_enrolled_on,
        )
        reason = "Imported opening balance" if student.opening_balance is not None else "Opening balance"
        entries.append(
            LearningAccountEntry(
                student=student,
                on=on,
                credits=credits,
                kind=EntryKind.OPENING,
                source=f"student:{student.pk}",
                reason=reason,
            )
        )
    # A zero imported balance books nothing but still opens the account.
    LearningAccountEntry.objects.bulk_create(entries, batch_size=BATCH, ignore_conflicts=True)
    Student.objects.filter(pk__in=[s.pk for s in students]).update(account_opened=True)
    return len(students)


# --- rules 2, 3, 6, 11, 12: enrolment ------------------------------------------
def _credits_left_to_degree(enrolment: Enrolment) -> int:
    obtained = (
        ISPLine.objects.filter(
            enrolment__student_id=enrolment.student_id,
            enrolment__programme_id=enrolment.programme_id,
            enrolment__academic_year__starts_on__lt=enrolment.academic_year.starts_on,
        )
        .filter(Q(certified_on__isnull=False) | Q(exempted=True) | Q(tolerated_on__isnull=False))
        .aggregate(total=Sum("course__credits"))["total"]
        or 0
    )
    return max(0, enrolment.programme.credits - obtained)


def _enrolled_in_both_previous_years(enrolment: Enrolment) -> bool:
    previous = list(
        AcademicYear.objects.filter(starts_on__lt=enrolment.academic_year.starts_on)
        .order_by("-starts_on")
        .values_list("pk", flat=True)[:2]
    )
    if len(previous) < 2:
        return False
    years = set(
        Enrolment.objects.filter(
            student_id=enrolment.student_id, programme_id=enrolment.programme_id, academic_year_id__in=previous
        ).values_list("academic_year_id", flat=True)
    )
    return years == set(previous)


def _generation_refund_entry(enrolment: Enrolment) -> LearningAccountEntry | None:
    """Rule 6: a generation student who switches programme gets half back."""
    year = enrolment.academic_year
    old = (
        Enrolment.objects.filter(
            student_id=enrolment.student_id,
            academic_year=year,
            deregistered_on__isnull=False,
            deregistered_on__lte=enrolment.enrolled_on,
        )
        .exclude(pk=enrolment.pk)
        .exclude(programme_id=enrolment.programme_id)
        .select_related("programme", "student__first_enrolment_in_higher_education")
        .first()
    )
    if old is None:
        return None
    student = old.student
    earlier = Enrolment.objects.filter(student_id=student.pk, academic_year__starts_on__lt=year.starts_on).count()
    first_year = student.first_enrolment_in_higher_education
    if not rules.is_generation_student(
        first_enrolment_year=first_year.code if first_year else None,
        academic_year=year.code,
        contract=old.contract,
        programme_kind=old.programme.kind,
        earlier_enrolments=earlier,
    ):
        return None
    lines = list(old.lines.filter(course__semester__in=["1", "year"], deducted_credits__gt=0))
    taken = _taken_opportunities([line.pk for line in lines], on=old.deregistered_on, first_only=True)
    credits = rules.generation_refund(
        deregistered_on=old.deregistered_on,
        new_enrolled_on=enrolment.enrolled_on,
        first_semester_lock=year.first_semester_lock,
        generation_switch_deadline=year.generation_switch_deadline,
        second_semester_lock=year.second_semester_lock,
        first_semester_lines=[(line.deducted_credits, line.pk in taken) for line in lines],
    )
    if not credits:
        return None
    return LearningAccountEntry(
        student_id=student.pk,
        on=enrolment.enrolled_on,
        credits=credits,
        kind=EntryKind.REFUND,
        source=f"enrolment:{old.pk}:generation",
        academic_year=year,
        programme=old.programme,
        reason=f"Generation student switching to {enrolment.programme.code}: half of {old.programme.code}",
    )


@transaction.atomic
def enrolments_process(*, day: datetime.date) -> int:
    """Process enrolments due by ``day``: admission on the learning account (rule 11),
    the deduction of the initial ISP (rules 2-3, 12) and the generation refund (rule 6)."""
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(enrolment_processed=False, enrolled_on__lte=day)
        .select_related("programme", "academic_year", "student")
        .order_by("enrolled_on", "pk")
    )
    if not enrolments:
        return 0
    student_ids = {e.student_id for e in enrolments}
    balance = balances(student_ids)
    holds_bachelor = _holds_bachelor(student_ids, day)
    lines_by_enrolment = defaultdict(list)
    for line in (
        ISPLine.objects.select_for_update(of=("self",))
        .filter(enrolment__in=enrolments, add_processed=False, added_on__lte=day)
        .select_related("course")
        .order_by("course__code")
    ):
        lines_by_enrolment[line.enrolment_id].append(line)
    from .measures import refusal_reason, refusals_for  # measures build on these services

    # Only a student with a deregistration in the same year can be switching as a generation student.
    switching = set(
        Enrolment.objects.filter(
            student_id__in=student_ids, deregistered_on__isnull=False, deregistered_on__lte=day
        ).values_list("student_id", "academic_year_id")
    )

    refused_by = refusals_for(enrolments)
    entries, changed_lines = [], []
    for enrolment in enrolments:
        lines = lines_by_enrolment[enrolment.pk]
        for line in lines:
            line.enrolment = enrolment
        if enrolment.pk in refused_by:
            # Refused by a study progress measure (Art. 30, 31, 33): nothing is deducted.
            enrolment.enrolment_processed = True
            enrolment.status = EnrolmentStatus.REFUSED
            enrolment.status_reason = refusal_reason(refused_by[enrolment.pk])
            for line in lines:
                line.add_processed = True
            changed_lines += lines
            continue
        uses = rules.line_uses_learning_account(
            contract=enrolment.contract,
            programme_kind=enrolment.programme.kind,
            holds_bachelor=enrolment.student_id in holds_bachelor,
            exempted=False,
        )
        switched = (enrolment.student_id, enrolment.academic_year_id) in switching
        generation = _generation_refund_entry(enrolment) if switched else None
        if generation:
            entries.append(generation)
            balance[enrolment.student_id] += generation.credits
        current = balance[enrolment.student_id]
        admitted = rules.admission(
            uses_learning_account=uses,
            balance=current,
            enrolled_in_both_previous_years=uses and current <= 0 and _enrolled_in_both_previous_years(enrolment),
            credits_left_to_degree=_credits_left_to_degree(enrolment) if uses and current <= 0 else 0,
        )
        enrolment.enrolment_processed = True
        if admitted.refused:
            enrolment.status = EnrolmentStatus.REFUSED
            enrolment.status_reason = "Learning account of 0 or less (Art. 33)"
            for line in lines:
                line.add_processed = True
            changed_lines += lines
            continue
        enrolment.admission_exception = admitted.exception
        enrolment.balance_at_enrolment = current
        charged = 0
        for line in lines:
            line.add_processed = True
            _lock_if_late(line, enrolment.academic_year)
            if _uses_account(line, enrolment.student_id in holds_bachelor):
                line.deducted_credits = line.course.credits
                charged += line.course.credits
        changed_lines += lines
        if charged:
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=enrolment.enrolled_on,
                    credits=rules.deduction(charged),
                    kind=EntryKind.DEDUCTION,
                    source=f"enrolment:{enrolment.pk}:isp",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    reason=f"ISP {enrolment.academic_year.code}: {charged} credits",
                )
            )
            balance[enrolment.student_id] -= charged
    ledger_book(entries)
    update_grouped(
        Enrolment,
        enrolments,
        ["enrolment_processed", "status", "status_reason", "admission_exception", "balance_at_enrolment"],
    )
    update_grouped(ISPLine, changed_lines, ["add_processed", "deducted_credits", "locked_on"])
    return len(enrolments)


def _lock_if_late(line: ISPLine, year: AcademicYear) -> None:
    """A line that enters the ISP on or after its semester's lock is final at once."""
    lock = rules.lock_date(
        line.course.semester,
        first_semester_lock=year.first_semester_lock,
        second_semester_lock=year.second_semester_lock,
    )
    if line.added_on >= lock and line.locked_on is None:
        line.locked_on = line.added_on


# --- rules 2-3: lines added later ---------------------------------------------
@transaction.atomic
def isp_additions_process(*, day: datetime.date) -> int:
    """Deduct lines added to an already processed enrolment (rule 3)."""
    lines = list(
        ISPLine.objects.select_for_update(of=("self",))
        .filter(add_processed=False, added_on__lte=day, enrolment__enrolment_processed=True)
        .select_related("course", "enrolment__programme", "enrolment__academic_year")
        .order_by("added_on", "pk")
    )
    if not lines:
        return 0
    holds_bachelor = _holds_bachelor({line.enrolment.student_id for line in lines}, day)
    entries = []
    for line in lines:
        line.add_processed = True
        enrolment = line.enrolment
        _lock_if_late(line, enrolment.academic_year)
        if enrolment.status == EnrolmentStatus.REFUSED:
            continue
        if _uses_account(line, enrolment.student_id in holds_bachelor):
            line.deducted_credits = line.course.credits
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=line.added_on,
                    credits=rules.deduction(line.course.credits),
                    kind=EntryKind.DEDUCTION,
                    source=f"isp_line:{line.pk}",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    course=line.course,
                    reason=f"{line.course.code} added to ISP {enrolment.academic_year.code}",
                )
            )
    ledger_book(entries)
    update_grouped(ISPLine, lines, ["add_processed", "deducted_credits", "locked_on"])
    return len(lines)


# --- rule 4: removals ------------------------------------------------------------
@transaction.atomic
def isp_removals_process(*, day: datetime.date) -> int:
    """Refund lines removed before the lock of their semester (rule 4)."""
    lines = list(
        ISPLine.objects.select_for_update(of=("self",))
        .filter(removal_processed=False, removed_on__lte=day, add_processed=True)
        .select_related("course", "enrolment__programme", "enrolment__academic_year")
    )
    if not lines:
        return 0
    entries = []
    taken_by_day = defaultdict(list)
    for line in lines:
        taken_by_day[line.removed_on].append(line.pk)
    taken = set()
    for on, ids in taken_by_day.items():
        taken |= _taken_opportunities(ids, on=on)
    for line in lines:
        line.removal_processed = True
        year = line.enrolment.academic_year
        if line.deducted_credits and rules.removal_refunds(
            semester=line.course.semester,
            removed_on=line.removed_on,
            opportunity_taken=line.pk in taken,
            first_semester_lock=year.first_semester_lock,
            second_semester_lock=year.second_semester_lock,
        ):
            entries.append(
                LearningAccountEntry(
                    student_id=line.enrolment.student_id,
                    on=line.removed_on,
                    credits=line.deducted_credits,
                    kind=EntryKind.REFUND,
                    source=f"isp_line:{line.pk}",
                    academic_year=year,
                    programme=line.enrolment.programme,
                    course=line.course,
                    reason=f"{line.course.code} removed from ISP {year.code} before the lock",
                )
            )
            line.deducted_credits = 0
    ledger_book(entries)
    update_grouped(ISPLine, lines, ["removal_processed", "deducted_credits"])
    return len(lines)


# --- rule 5: deregistrations ----------------------------------------------------
@transaction.atomic
def deregistrations_process(*, day: datetime.date) -> int:
    """Deregistrations due by ``day``: status, and the refunds of rule 5."""
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(deregistration_processed=False, deregistered_on__lte=day, enrolment_processed=True)
        .select_related("programme", "academic_year")
    )
    if not enrolments:
        return 0
    lines_by_enrolment = defaultdict(list)
    for line in (
        ISPLine.objects.select_for_update(of=("self",))
        .filter(enrolment__in=enrolments, deducted_credits__gt=0)
        .filter(Q(removed_on__isnull=True) | Q(removal_processed=False))
        .select_related("course")
    ):
        lines_by_enrolment[line.enrolment_id].append(line)
    entries, changed = [], []
    for enrolment in enrolments:
        enrolment.deregistration_processed = True
        if enrolment.status != EnrolmentStatus.REFUSED:
            enrolment.status = EnrolmentStatus.DEREGISTERED
        year = enrolment.academic_year
        lines = lines_by_enrolment[enrolment.pk]
        taken = _taken_opportunities([line.pk for line in lines], on=enrolment.deregistered_on)
        refunded = 0
        for line in lines:
            if rules.deregistration_refunds(
                contract=enrolment.contract,
                semester=line.course.semester,
                deregistered_on=enrolment.deregistered_on,
                opportunity_taken=line.pk in taken,
                first_semester_lock=year.first_semester_lock,
                second_semester_lock=year.second_semester_lock,
            ):
                refunded += line.deducted_credits
                line.deducted_credits = 0
                changed.append(line)
        if refunded:
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=enrolment.deregistered_on,
                    credits=refunded,
                    kind=EntryKind.REFUND,
                    source=f"enrolment:{enrolment.pk}:deregistration",
                    academic_year=year,
                    programme=enrolment.programme,
                    reason=f"Deregistration from {enrolment.programme.code} {year.code}: {refunded} credits",
                )
            )
    ledger_book(entries)
    update_grouped(Enrolment, enrolments, ["deregistration_processed", "status"])
    update_grouped(ISPLine, changed, ["deducted_credits"])
    return len(enrolments)


# --- rule 9: degrees -------------------------------------------------------------
@transaction.atomic
def degrees_process(*, day: datetime.date) -> int:
    degrees = list(Degree.objects.select_for_update().filter(processed=False, on__lte=day).order_by("on", "pk"))
    entries = []
    for degree in degrees:
        earlier = Degree.objects.filter(student_id=degree.student_id, kind="master").filter(
            Q(on__lt=degree.on) | Q(on=degree.on, pk__lt=degree.pk)
        )
        credits = rules.master_degree_deduction(kind=degree.kind, earlier_master_degrees=earlier.count())
        if credits:
            entries.append(
                LearningAccountEntry(
                    student_id=degree.student_id,
                    on=degree.on,
                    credits=credits,
                    kind=EntryKind.MASTER_DEGREE,
                    source=f"degree:{degree.pk}",
                    programme_id=degree.programme_id,
                    reason="First master's degree",
                )
            )
        degree.processed = True
    ledger_book(entries)
    update_grouped(Degree, degrees, ["processed"])
    return len(degrees)


# --- rule 10: rebuild at the start of an academic year -----------------------------
def rebuild_grant(*, year: AcademicYear) -> int:
    """Rebuild the learning account of students not enrolled this year (rule 10)."""
    previous = AcademicYear.objects.filter(starts_on__lt=year.starts_on).order_by("-starts_on").first()
    enrolled_now = Enrolment.objects.filter(student=OuterRef("pk"), academic_year=year, enrolled_on__lte=year.starts_on)
    enrolled_before = Enrolment.objects.filter(student=OuterRef("pk"), academic_year__starts_on__lt=year.starts_on)
    candidates = (
        Student.objects.filter(account_opened=True)
        .annotate(balance=Sum("learning_account_entries__credits"))
        .filter(balance__lt=rules.REBUILD_TARGET)
        .filter(Exists(enrolled_before))
        .exclude(Exists(enrolled_now))
        .values_list("pk", "balance")
    )
    candidates = dict(candidates)
    if not candidates:
        return 0
    ids = list(candidates)
    masters = set(
        Degree.objects.filter(student_id__in=ids, kind="master", on__lt=year.starts_on).values_list(
            "student_id", flat=True
        )
    )
    enrolled_previous = (
        set(Enrolment.objects.filter(student_id__in=ids, academic_year=previous).values_list("student_id", flat=True))
        if previous
        else set()
    )
    first_rebuild = dict(
        LearningAccountEntry.objects.filter(student_id__in=ids, kind=EntryKind.REBUILD)
        .values("student_id")
        .annotate(first=Min("on"))
        .values_list("student_id", "first")
    )
    stopped = set()
    for student_id, first in first_rebuild.items():
        if Enrolment.objects.filter(student_id=student_id, enrolled_on__gte=first).exists():
            stopped.add(student_id)
    entries = []
    for student_id, balance in candidates.items():
        credits = rules.rebuild_due(
            balance=balance,
            enrolled_this_year=False,
            after_first_master=student_id in masters,
            previous_year_without_enrolment=previous is not None and student_id not in enrolled_previous,
            ever_enrolled=True,
            rebuild_stopped=student_id in stopped,
        )
        if credits:
            entries.append(
                LearningAccountEntry(
                    student_id=student_id,
                    on=year.starts_on,
                    credits=credits,
                    kind=EntryKind.REBUILD,
                    source=f"student:{student_id}:rebuild:{year.code}",
                    academic_year=year,
                    reason=f"Learning account rebuilt at the start of {year.code}",
                )
            )
    return ledger_book(entries)


# --- locks (Art. 8, 19, 23) -------------------------------------------------------
def lines_lock(*, year: AcademicYear, semesters: list[str], day: datetime.date) -> int:
    """Make the lines of ``semesters`` in ``year`` final from ``day``: set-based,
    in batches of enrolments so that the query count grows with batches."""
    bounds = Enrolment.objects.filter(academic_year=year).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    total = 0
    step = 20000
    for start in range(bounds["lo"], bounds["hi"] + 1, step):
        total += (
            ISPLine.objects.filter(
                enrolment_id__gte=start,
                enrolment_id__lt=start + step,
                enrolment__academic_year=year,
                course__semester__in=semesters,
                locked_on__isnull=True,
                added_on__lte=day,
            )
            .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=day))
            .update(locked_on=day)
        )
    return total


LINE_DONE = Q(outcome=LineOutcome.PASSED) | Q(exempted=True) | Q(tolerated_on__isnull=False)


# =====================================================================================
# The ISP editor's writes (DOMAIN §3, Art. 19-25)
# =====================================================================================
# Every change is prepared on a version of the enrolment (``Enrolment.version``) and
# saved only if nobody saved the ISP since: the conditional UPDATE that bumps the
# version is the first statement of the transaction, so a second save of the same
# version waits for the first (a row lock on PostgreSQL, the write lock on SQLite)
# and then finds the version gone. The rules decide on the ISP as it is after that
# claim; the new fact is then processed for today through the timeline, so the
# learning account shows it before the request ends.


class ISPRefused(Exception):
    """The rules of DOMAIN §3 refuse the change; ``problems`` say why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class ISPConflict(Exception):
    """Someone saved the ISP after the version the change was prepared on."""

    def __init__(self, *, expected: int, current: int | None):
        self.expected, self.current = expected, current
        super().__init__(f"ISP version {expected} is out of date (now {current})")


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _claim(enrolment, expected_version: int) -> Enrolment:
    pk = _pk(enrolment)
    claimed = Enrolment.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        current = Enrolment.objects.filter(pk=pk).values_list("version", flat=True).first()
        raise ISPConflict(expected=expected_version, current=current)
    return Enrolment.objects.select_related("student", "programme", "academic_year").get(pk=pk)


def _record(instance, *, by, reason: str, update_fields=None) -> None:
    """Save with the history's who and why (django-simple-history)."""
    instance._history_user = by
    instance._change_reason = reason[:100]
    instance.save(update_fields=update_fields)


def _save_enrolment(enrolment: Enrolment, *, by, reason: str, reopen: bool = False) -> None:
    """Record the new version; a change to an approved ISP goes back to the cluster."""
    fields = ["version"]
    if reopen and enrolment.isp_status == ISPStatus.APPROVED:
        enrolment.isp_status = ISPStatus.SUBMITTED
        fields.append("isp_status")
    _record(enrolment, by=by, reason=reason, update_fields=fields)


def _process_today(today: datetime.date) -> None:
    from core.timeline import run_deadlines  # the timeline imports this module

    run_deadlines(today=today)


def _refuse_if(problems) -> None:
    if problems:
        raise ISPRefused(problems)


@transaction.atomic
def isp_line_add(*, enrolment: Enrolment | int, course, expected_version: int, by) -> ISPLine:
    """Add ``course`` to the ISP today; its learning-account deduction is booked at once."""
    today = clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    facts = context.course_facts.get(_pk(course))
    if facts is None or context.course(facts.id) is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.add_problems(facts, isp=context.facts, today=today))
    if ISPLine.objects.filter(enrolment=enrolment, course_id=facts.id, added_on=today).exists():
        raise ISPRefused([rules.Problem("removed_today", (("course", facts.code),))])
    line = ISPLine(enrolment=enrolment, course_id=facts.id, added_on=today)
    _record(line, by=by, reason=f"{facts.code} added")
    _save_enrolment(enrolment, by=by, reason=f"ISP: {facts.code} added", reopen=True)
    _process_today(today)
    line.refresh_from_db()
    return line


@transaction.atomic
def isp_line_remove(*, line: ISPLine | int, expected_version: int, by) -> ISPLine:
    """Remove a line from the ISP today; refunded when the rules of DOMAIN §2 rule 4 allow."""
    today = clock.today()
    enrolment_id = ISPLine.objects.filter(pk=_pk(line)).values_list("enrolment_id", flat=True).get()
    enrolment = _claim(enrolment_id, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    current = context.line(_pk(line))
    if current is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.remove_problems(context.line_facts[current.pk], isp=context.facts, today=today))
    current.removed_on = today
    _record(current, by=by, reason=f"{current.course.code} removed", update_fields=["removed_on"])
    _save_enrolment(enrolment, by=by, reason=f"ISP: {current.course.code} removed", reopen=True)
    _process_today(today)
    current.refresh_from_db()
    return current


@transaction.atomic
def isp_line_exempt(*, line: ISPLine | int, basis: str, expected_version: int, by) -> ExemptionApproval:
    """Record an exemption the cluster granted (Art. 25): definitive, never examined, and it
    gives back what the line took from the learning account (DOMAIN §2 rule 2)."""
    today = clock.today()
    basis = (basis or "").strip()
    enrolment_id = ISPLine.objects.filter(pk=_pk(line)).values_list("enrolment_id", flat=True).get()
    enrolment = _claim(enrolment_id, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    current = context.line(_pk(line))
    if current is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    problems = rules.exempt_problems(context.line_facts[current.pk], isp=context.facts, today=today)
    if not basis:
        problems.append(rules.Problem("no_exemption_basis"))
    _refuse_if(problems)
    refund = rules.line_effect(
        action="exempt",
        credits=current.course.credits,
        semester=current.course.semester,
        uses_learning_account=False,
        deducted_credits=current.deducted_credits,
        opportunity_taken=False,
        today=today,
        first_semester_lock=enrolment.academic_year.first_semester_lock,
        second_semester_lock=enrolment.academic_year.second_semester_lock,
    )
    if refund:
        ledger_book(
            [
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=today,
                    credits=refund,
                    kind=EntryKind.REFUND,
                    source=f"isp_line:{current.pk}:exemption",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    course=current.course,
                    reason=f"{current.course.code} exempted in ISP {enrolment.academic_year.code}",
                    created_by=by,
                )
            ]
        )
    current.exempted = True
    current.deducted_credits = 0
    _record(current, by=by, reason=f"{current.course.code} exempted", update_fields=["exempted", "deducted_credits"])
    approval = ExemptionApproval(isp_line=current, basis=basis[:200], approved_on=today, approved_by=by)
    _record(approval, by=by, reason="exemption approved")
    _save_enrolment(enrolment, by=by, reason=f"ISP: {current.course.code} exempted", reopen=True)
    _process_today(today)
    return approval


@transaction.atomic
def isp_derogation_record(
    *,
    enrolment: Enrolment | int,
    kind: str,
    ground: str,
    expected_version: int,
    by,
    course=None,
    credits: int | None = None,
    motivation: str = "",
) -> ISPDerogation:
    """Record a derogation the cluster approved (Art. 22): credits or SQ sequencing or
    the model route; never SSQ, never the courses to take again."""
    today = clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    course_facts = context.course_facts.get(_pk(course)) if course is not None else None
    if course is not None and course_facts is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.derogation_problems(kind, course=course_facts, credits=credits, isp=context.facts, today=today))
    course_id = course_facts.id if course_facts else None
    if ISPDerogation.objects.filter(enrolment=enrolment, kind=kind, course_id=course_id).exists():
        raise ISPRefused([rules.Problem("derogation_exists")])
    derogation = ISPDerogation(
        enrolment=enrolment,
        kind=kind,
        course_id=course_id,
        credits=credits if kind in ("fewer_credits", "more_credits") else None,
        ground=ground,
        motivation=motivation,
        approved_on=today,
        approved_by=by,
    )
    _record(derogation, by=by, reason=f"derogation {kind}")
    _save_enrolment(enrolment, by=by, reason=f"ISP: derogation {kind} recorded")
    return derogation


@transaction.atomic
def isp_submit(*, enrolment: Enrolment | int, expected_version: int, by) -> Enrolment:
    """Draft → submitted, by the submission deadline (Art. 19)."""
    today = clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    _refuse_if(rules.submit_problems(context.facts, today=today))
    enrolment.isp_status = ISPStatus.SUBMITTED
    enrolment.isp_submitted_on = today
    _record(enrolment, by=by, reason="ISP submitted", update_fields=["version", "isp_status", "isp_submitted_on"])
    return enrolment


@transaction.atomic
def isp_approve(*, enrolment: Enrolment | int, expected_version: int, by) -> Enrolment:
    """Approval by the coach for the cluster (Art. 19), within the deadlines and rules."""
    today = clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    _refuse_if(rules.approve_problems(context.facts, today=today))
    enrolment.isp_status = ISPStatus.APPROVED
    enrolment.isp_approved_on = today
    enrolment.isp_approved_by = by
    _record(
        enrolment,
        by=by,
        reason="ISP approved",
        update_fields=["version", "isp_status", "isp_approved_on", "isp_approved_by"],
    )
    return enrolment


@dataclass
class ISPPreview:
    """What a change would do, computed with the same rules and no writes."""

    action: str
    course: object
    line: ISPLine | None
    problems: list
    version: int
    credits_before: int
    credits_after: int
    band_after: object
    balance_before: int
    balance_after: int
    without_account_before: int
    without_account_after: int
    ledger_change: int
    booked_on: datetime.date
    uses_learning_account: bool
    status_before: str
    status_after: str
    warnings: list = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.problems


def isp_preview(*, enrolment: Enrolment | int, action: str, course=None, line=None, context=None) -> ISPPreview:
    """The effect of adding ``course``, or removing or exempting ``line``, on the credits,
    the learning account balance and the credits without learning account (DOMAIN §2
    rules 2-4 and 12), and the problems that would refuse it (DOMAIN §3). No writes."""
    today = clock.today()
    context = context or isp_facts.isp_context(enrolment, today=today)
    enrolment = context.enrolment
    year = enrolment.academic_year
    facts = context.facts
    problems, change, credits_delta, uses = [], 0, 0, False
    current_line = None
    course_obj = None
    if action == "add":
        course_obj = context.course(_pk(course)) if course is not None else None
        if course_obj is None:
            problems = [rules.Problem("not_in_programme")]
        else:
            problems = rules.add_problems(context.course_facts[course_obj.pk], isp=facts, today=today)
            uses = context.uses_learning_account()
            credits_delta = course_obj.credits
            change = rules.line_effect(
                action="add",
                credits=course_obj.credits,
                semester=course_obj.semester,
                uses_learning_account=uses and enrolment.status != EnrolmentStatus.REFUSED,
                deducted_credits=0,
                opportunity_taken=False,
                today=today,
                first_semester_lock=year.first_semester_lock,
                second_semester_lock=year.second_semester_lock,
            )
    elif action in ("remove", "exempt"):
        current_line = context.line(_pk(line)) if line is not None else None
        if current_line is None:
            problems = [rules.Problem("not_in_programme")]
        else:
            course_obj = current_line.course
            line_facts = context.line_facts[current_line.pk]
            check = rules.remove_problems if action == "remove" else rules.exempt_problems
            problems = check(line_facts, isp=facts, today=today)
            uses = current_line.deducted_credits > 0
            if action == "remove":
                credits_delta = -course_obj.credits
            change = rules.line_effect(
                action=action,
                credits=course_obj.credits,
                semester=course_obj.semester,
                uses_learning_account=uses,
                deducted_credits=current_line.deducted_credits,
                opportunity_taken=current_line.opportunity_taken,
                today=today,
                first_semester_lock=year.first_semester_lock,
                second_semester_lock=year.second_semester_lock,
            )
    else:
        raise ValueError(action)
    total = facts.total_credits
    charged_after = context.charged - change
    status_after = enrolment.isp_status
    if not problems and enrolment.isp_status == ISPStatus.APPROVED:
        status_after = ISPStatus.SUBMITTED
    return ISPPreview(
        action=action,
        course=course_obj,
        line=current_line,
        problems=problems,
        version=enrolment.version,
        credits_before=total,
        credits_after=total + credits_delta,
        band_after=rules.credit_band_problem(facts, total + credits_delta),
        balance_before=context.balance,
        balance_after=context.balance + change,
        without_account_before=context.credits_without_learning_account(),
        without_account_after=context.credits_without_learning_account(charged_after),
        ledger_change=change,
        booked_on=max(today, enrolment.enrolled_on),
        uses_learning_account=uses,
        status_before=enrolment.isp_status,
        status_after=status_after,
    )
