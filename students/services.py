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
from typing import NamedTuple

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import gates, pgcopy
from core.audit import audited_save
from core.bulk import update_grouped
from core.dates import show_date
from core.errors import Problem, Refused
from core.history import register_reasons
from core.timeline import pending_from
from programmes.models import AcademicYear

from . import rules
from .ledger import BATCH, balance_subquery, balances, ledger_book
from .models import (
    Degree,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    EntryReason,
    ISPLine,
    LearningAccountEntry,
    LineOutcome,
    MeasureKind,
    Student,
)
from .refusals import enrolments_readmit, rebuild_reversals, refusal_reason, refusals_for, refused_announce

# The change reasons written below, stored in English and shown in the reader's language
# (core.history); the ways of readmission are values of the last two.
register_reasons(
    gettext_noop("Art. 33 written request of %(on)s recorded"),
    gettext_noop(
        "Readmitted %(how)s on the written request of %(on)s: learning account %(balance)s, %(left)s credits left "
        "to the degree, enrolled in both previous academic years"
    ),
    gettext_noop("Readmitted %(how)s: learning account %(balance)s"),
)
READMITTED_HOW = (gettext_noop("by the Art. 33 exception"), gettext_noop("on the learning account"))


def _holds_bachelor(student_ids, day) -> set[int]:
    return set(
        Degree.objects.filter(student_id__in=student_ids, kind="bachelor", on__lte=day).values_list(
            "student_id", flat=True
        )
    )


def _uses_account(enrolment: Enrolment, *, exempted: bool, holds_bachelor: bool) -> bool:
    """Whether a line of ``enrolment`` takes its credits from the learning account (rule 2)."""
    return rules.line_uses_learning_account(
        contract=enrolment.contract,
        programme_kind=enrolment.programme.kind,
        holds_bachelor=holds_bachelor,
        exempted=exempted,
    )


def _taken_opportunities(line_ids, *, on: datetime.date, first_only: bool = False) -> set[int]:
    """Lines with an exam opportunity taken by ``on`` (Art. 89 §1): results live above the
    ledger, so it asks them through ``core.gates``."""
    return gates.opportunities_taken(line_ids, on=on, first_only=first_only)


def _from_pending_day(field: str) -> dict:
    """A filter on the date ``field`` of a kind of facts: within a run of the timeline, those dated
    from the day it reads from on (``core.timeline.pending_from``), as the kind's pending day is
    read (``deadlines.Earliest``); outside one (a live change), every one. An earlier fact was
    processed on its day, or is found by the run's last look, which reads from the beginning. The
    pending facts' partial indexes keep, within the long transaction of a replay, an entry for
    every fact processed in it: read from the beginning, each day walked past all of them (130 ms
    for a day's five added lines at 25,000 students, issue 19)."""
    since = pending_from()
    return {} if since is None else {f"{field}__gte": since}


# --- rule 1: opening ---------------------------------------------------------
def _opening_due_filter(day):
    return Q(account_opened=False) & (
        Q(opening_balance__isnull=False, opening_on__lte=day)
        | Q(opening_balance__isnull=True, first_enrolled_on__lte=day)
    )


@transaction.atomic
def accounts_open(*, day: datetime.date) -> int:
    """Open the learning accounts due by ``day`` (rule 1)."""
    # Within a run of the timeline, the enrolments from the day it reads from (``pending_from``):
    # an earlier one opened its account on its day (a backdated one: the run's last look).
    enrolled = Enrolment.objects.filter(
        student__account_opened=False,
        student__opening_balance__isnull=True,
        enrolled_on__lte=day,
        **_from_pending_day("enrolled_on"),
    )
    # The candidates first, each by its own index (the pending openings' partial index, the
    # enrolments' dates), then their first enrolments: an OR of the two in one filter read every
    # student whose account is not open, on every day with work.
    candidates = set(
        Student.objects.filter(account_opened=False, opening_balance__isnull=False, opening_on__lte=day).values_list(
            "pk", flat=True
        )
    ) | set(enrolled.values_list("student_id", flat=True))
    if not candidates:
        return 0
    due = dict(
        Student.objects.filter(account_opened=False, pk__in=candidates)
        .annotate(first_enrolled_on=Min("enrolments__enrolled_on"))
        .filter(_opening_due_filter(day))
        .values_list("pk", "first_enrolled_on")
    )
    # Locked without the aggregate (PostgreSQL refuses FOR UPDATE with GROUP BY).
    students = list(
        Student.objects.select_for_update()
        .filter(pk__in=list(due), account_opened=False)
        .values_list("pk", "opening_balance", "opening_on")
    )
    entries = []
    for pk, opening_balance, opening_on in students:
        credits, on = rules.opening_entry(
            imported_balance=opening_balance,
            imported_on=opening_on,
            first_enrolled_on=due[pk],
        )
        reason = EntryReason.OPENING_IMPORTED if opening_balance is not None else EntryReason.OPENING
        entries.append(
            LearningAccountEntry(
                student_id=pk,
                on=on,
                credits=credits,
                kind=EntryKind.OPENING,
                source=f"student:{pk}",
                reason_code=reason,
            )
        )
    # A zero imported balance books nothing but still opens the account.
    LearningAccountEntry.objects.bulk_create(entries, batch_size=BATCH, ignore_conflicts=True)
    Student.objects.filter(pk__in=[pk for pk, _balance, _on in students]).update(account_opened=True)
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
        reason_code=EntryReason.GENERATION_SWITCH,
        reason_params={"to": enrolment.programme.code},
    )


@transaction.atomic
def enrolments_process(*, day: datetime.date) -> int:
    """Process enrolments due by ``day``: admission on the learning account (rule 11),
    the deduction of the initial ISP (rules 2-3, 12) and the generation refund (rule 6)."""
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(enrolment_processed=False, enrolled_on__lte=day, **_from_pending_day("enrolled_on"))
        .select_related("programme", "academic_year", "student")
        .order_by("enrolled_on", "pk")
    )
    if not enrolments:
        return 0
    student_ids = {e.student_id for e in enrolments}
    balance = balances(student_ids)
    holds_bachelor = _holds_bachelor(student_ids, day)
    # The lines as plain rows (no model instances: tens of thousands at a year's start).
    lines_by_enrolment = defaultdict(list)
    for row in (
        ISPLine.objects.select_for_update(of=("self",))
        .filter(enrolment__in=enrolments, add_processed=False, added_on__lte=day)
        .order_by("course__code")
        .values_list(*ADDED_LINE_COLUMNS)
    ):
        line = _AddedLine(*row)
        lines_by_enrolment[line.enrolment_id].append(line)

    # Only a student with a deregistration in the same year can be switching as a generation student.
    switching = set(
        Enrolment.objects.filter(student_id__in=student_ids, deregistered_on__isnull=False, deregistered_on__lte=day)
        .order_by()
        .values_list("student_id", "academic_year_id")
    )

    # Rule 10: a rebuild granted at the start of the year an enrolment falls in is
    # reversed once that enrolment is admitted (one correction per rebuild).
    rebuilt = {
        (e.student_id, e.academic_year_id): e
        for e in LearningAccountEntry.objects.filter(
            student_id__in=student_ids,
            kind=EntryKind.REBUILD,
            academic_year_id__in={e.academic_year_id for e in enrolments},
        )
    }
    corrected = set(
        LearningAccountEntry.objects.filter(
            kind=EntryKind.CORRECTION, source__in=[e.source for e in rebuilt.values()]
        ).values_list("source", flat=True)
    )

    refused_by = refusals_for(enrolments)
    entries, changed_lines = [], []
    for enrolment in enrolments:
        lines = lines_by_enrolment[enrolment.pk]
        if enrolment.pk in refused_by:
            # Refused by a study progress measure (Art. 30, 31, 33): nothing is deducted.
            enrolment.enrolment_processed = True
            enrolment.status = EnrolmentStatus.REFUSED
            enrolment.status_reason = refusal_reason(refused_by[enrolment.pk])
            # DOMAIN §11: the student is told (the enrolment is processed once: told once).
            measure = refused_by[enrolment.pk]
            refused_announce(enrolment, kind=measure.kind, course=measure.course, decided_on=day)
            changed_lines += [(line.pk, True, line.deducted_credits, line.locked_on) for line in lines]
            continue
        switched = (enrolment.student_id, enrolment.academic_year_id) in switching
        generation = _generation_refund_entry(enrolment) if switched else None
        if generation:
            entries.append(generation)
            balance[enrolment.student_id] += generation.credits
        rebuild = rebuilt.get((enrolment.student_id, enrolment.academic_year_id))
        reversal = 0
        if rebuild is not None and rebuild.source not in corrected:
            reversal = rules.rebuild_correction(rebuilt_this_year=rebuild.credits, enrolment_refused=False)
        # Admission is judged as for a student enrolled in this year: without its rebuild.
        current = balance[enrolment.student_id] + reversal
        covered = rules.admission_covers(
            contract=enrolment.contract,
            programme_kind=enrolment.programme.kind,
            holds_bachelor=enrolment.student_id in holds_bachelor,
        )
        judged = covered and current <= 0
        admitted = rules.admission(
            covered=covered,
            balance=current,
            enrolled_in_both_previous_years=judged and _enrolled_in_both_previous_years(enrolment),
            credits_left_to_degree=_credits_left_to_degree(enrolment) if judged else 0,
            requested=enrolment.exception_requested_on is not None,
        )
        enrolment.enrolment_processed = True
        if admitted.refused:
            enrolment.status = EnrolmentStatus.REFUSED
            enrolment.status_reason = ART_33_REFUSAL
            # Art. 33, DOMAIN §11: refused on the learning account, the student is told.
            refused_announce(enrolment, kind=MeasureKind.LEARNING_ACCOUNT_REFUSAL, decided_on=day)
            changed_lines += [(line.pk, True, line.deducted_credits, line.locked_on) for line in lines]
            continue
        if reversal:
            entries.append(
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=enrolment.enrolled_on,
                    credits=reversal,
                    kind=EntryKind.CORRECTION,
                    source=rebuild.source,
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    reason_code=EntryReason.REBUILD_REVERSED,
                )
            )
            corrected.add(rebuild.source)
            balance[enrolment.student_id] = current
        enrolment.admission_exception = admitted.exception
        enrolment.balance_at_enrolment = current
        charged = 0
        year, holds = enrolment.academic_year, enrolment.student_id in holds_bachelor
        for line in lines:
            deducted = line.deducted_credits
            if _uses_account(enrolment, exempted=line.exempted, holds_bachelor=holds):
                deducted = line.credits
                charged += line.credits
            locked_on = _late_lock(line.semester, line.added_on, line.locked_on, year)
            changed_lines.append((line.pk, True, deducted, locked_on))
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
                    reason_code=EntryReason.ISP,
                )
            )
            balance[enrolment.student_id] -= charged
    ledger_book(entries)
    # One statement each, whatever the balances and credits (not one per distinct value).
    pgcopy.update_each(
        Enrolment,
        ENROLMENT_JUDGED,
        [(e.pk, *[getattr(e, name) for name in ENROLMENT_JUDGED]) for e in enrolments],
    )
    _lines_added_write(changed_lines)
    return len(enrolments)


# What processing an enrolment and its initial ISP sets.
ENROLMENT_JUDGED = ("enrolment_processed", "status", "status_reason", "admission_exception", "balance_at_enrolment")
LINE_ADDED = ("add_processed", "deducted_credits", "locked_on")


class _AddedLine(NamedTuple):
    """An ISP line of an enrolment being processed, as the processing reads it (rules 2-3)."""

    pk: int
    enrolment_id: int
    exempted: bool
    added_on: datetime.date
    locked_on: datetime.date | None
    deducted_credits: int
    credits: int  # the course's
    semester: str  # the course's


# The columns of an ``_AddedLine``, in its order.
ADDED_LINE_COLUMNS = (
    "pk",
    "enrolment_id",
    "exempted",
    "added_on",
    "locked_on",
    "deducted_credits",
    "course__credits",
    "course__semester",
)


def _lines_added_write(rows: list[tuple]) -> None:
    """Write what processing added lines set: ``rows`` of (pk, ``LINE_ADDED``...) — every line
    processed, a deducting line its course's credits, a late line final from the day it was
    added (``_late_lock``; rules 2-3). Set-based: one statement for all of them
    (``pgcopy.update_each``: COPY and one UPDATE ... FROM for many lines on PostgreSQL)."""
    pgcopy.update_each(ISPLine, LINE_ADDED, rows)


ART_33_REFUSAL = "Learning account of 0 or less (Art. 33)"


class ExceptionRequestRefused(Refused):
    """A written request for the Art. 33 exception that cannot be recorded as asked."""

    default_code = "exception_request"


@transaction.atomic
def enrolment_exception_request(
    *, enrolment: Enrolment | int, requested_on: datetime.date, by, today: datetime.date
) -> Enrolment:
    """Record the date of the student's written request for the Art. 33 exception
    (DOMAIN §2 rule 11) on ``enrolment``.

    On an enrolment not judged yet, or admitted, the date is only recorded: admission
    reads it when the enrolment is processed. On an enrolment already refused for a
    learning account of 0 or below, the request is judged at once: when the exception's
    conditions are met (enrolled in the same programme in both previous academic years,
    at most 30 credits left to the degree) the enrolment is admitted again on ``today``,
    flagged, its ISP lines take from the learning account, that year's rebuild is reversed
    (rule 10), and its history says why; otherwise nothing changes and the refusal names
    Art. 33 and the condition that is not met."""
    pk = enrolment.pk if isinstance(enrolment, Enrolment) else enrolment
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("programme", "academic_year", "student")
        .get(pk=pk)
    )
    if requested_on is None or requested_on > today:
        raise ExceptionRequestRefused(
            [
                Problem(
                    "exception_request_date",
                    _("The written request (Art. 33) is dated no later than today (%(today)s).")
                    % {"today": show_date(today)},
                )
            ]
        )
    enrolment.exception_requested_on = requested_on
    refused_on_account = (
        enrolment.enrolment_processed
        and enrolment.status == EnrolmentStatus.REFUSED
        and enrolment.status_reason == ART_33_REFUSAL
    )
    if not refused_on_account:
        audited_save(
            enrolment,
            by=by,
            reason=f"Art. 33 written request of {requested_on.isoformat()} recorded",
            update_fields=["exception_requested_on"],
        )
        return enrolment

    student_id = enrolment.student_id
    holds_bachelor = student_id in _holds_bachelor([student_id], today)
    reversals = rebuild_reversals([enrolment], on=today)
    # Judged as for a student enrolled in this year: without this year's rebuild.
    current = balances([student_id])[student_id] + sum(e.credits for e in reversals)
    both = _enrolled_in_both_previous_years(enrolment)
    left = _credits_left_to_degree(enrolment)
    admitted = rules.admission(
        covered=rules.admission_covers(
            contract=enrolment.contract, programme_kind=enrolment.programme.kind, holds_bachelor=holds_bachelor
        ),
        balance=current,
        enrolled_in_both_previous_years=both,
        credits_left_to_degree=left,
        requested=True,
    )
    if admitted.refused:
        raise ExceptionRequestRefused(
            rules.admission_exception_problems(
                balance=current, enrolled_in_both_previous_years=both, credits_left_to_degree=left
            )
        )
    lines = list(
        enrolment.lines.filter(removed_on__isnull=True, exempted=False, certified_on__isnull=True).select_related(
            "course"
        )
    )
    charged = 0
    for line in lines:
        if _uses_account(enrolment, exempted=line.exempted, holds_bachelor=holds_bachelor):
            line.deducted_credits = line.course.credits
            charged += line.course.credits
    ISPLine.objects.bulk_update(lines, ["deducted_credits"])
    entries = list(reversals)
    if charged:
        entries.append(
            LearningAccountEntry(
                student_id=student_id,
                on=today,
                credits=rules.deduction(charged),
                kind=EntryKind.DEDUCTION,
                source=f"enrolment:{enrolment.pk}:readmitted:{today.isoformat()}",
                academic_year=enrolment.academic_year,
                programme=enrolment.programme,
                reason_code=EntryReason.READMITTED,
            )
        )
    ledger_book(entries)
    enrolment.status = EnrolmentStatus.DEREGISTERED if enrolment.deregistration_processed else EnrolmentStatus.ENROLLED
    enrolment.status_reason = ""
    enrolment.admission_exception = admitted.exception
    enrolment.balance_at_enrolment = current
    how = "by the Art. 33 exception" if admitted.exception else "on the learning account"
    audited_save(
        enrolment,
        by=by,
        reason=(
            f"Readmitted {how} on the written request of {requested_on.isoformat()}: learning account {current}, "
            f"{left} credits left to the degree, enrolled in both previous academic years"
            if admitted.exception
            else f"Readmitted {how}: learning account {current}"
        ),
        update_fields=[
            "exception_requested_on",
            "status",
            "status_reason",
            "admission_exception",
            "balance_at_enrolment",
        ],
    )
    return enrolment


def _late_lock(
    semester: str, added_on: datetime.date, locked_on: datetime.date | None, year: AcademicYear
) -> datetime.date | None:
    """The day a line is final: a line that enters the ISP on or after its semester's lock is
    final at once, from the day it was added (rules 2-3); any other keeps ``locked_on``."""
    lock = rules.lock_date(
        semester,
        first_semester_lock=year.first_semester_lock,
        second_semester_lock=year.second_semester_lock,
    )
    if added_on >= lock and locked_on is None:
        return added_on
    return locked_on


def _lock_if_late(line: ISPLine, year: AcademicYear) -> None:
    """``_late_lock`` on a line read as a model."""
    line.locked_on = _late_lock(line.course.semester, line.added_on, line.locked_on, year)


# --- rules 2-3: lines added later ---------------------------------------------
@transaction.atomic
def isp_additions_process(*, day: datetime.date) -> int:
    """Deduct lines added to an already processed enrolment (rule 3)."""
    # The pending lines first, by their partial index, then those of processed enrolments among
    # them: in one query PostgreSQL expected thousands of pending lines and hashed every
    # enrolment to find a day's few (73 ms a day at 25,000 students, issue 19).
    pending = list(
        ISPLine.objects.filter(add_processed=False, added_on__lte=day, **_from_pending_day("added_on"))
        .order_by()
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0
    lines = list(
        ISPLine.objects.select_for_update(of=("self",))
        .filter(pk__in=pending, add_processed=False, enrolment__enrolment_processed=True)
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
        if _uses_account(enrolment, exempted=line.exempted, holds_bachelor=enrolment.student_id in holds_bachelor):
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
                    reason_code=EntryReason.COURSE_ADDED,
                )
            )
    ledger_book(entries)
    _lines_added_write([(line.pk, True, line.deducted_credits, line.locked_on) for line in lines])
    return len(lines)


# --- rule 4: removals ------------------------------------------------------------
@transaction.atomic
def isp_removals_process(*, day: datetime.date) -> int:
    """Refund lines removed before the lock of their semester (rule 4)."""
    lines = list(
        ISPLine.objects.select_for_update(of=("self",))
        .filter(removal_processed=False, removed_on__lte=day, add_processed=True, **_from_pending_day("removed_on"))
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
                    reason_code=EntryReason.COURSE_REMOVED,
                )
            )
            line.deducted_credits = 0
    ledger_book(entries)
    pgcopy.update_each(
        ISPLine,
        ("removal_processed", "deducted_credits"),
        [(line.pk, line.removal_processed, line.deducted_credits) for line in lines],
    )
    return len(lines)


# --- rule 5: deregistrations ----------------------------------------------------
@transaction.atomic
def deregistrations_process(*, day: datetime.date) -> int:
    """Deregistrations due by ``day``: status, and the refunds of rule 5."""
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(
            deregistration_processed=False,
            deregistered_on__lte=day,
            enrolment_processed=True,
            **_from_pending_day("deregistered_on"),
        )
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
    # The opportunities taken by each deregistration's day: one query per day, not per enrolment.
    lines_by_day = defaultdict(list)
    for enrolment in enrolments:
        lines_by_day[enrolment.deregistered_on] += [line.pk for line in lines_by_enrolment[enrolment.pk]]
    taken = set()
    for on, ids in lines_by_day.items():
        if ids:
            taken |= _taken_opportunities(ids, on=on)
    entries, changed = [], []
    for enrolment in enrolments:
        enrolment.deregistration_processed = True
        if enrolment.status != EnrolmentStatus.REFUSED:
            enrolment.status = EnrolmentStatus.DEREGISTERED
        year = enrolment.academic_year
        lines = lines_by_enrolment[enrolment.pk]
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
                    reason_code=EntryReason.DEREGISTRATION,
                )
            )
    ledger_book(entries)
    update_grouped(Enrolment, enrolments, ["deregistration_processed", "status"])
    update_grouped(ISPLine, changed, ["deducted_credits"])
    return len(enrolments)


# --- rule 9: degrees -------------------------------------------------------------
@transaction.atomic
def degrees_process(*, day: datetime.date) -> int:
    degrees = list(
        Degree.objects.select_for_update()
        .filter(processed=False, on__lte=day, **_from_pending_day("on"))
        .order_by("on", "pk")
    )
    entries = []
    # The master's degrees of these students, read once (not one count per degree).
    masters = defaultdict(list)
    for student_id, on, pk in Degree.objects.filter(
        student_id__in={d.student_id for d in degrees}, kind="master"
    ).values_list("student_id", "on", "pk"):
        masters[student_id].append((on, pk))
    for degree in degrees:
        earlier = sum(1 for key in masters[degree.student_id] if key < (degree.on, degree.pk))
        credits = rules.master_degree_deduction(kind=degree.kind, earlier_master_degrees=earlier)
        if credits:
            entries.append(
                LearningAccountEntry(
                    student_id=degree.student_id,
                    on=degree.on,
                    credits=credits,
                    kind=EntryKind.MASTER_DEGREE,
                    source=f"degree:{degree.pk}",
                    programme_id=degree.programme_id,
                    reason_code=EntryReason.MASTER_DEGREE,
                )
            )
        degree.processed = True
    ledger_book(entries)
    update_grouped(Degree, degrees, ["processed"])
    # Art. 30 §2: a degree ends a threshold refusal; later years it refused are admitted again.
    enrolments_readmit(student_ids={d.student_id for d in degrees}, on=day)
    return len(degrees)


# --- rule 10: rebuild at the start of an academic year -----------------------------
def rebuild_grant(*, year: AcademicYear) -> int:
    """Rebuild the learning account of students not enrolled this year (rule 10).

    The master's-degree path needs no earlier enrolment at the college; a refused
    enrolment is no enrolment (it neither stops a rebuild nor counts as a year with one).
    An enrolment later in this year reverses this year's rebuild (``enrolments_process``).
    """
    previous = AcademicYear.objects.filter(starts_on__lt=year.starts_on).order_by("-starts_on").first()
    counted = Enrolment.objects.exclude(status=EnrolmentStatus.REFUSED)
    enrolled_now = counted.filter(student=OuterRef("pk"), academic_year=year, enrolled_on__lte=year.starts_on)
    enrolled_before = counted.filter(student=OuterRef("pk"), academic_year__starts_on__lt=year.starts_on)
    master_before = Degree.objects.filter(student=OuterRef("pk"), kind="master", on__lt=year.starts_on)
    # Each student's balance by its own sum over the student's entries (the entries' student
    # index), not a join of every entry grouped: a plan that stays linear in the students.
    candidates = (
        Student.objects.filter(account_opened=True)
        .filter(Exists(enrolled_before) | Exists(master_before))
        .exclude(Exists(enrolled_now))
        .annotate(balance=balance_subquery())
        .filter(balance__lt=rules.REBUILD_TARGET)
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
    ever_enrolled = set(
        counted.filter(student_id__in=ids, academic_year__starts_on__lt=year.starts_on).values_list(
            "student_id", flat=True
        )
    )
    enrolled_previous = (
        set(counted.filter(student_id__in=ids, academic_year=previous).values_list("student_id", flat=True))
        if previous
        else set()
    )
    first_rebuild = dict(
        LearningAccountEntry.objects.filter(student_id__in=ids, kind=EntryKind.REBUILD)
        .values("student_id")
        .annotate(first=Min("on"))
        .values_list("student_id", "first")
    )
    # Enrolled since the first rebuild (up to this start only: a later enrolment, an imported
    # future fact, has not happened yet): one read for every student rebuilt before.
    stopped = {
        student_id
        for student_id, enrolled_on in counted.filter(
            student_id__in=list(first_rebuild), enrolled_on__lte=year.starts_on
        ).values_list("student_id", "enrolled_on")
        if enrolled_on >= first_rebuild[student_id]
    }
    entries = []
    for student_id, balance in candidates.items():
        credits = rules.rebuild_due(
            balance=balance,
            enrolled_this_year=False,
            after_first_master=student_id in masters,
            previous_year_without_enrolment=previous is not None and student_id not in enrolled_previous,
            ever_enrolled=student_id in ever_enrolled,
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
                    reason_code=EntryReason.REBUILD,
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
