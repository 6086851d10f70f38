"""What if…: a coach previews a change of one student before making it (issue 18, point 5).

A deregistration on a chosen day, a switch to another programme, a change of contract or
dropping courses: the learning account (DOMAIN §2 rules 2-6, 11-12), the credits without
learning account, the tuition fee of the year (fee appendix), the decree-threshold and
repeated-failure signals (Art. 28, 30, 31) and the tolerance credit (Art. 91), before and
after, and the ledger entries the change would book.

Two steps, so that nothing is ever written and nobody else is locked out:

- ``snapshot`` reads the one student (a fixed number of queries, no lock, no write);
- ``simulate`` is pure: it calls the same rule functions the services call
  (``students.services.deregistrations_process``, ``isp_removals_process``,
  ``enrolments_process`` and its generation refund, ``fees.services.fees_recalculate``) on
  the snapshot, and judges the signals with ``progress.risk_facts.signals_of`` on a changed
  copy of the risk facts. A test proves the preview equals the real change once it is made.
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core import gates
from exams.facts import opportunities_taken_and_first
from exams.publication import with_publication
from exams.standing import Line as StandingLine
from exams.standing import Standing, YearInProgramme
from programmes.facts import year_calendar
from programmes.models import Course, ExamPeriod, Programme
from programmes.rules import YearCalendar
from students import rules
from students.models import (
    Degree,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    ISPLine,
    LearningAccountEntry,
    LineOutcome,
    Measure,
    MeasureKind,
)
from students.refusals import REFUSALS, open_measures, refusals_for
from students.selectors import credits_without_learning_account_of

from . import risk
from .risk_facts import COURSE_FIELDS, ProgrammeFacts, StudentRiskFacts, risk_facts, signals_of

DEREGISTER, SWITCH, CONTRACT, DROP = "deregister", "switch", "contract", "drop"
KINDS = (
    (DEREGISTER, _("Deregistration")),
    (SWITCH, _("Switch to another programme")),
    (CONTRACT, _("Change of contract")),
    (DROP, _("Dropping courses")),
)
SHOWN_SIGNALS = (risk.THRESHOLD, risk.REPEATED_FAILURE)

# What each booking would be, in the reader's language (the ledger's own reasons).
BOOKING_REASONS = {
    "deregistration": _("deregistration: courses without a taken exam opportunity refunded (rule 5)"),
    "course_removed": _("course dropped before the lock of its semester: refunded (rule 4)"),
    "generation_switch": _("generation student switching programme: half refund (rule 6)"),
    "isp": _("ISP of the new enrolment deducted (rule 3)"),
    "contract_refund": _("course no longer using the learning account under the new contract: refunded (rule 4)"),
    "contract_deduction": _("course using the learning account under the new contract: deducted (rule 3)"),
}


# --- The snapshot: plain values read once ------------------------------------------------------
@dataclass(frozen=True)
class LineFacts:
    id: int
    course_id: int
    code: str
    credits: int
    semester: str
    deducted: int
    exempted: bool
    removed: bool  # removed on or before the day
    removal_processed: bool
    certified: bool
    taken: bool  # an exam opportunity taken by the day (Art. 89 §1)
    first_taken: bool  # the first opportunity taken by the day (rule 6)


@dataclass(frozen=True)
class EntryFacts:
    """A ledger entry as rule 12 counts it (``credits_without_learning_account_of``)."""

    kind: str
    credits: int
    source: str
    academic_year_id: int | None
    programme_id: int | None


@dataclass(frozen=True)
class EnrolmentFacts:
    id: int
    programme_id: int
    programme_code: str
    programme_kind: str
    contract: str
    status: str
    grant_status: str
    enrolled_on: datetime.date
    deregistered_on: datetime.date | None
    balance_at_enrolment: int | None
    academic_year_id: int


@dataclass(frozen=True)
class TargetProgramme:
    """The programme of a switch, with its first model-route stage (stage-1 compulsory courses)."""

    programme: Programme
    # (course id, code, credits, semester, tolerable, pass/fail) of each stage-1 compulsory course
    stage_one: tuple[tuple[int, str, int, str, bool, bool], ...]


@dataclass
class Snapshot:
    student_id: int
    on: datetime.date
    today: datetime.date
    calendar: YearCalendar
    enrolment: EnrolmentFacts
    year_enrolments: tuple[EnrolmentFacts, ...]  # the year's enrolments counted (not refused, enrolled by the day)
    lines: tuple[LineFacts, ...]
    balance: int
    holds_bachelor: bool
    generation: bool
    entries: tuple[EntryFacts, ...]  # the year's entries booked by the day
    fee: object | None  # ``core.gates.year_fee_preview``'s answer
    risk: StudentRiskFacts | None
    target: TargetProgramme | None = None


def current_enrolment(student, *, today: datetime.date) -> Enrolment | None:
    """The student's enrolment of the academic year containing ``today``: not refused, one still
    enrolled before a deregistered one, the latest first; with its programme, its academic year
    and the year's exam periods, read with their publication for the programmes of the year (two
    queries). Read with it: the student facts of ``with_student_facts`` and, as
    ``year_enrolments``, the student's enrolments of that year (not refused, with their
    programmes), which the snapshot counts."""
    return _current(Enrolment.objects.filter(student=student), today=today)


def current_enrolment_of(students, number: str, *, today: datetime.date):
    """``(student, enrolment)``: the student numbered ``number`` among ``students`` (a queryset)
    and its ``current_enrolment``, read with it (the student: one query more when the student
    has none); ``(None, None)``: no such student."""
    enrolment = _current(
        # The number on the joined student (its unique index finds the one student), the scope
        # as a subquery: the planner cannot see through the subquery's number to the one row.
        Enrolment.objects.filter(student__number=number, student__in=students.filter(number=number)).select_related(
            "student"
        ),
        today=today,
    )
    if enrolment is not None:
        return enrolment.student, enrolment
    return students.filter(number=number).first(), None


def _current(enrolments, *, today: datetime.date) -> Enrolment | None:
    enrolments = list(
        with_student_facts(enrolments.filter(academic_year__starts_on__lte=today, academic_year__ends_on__gte=today))
        .exclude(status=EnrolmentStatus.REFUSED)
        .select_related("programme", "academic_year")
        .order_by("-enrolled_on", "-pk")
    )
    if not enrolments:
        return None
    # The academic year containing ``today`` (the latest begun, should two overlap).
    year_start = max(e.academic_year.starts_on for e in enrolments)
    enrolments = [e for e in enrolments if e.academic_year.starts_on == year_start]
    enrolments.sort(key=lambda e: e.status == EnrolmentStatus.DEREGISTERED)
    found = enrolments[0]
    found.year_enrolments = enrolments
    # The calendar's exam periods are the risk facts' too: read once, with their publication.
    prefetch_related_objects(
        [found.academic_year],
        Prefetch(
            "exam_periods",
            queryset=with_publication(ExamPeriod.objects.all(), {e.programme_id for e in enrolments}),
        ),
    )
    return found


def student_measures(student_id: int) -> list[Measure]:
    """The student's measures not lifted that a preview judges: the refusals of a switch
    (``students.refusals.refusals_for``) and binding conditions (the risk facts)."""
    return open_measures([student_id], kinds=REFUSALS | {MeasureKind.BINDING_CONDITIONS})


def enrolment_lines(enrolment: Enrolment) -> list[ISPLine]:
    """Every line of ``enrolment`` (removed ones too) with its course, by course code (one
    query): the page's choice of courses to drop and the snapshot read them once. Read with
    them, as ``enrolment.year_lines`` (the ids of the enrolments read, the lines), the lines of
    the student's other enrolments of the year (``year_enrolments``), which the fee counts."""
    ids = {e.pk for e in getattr(enrolment, "year_enrolments", ())} | {enrolment.pk}
    found = list(ISPLine.objects.filter(enrolment_id__in=ids).select_related("course").order_by("course__code", "pk"))
    enrolment.year_lines = (ids, found)
    return [line for line in found if line.enrolment_id == enrolment.pk]


def switch_targets(enrolment: Enrolment):
    """The programmes a switch can go to: another programme with a first model-route stage
    (stage-1 compulsory courses), the programmes offered in the college's course catalogue."""
    offered = Course.objects.filter(stage=1, elective=False).values("programme_id")
    return Programme.objects.filter(pk__in=offered).exclude(pk=enrolment.programme_id).order_by("code")


def switch_refusal(enrolment: Enrolment, programme: Programme, *, on: datetime.date, measures=None):
    """The measure (Art. 29-33, 85) that would refuse an enrolment of the student in
    ``programme`` this academic year, or None (``students.refusals.refusals_for``; ``measures``:
    ``student_measures``, when read)."""
    candidate = Enrolment(
        student_id=enrolment.student_id,
        academic_year=enrolment.academic_year,
        programme=programme,
        contract=enrolment.contract,
        enrolled_on=on,
    )
    return refusals_for([candidate], measures=measures).get(None)


def _enrolment_facts(e: Enrolment) -> EnrolmentFacts:
    return EnrolmentFacts(
        id=e.pk,
        programme_id=e.programme_id,
        programme_code=e.programme.code,
        programme_kind=e.programme.kind,
        contract=e.contract,
        status=e.status,
        grant_status=e.grant_status,
        enrolled_on=e.enrolled_on,
        deregistered_on=e.deregistered_on,
        balance_at_enrolment=e.balance_at_enrolment,
        academic_year_id=e.academic_year_id,
    )


def with_student_facts(enrolments):
    """``enrolments`` (a queryset) with three facts of each one's student, read with it:
    ``bachelor_since``, the day of the student's first bachelor's degree (None: none; the
    student holds one on a day D when it is D or earlier); ``earlier_enrolments``, the number
    of the student's enrolments of academic years before the enrolment's; ``first_year_code``,
    the code of the academic year of the student's first enrolment in higher education (None:
    not known)."""
    student = OuterRef("student_id")
    return enrolments.annotate(
        bachelor_since=Subquery(
            Degree.objects.filter(student_id=student, kind="bachelor").order_by("on").values("on")[:1]
        ),
        earlier_enrolments=Coalesce(
            Subquery(
                Enrolment.objects.filter(
                    student_id=student, academic_year__starts_on__lt=OuterRef("academic_year__starts_on")
                )
                .order_by()
                .values("student_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
        first_year_code=F("student__first_enrolment_in_higher_education__code"),
    )


def _holds_bachelor(bachelor_since: datetime.date | None, on: datetime.date) -> bool:
    return bachelor_since is not None and bachelor_since <= on


def snapshot(
    enrolment: Enrolment,
    *,
    on: datetime.date,
    today: datetime.date,
    target: Programme | None = None,
    lines: list[ISPLine] | None = None,
    measures: list[Measure] | None = None,
):
    """Everything ``simulate`` needs of ``enrolment``'s student, read once (a fixed number of
    queries; reads only: no lock, no write). ``lines``: ``enrolment_lines(enrolment)``, and
    ``measures``: ``student_measures``, when the caller has them."""
    year = enrolment.academic_year
    prefetch_related_objects([year], "exam_periods")
    student = enrolment.student
    if not hasattr(enrolment, "year_enrolments"):  # not read by ``current_enrolment``
        enrolment.year_enrolments = list(
            Enrolment.objects.filter(student_id=student.pk, academic_year=year)
            .exclude(status=EnrolmentStatus.REFUSED)
            .select_related("programme")
        )
    year_enrolments = [
        _enrolment_facts(e)
        for e in sorted(enrolment.year_enrolments, key=lambda e: (e.enrolled_on, e.pk))
        if e.enrolled_on <= on
    ]
    if lines is None:
        lines = enrolment_lines(enrolment)
    rows = [line for line in lines if line.added_on <= on]
    ids = [line.pk for line in rows]
    taken, first_taken = opportunities_taken_and_first(ids, on=on)
    lines = tuple(
        LineFacts(
            id=line.pk,
            course_id=line.course_id,
            code=line.course.code,
            credits=line.course.credits,
            semester=line.course.semester,
            deducted=line.deducted_credits,
            exempted=line.exempted,
            removed=line.removed_on is not None and line.removed_on <= on,
            removal_processed=line.removal_processed,
            certified=line.certified_on is not None,
            taken=line.pk in taken,
            first_taken=line.pk in first_taken,
        )
        for line in rows
    )
    # One read of the ledger: the balance is the sum of every entry (rule 12 and the fee count the
    # year's entries booked by the day, as the fee recalculation does).
    ledger = list(
        LearningAccountEntry.objects.filter(student_id=student.pk)
        .order_by()
        .values("kind", "credits", "source", "academic_year_id", "programme_id", "on")
    )
    balance = sum(row["credits"] for row in ledger)
    entries = tuple(
        EntryFacts(row["kind"], row["credits"], row["source"], row["academic_year_id"], row["programme_id"])
        for row in ledger
        if row["academic_year_id"] == year.pk and row["on"] <= on
    )
    # The fee facts from the rows read here, when the lines of every enrolment of the year are
    # among them (``enrolment_lines``); else the fee gate reads them.
    read_ids, year_lines = getattr(enrolment, "year_lines", (set(), []))
    fee_read = (
        {"enrolments": enrolment.year_enrolments, "lines": year_lines, "entries": ledger}
        if {e.pk for e in enrolment.year_enrolments} <= read_ids
        else None
    )
    if not hasattr(enrolment, "bachelor_since"):  # not read by ``current_enrolment``
        facts = with_student_facts(Enrolment.objects.filter(pk=enrolment.pk)).order_by()
        (enrolment.bachelor_since, enrolment.earlier_enrolments, enrolment.first_year_code) = facts.values_list(
            "bachelor_since", "earlier_enrolments", "first_year_code"
        ).get()
    holds_bachelor = _holds_bachelor(enrolment.bachelor_since, on)
    earlier, first_year = enrolment.earlier_enrolments, enrolment.first_year_code
    generation = rules.is_generation_student(
        first_enrolment_year=first_year,
        academic_year=year.code,
        contract=enrolment.contract,
        programme_kind=enrolment.programme.kind,
        earlier_enrolments=earlier,
    )
    # One read of the courses: those of every programme the student has an enrolment in (the
    # risk facts' courses) and the switch's programme's (its first stage).
    programmes = Q(programme_id__in=Enrolment.objects.filter(student_id=student.pk).values("programme_id"))
    if target is not None:
        programmes |= Q(programme_id=target.pk)
    courses = list(
        Course.objects.filter(programmes).values(*COURSE_FIELDS, "code", "semester", "tolerable", "pass_fail")
    )
    found_target = None
    if target is not None:
        stage_one = {
            row["pk"]: (row["pk"], row["code"], row["credits"], row["semester"], row["tolerable"], row["pass_fail"])
            for row in courses
            if row["programme_id"] == target.pk and row["stage"] == 1 and not row["elective"]
        }
        found_target = TargetProgramme(
            programme=target, stage_one=tuple(sorted(stage_one.values(), key=lambda course: course[1]))
        )
    return Snapshot(
        student_id=student.pk,
        on=on,
        today=today,
        calendar=year_calendar(year),
        enrolment=_enrolment_facts(enrolment),
        year_enrolments=tuple(year_enrolments),
        lines=lines,
        balance=balance,
        holds_bachelor=holds_bachelor,
        generation=generation,
        entries=entries,
        fee=gates.year_fee_preview(student.pk, year.pk, on=on, year=year, read=fee_read),
        # The balance and the degree read above: the risk facts do not read them again.
        risk=risk_facts(
            [student.pk],
            today=today,
            balance={student.pk: balance},
            bachelors={student.pk} if _holds_bachelor(enrolment.bachelor_since, today) else set(),
            periods=list(year.exam_periods.all()),
            courses=courses,
            measures=measures,
        ).get(student.pk),
        target=found_target,
    )


# --- The scenario and the outcome -------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    kind: str
    on: datetime.date
    programme_id: int | None = None  # switch
    contract: str | None = None  # contract
    line_ids: tuple[int, ...] = ()  # drop


@dataclass(frozen=True)
class Booking:
    on: datetime.date
    credits: int
    reason: str  # a key of BOOKING_REASONS
    course: str = ""

    @property
    def text(self):
        return BOOKING_REASONS[self.reason]


@dataclass(frozen=True)
class Figure:
    label: object
    before: object
    after: object
    euro: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class SignalView:
    kind: str
    kind_label: object
    level: str
    level_label: object
    programme: str
    course: str | None
    grounds: str

    @property
    def key(self):
        return (self.kind, self.level, self.programme, self.course, self.grounds)


@dataclass(frozen=True)
class ToleranceRow:
    programme: str
    before: dict | None
    after: dict | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Outcome:
    balance: Figure
    without_account: Figure
    fee: Figure | None
    signals_before: list[SignalView]
    signals_after: list[SignalView]
    tolerance: list[ToleranceRow]
    bookings: list[Booking]
    assumptions: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def signals_changed(self) -> bool:
        return [s.key for s in self.signals_before] != [s.key for s in self.signals_after]

    @property
    def figures(self) -> list[Figure]:
        return [f for f in (self.balance, self.without_account, self.fee) if f is not None]


def shown_signals(signals) -> list[SignalView]:
    """The threshold and repeated-failure signals, as text in the reader's language."""
    return [
        SignalView(
            kind=s.kind,
            kind_label=risk.KIND_LABELS[s.kind],
            level=s.level,
            level_label=risk.LEVEL_LABELS[s.level],
            programme=s.programme,
            course=s.course,
            grounds=str(s.grounds),
        )
        for s in signals
        if s.kind in SHOWN_SIGNALS
    ]


def without_account_of(enrolments, entries) -> int:
    """Rule 12 summed over the year's enrolments, as the fee recalculation counts it."""
    return sum(credits_without_learning_account_of(e, entries) for e in enrolments)


def tolerance_rows(facts: StudentRiskFacts | None) -> dict[str, dict | None]:
    if facts is None:
        return {}
    return {p.standing.programme.code: p.standing.tolerance(p.current) for p in facts.programmes.values()}


# --- The simulation (pure) --------------------------------------------------------------------
def _deregistration(s: Snapshot, on: datetime.date) -> tuple[list[Booking], set[int]]:
    """``deregistrations_process`` on one enrolment: the refund of rule 5 and the lines it zeroes."""
    cal, e = s.calendar, s.enrolment
    refunded, zeroed = 0, set()
    for line in s.lines:
        if line.deducted <= 0 or (line.removed and line.removal_processed):
            continue
        if rules.deregistration_refunds(
            contract=e.contract,
            semester=line.semester,
            deregistered_on=on,
            opportunity_taken=line.taken,
            first_semester_lock=cal.first_semester_lock,
            second_semester_lock=cal.second_semester_lock,
        ):
            refunded += line.deducted
            zeroed.add(line.id)
    return ([Booking(on, refunded, "deregistration")] if refunded else []), zeroed


def _drop(s: Snapshot, on: datetime.date, line_ids) -> list[Booking]:
    """``isp_removals_process`` on the dropped lines: the refunds of rule 4."""
    cal, bookings = s.calendar, []
    for line in s.lines:
        if line.id not in line_ids:
            continue
        if line.deducted and rules.removal_refunds(
            semester=line.semester,
            removed_on=on,
            opportunity_taken=line.taken,
            first_semester_lock=cal.first_semester_lock,
            second_semester_lock=cal.second_semester_lock,
        ):
            bookings.append(Booking(on, line.deducted, "course_removed", line.code))
    return bookings


def _active(line: LineFacts) -> bool:
    return not line.removed and not line.exempted


def _contract_change(s: Snapshot, on: datetime.date, contract: str) -> list[Booking]:
    """A change of contract from ``on`` (decided for this preview, no service records one): a
    course that stops using the learning account (rule 2) is refunded as if removed that day
    (rule 4), one that starts using it is deducted that day (rule 3)."""
    e, cal, bookings = s.enrolment, s.calendar, []
    for line in s.lines:
        if not _active(line) or line.certified:
            continue
        uses = rules.line_uses_learning_account(
            contract=contract, programme_kind=e.programme_kind, holds_bachelor=s.holds_bachelor, exempted=False
        )
        if line.deducted and not uses:
            if rules.removal_refunds(
                semester=line.semester,
                removed_on=on,
                opportunity_taken=line.taken,
                first_semester_lock=cal.first_semester_lock,
                second_semester_lock=cal.second_semester_lock,
            ):
                bookings.append(Booking(on, line.deducted, "contract_refund", line.code))
        elif not line.deducted and uses:
            bookings.append(Booking(on, rules.deduction(line.credits), "contract_deduction", line.code))
    return bookings


def _entry(s: Snapshot, booking: Booking, *, programme_id: int, generation: bool = False) -> EntryFacts:
    kind = EntryKind.DEDUCTION if booking.credits < 0 else EntryKind.REFUND
    source = "whatif:generation" if generation else f"whatif:{booking.reason}:{booking.course}"
    return EntryFacts(kind, booking.credits, source, s.enrolment.academic_year_id, programme_id)


def _new_year(s: Snapshot, target: TargetProgramme, *, on: datetime.date, contract: str, refused: bool):
    programme = target.programme
    year = YearInProgramme(
        enrolment_id=-1,
        year_id=s.enrolment.academic_year_id,
        year_code=s.calendar.code,
        year_start=s.calendar.starts_on,
        year_end=s.calendar.ends_on,
        contract=contract,
        status=EnrolmentStatus.REFUSED if refused else EnrolmentStatus.ENROLLED,
        enrolled_on=on,
        lines=[
            StandingLine(
                id=-course_id,
                course_id=course_id,
                code=code,
                credits=credits,
                tolerable=tolerable,
                pass_fail=pass_fail,
                elective=False,
                exempted=False,
                removed=False,
                mark=None,
                outcome=LineOutcome.PENDING,
                certified_on=None,
                tolerated_on=None,
                tolerance_kind="",
            )
            for course_id, code, credits, _semester, tolerable, pass_fail in target.stage_one
        ],
    )
    standing = Standing(
        student_id=s.student_id,
        programme=programme,
        compulsory={c[0] for c in target.stage_one},
        years=[year],
    )
    return standing, year


def simulate(s: Snapshot, scenario: Scenario) -> Outcome:
    """The change ``scenario`` would make, computed on the snapshot alone (pure)."""
    on, e = scenario.on, s.enrolment
    bookings: list[Booking] = []
    entries = list(s.entries)
    enrolments = list(s.year_enrolments)
    fee_changes: dict = {}
    assumptions, notes = [], []
    after_risk = copy.deepcopy(s.risk)
    current = after_risk.programmes.get(e.programme_id) if after_risk else None
    balance = s.balance
    dropped: set[int] = set()

    def book(new: list[Booking], *, programme_id: int, generation: bool = False):
        nonlocal balance
        for b in new:
            bookings.append(b)
            entries.append(_entry(s, b, programme_id=programme_id, generation=generation))
            balance += b.credits

    if scenario.kind in (DEREGISTER, SWITCH):
        # On one day the timeline admits the new enrolment before it processes the
        # deregistration (students.deadlines: "enrolment" before "deregistration").
        refund, zeroed = _deregistration(s, on)
        fee_changes["deregister"] = {e.programme_code: on}
        if current is not None and current.current.enrolment_id == e.id:
            current.current.status = EnrolmentStatus.DEREGISTERED
    if scenario.kind == SWITCH:
        target = s.target
        assumptions.append(
            _(
                "The new ISP is the first stage of the new programme's model route: its compulsory courses of "
                "stage 1 (%(courses)s), with the same contract, enrolled on the day of the deregistration."
            )
            % {"courses": ", ".join(c[1] for c in target.stage_one) or "-"}
        )
        cal = s.calendar
        # Rule 6 (``_generation_refund_entry``): the semester-1 and year lines still deducted.
        generation = 0
        if s.generation:
            generation = rules.generation_refund(
                deregistered_on=on,
                new_enrolled_on=on,
                first_semester_lock=cal.first_semester_lock,
                generation_switch_deadline=cal.generation_switch_deadline,
                second_semester_lock=cal.second_semester_lock,
                first_semester_lines=[
                    (line.deducted, line.first_taken)
                    for line in s.lines
                    if line.semester in ("1", "year") and line.deducted > 0
                ],
            )
        if generation:
            book([Booking(on, generation, "generation_switch")], programme_id=e.programme_id, generation=True)
        # Rule 11 (``enrolments_process``): admission on the learning account.
        programme = target.programme
        covered = rules.admission_covers(
            contract=e.contract, programme_kind=programme.kind, holds_bachelor=s.holds_bachelor
        )
        admitted = rules.admission(
            covered=covered,
            balance=balance,
            enrolled_in_both_previous_years=False,
            credits_left_to_degree=0,
            requested=False,
        )
        charged = 0
        if admitted.refused:
            notes.append(
                _("The new enrolment would be refused: the learning account is %(balance)s (Art. 33).")
                % {"balance": balance}
            )
        else:
            uses = rules.line_uses_learning_account(
                contract=e.contract, programme_kind=programme.kind, holds_bachelor=s.holds_bachelor, exempted=False
            )
            charged = sum(c[2] for c in target.stage_one) if uses else 0
            new_enrolment = EnrolmentFacts(
                id=-1,
                programme_id=programme.pk,
                programme_code=programme.code,
                programme_kind=programme.kind,
                contract=e.contract,
                status=EnrolmentStatus.ENROLLED,
                grant_status=e.grant_status,
                enrolled_on=on,
                deregistered_on=None,
                balance_at_enrolment=balance,
                academic_year_id=e.academic_year_id,
            )
            if charged:
                book([Booking(on, rules.deduction(charged), "isp")], programme_id=programme.pk)
            enrolments.append(new_enrolment)
            fee_changes["add"] = [
                {
                    "programme_code": programme.code,
                    "programme_kind": programme.kind,
                    "contract": e.contract,
                    "grant_status": e.grant_status,
                    "lines": [(c[2], c[3]) for c in target.stage_one],
                    "without_account": credits_without_learning_account_of(new_enrolment, entries),
                    "enrolled_on": on,
                }
            ]
        if after_risk is None:
            after_risk = StudentRiskFacts(
                student_id=s.student_id, balance=balance, holds_bachelor=s.holds_bachelor, programmes={}, groups={}
            )
        standing, year = _new_year(s, target, on=on, contract=e.contract, refused=admitted.refused)
        if not admitted.refused:
            after_risk.programmes[programme.pk] = ProgrammeFacts(
                standing=standing, current=year, year_ended=False, under_binding_conditions=False, last_period=0
            )
            after_risk.others.append(standing)
    if scenario.kind in (DEREGISTER, SWITCH):
        book(refund, programme_id=e.programme_id)
    if scenario.kind == CONTRACT:
        assumptions.append(
            _(
                "No service records a change of contract yet: the preview keeps the enrolment under the new "
                "contract from the chosen day; a course that no longer uses the learning account is refunded as "
                "if removed that day (rule 4), one that starts using it is deducted that day (rule 3)."
            )
        )
        book(_contract_change(s, on, scenario.contract), programme_id=e.programme_id)
        fee_changes["contract"] = {e.programme_code: scenario.contract}
        enrolments = [_replace_contract(x, scenario.contract) if x.id == e.id else x for x in enrolments]
        if current is not None and current.current.enrolment_id == e.id:
            current.current.contract = scenario.contract
    if scenario.kind == DROP:
        dropped = set(scenario.line_ids)
        for line in s.lines:
            if line.id in dropped and line.taken:
                notes.append(
                    _("%(course)s cannot be removed: an exam opportunity was taken (Art. 19).") % {"course": line.code}
                )
        book(_drop(s, on, dropped), programme_id=e.programme_id)
        fee_changes["remove"] = {
            e.programme_code: [(x.credits, x.semester) for x in s.lines if x.id in dropped and _active(x)]
        }
        if current is not None and current.current.enrolment_id == e.id:
            for line in current.current.lines:
                if line.id in dropped:
                    line.removed = True

    # Rule 12 and the fee, as the fee recalculation reckons them on the day.
    before_without = without_account_of(s.year_enrolments, s.entries)
    after_without = without_account_of(enrolments, entries)
    fee_changes["without_account"] = {
        x.programme_code: credits_without_learning_account_of(x, entries) for x in enrolments if x.id > 0
    }
    fee = None
    if s.fee is not None:
        fee = Figure(_("Tuition fee of the year (euro)"), s.fee.total(), s.fee.total(fee_changes), euro=True)

    if after_risk is not None:
        after_risk.balance = balance
    before_signals = shown_signals(signals_of(s.risk, today=s.today)) if s.risk else []
    after_signals = shown_signals(signals_of(after_risk, today=s.today)) if after_risk else []
    before_tol, after_tol = tolerance_rows(s.risk), tolerance_rows(after_risk)
    tolerance = [
        ToleranceRow(code, before_tol.get(code), after_tol.get(code))
        for code in sorted(set(before_tol) | set(after_tol))
    ]
    return Outcome(
        balance=Figure(_("Learning account (credits)"), s.balance, balance),
        without_account=Figure(_("Credits without learning account"), before_without, after_without),
        fee=fee,
        signals_before=before_signals,
        signals_after=after_signals,
        tolerance=tolerance,
        bookings=bookings,
        assumptions=assumptions,
        notes=notes,
    )


def _replace_contract(e: EnrolmentFacts, contract: str) -> EnrolmentFacts:
    from dataclasses import replace

    return replace(e, contract=contract)


def preview(
    enrolment: Enrolment,
    scenario: Scenario,
    *,
    today: datetime.date,
    target: Programme | None = None,
    lines: list[ISPLine] | None = None,
    measures: list[Measure] | None = None,
) -> Outcome:
    """Read the snapshot and simulate: the page's one call (``target``: the switch's programme, if
    read; ``lines``: ``enrolment_lines(enrolment)``, and ``measures``: ``student_measures``, if
    read)."""
    if scenario.kind == SWITCH and target is None:
        target = Programme.objects.get(pk=scenario.programme_id)
    return simulate(
        snapshot(enrolment, on=scenario.on, today=today, target=target, lines=lines, measures=measures), scenario
    )
